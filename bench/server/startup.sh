#!/usr/bin/env bash
# Start-up to ready of `cloumer serve`, debug and release builds (target: < 300 ms).
# Usage: bench/server/startup.sh [RUNS]     (default 20 runs of each: first run + restart)
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
cargo build -p cloumer-cli --bin cloumer
cargo build --release -p cloumer-cli --bin cloumer
for profile in debug release; do
    python3 bench/server/startup.py "$target/$profile/cloumer" "${1:-20}"
done
