#!/usr/bin/env bash
# Builds the three Lambda functions of deploy/aws/template.yaml (release, x86_64, glibc
# <= 2.34 for provided.al2023, through cargo-lambda + zig) and then `sam build` into
# deploy/aws/.aws-sam/build. Used by `make aws-deploy`, scripts/aws-test.sh
# (AWS_LAMBDA_BUILD=release) and bench/aws/cold_start.sh.
#
#   scripts/aws-build.sh --debug   the same cross-build and `sam build` in cargo's dev
#                                  profile (SAM_BUILD_MODE=debug): what CI runs, about 4 min
#                                  instead of half an hour; the binaries are not for shipping
#
# One `cargo lambda build` makes the three binaries (shared dependencies compiled once);
# `sam build` then runs `cargo lambda build --release --bin X` per function in the same
# directory with the same settings, which cargo finds fresh: it only copies the bootstraps.
# Artifacts: target/x86_64-unknown-linux-gnu/release (about 2 GB), bootstraps in
# target/lambda/<binary>/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/aws-tools.sh
export PATH="$PWD/target/aws-venv/bin:$PATH" SAM_CLI_TELEMETRY=0
# rust-cargolambda is a beta build method of SAM.
export SAM_CLI_BETA_RUST_CARGO_LAMBDA=1
if [ "${1:-}" = --debug ]; then
  shift
  (cd crates/cloumer-aws && cargo lambda build)
  cd deploy/aws
  # SAM's cargo-lambda workflow leaves out --release in its debug build mode.
  SAM_BUILD_MODE=debug exec sam build --beta-features "$@"
fi
# The size profile of the shipped binaries, for this build only (the workspace's release
# profile serves the desktop app: fast code, line tables for backtraces). Lambda downloads
# and maps the zip on every cold start, so size is start-up time: optimise for size, one
# codegen unit and whole-program LTO (dead code of the SDK crates goes), no unwinding
# tables, no symbols. panic=abort: a panicking invocation ends the process, which Lambda
# reports as a failed invocation and replaces, as it would an unwound one.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=fat \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort \
  CARGO_PROFILE_RELEASE_STRIP=symbols CARGO_PROFILE_RELEASE_DEBUG=false
# From the crate's directory, as sam runs it (template CodeUri): from the workspace root
# cargo would build for the default members too and unify their features (GStreamer and
# SQLite linked into the functions).
(cd crates/cloumer-aws && cargo lambda build --release)
cd deploy/aws
sam build --beta-features "$@"
