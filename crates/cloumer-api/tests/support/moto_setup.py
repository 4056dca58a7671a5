"""Sets moto up the way the seed's Terraform sets AWS up (boto3 calls), for the Rust
tests in this directory. Usage:

  moto_setup.py setup               -> JSON {pool_id, client_id, channel_arn}
  moto_setup.py confirm POOL USER   -> AdminConfirmSignUp

The endpoint comes from env MOTO_ENDPOINT.
"""
import json
import os
import sys

import boto3

ARGS = dict(
    endpoint_url=os.environ["MOTO_ENDPOINT"],
    region_name="ap-northeast-2",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)


def setup():
    idp = boto3.client("cognito-idp", **ARGS)
    pool = idp.create_user_pool(
        PoolName="stream_web_pool", AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    # The seed's app client: public (no secret), legacy flow flags.
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="stream-app-client",
        GenerateSecret=False,
        ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"],
        # Real Cognito lets a client without read_attributes read them all (the seed's
        # case); moto puts only the listed ones into the ID token.
        ReadAttributes=["email", "nickname"],
    )["UserPoolClient"]["ClientId"]
    # A user made by an admin: the first login must set a new password.
    idp.admin_create_user(
        UserPoolId=pool,
        Username="admin-made@example.com",
        TemporaryPassword="Temp-Pass-123!",
        UserAttributes=[
            {"Name": "email", "Value": "admin-made@example.com"},
            {"Name": "nickname", "Value": "admin made"},
        ],
        MessageAction="SUPPRESS",
    )
    print(json.dumps({"pool_id": pool, "client_id": client}))


def confirm(pool, user):
    boto3.client("cognito-idp", **ARGS).admin_confirm_sign_up(
        UserPoolId=pool, Username=user
    )


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    elif sys.argv[1] == "confirm":
        confirm(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
