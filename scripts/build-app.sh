#!/usr/bin/env bash
# Builds Cloumer Studio: the UI (ui/dist), then the release binary with the UI embedded.
# Result: target/release/cloumer-studio, runnable with no other files.
# Packages (.deb, AppImage) instead: `cd src-tauri && npx --prefix ../ui tauri build`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "build-app: npm is missing: run scripts/setup.sh (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -d ui/node_modules ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd ui && npm run --silent build)

cargo build --release -p cloumer-studio

# CARGO_TARGET_DIR may point elsewhere; the contract is target/release/cloumer-studio.
built="${CARGO_TARGET_DIR:-target}/release/cloumer-studio"
if [ "$(realpath "$built")" != "$(realpath -m target/release/cloumer-studio)" ]; then
  mkdir -p target/release
  cp "$built" target/release/cloumer-studio
fi
echo "build-app: target/release/cloumer-studio ($(du -h target/release/cloumer-studio | cut -f1))"
