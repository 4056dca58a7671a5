#!/usr/bin/env bash
# The AWS deployment tools from PyPI: aws-sam-cli (sam), cfn-lint and cargo-lambda (which
# brings zig for the glibc-pinned Lambda build), in their own venv target/aws-venv: sam
# pins its own boto3/Flask versions, which must not move the test venv's moto.
# Idempotent; used by scripts/setup.sh and `make aws-deploy`. Put target/aws-venv/bin on
# PATH to use the tools.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=target/aws-venv
if [ ! -x "$VENV/bin/sam" ] || [ ! -f "$VENV/.cloumer-ok" ]; then
  echo "aws-tools: installing aws-sam-cli, cfn-lint and cargo-lambda into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check aws-sam-cli cfn-lint cargo-lambda
  touch "$VENV/.cloumer-ok"
fi
