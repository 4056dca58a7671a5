#!/usr/bin/env bash
# The AWS deployment checked offline, before the workspace tests (scripts/test.sh):
# the SAM template linted by cfn-lint and `sam validate --lint` (both must be clean), then
# `sam build` of the three functions (scripts/aws-build.sh), whose bootstraps the
# workspace tests run under cargo-lambda's emulator (crates/cloumer-aws/tests/local_stack_*).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/aws-tools.sh
export PATH="$PWD/target/aws-venv/bin:$PATH" SAM_CLI_TELEMETRY=0

echo "aws: cfn-lint deploy/aws/template.yaml"
cfn-lint deploy/aws/template.yaml
echo "aws: sam validate --lint"
(cd deploy/aws && sam validate --lint)

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
