#!/usr/bin/env bash
# Installs everything Cloumer needs to build, run and test on Debian/Ubuntu. Idempotent:
# a second run installs nothing new. Runs apt-get through sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(
  # build
  pkg-config libssl-dev libdbus-1-dev build-essential python3-venv
  # GStreamer (the engine and the ingest)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-x gstreamer1.0-tools
  gstreamer1.0-pipewire gstreamer1.0-vaapi gstreamer1.0-pulseaudio
  # desktop app (Tauri 2 / WebKitGTK)
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  webkit2gtk-driver
  # test bed: display, sound, ingest, probes, credential stores, screenshots
  xvfb pulseaudio ffmpeg nginx libnginx-mod-rtmp libnginx-mod-stream ca-certificates
  keyutils gnome-keyring dbus-daemon dbus-bin dbus-x11 imagemagick time nodejs
  # the studio e2e adds RandR monitors to its display (e2e/sources.mjs)
  x11-xserver-utils
  # the web site's browser test (crates/cloumer-cli/tests/web_site.rs): Chromium + WebDriver
  chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji
  # Wayland capture test bed (testkit wayland.rs, live_wayland.rs): headless sway, the
  # ScreenCast portal with its wlroots backend, PipeWire + WirePlumber, grim
  sway xdg-desktop-portal xdg-desktop-portal-wlr pipewire wireplumber grim
  # constrained-network tests (live_constrained.rs) and bench/abr: ip netns, tc tbf
  iproute2
  # benchmarks (bench/): load generator for the REST figures
  wrk
  # the AppImage (scripts/appdir.sh, crates/cloumer-package): mksquashfs, and the libfuse2
  # its runtime mounts the image with (scripts/appimage-test.sh)
  squashfs-tools libfuse2
  # the check of what `sam build` made (scripts/aws-test.sh): file type, glibc symbol versions
  file binutils
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${#missing[@]} system packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian splits npm out of nodejs; NodeSource's nodejs carries it.
command -v npm >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q npm >/dev/null

# The Debian nginx service is not ours: tests start their own nginx instances.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true; fi
[ -f /run/nginx.pid ] && { $SUDO nginx -s quit >/dev/null 2>&1 || true; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust is missing. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# The app's end-to-end test drives it through tauri-driver (WebDriver in front of
# WebKitWebDriver, from webkit2gtk-driver above).
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

# The parsers' fuzz targets (scripts/fuzz.sh, a short pass in scripts/test.sh).
if ! command -v cargo-fuzz >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo-fuzz" ]; then
  echo "setup: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

# Python test clients (boto3, pycognito, moto) in a private venv: never the system Python.
VENV=target/test-venv
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -f "$VENV/.cloumer-ok" ]; then
  echo "setup: creating the Python test venv in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check 'moto[server]' boto3 pycognito websockets
  touch "$VENV/.cloumer-ok"
fi
# The SMTP server (with STARTTLS) the `cloumer serve --smtp` test starts.
[ -x "$VENV/bin/aiosmtpd" ] || "$VENV/bin/pip" install -q --disable-pip-version-check aiosmtpd

# The AWS deployment tools (sam, cfn-lint, cargo-lambda) in their own venv target/aws-venv.
bash scripts/aws-tools.sh

# Front end dependencies (exact versions from package-lock.json).
if [ -f ui/package-lock.json ] && [ ! -d ui/node_modules ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
# (Again when vitest is missing: node_modules made before the site had tests lack it.)
if [ -f web/package-lock.json ] && [ ! -x web/node_modules/.bin/vitest ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: ready"
