#!/usr/bin/env bash
# The AWS deployment checked offline, before the workspace tests (scripts/test.sh):
# the SAM template linted by cfn-lint and `sam validate --lint` (both must be clean), then,
# with AWS_LAMBDA_BUILD=1, `sam build` of the three functions (scripts/aws-build.sh) and a
# check of each bootstrap. The build is a clean release cross-build (zig) of the AWS SDK
# crates, 10+ minutes on two cores: more than the CI budget has room for next to the
# workspace build, so the default test run leaves it out and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/aws-tools.sh
export PATH="$PWD/target/aws-venv/bin:$PATH" SAM_CLI_TELEMETRY=0

echo "aws: cfn-lint deploy/aws/template.yaml"
cfn-lint deploy/aws/template.yaml
echo "aws: sam validate --lint"
(cd deploy/aws && sam validate --lint)

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
  echo "aws: $binary: $(du -h "$bootstrap" | cut -f1), needs $newest"
  case "$newest" in
    GLIBC_2.3[5-9]|GLIBC_2.[4-9][0-9]) echo "aws: $binary needs $newest (> 2.34)" >&2; exit 1 ;;
  esac
done
