#!/usr/bin/env bash
# Builds the viewers' web site (web/) and uploads it with its config.json to the site bucket
# of the deployed stack (deploy/aws/upload_site.py). Run by `make aws-deploy` after
# `sam deploy`; the stack name and region are the ones `sam deploy --guided` saved in
# deploy/aws/samconfig.toml, or STACK / AWS_REGION from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/aws-tools.sh
py=target/aws-venv/bin/python
read -r saved_stack saved_region < <("$py" - <<'PY'
import tomllib
c = tomllib.load(open("deploy/aws/samconfig.toml", "rb")).get("default", {})
p = {**c.get("global", {}).get("parameters", {}), **c.get("deploy", {}).get("parameters", {})}
print(p.get("stack_name", "-"), p.get("region", "-"))
PY
)
stack="${STACK:-$saved_stack}"
region="${AWS_REGION:-$saved_region}"
[ "$stack" != - ] && [ "$region" != - ] || {
  echo "aws-site: no stack name or region (run make aws-deploy, or set STACK and AWS_REGION)" >&2
  exit 2
}
(cd web && npm ci --silent && npm run --silent build)
"$py" deploy/aws/upload_site.py "$stack" "$region" web/dist
