//! Timeouts and bans on the table: one row per (room, user), `pk = CHANNEL#<room>`,
//! `sk = BAN#<user>`, with `until_ms` (a number; absent for a ban) and `reason`. Expired
//! rows are ignored when read and replaced by the next write; a Query of one room's
//! `BAN#` rows lists it. The disconnect itself is IVS Chat's DisconnectUser.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use cloumer_server::media::RoomRestriction;

use crate::error::{Error, Result};
use crate::table::{Item, Table, channel_pk, get_s, key, s};

const BAN_PREFIX: &str = "BAN#";

fn ban_sk(user_id: &str) -> String {
    format!("{BAN_PREFIX}{user_id}")
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The restriction a row holds, if it is still in force at `now_ms`.
fn from_item(item: &Item, now_ms: i64) -> Option<RoomRestriction> {
    let user_id = get_s(item, "sk")?.strip_prefix(BAN_PREFIX)?.to_owned();
    let until_ms = match item.get("until_ms") {
        Some(v) => Some(v.as_n().ok()?.parse::<i64>().ok()?),
        None => None,
    };
    if until_ms.is_some_and(|until| until <= now_ms) {
        return None;
    }
    Some(RoomRestriction {
        user_id,
        until_ms,
        reason: get_s(item, "reason").unwrap_or_default(),
    })
}

pub async fn put(table: &Table, room: &str, r: &RoomRestriction) -> Result<()> {
    let mut item = key(channel_pk(room), &ban_sk(&r.user_id));
    item.insert("reason".into(), s(r.reason.clone()));
    if let Some(until) = r.until_ms {
        item.insert("until_ms".into(), AttributeValue::N(until.to_string()));
    }
    table
        .client
        .put_item()
        .table_name(&table.name)
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| Error::service("dynamodb", e))?;
    Ok(())
}

pub async fn lift(table: &Table, room: &str, user_id: &str) -> Result<bool> {
    let out = table
        .client
        .delete_item()
        .table_name(&table.name)
        .set_key(Some(key(channel_pk(room), &ban_sk(user_id))))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .map_err(|e| Error::service("dynamodb", e))?;
    Ok(out
        .attributes
        .as_ref()
        .and_then(|item| from_item(item, now_ms()))
        .is_some())
}

pub async fn list(table: &Table, room: &str) -> Result<Vec<RoomRestriction>> {
    let now = now_ms();
    let items = table
        .query_all(|q| {
            q.key_condition_expression("pk = :p AND begins_with(sk, :b)")
                .expression_attribute_values(":p", s(channel_pk(room)))
                .expression_attribute_values(":b", s(BAN_PREFIX))
                .consistent_read(true)
        })
        .await?;
    Ok(items
        .iter()
        .filter_map(|item| from_item(item, now))
        .collect())
}

pub async fn get(table: &Table, room: &str, user_id: &str) -> Result<Option<RoomRestriction>> {
    Ok(table
        .get(channel_pk(room), &ban_sk(user_id))
        .await?
        .and_then(|item| from_item(&item, now_ms())))
}
