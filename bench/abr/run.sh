#!/usr/bin/env bash
# Benchmark (not a test) of adaptive bitrate over a constrained uplink: the scenarios of
# tests/live_constrained.rs, reported per second (link rate, target, bitrate at the
# ingest, backlog, frames received) with a plot per scenario. Needs root (network
# namespaces + tc). Results: bench/abr/results/ (CSV, JSON summary, PNG); figures in
# docs/abr.md.
#
# Usage: bench/abr/run.sh [SCENARIO...]   (slow grow steady down noabr; default: all)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q -p cloumer-cli --bin cloumer -p cloumer-testkit --bin testkit-netbed
VENV=target/bench-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import matplotlib' 2>/dev/null || "$VENV/bin/pip" install -q matplotlib
exec "$VENV/bin/python" bench/abr/run.py "$@"
