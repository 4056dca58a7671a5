#!/usr/bin/env bash
# End to end test of the real Cloumer Studio binary (issue 5, item 5).
#
# Builds the app as the build contract says (`make app`: UI + release binary with the UI
# embedded), then runs it in a private desktop: Xvfb 1440x900, a PulseAudio null sink, HOME
# and XDG_* in a fresh temp dir (a first run), secrets in the kernel keyring. tauri-driver +
# WebKitWebDriver drive it through e2e/run.mjs: try it locally, sign up, title, avatar, go
# live with test sources (checked on the embedded server's HLS with ffprobe), chat send /
# HTML as text / delete, stop. Screenshots of each screen go to docs/screenshots/.
#
#   e2e/run.sh                       build (release) and run
#   STUDIO_BUILD=debug e2e/run.sh    debug build (custom-protocol on, UI embedded): faster
#   STUDIO_BUILD=none STUDIO_BIN=/path/to/cloumer-studio e2e/run.sh   use a built binary
#
# Exits 0 when every step passed, 1 when a step failed, 2 when a prerequisite is missing
# (with what to install).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fail() {
  echo "e2e: $*" >&2
  exit 2
}

# --- prerequisites (CI installs them: see the messages) --------------------------------
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is missing: $2"; }
need node "apt-get install -y nodejs npm (Node 18+)"
need Xvfb "apt-get install -y xvfb"
need pulseaudio "apt-get install -y pulseaudio"
need ffprobe "apt-get install -y ffmpeg"
need import "apt-get install -y imagemagick (screenshots)"
need convert "apt-get install -y imagemagick (test avatar)"
need display "apt-get install -y imagemagick (a coloured window on one monitor)"
need xrandr "apt-get install -y x11-xserver-utils (monitors on the test display)"
need pactl "apt-get install -y pulseaudio-utils (a sound output loaded while the studio runs)"
[ -x /usr/bin/WebKitWebDriver ] || command -v WebKitWebDriver >/dev/null 2>&1 ||
  fail "WebKitWebDriver is missing: apt-get install -y webkit2gtk-driver"
if ! command -v tauri-driver >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/tauri-driver" ] || fail "tauri-driver is missing: cargo install tauri-driver --locked"
  export PATH="$HOME/.cargo/bin:$PATH"
fi

# --- build ---------------------------------------------------------------------------
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "${STUDIO_BUILD:-release}" in
  release)
    started=$(date +%s)
    make app
    echo "e2e: release build took $(($(date +%s) - started)) s"
    bin="${STUDIO_BIN:-$root/target/release/cloumer-studio}"
    ;;
  debug)
    # The default feature custom-protocol embeds ui/dist, as in the release build.
    started=$(date +%s)
    [ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
    (cd ui && npm run --silent build)
    cargo build -p cloumer-studio
    echo "e2e: debug build took $(($(date +%s) - started)) s"
    bin="${STUDIO_BIN:-$target_dir/debug/cloumer-studio}"
    ;;
  none) bin="${STUDIO_BIN:-$root/target/release/cloumer-studio}" ;;
  *) fail "STUDIO_BUILD must be release, debug or none" ;;
esac
[ -x "$bin" ] || fail "no app binary at $bin"

# --- a private desktop: first run, own display, own sound server ----------------------
work="$(mktemp -d /tmp/studio-e2e.XXXXXX)"
pids=()
cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "${PULSE_STARTED:-}" ]; then pulseaudio --kill 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HOME="$work/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache" XDG_STATE_HOME="$HOME/.local/state"
export XDG_RUNTIME_DIR="$work/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
# No D-Bus session here: the credential store is the kernel keyring (cloumer-api's
# headless store), asked for explicitly so a stray session bus is never used.
unset DBUS_SESSION_BUS_ADDRESS
export CLOUMER_CREDENTIAL_STORE=keyutils
export CLOUMER_STUDIO_TEST_SOURCES=1
# No GPU here: the studio itself turns WebKit's compositing off (src-tauri/src/software_painting.rs).
export RUST_LOG="${RUST_LOG:-info}"

# "Open logs" hands a folder to the desktop's opener: a stand-in xdg-open, first on PATH,
# writes down what it was given (e2e/support.mjs checks it) instead of starting a file manager.
mkdir -p "$work/bin"
printf '#!/bin/sh\nprintf "%%s\\n" "$1" > "%s/opened"\n' "$work" >"$work/bin/xdg-open"
chmod +x "$work/bin/xdg-open"
export PATH="$work/bin:$PATH"

# No CJK font, as on a fresh Debian desktop: Hangul has to come from the studio's bundled
# font (e2e/korean.mjs checks it renders). Every other system font stays visible.
mkdir -p "$work/fontconfig"
cat >"$work/fontconfig/fonts.conf" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><pattern><patelt name="lang"><string>ko</string></patelt></pattern></rejectfont></selectfont>
</fontconfig>
XML
export FONTCONFIG_FILE="$work/fontconfig/fonts.conf"

# Pick a free display number (the lock file is what Xvfb itself checks).
display=99
while [ -e "/tmp/.X${display}-lock" ] || [ -e "/tmp/.X11-unix/X${display}" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X${display}" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X${display}" ] || { cat "$work/xvfb.log" >&2; fail "Xvfb did not start on :$display"; }
export DISPLAY=":$display"

pulseaudio -D --exit-idle-time=-1 --disallow-exit -n \
  --load="module-native-protocol-unix" \
  --load="module-null-sink sink_name=e2e_sink rate=48000 channels=2" \
  --load="module-always-sink" >"$work/pulse.log" 2>&1 ||
  { cat "$work/pulse.log" >&2; fail "PulseAudio did not start"; }
PULSE_STARTED=1

echo "e2e: app $bin, display :$display, home $HOME"
STUDIO_BIN="$bin" E2E_WORK="$work" node e2e/run.mjs
