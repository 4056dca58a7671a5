//! The post-confirmation trigger: a confirmed user gets one channel (IVS channel, IVS
//! Chat room, our rows), whatever the trigger source and however often Cognito retries.
//!
//! Order, each step idempotent so a retry finishes a half-made user and never makes a
//! second channel (the seed's W4):
//! 1. claim the user's row (`attribute_not_exists(pk)`): the first run picks the channel
//!    name (CSPRNG), later runs read it back; a `ready` user is left alone;
//! 2. claim the channel row for this owner (`attribute_not_exists(pk) OR owner_sub = :sub`);
//! 3. the IVS channel and the IVS Chat room, each found by its (unique, random) name before
//!    being created, their ARNs and URLs recorded on the channel row;
//! 4. `custom:chanelName` (display only: nothing server-side trusts it), the default avatar;
//! 5. the channel row joins the listing index and the user row becomes `ready`.

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_ivs::types::ChannelType as IvsChannelType;
use cloumer_server::ChannelType;

use crate::error::{Error, Result};
use crate::table::{ALL_CHANNELS, SK_CHANNEL, SK_USER, Table, channel_pk, get_s, key, s, user_pk};

/// The user a trigger event confirms.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub sub: String,
    /// Cognito's user name (AdminUpdateUserAttributes' `Username`).
    pub user_name: String,
    pub user_pool_id: String,
    pub nickname: String,
    pub email: String,
}

pub struct Provisioner {
    pub table: Table,
    pub ivs: aws_sdk_ivs::Client,
    pub ivschat: aws_sdk_ivschat::Client,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    pub s3: aws_sdk_s3::Client,
    pub channel_type: ChannelType,
    /// Where the default avatar is put (`None`: not configured, skipped).
    pub avatar_bucket: Option<String>,
}

