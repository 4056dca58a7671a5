#!/usr/bin/env bash
# Builds the three Lambda functions of deploy/aws/template.yaml with `sam build`
# (cargo-lambda + zig: release, x86_64, glibc <= 2.34 for provided.al2023) into
# deploy/aws/.aws-sam/build. Used by `make aws-deploy` and scripts/aws-test.sh.
# cargo-lambda builds in the workspace's target/ (target/x86_64-unknown-linux-gnu/release,
# bootstraps in target/lambda/<binary>/), so a second run only relinks what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/aws-tools.sh
export PATH="$PWD/target/aws-venv/bin:$PATH" SAM_CLI_TELEMETRY=0
# rust-cargolambda is a beta build method of SAM.
export SAM_CLI_BETA_RUST_CARGO_LAMBDA=1
# Symbols off the shipped binaries: smaller zip, faster cold start (the workspace's release
# profile keeps line tables for the desktop app's backtraces).
export CARGO_PROFILE_RELEASE_STRIP=symbols CARGO_PROFILE_RELEASE_DEBUG=false
cd deploy/aws
sam build --beta-features "$@"
