"""Drives `cloumer serve`'s Cognito endpoint with independent clients: boto3's
cognito-idp client and pycognito's AWSSRP (the SRP math of a real Cognito client).

Usage: cognito_clients.py ENDPOINT POOL_ID CLIENT_ID OUTBOX_JSONL
Prints "OK" and exits 0 when every step behaved as Cognito does.
"""

import json
import os
import sys
import time

import boto3
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

endpoint, pool_id, client_id, outbox = sys.argv[1:5]
region = pool_id.split("_")[0]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region)

user = "carol-%d@example.com" % int(time.time() * 1000)
password = "Sup3r-Secret!"


def last_code(to):
    codes = [json.loads(l)["code"] for l in open(outbox) if json.loads(l)["to"] == to]
    assert codes, "no code for %s in the outbox" % to
    return codes[-1]


def error_type(call, **kw):
    try:
        call(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("expected an error from %s" % call.__name__)


r = idp.sign_up(
    ClientId=client_id,
    Username=user,
    Password=password,
    UserAttributes=[{"Name": "email", "Value": user}, {"Name": "nickname", "Value": "캐럴"}],
)
assert r["UserConfirmed"] is False and r["UserSub"]
assert error_type(idp.sign_up, ClientId=client_id, Username=user, Password=password,
                  UserAttributes=[{"Name": "email", "Value": user}]) == "UsernameExistsException"
assert error_type(idp.confirm_sign_up, ClientId=client_id, Username=user,
                  ConfirmationCode="000000x") == "CodeMismatchException"
idp.confirm_sign_up(ClientId=client_id, Username=user, ConfirmationCode=last_code(user))

# Password login, and a wrong password.
auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                         AuthParameters={"USERNAME": user, "PASSWORD": password})["AuthenticationResult"]
assert auth["TokenType"] == "Bearer" and auth["ExpiresIn"] == 3600
assert error_type(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                  AuthParameters={"USERNAME": user, "PASSWORD": "wrong-password"}) == "NotAuthorizedException"

# SRP login with pycognito, and SRP with a wrong password.
srp = AWSSRP(username=user, password=password, pool_id=pool_id, client_id=client_id, client=idp)
tokens = srp.authenticate_user()["AuthenticationResult"]
assert tokens["IdToken"] and tokens["RefreshToken"]
bad = AWSSRP(username=user, password="not-the-password", pool_id=pool_id, client_id=client_id, client=idp)
try:
    bad.authenticate_user()
    raise AssertionError("SRP with a wrong password succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response

me = idp.get_user(AccessToken=tokens["AccessToken"])
assert me["Username"] == user, me
attrs = {a["Name"]: a["Value"] for a in me["UserAttributes"]}
assert attrs["nickname"] == "캐럴" and len(attrs["custom:chanelName"]) == 10, attrs

refreshed = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
assert refreshed["AuthenticationResult"]["IdToken"]

idp.global_sign_out(AccessToken=tokens["AccessToken"])
assert error_type(idp.initiate_auth, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}) == "NotAuthorizedException"
assert error_type(idp.get_user, AccessToken=tokens["AccessToken"]) == "NotAuthorizedException"
print("OK")
