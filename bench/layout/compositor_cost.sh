#!/usr/bin/env bash
# What the always-on compositor of live layouts (crates/cloumer-engine/src/pipeline/layout.rs)
# costs: CPU (% of one core, utime + stime from /proc over 20 s after a 3 s warm-up) of a
# 1080p picture scaled to 720p30 and x264-encoded, once straight into the encoder (the
# engine's single-source shape before layouts) and once through a compositor with the
# hidden "be right back" still (imagefreeze, alpha 0) beside it, as the engine builds it now.
# Rounds alternate so machine load hits both alike. Results: docs/benchmarks.md.
#
#   bash bench/layout/compositor_cost.sh [ROUNDS]
set -euo pipefail
rounds="${1:-3}"
command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 is missing: apt-get install -y gstreamer1.0-tools" >&2; exit 2; }

cpu_percent() {
  # shellcheck disable=SC2086 # the pipeline is a list of words on purpose
  gst-launch-1.0 -q $1 >/dev/null 2>&1 &
  local pid=$! a b
  sleep 3
  a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep 20
  b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  # clock ticks (100 a second) over 20 s = % of a core
  echo "scale=1; ($b - $a) / 20" | bc
}

source='videotestsrc is-live=true pattern=ball ! video/x-raw,width=1920,height=1080,framerate=30/1 ! videoscale ! videoconvert ! video/x-raw,format=I420,width=1280,height=720'
encode='x264enc speed-preset=veryfast tune=zerolatency bitrate=3500 key-int-max=60 bframes=0 ! fakesink'
direct="$source ! videorate ! video/x-raw,framerate=30/1 ! $encode"
still='videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff1e2a3a ! video/x-raw,width=1280,height=720 ! textoverlay text=BRB ! videoconvert ! videoscale ! video/x-raw,format=I420,width=1280,height=720 ! imagefreeze is-live=true'
composed="compositor name=c background=black sink_0::zorder=1 sink_1::zorder=3 sink_1::alpha=0 ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! $encode $source ! c.sink_0 $still ! c.sink_1"

for i in $(seq "$rounds"); do
  d=$(cpu_percent "$direct")
  c=$(cpu_percent "$composed")
  echo "round $i: direct $d %, compositor $c % (load $(cut -d' ' -f1 /proc/loadavg))"
done
