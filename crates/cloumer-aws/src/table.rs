//! The one DynamoDB table (layout in README.md): users, channels, moderators.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use cloumer_server::store::{Channel, ChannelListing};

use crate::error::{Error, Result};

pub type Item = HashMap<String, AttributeValue>;

pub const SK_USER: &str = "USER";
pub const SK_CHANNEL: &str = "CHANNEL";
/// `gsi1pk` of every channel row: the R1/R2 listing is one Query of the GSI.
pub const ALL_CHANNELS: &str = "CHANNELS";
/// The most items one listing reads.
pub const QUERY_MAX: usize = 1000;

pub fn user_pk(sub: &str) -> String {
    format!("USER#{sub}")
}
pub fn channel_pk(name: &str) -> String {
    format!("CHANNEL#{name}")
}
pub fn moderator_sk(channel: &str) -> String {
    format!("MOD#{channel}")
}

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

pub fn get_s(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// A channel row with the IVS side the media seam needs.
#[derive(Debug, Clone)]
pub struct ChannelRow {
    pub channel: Channel,
    pub nickname: String,
    pub channel_arn: Option<String>,
    pub room_arn: Option<String>,
    pub playback_url: Option<String>,
    pub ingest_endpoint: Option<String>,
}

impl ChannelRow {
    pub fn from_item(item: &Item) -> Result<Self> {
        let name = get_s(item, "pk")
            .and_then(|pk| pk.strip_prefix("CHANNEL#").map(str::to_owned))
            .ok_or_else(|| Error::Row {
                key: format!("{:?}", item.get("pk")),
                message: "not a channel row".into(),
            })?;
        let channel_type = get_s(item, "channel_type")
            .and_then(|t| t.parse().ok())
            .unwrap_or(cloumer_server::ChannelType::Standard);
        Ok(Self {
            channel: Channel {
                owner_sub: get_s(item, "owner_sub").unwrap_or_default(),
                title: get_s(item, "title").unwrap_or_default(),
                is_live: item
                    .get("is_live")
                    .and_then(|v| v.as_bool().ok())
                    .copied()
                    .unwrap_or(false),
                avatar: get_s(item, "avatar"),
                channel_type,
                name,
            },
            nickname: get_s(item, "nickname").unwrap_or_default(),
            channel_arn: get_s(item, "channel_arn"),
            room_arn: get_s(item, "room_arn"),
            playback_url: get_s(item, "playback_url"),
            ingest_endpoint: get_s(item, "ingest_endpoint"),
        })
    }

    pub fn listing(self) -> ChannelListing {
        ChannelListing {
            channel: self.channel,
            nickname: self.nickname,
        }
    }
}

/// The table and its client.
#[derive(Clone)]
pub struct Table {
    pub client: aws_sdk_dynamodb::Client,
    pub name: String,
}

impl Table {
    pub async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.name)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        Ok(out.item)
    }

    pub async fn channel_row(&self, name: &str) -> Result<Option<ChannelRow>> {
        self.get(channel_pk(name), SK_CHANNEL)
            .await?
            .map(|item| ChannelRow::from_item(&item))
            .transpose()
    }

    /// The channel of a user whose row is complete (`state = ready`).
    pub async fn channel_of(&self, sub: &str) -> Result<Option<String>> {
        let Some(user) = self.get(user_pk(sub), SK_USER).await? else {
            return Ok(None);
        };
        if get_s(&user, "state").as_deref() != Some("ready") {
            return Ok(None);
        }
        Ok(get_s(&user, "channel"))
    }

    /// Every channel row (the GSI, pages followed to the end, at most 1000 rows as on
    /// `cloumer serve`).
    pub async fn all_channels(&self) -> Result<Vec<ChannelRow>> {
        self.query_all(|q| {
            q.index_name("gsi1")
                .key_condition_expression("gsi1pk = :p")
                .expression_attribute_values(":p", s(ALL_CHANNELS))
        })
        .await?
        .iter()
        .map(ChannelRow::from_item)
        .collect()
    }

    /// The items of a Query that `build` describes, pages followed to the end, at most
    /// [`QUERY_MAX`] (what `cloumer serve` lists at most).
    pub async fn query_all(
        &self,
        build: impl Fn(QueryFluentBuilder) -> QueryFluentBuilder,
    ) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = build(self.client.query().table_name(&self.name))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| Error::service("dynamodb", e))?;
            items.extend(out.items().iter().cloned());
            start = out.last_evaluated_key;
            if start.is_none() || items.len() >= QUERY_MAX {
                break;
            }
        }
        items.truncate(QUERY_MAX);
        Ok(items)
    }
}
