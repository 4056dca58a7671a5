#!/usr/bin/env bash
# The AWS deployment checked offline, before the workspace tests (scripts/test.sh):
# the SAM template linted by cfn-lint and `sam validate --lint` (both must be clean), the
# web site's upload against moto, then the cross-build and `sam build` of the three
# functions (scripts/aws-build.sh) and a check of what sam built (each function's bootstrap:
# x86-64, glibc <= 2.34; with the release build, also its size):
#   AWS_LAMBDA_BUILD=debug (default)  the dev profile, about 4 min and 1.2 GB on two cores
#   AWS_LAMBDA_BUILD=release          what `make aws-deploy` ships: size profile, fat LTO,
#                                     about half an hour and 2 GB (more than CI has room for)
#   AWS_LAMBDA_BUILD=0                skip it (said so)
# The bootstraps sam built are kept, stripped, in target/sam-bootstraps/<binary>/bootstrap
# (96 MB for the debug build): scripts/test.sh hands that directory to the workspace tests
# (CLOUMER_SAM_BOOTSTRAPS), whose crates/cloumer-aws/tests/emulator.rs runs them under the
# Lambda runtime emulator.
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

# Bootstraps of an earlier run are not what this tree builds: gone before anything else, so
# the emulator test runs this run's or (no sam build) the host builds, never stale ones.
kept="${CARGO_TARGET_DIR:-$PWD/target}/sam-bootstraps"
rm -rf "$kept"
mode="${AWS_LAMBDA_BUILD:-debug}"
case "$mode" in
  0)
    echo "aws: sam build not run (AWS_LAMBDA_BUILD=0)"
    [ "${CI:-}" = true ] && { echo "aws: CI runs sam build" >&2; exit 1; }
    exit 0 ;;
  1 | release) mode=release; build_flags=() ;;
  debug) build_flags=(--debug) ;;
  *) echo "aws: AWS_LAMBDA_BUILD is debug, release or 0, not $mode" >&2; exit 2 ;;
esac
start=$(date +%s)
bash scripts/aws-build.sh "${build_flags[@]}"
echo "aws: sam build ($mode) took $(($(date +%s) - start)) s"
built=deploy/aws/.aws-sam/build
# template.yaml's functions and their binaries (BuildProperties.Binary).
for function_binary in ApiFunction:cloumer-api-fn \
  PostConfirmationFunction:cloumer-post-confirmation-fn StreamStateFunction:cloumer-stream-state-fn; do
  function=${function_binary%%:*} binary=${function_binary#*:}
  bootstrap="$built/$function/bootstrap"
  [ -x "$bootstrap" ] || { echo "aws: sam build made no $bootstrap" >&2; exit 1; }
  file -b "$bootstrap" | grep -q '^ELF 64-bit LSB .*x86-64' ||
    { echo "aws: $bootstrap is not an x86-64 executable: $(file -b "$bootstrap")" >&2; exit 1; }
  # provided.al2023 has glibc 2.34: a newer symbol version would fail to load on Lambda.
  newest=$(objdump -T "$bootstrap" | grep -oE 'GLIBC_[0-9]+\.[0-9]+' | sort -t. -k2 -n -u | tail -1)
  size=$(stat -c %s "$bootstrap")
  echo "aws: $function: $((size / 1000)) kB, needs $newest"
  case "$newest" in
    GLIBC_2.3[5-9]|GLIBC_2.[4-9][0-9]) echo "aws: $function needs $newest (> 2.34)" >&2; exit 1 ;;
  esac
  # The size target of issue 17 (deploy/aws/README.md) is the shipped, release build's.
  if [ "$mode" = release ] && [ "$size" -ge 15000000 ]; then
    echo "aws: $function is over 15 MB" >&2; exit 1
  fi
  # Kept for the emulator test, stripped of debug info and symbols (165 -> 96 MB for the
  # three dev builds; a panic's message still says where, from its embedded location).
  mkdir -p "$kept/$binary"
  strip -o "$kept/$binary/bootstrap" "$bootstrap"
done
echo "aws: the bootstraps sam built kept in $kept ($(du -sh "$kept" | cut -f1))"
# CI's disk is small: the rest of the cross-build (1.2 GB) is not needed by the suites
# after this one, which run the kept bootstraps.
if [ "${CI:-}" = true ] && [ "$mode" = debug ]; then
  rm -rf "${CARGO_TARGET_DIR:-$PWD/target}/x86_64-unknown-linux-gnu/debug" deploy/aws/.aws-sam
fi
