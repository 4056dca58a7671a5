//! `ChannelStore` and `ModeratorStore` on the table.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use cloumer_server::store::{Channel, ChannelListing, ChannelStore, ModeratorStore};

use crate::error::Error;
use crate::table::{Item, SK_CHANNEL, Table, channel_pk, key, moderator_sk, s};

/// `gsi1pk` of the moderator rows of one moderator: the channels they moderate are one
/// Query of the GSI (`gsi1sk` = the channel).
fn moderates_pk(moderator: &str) -> String {
    format!("MODERATES#{moderator}")
}

fn moderator_item(channel: &str, moderator: &str) -> Item {
    let mut item = key(channel_pk(channel), &moderator_sk(moderator));
    item.insert("gsi1pk".into(), s(moderates_pk(moderator)));
    item.insert("gsi1sk".into(), s(channel));
    item
}

type ServerResult<T> = cloumer_server::Result<T>;

#[async_trait]
impl ChannelStore for Table {
    async fn channel_by_owner(&self, sub: &str) -> ServerResult<Option<Channel>> {
        match self.channel_of(sub).await? {
            Some(name) => self.channel_by_name(&name).await,
            None => Ok(None),
        }
    }

    async fn channel_by_name(&self, name: &str) -> ServerResult<Option<Channel>> {
        Ok(self.channel_row(name).await?.map(|r| r.channel))
    }

    async fn list_channels(&self, live_only: bool) -> ServerResult<Vec<ChannelListing>> {
        Ok(self
            .all_channels()
            .await?
            .into_iter()
            .filter(|r| !live_only || r.channel.is_live)
            .map(|r| r.listing())
            .collect())
    }

    async fn set_title(&self, name: &str, title: &str) -> ServerResult<()> {
        self.client
            .update_item()
            .table_name(&self.name)
            .set_key(Some(key(channel_pk(name), SK_CHANNEL)))
            .update_expression("SET title = :t")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":t", s(title))
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        Ok(())
    }
}

#[async_trait]
impl ModeratorStore for Table {
    async fn moderators(&self, channel: &str) -> ServerResult<Vec<ChannelListing>> {
        let out = self
            .client
            .query()
            .table_name(&self.name)
            .key_condition_expression("pk = :p AND begins_with(sk, :m)")
            .expression_attribute_values(":p", s(channel_pk(channel)))
            .expression_attribute_values(":m", s("MOD#"))
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        let mut list = Vec::new();
        for item in out.items() {
            let Some(name) = crate::table::get_s(item, "sk")
                .and_then(|sk| sk.strip_prefix("MOD#").map(str::to_owned))
            else {
                continue;
            };
            // A moderator whose channel is gone is no longer listed.
            if let Some(row) = self.channel_row(&name).await? {
                list.push(row.listing());
            }
        }
        Ok(list)
    }

    async fn add_moderator(&self, channel: &str, moderator: &str) -> ServerResult<()> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(moderator_item(channel, moderator)))
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        Ok(())
    }

    async fn remove_moderator(&self, channel: &str, moderator: &str) -> ServerResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.name)
            .set_key(Some(key(channel_pk(channel), &moderator_sk(moderator))))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn moderated_by(&self, user_channel: &str) -> ServerResult<Vec<ChannelListing>> {
        let items = self
            .query_all(|q| {
                q.index_name("gsi1")
                    .key_condition_expression("gsi1pk = :p")
                    .expression_attribute_values(":p", s(moderates_pk(user_channel)))
            })
            .await?;
        let mut list = Vec::new();
        for name in items
            .iter()
            .filter_map(|i| crate::table::get_s(i, "gsi1sk"))
        {
            // A channel that is gone is no longer listed.
            if let Some(row) = self.channel_row(&name).await? {
                list.push(row.listing());
            }
        }
        Ok(list)
    }

    async fn is_moderator(&self, channel: &str, user_channel: &str) -> ServerResult<bool> {
        Ok(self
            .get(channel_pk(channel), &moderator_sk(user_channel))
            .await?
            .is_some())
    }
}
