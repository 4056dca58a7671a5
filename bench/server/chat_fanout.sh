#!/usr/bin/env bash
# Chat fan-out: 1,000 WebSocket clients in one room, 9.5 messages/s (just under the room limit of 10/s) for ~10.5 s, p99 latency
# from send to receipt (loopback, server and clients in one process, release build).
# Usage: bench/server/chat_fanout.sh   (CHAT_BENCH_CLIENTS / CHAT_BENCH_MESSAGES override)
set -euo pipefail
cd "$(dirname "$0")/../.."
ulimit -n 65536 2>/dev/null || ulimit -n 8192
exec cargo test --release -p cloumer-server --test chat_fanout_bench -- --ignored --nocapture