fn is_condition_failed<E>(e: &aws_sdk_dynamodb::error::SdkError<E>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

impl Provisioner {
    /// Makes sure `user` has a complete channel; returns its name.
    pub async fn provision(&self, user: &NewUser) -> Result<String> {
        let (mut channel, ready) = self.claim_user(user).await?;
        if ready {
            tracing::info!(sub = %user.sub, %channel, "user already has a channel");
            return Ok(channel);
        }
        // A 10-character random name taken by another owner is astronomically unlikely;
        // draw again a few times rather than fail the confirmation.
        let mut attempts = 0;
        while !self.claim_channel(user, &channel).await? {
            attempts += 1;
            if attempts == 5 {
                return Err(Error::Row {
                    key: user_pk(&user.sub),
                    message: "no free channel name after 5 draws".into(),
                });
            }
            channel = self.rename_claim(user, &channel).await?;
        }
        self.ensure_ivs_channel(&channel).await?;
        self.ensure_room(&channel).await?;
        self.cognito
            .admin_update_user_attributes()
            .user_pool_id(&user.user_pool_id)
            .username(&user.user_name)
            .user_attributes(
                AttributeType::builder()
                    .name("custom:chanelName")
                    .value(&channel)
                    .build()
                    .map_err(|e| Error::service("cognito-idp", e))?,
            )
            .send()
            .await
            .map_err(|e| Error::service("cognito-idp", e))?;
        self.put_default_avatar().await?;
        self.finish(user, &channel).await?;
        tracing::info!(sub = %user.sub, %channel, "channel provisioned");
        Ok(channel)
    }

    /// Step 1: the user's row. Returns the channel name and whether the user is ready.
    async fn claim_user(&self, user: &NewUser) -> Result<(String, bool)> {
        let channel = cloumer_server::ids::channel_name();
        let mut item = key(user_pk(&user.sub), SK_USER);
        item.insert("channel".into(), s(&channel));
        item.insert("state".into(), s("claimed"));
        item.insert("nickname".into(), s(&user.nickname));
        item.insert("email".into(), s(&user.email));
        let put = self
            .table
            .client
            .put_item()
            .table_name(&self.table.name)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok((channel, false)),
            Err(e) if is_condition_failed(&e) => {
                let row = self
                    .table
                    .get(user_pk(&user.sub), SK_USER)
                    .await?
                    .unwrap_or_default();
                let channel = get_s(&row, "channel").ok_or_else(|| Error::Row {
                    key: user_pk(&user.sub),
                    message: "user row without a channel".into(),
                })?;
                Ok((channel, get_s(&row, "state").as_deref() == Some("ready")))
            }
            Err(e) => Err(Error::service("dynamodb", e)),
        }
    }

    /// A fresh name for a user whose drawn name belongs to another owner.
    async fn rename_claim(&self, user: &NewUser, taken: &str) -> Result<String> {
        let channel = cloumer_server::ids::channel_name();
        self.table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(user_pk(&user.sub), SK_USER)))
            .update_expression("SET channel = :new")
            .condition_expression("channel = :old AND #state = :claimed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":new", s(&channel))
            .expression_attribute_values(":old", s(taken))
            .expression_attribute_values(":claimed", s("claimed"))
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        Ok(channel)
    }

    /// Step 2: the channel row for this owner. `false`: the name belongs to someone else.
    /// An update, not a put: a retry keeps what an earlier run recorded.
    async fn claim_channel(&self, user: &NewUser, channel: &str) -> Result<bool> {
        let update = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(channel_pk(channel), SK_CHANNEL)))
            .update_expression(
                "SET owner_sub = :sub, nickname = :nick, channel_type = :type, \
                 title = if_not_exists(title, :title), is_live = if_not_exists(is_live, :off)",
            )
            .condition_expression("attribute_not_exists(pk) OR owner_sub = :sub")
            .expression_attribute_values(":sub", s(&user.sub))
            .expression_attribute_values(":nick", s(&user.nickname))
            .expression_attribute_values(":type", s(self.channel_type.as_str()))
            .expression_attribute_values(":title", s(""))
            .expression_attribute_values(":off", AttributeValue::Bool(false))
            .send()
            .await;
        match update {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failed(&e) => Ok(false),
            Err(e) => Err(Error::service("dynamodb", e)),
        }
    }

    async fn record(&self, channel: &str, values: &[(&str, Option<&str>)]) -> Result<()> {
        let mut expression = Vec::new();
        let mut update = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(channel_pk(channel), SK_CHANNEL)));
        for (name, value) in values {
            if let Some(value) = value {
                expression.push(format!("{name} = :{name}"));
                update = update.expression_attribute_values(format!(":{name}"), s(*value));
            }
        }
        update
            .update_expression(format!("SET {}", expression.join(", ")))
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        Ok(())
    }

    /// Step 3a: the IVS channel named like ours, found or created, recorded.
    async fn ensure_ivs_channel(&self, channel: &str) -> Result<()> {
        let row = self.table.channel_row(channel).await?;
        if row.as_ref().is_some_and(|r| r.channel_arn.is_some()) {
            return Ok(());
        }
        let listed = self
            .ivs
            .list_channels()
            .filter_by_name(channel)
            .send()
            .await
            .map_err(|e| Error::service("ivs", e))?;
        let existing = listed
            .channels()
            .iter()
            .find(|c| c.name() == Some(channel))
            .and_then(|c| c.arn().map(str::to_owned));
        let ivs_channel = match existing {
            // An earlier run created it and failed before recording it.
            Some(arn) => {
                self.ivs
                    .get_channel()
                    .arn(arn)
                    .send()
                    .await
                    .map_err(|e| Error::service("ivs", e))?
                    .channel
            }
            None => {
                self.ivs
                    .create_channel()
                    .name(channel)
                    .r#type(IvsChannelType::from(self.channel_type.as_str()))
                    .send()
                    .await
                    .map_err(|e| Error::service("ivs", e))?
                    .channel
            }
        };
        let ivs_channel = ivs_channel.ok_or_else(|| Error::Service {
            service: "ivs",
            message: "no channel in the answer".into(),
        })?;
        self.record(
            channel,
            &[
                ("channel_arn", ivs_channel.arn()),
                ("playback_url", ivs_channel.playback_url()),
                ("ingest_endpoint", ivs_channel.ingest_endpoint()),
            ],
        )
        .await
    }

    /// Step 3b: the IVS Chat room named like the channel, found or created, recorded.
    async fn ensure_room(&self, channel: &str) -> Result<()> {
        let row = self.table.channel_row(channel).await?;
        if row.as_ref().is_some_and(|r| r.room_arn.is_some()) {
            return Ok(());
        }
        let listed = self
            .ivschat
            .list_rooms()
            .name(channel)
            .send()
            .await
            .map_err(|e| Error::service("ivschat", e))?;
        let existing = listed
            .rooms()
            .iter()
            .find(|r| r.name() == Some(channel))
            .and_then(|r| r.arn().map(str::to_owned));
        let arn = match existing {
            Some(arn) => arn,
            None => self
                .ivschat
                .create_room()
                .name(channel)
                .send()
                .await
                .map_err(|e| Error::service("ivschat", e))?
                .arn
                .ok_or_else(|| Error::Service {
                    service: "ivschat",
                    message: "no room ARN in the answer".into(),
                })?,
        };
        self.record(channel, &[("room_arn", Some(&arn))]).await
    }

    /// The image every channel without an avatar points to (same bytes every time).
    async fn put_default_avatar(&self) -> Result<()> {
        let Some(bucket) = &self.avatar_bucket else {
            return Ok(());
        };
        self.s3
            .put_object()
            .bucket(bucket)
            .key(crate::avatars::object_key(
                cloumer_server::rest::avatar::DEFAULT_AVATAR,
            ))
            .content_type("image/png")
            .body(cloumer_server::rest::avatar::DEFAULT_PNG.to_vec().into())
            .send()
            .await
            .map_err(|e| Error::service("s3", e))?;
        Ok(())
    }

    /// Step 5: listed, and ready.
    async fn finish(&self, user: &NewUser, channel: &str) -> Result<()> {
        self.record(
            channel,
            &[("gsi1pk", Some(ALL_CHANNELS)), ("gsi1sk", Some(channel))],
        )
        .await?;
        self.table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(user_pk(&user.sub), SK_USER)))
            .update_expression("SET #state = :ready")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":ready", s("ready"))
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        Ok(())
    }
}
