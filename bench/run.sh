#!/usr/bin/env bash
# Benchmark (not a test): `cloumer live` vs the bare gst-launch-1.0 pipeline vs ffmpeg, same
# 720p30/1080p30 screen + mic job into the same local RTMPS ingest, alternating runs.
# Usage: bash bench/run.sh [SECONDS_PER_RUN] [RUNS_PER_TOOL] [bench.py options]  (defaults: 20 3)
# A slow microphone (its first buffer 1.5 s late, as a real device being opened):
#   bash bench/run.sh 20 3 --mic-delay 1.5 --tools cloumer,gst-launch --out bench/results-slow-mic.json
# Writes bench/results.json and prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
command -v /usr/bin/time >/dev/null || { echo "install the 'time' package (GNU time)" >&2; exit 1; }
cargo build --release -p cloumer-cli --bin cloumer -p cloumer-testkit --bin testkit-env
exec python3 bench/bench.py --cloumer "$target/release/cloumer" --env "$target/release/testkit-env" \
    --seconds "${1:-20}" --runs "${2:-3}" --out bench/results.json "${@:3}"
