#!/usr/bin/env bash
# The main job: installs what is needed, builds, and starts Cloumer Studio against the
# embedded backend (`cloumer serve` in-process). Without a display (no $DISPLAY and no
# $WAYLAND_DISPLAY) it runs the headless demo instead: `cloumer live --test-sources`
# into a local recording, probed with ffprobe.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The viewers' web site: release builds of `cloumer` (and the studio's embedded backend) embed web/dist.
(cd web && npm run --silent build)

if [ -x scripts/build-app.sh ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  bash scripts/build-app.sh
  exec target/release/cloumer-studio "$@"
fi

echo "run: no display found; running the headless demo (10 s of test sources into demo.mkv)"
cargo build --release -p cloumer-cli
out=${CLOUMER_DEMO_FILE:-demo.mkv}
target/release/cloumer live --test-sources --size 1280x720 --fps 30 --record "$out" --duration 10
ffprobe -v error -show_entries stream=codec_name,profile,width,height,r_frame_rate,sample_rate,channels \
  -of compact "$out"
echo "run: wrote $out"
