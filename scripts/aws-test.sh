#!/usr/bin/env bash
# The AWS deployment checked offline, before the workspace tests (scripts/test.sh):
# the SAM template linted by cfn-lint and `sam validate --lint` (both must be clean), the
# web site's upload against moto, then, with AWS_LAMBDA_BUILD=1, the release cross-build
# and `sam build` of the three functions (scripts/aws-build.sh) and a check of each
# bootstrap (glibc, size). That build is a clean release cross-build (zig, size profile,
# fat LTO) of the AWS SDK crates, about half an hour and 2 GB on two cores: more than the CI
# budget and disk have room for, so the default test run leaves it out and says so. The
# bootstraps' code runs under the Lambda runtime emulator in CI all the same
# (crates/cloumer-aws/tests/emulator.rs, the debug build of the workspace tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/aws-tools.sh
export PATH="$PWD/target/aws-venv/bin:$PATH" SAM_CLI_TELEMETRY=0

echo "aws: cfn-lint deploy/aws/template.yaml"
cfn-lint deploy/aws/template.yaml
echo "aws: sam validate --lint"
(cd deploy/aws && sam validate --lint)

# The web site's upload (make aws-deploy) against moto: config.json from the stack's
# outputs, content types and cache headers. scripts/test.sh builds web/dist before this.
if [ -f web/dist/index.html ]; then
  target/aws-venv/bin/python deploy/aws/test_upload_site.py web/dist
elif [ "${CI:-}" = true ]; then
  echo "aws: web/dist is not built (cd web && npm run build)" >&2; exit 1
else
  echo "aws: site upload not checked: web/dist is not built (cd web && npm run build)"
fi

if [ "${AWS_LAMBDA_BUILD:-0}" != 1 ]; then
  echo "aws: sam build not run (AWS_LAMBDA_BUILD=1 bash scripts/aws-test.sh runs it)"
  exit 0
fi
start=$(date +%s)
bash scripts/aws-build.sh
echo "aws: sam build took $(($(date +%s) - start)) s"
target="${CARGO_TARGET_DIR:-$PWD/target}"
for binary in cloumer-api-fn cloumer-post-confirmation-fn cloumer-stream-state-fn; do
  bootstrap="$target/lambda/$binary/bootstrap"
  [ -x "$bootstrap" ] || { echo "aws: $bootstrap was not built" >&2; exit 1; }
  # provided.al2023 has glibc 2.34: a newer symbol version would fail to load on Lambda.
  newest=$(objdump -T "$bootstrap" | grep -oE 'GLIBC_[0-9]+\.[0-9]+' | sort -t. -k2 -n -u | tail -1)
  size=$(stat -c %s "$bootstrap")
  echo "aws: $binary: $((size / 1000)) kB, needs $newest"
  # The size target of issue 17 (deploy/aws/README.md): Lambda maps it on every cold start.
  [ "$size" -lt 15000000 ] || { echo "aws: $binary is over 15 MB" >&2; exit 1; }
  case "$newest" in
    GLIBC_2.3[5-9]|GLIBC_2.[4-9][0-9]) echo "aws: $binary needs $newest (> 2.34)" >&2; exit 1 ;;
  esac
done
