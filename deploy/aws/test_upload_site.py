"""Offline check of upload_site.py (run by scripts/aws-test.sh): a stack with the
template's outputs in moto's CloudFormation, its site bucket in moto's S3, the site
uploaded; then config.json must point the site at its own origin's API with the stack's
pool and client, and every file must carry the type and cache header a browser needs.
The template's CloudFront function (page paths to index.html) runs in Node on the site's
page paths and on every uploaded file's path.

usage: test_upload_site.py DIST_DIR   (moto_server on PATH; boto3 from target/aws-venv)
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import time

import boto3
from cfnlint.decode import cfn_yaml

REGION = "eu-west-1"
HERE = pathlib.Path(__file__).resolve().parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_pages_function(dist):
    """Page paths become /index.html; files keep their path (else the site breaks)."""
    template = cfn_yaml.load(str(HERE / "template.yaml"))
    code = template["Resources"]["SitePagesFunction"]["Properties"]["FunctionCode"]
    files = ["/" + p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()]
    cases = {u: "/index.html" for u in ("/", "/login", "/signup", "/forgot", "/mypage",
                                        "/channel/Ab3_x-9ZqW")}
    cases.update({f: f for f in files + ["/config.json"]})
    script = code + f"""
const cases = {json.dumps(cases)};
for (const [uri, want] of Object.entries(cases)) {{
  const got = handler({{request: {{uri}}}}).uri;
  if (got !== want) {{ console.error(uri + ' -> ' + got + ', expected ' + want); process.exit(1); }}
}}
"""
    subprocess.run(["node", "-e", script], check=True)


def main():
    dist = pathlib.Path(sys.argv[1])
    port = free_port()
    moto = subprocess.Popen(["moto_server", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        env = dict(os.environ, AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
                   AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_REGION=REGION, AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        os.environ.update(env)
        site = "https://d2abcdefexample.cloudfront.net"
        values = {"Region": REGION, "UserPoolId": f"{REGION}_Abc123", "UserPoolClientId":
                  "client123", "SiteUrl": site, "SiteBucketName": "cloumer-site-test",
                  "ApiUrl": f"https://abc.execute-api.{REGION}.amazonaws.com/develop"}
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=values["SiteBucketName"],
            CreateBucketConfiguration={"LocationConstraint": REGION})
        template = {"Resources": {"P": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                    "Outputs": {k: {"Value": v} for k, v in values.items()}}
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName="cloumer", TemplateBody=json.dumps(template))
        subprocess.run([sys.executable, str(HERE / "upload_site.py"), "cloumer", REGION,
                        str(dist)], check=True, env=env)

        s3 = boto3.client("s3", region_name=REGION)
        def get(key):
            o = s3.get_object(Bucket=values["SiteBucketName"], Key=key)
            return o["ContentType"], o.get("CacheControl"), o["Body"].read()
        kind, cache, body = get("config.json")
        config = json.loads(body)
        assert config["apiUrl"] == site + "/develop", config
        assert (config["region"], config["userPoolId"], config["clientId"]) == (
            REGION, values["UserPoolId"], "client123"), config
        assert config["cognitoEndpoint"] is None and config["chatEndpoint"] is None, config
        assert kind.startswith("application/json") and cache == "no-cache", (kind, cache)
        kind, cache, body = get("index.html")
        assert kind.startswith("text/html") and cache == "no-cache", (kind, cache)
        assert body == (dist / "index.html").read_bytes()
        assets = [p for p in (dist / "assets").iterdir() if p.suffix in (".js", ".css")]
        assert assets, f"no scripts or styles in {dist}/assets"
        for path in assets:
            kind, cache, body = get(f"assets/{path.name}")
            want = "text/javascript" if path.suffix == ".js" else "text/css"
            assert kind.startswith(want), (path.name, kind)
            assert cache == "public, max-age=31536000, immutable", (path.name, cache)
            assert body == path.read_bytes(), path.name
        check_pages_function(dist)
        print(f"aws: site upload checked ({len(assets)} assets, config.json, index.html)")
    finally:
        moto.terminate()
        moto.wait()


if __name__ == "__main__":
    main()
