//! A local stand-in of the stack: moto_server for DynamoDB, S3 and Cognito, the testkit's
//! IVS / IVS Chat stand-in, the table and bucket laid out as README.md says, and the AWS
//! clients built by `cloumer_aws::Clients::from_env` exactly as in the Lambdas.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use cloumer_aws::{Clients, Env};
use cloumer_testkit::{IvsStandIn, MotoServer};

pub struct Stack {
    pub moto: MotoServer,
    pub ivs: IvsStandIn,
    pub env: Env,
    pub clients: Clients,
    pub pool_id: String,
}

/// Points every AWS client of this process at the stand-ins. The environment is how the
/// Lambdas are configured too (no code path of their own for tests).
///
/// # Safety
/// Must run before any other thread reads the environment: each test binary of this crate
/// has a single test, which calls this first.
unsafe fn point_at(moto: &str, ivs: &str) {
    for (name, value) in [
        ("AWS_ENDPOINT_URL", moto),
        ("AWS_ENDPOINT_URL_IVS", ivs),
        ("AWS_ENDPOINT_URL_IVSCHAT", ivs),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
    ] {
        // SAFETY: see the function's contract.
        unsafe { std::env::set_var(name, value) };
    }
    // SAFETY: as above.
    unsafe { std::env::remove_var("AWS_PROFILE") };
}

impl Stack {
    /// Starts the stand-ins, or says why not (a skip).
    ///
    /// # Safety
    /// As [`point_at`].
    pub async unsafe fn start() -> anyhow::Result<Self> {
        let moto = MotoServer::start()?;
        let ivs = IvsStandIn::start()?;
        // SAFETY: forwarded contract.
        unsafe { point_at(&moto.endpoint, &ivs.endpoint) };
        let clients = Clients::from_env().await;
        let table = "cloumer-test".to_owned();
        let bucket = "cloumer-avatars".to_owned();
        create_table(&clients.dynamodb, &table).await?;
        clients.s3.create_bucket().bucket(&bucket).send().await?;
        let pool = clients
            .cognito
            .create_user_pool()
            .pool_name("cloumer-test")
            .schema(
                aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                    .name("chanelName")
                    .attribute_data_type(
                        aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                    )
                    .mutable(true)
                    .build(),
            )
            .send()
            .await?;
        let pool_id = pool
            .user_pool()
            .and_then(|p| p.id())
            .ok_or_else(|| anyhow::anyhow!("no pool id"))?
            .to_owned();
        let env = Env {
            table,
            avatar_base_url: Some(format!("{}/{bucket}", moto.endpoint)),
            avatar_bucket: Some(bucket),
            channel_type: cloumer_server::ChannelType::Standard,
            user_pool_id: Some(pool_id.clone()),
        };
        Ok(Self {
            moto,
            ivs,
            env,
            clients,
            pool_id,
        })
    }

    /// AdminCreateUser: the Cognito user a trigger event is about. Returns their `sub`.
    pub async fn cognito_user(&self, email: &str, nickname: &str) -> String {
        let attr = |name: &str, value: &str| {
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .expect("attribute")
        };
        let out = self
            .clients
            .cognito
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(email)
            .user_attributes(attr("email", email))
            .user_attributes(attr("nickname", nickname))
            .send()
            .await
            .expect("AdminCreateUser");
        out.user()
            .and_then(|u| u.attributes().iter().find(|a| a.name() == "sub"))
            .and_then(|a| a.value())
            .expect("sub")
            .to_owned()
    }

    /// `custom:chanelName` as Cognito holds it.
    pub async fn chanel_name_attribute(&self, email: &str) -> Option<String> {
        let out = self
            .clients
            .cognito
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(email)
            .send()
            .await
            .expect("AdminGetUser");
        out.user_attributes()
            .iter()
            .find(|a| a.name() == "custom:chanelName")
            .and_then(|a| a.value().map(str::to_owned))
    }

    /// How many times the stand-in was asked for `operation`.
    pub fn ivs_calls(&self, operation: &str) -> usize {
        self.ivs
            .calls()
            .iter()
            .filter(|(op, _)| op == operation)
            .count()
    }
}

/// The table as the template declares it: `pk`/`sk`, GSI `gsi1` on `gsi1pk`/`gsi1sk`.
async fn create_table(db: &aws_sdk_dynamodb::Client, name: &str) -> anyhow::Result<()> {
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
    };
    db.create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk")?)
        .attribute_definitions(attr("sk")?)
        .attribute_definitions(attr("gsi1pk")?)
        .attribute_definitions(attr("gsi1sk")?)
        .key_schema(key("pk", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("gsi1")
                .key_schema(key("gsi1pk", KeyType::Hash)?)
                .key_schema(key("gsi1sk", KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()?,
        )
        .send()
        .await?;
    Ok(())
}
