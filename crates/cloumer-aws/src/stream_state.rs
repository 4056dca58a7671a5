//! EventBridge "IVS Stream State Change" → the channel's live flag. IVS delivers these
//! best-effort and possibly out of order, and the seed's rule matched every channel of the
//! account: so an event is applied only to a channel of ours whose IVS ARN matches the
//! event's resource, and only if it is newer than the last one applied (a conditional
//! write on the event time; on a tie "not live" wins: a stream that started and ended in
//! the same second is over). Events other than Stream Start/End/Failure leave the flag.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::table::{SK_CHANNEL, Table, channel_pk, key, s};

pub const DETAIL_TYPE: &str = "IVS Stream State Change";

#[derive(Debug, Deserialize)]
pub struct Detail {
    pub event_name: String,
    pub channel_name: String,
}

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied {
        live: bool,
    },
    /// Older than (or, for Stream Start, as old as) the last applied event.
    Stale,
    /// Not one of our channels (unknown name, or another IVS channel of that name).
    Foreign,
    /// Not a live/not-live event (Session Created, ...), or not an IVS state change.
    Ignored,
}

pub fn live_of(event_name: &str) -> Option<bool> {
    match event_name {
        "Stream Start" => Some(true),
        "Stream End" | "Stream Failure" => Some(false),
        _ => None,
    }
}

pub async fn apply(table: &Table, event: EventBridgeEvent<serde_json::Value>) -> Result<Outcome> {
    if event.source != "aws.ivs" || event.detail_type != DETAIL_TYPE {
        return Ok(Outcome::Ignored);
    }
    let detail: Detail = serde_json::from_value(event.detail).map_err(|e| Error::Row {
        key: "detail".into(),
        message: e.to_string(),
    })?;
    let Some(live) = live_of(&detail.event_name) else {
        return Ok(Outcome::Ignored);
    };
    let Some(arn) = event.resources.as_ref().and_then(|r| r.first()) else {
        return Ok(Outcome::Foreign);
    };
    let at_ms = event.time.map_or(0, |t| t.timestamp_millis());
    let newer = if live {
        "live_at < :t"
    } else {
        "live_at <= :t"
    };
    let update = table
        .client
        .update_item()
        .table_name(&table.name)
        .set_key(Some(key(channel_pk(&detail.channel_name), SK_CHANNEL)))
        .update_expression("SET is_live = :live, live_at = :t")
        .condition_expression(format!(
            "attribute_exists(pk) AND channel_arn = :arn AND \
             (attribute_not_exists(live_at) OR {newer})"
        ))
        .expression_attribute_values(":live", AttributeValue::Bool(live))
        .expression_attribute_values(":t", AttributeValue::N(at_ms.to_string()))
        .expression_attribute_values(":arn", s(arn))
        .send()
        .await;
    match update {
        Ok(_) => Ok(Outcome::Applied { live }),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            // Tell a stale event from a foreign one, for the log.
            let ours = table
                .channel_row(&detail.channel_name)
                .await?
                .is_some_and(|r| r.channel_arn.as_deref() == Some(arn.as_str()));
            Ok(if ours {
                Outcome::Stale
            } else {
                Outcome::Foreign
            })
        }
        Err(e) => Err(Error::service("dynamodb", e)),
    }
}
