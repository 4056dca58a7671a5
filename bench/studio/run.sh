#!/usr/bin/env bash
# Benchmark (not a test) of Cloumer Studio's targets: idle CPU, live 720p30 CPU vs
# `cloumer live` on the same job, app + WebKit RSS. Writes bench/studio/results.json.
#   bash bench/studio/run.sh [SECONDS] [ROUNDS]  (default 30 s per measurement, 3 rounds)
#   STUDIO_BIN=/path/to/cloumer-studio bash bench/studio/run.sh   (skip the app build)
# Needs what e2e/run.sh needs (tauri-driver, WebKitWebDriver) plus nginx-rtmp (testkit-env).
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
command -v tauri-driver >/dev/null 2>&1 || export PATH="$HOME/.cargo/bin:$PATH"
command -v tauri-driver >/dev/null 2>&1 || { echo "bench: cargo install tauri-driver --locked" >&2; exit 2; }
cargo build --release -p cloumer-cli --bin cloumer -p cloumer-testkit --bin testkit-env
if [ -z "${STUDIO_BIN:-}" ]; then
  bash scripts/build-app.sh
  STUDIO_BIN=target/release/cloumer-studio
fi
BENCH_COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src-tauri ui crates || echo '+dirty')" \
  exec node bench/studio/bench.mjs --app "$(realpath "$STUDIO_BIN")" --cloumer "$target/release/cloumer" \
  --env "$target/release/testkit-env" --seconds "${1:-30}" --rounds "${2:-3}" --out bench/studio/results.json
