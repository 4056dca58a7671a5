#!/usr/bin/env bash
# All server benchmarks (not tests): start-up, REST with wrk, ingest + HLS CPU, chat
# fan-out, 500 HLS viewers, glass-to-glass in Chromium. Needs wrk, ffmpeg, gstreamer1.0-tools
# and chromium + chromium-driver (apt-get install wrk ffmpeg gstreamer1.0-tools chromium
# chromium-driver), and the web site built (npm --prefix web run build) before cargo embeds it. Figures go to
# docs/server-benchmarks.md by hand, with the machine line each script prints.
# Usage: bench/server/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p cloumer-cli --bin cloumer
bench/server/startup.sh
python3 bench/server/rest.py "$target/release/cloumer" 30
python3 bench/server/ingest_cpu.py "$target/release/cloumer" 60 rtmp
python3 bench/server/ingest_cpu.py "$target/release/cloumer" 60 rtmps
bench/server/chat_fanout.sh
python3 bench/server/hls_viewers.py "$target/release/cloumer" 500 60 200
python3 bench/server/glass_to_glass.py "$target/release/cloumer" 40 15
