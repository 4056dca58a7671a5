"""Puts the viewers' web site (web/dist) into the stack's private site bucket, with the
config.json the site reads at start made from the stack's outputs (web/src/lib/config.ts):
the API on the site's own origin (<SiteUrl>/develop, forwarded by CloudFront), the user
pool and its public client; null Cognito / IVS Chat endpoints mean AWS's regional ones.

Cache headers as `cloumer serve` sends them: index.html and config.json `no-cache` (a new
deployment is seen at once), the content-hashed files under assets/ immutable for a year.
Files of earlier deployments under assets/ are left: a page loaded before the upload may
still ask for them.

usage: upload_site.py STACK REGION DIST_DIR
Uses boto3 (in target/aws-venv with sam) and the AWS credential chain; AWS_ENDPOINT_URL
points it at an emulator (scripts/aws-test.sh runs it against moto).
"""

import json
import mimetypes
import pathlib
import sys

import boto3

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


def outputs(region, stack):
    cfn = boto3.client("cloudformation", region_name=region)
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    values = {o["OutputKey"]: o["OutputValue"] for o in found}
    for key in ("Region", "UserPoolId", "UserPoolClientId", "SiteUrl", "SiteBucketName"):
        if key not in values:
            sys.exit(f"stack {stack} has no output {key}: deploy the current template first")
    return values


def site_config(values):
    return {
        "region": values["Region"],
        "userPoolId": values["UserPoolId"],
        "clientId": values["UserPoolClientId"],
        "apiUrl": values["SiteUrl"].rstrip("/") + "/develop",
        "cognitoEndpoint": None,
        "chatEndpoint": None,
        "studioDownloadUrl": None,
    }


def content_type(path):
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return kind + "; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json")) else kind


def main():
    stack, region, dist = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    if not (dist / "index.html").is_file():
        sys.exit(f"{dist}/index.html is missing: build the site first (cd web && npm run build)")
    values = outputs(region, stack)
    bucket = values["SiteBucketName"]
    s3 = boto3.client("s3", region_name=region)
    files = sorted(p for p in dist.rglob("*") if p.is_file() and p.name != "config.json")
    # Assets first, the page last: a viewer never gets a page whose scripts are not there yet.
    files.sort(key=lambda p: p.name == "index.html")
    config = json.dumps(site_config(values), indent=1).encode()
    s3.put_object(Bucket=bucket, Key="config.json", Body=config,
                  ContentType="application/json; charset=utf-8", CacheControl=NO_CACHE)
    for path in files:
        key = path.relative_to(dist).as_posix()
        cache = IMMUTABLE if key.startswith("assets/") else NO_CACHE
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(),
                      ContentType=content_type(path), CacheControl=cache)
    print(f"site: {len(files) + 1} files in s3://{bucket}; open {values['SiteUrl']}")


if __name__ == "__main__":
    main()
