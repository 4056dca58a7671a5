//! `AvatarStore` on S3 (`avatars/<file>` in the private bucket CloudFront serves) and the
//! channel row's `avatar` attribute. The upload's checks are `cloumer serve`'s, done by
//! the shared R7 handler before this is called.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use aws_sdk_s3::primitives::ByteStream;
use cloumer_server::store::{Avatar, AvatarStore};

use crate::error::Error;
use crate::table::{SK_CHANNEL, Table, channel_pk, get_s, key, s};

pub struct S3Avatars {
    pub s3: aws_sdk_s3::Client,
    pub bucket: String,
    pub table: Table,
}

pub fn object_key(file: &str) -> String {
    format!("avatars/{file}")
}

impl S3Avatars {
    pub async fn put(&self, file: &str, avatar: &Avatar) -> Result<(), Error> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(object_key(file))
            .content_type(&avatar.content_type)
            .cache_control("public, max-age=31536000, immutable")
            .body(ByteStream::from(avatar.bytes.clone()))
            .send()
            .await
            .map_err(|e| Error::service("s3", e))?;
        Ok(())
    }
}

#[async_trait]
impl AvatarStore for S3Avatars {
    async fn replace_avatar(
        &self,
        file_name: &str,
        channel: &str,
        avatar: &Avatar,
    ) -> cloumer_server::Result<()> {
        self.put(file_name, avatar).await?;
        let out = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(channel_pk(channel), SK_CHANNEL)))
            .update_expression("SET avatar = :a")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":a", s(file_name))
            .return_values(ReturnValue::UpdatedOld)
            .send()
            .await
            .map_err(|e| Error::service("dynamodb", e))?;
        // One image per channel: the replaced one goes.
        if let Some(old) = out.attributes.as_ref().and_then(|a| get_s(a, "avatar"))
            && old != file_name
        {
            self.s3
                .delete_object()
                .bucket(&self.bucket)
                .key(object_key(&old))
                .send()
                .await
                .map_err(|e| Error::service("s3", e))?;
        }
        Ok(())
    }

    async fn avatar(&self, file_name: &str) -> cloumer_server::Result<Option<Avatar>> {
        let out = match self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(object_key(file_name))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(Error::service("s3", e).into()),
        };
        let content_type = out
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| Error::service("s3", e))?
            .into_bytes()
            .to_vec();
        Ok(Some(Avatar {
            content_type,
            bytes,
        }))
    }
}
