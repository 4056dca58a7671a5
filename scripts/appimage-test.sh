#!/usr/bin/env bash
# The AppImage smoke test (issue 21, item 4): builds the AppImage from the studio binary
# (scripts/package.sh --debug --appimage-only), starts it under Xvfb through the end-to-end
# test's first steps (e2e/run.sh with E2E_STEPS: the first screen showing the packaged
# version, then by default up to going live on the embedded server, whose HLS ffprobe reads:
# the image's x264, AAC, RTMP and HLS plugins at work; APPIMAGE_E2E_STEPS=1 stops at the
# first screen), and checks in /proc/<pid>/maps of the running app and of its WebKitWebProcess that
# WebKitGTK, GTK and GStreamer (library and plugins) were loaded from inside the image, not
# from the host: the test proves the bundle, not this machine's packages.
#
# The image is mounted with FUSE when this machine allows it (libfuse2 + a usable /dev/fuse),
# otherwise started with APPIMAGE_EXTRACT_AND_RUN=1, as in a container without FUSE
# (APPIMAGE_TEST_MODE=extract forces that here).
# Extra arguments go to scripts/package.sh (scripts/test.sh passes --prebuilt).
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  local reason="appimage_smoke_test: $1"
  echo "skipped: $reason"
  [ -n "${CLOUMER_SKIP_LOG:-}" ] && echo "$reason" >>"$CLOUMER_SKIP_LOG"
  [ "${CI:-}" = true ] && exit 1
  exit 0
}
command -v mksquashfs >/dev/null || skip "mksquashfs is missing: apt-get install squashfs-tools"

image=$(bash scripts/package.sh --debug --appimage-only "$@" | tail -n 1)
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' src-tauri/tauri.conf.json)
[ -x "$image" ] || { echo "appimage-test: no image at $image" >&2; exit 1; }

work=$(mktemp -d /tmp/appimage-test.XXXXXX)
watcher=
cleanup() {
  [ -z "$watcher" ] || kill "$watcher" 2>/dev/null || true
  rm -rf "$work"
  # A CI machine's disk is small: the image (about 140 MB) goes once tested.
  [ "${CI:-}" != true ] || rm -f "$image"
}
trap cleanup EXIT

# --- FUSE, or extract and run --------------------------------------------------------------
# A trial mount: the runtime prints the mount point and serves it until it is stopped.
mode=extract
# (grep without -q: reading all of ldconfig's output spares it a SIGPIPE under pipefail)
if [ "${APPIMAGE_TEST_MODE:-}" != extract ] && [ -c /dev/fuse ] && ldconfig -p | grep 'libfuse\.so\.2 ' >/dev/null; then
  "$image" --appimage-mount >"$work/mount" 2>"$work/mount.err" &
  mounter=$!
  for _ in $(seq 100); do [ -s "$work/mount" ] && break; sleep 0.1; done
  mountpoint=$(head -n 1 "$work/mount")
  [ -n "$mountpoint" ] && [ -x "$mountpoint/AppRun" ] && mode=fuse
  kill "$mounter" 2>/dev/null || true
  wait "$mounter" 2>/dev/null || true
fi
if [ "$mode" = extract ]; then
  echo "appimage-test: no FUSE mount (${APPIMAGE_TEST_MODE:-$(head -n 1 "$work/mount.err" 2>/dev/null)}): APPIMAGE_EXTRACT_AND_RUN=1"
  export APPIMAGE_EXTRACT_AND_RUN=1
  # The runtime extracts into $TMPDIR and removes the tree when the app exits.
  export TMPDIR="$work"
fi

# --- what the running app has loaded -------------------------------------------------------
# The app is the process whose executable is an image's usr/bin/cloumer-studio and whose
# environment carries this run's marker (other studios may run on this machine). Its maps
# and its WebKitWebProcess's are copied while they run; the last copy is checked.
marker="$$-$RANDOM"
export CLOUMER_APPIMAGE_SMOKE="$marker"
watch_app() {
  set +e +o pipefail # processes come and go between two reads: keep watching
  while :; do
    find /proc -maxdepth 2 -path '/proc/[0-9]*/exe' \
      \( -lname '*/usr/bin/cloumer-studio' -o -lname '*/webkit2gtk-4.1/WebKitWebProcess' \) 2>/dev/null |
      while read -r exe; do
        dir=${exe%/exe}
        grep -qzx "CLOUMER_APPIMAGE_SMOKE=$marker" "$dir/environ" 2>/dev/null || continue
        name=$(basename "$(readlink "$exe")")
        readlink "$exe" >"$work/$name.exe.new" && mv "$work/$name.exe.new" "$work/$name.exe"
        cat "$dir/maps" >"$work/$name.maps.new" 2>/dev/null && mv "$work/$name.maps.new" "$work/$name.maps"
      done
    sleep 0.3
  done
}
watch_app &
watcher=$!

echo "appimage-test: $image ($(du -h "$image" | cut -f1)), $mode"
E2E_STEPS="${APPIMAGE_E2E_STEPS:-6}" E2E_EXPECT_VERSION="$version" STUDIO_BUILD=none STUDIO_BIN="$image" bash e2e/run.sh
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
watcher=

# --- the checks ---------------------------------------------------------------------------
failed=0
check() { # description, condition command...
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failed=1; fi
}
[ -s "$work/cloumer-studio.maps" ] || { echo "appimage-test: the running app was never seen" >&2; exit 1; }
app_exe=$(cat "$work/cloumer-studio.exe")
root=${app_exe%/usr/bin/cloumer-studio}
inside_image() { case "$root" in /tmp/.mount_*|*/appimage_extracted_*) true ;; *) false ;; esac; }
check "the app ran from the image ($root)" inside_image

# Every mapping of the library is from the image, and there is one.
loaded_from_image() { # maps file, library file name
  local paths
  paths=$(awk -v lib="/$2" 'index($6, lib) && substr($6, length($6) - length(lib) + 1) == lib {print $6}' "$1" | sort -u)
  [ -n "$paths" ] && ! grep -qv "^$root/usr/lib/" <<<"$paths"
}
for lib in libwebkit2gtk-4.1.so.0 libjavascriptcoregtk-4.1.so.0 libgtk-3.so.0 libgstreamer-1.0.so.0 libgstbase-1.0.so.0 libglib-2.0.so.0; do
  check "the app loaded $lib from the image" loaded_from_image "$work/cloumer-studio.maps" "$lib"
done
# No GStreamer plugin or WebKit library of the host's is mapped in either process.
no_host_copies() { ! grep -hE '/usr/lib/x86_64-linux-gnu/(gstreamer-1\.0/|libgst|libwebkit2gtk|libjavascriptcoregtk)' "$@"; }
check "no GStreamer or WebKitGTK library of the host's is mapped" no_host_copies "$work"/*.maps
plugins_from_image() { grep -q " $root/usr/lib/gstreamer-1.0/libgst${1:-[a-z0-9]*}\.so$" "$work/cloumer-studio.maps"; }
check "GStreamer plugins were loaded from the image's usr/lib/gstreamer-1.0" plugins_from_image
if [ "${APPIMAGE_E2E_STEPS:-6}" -ge 6 ]; then
  for plugin in x264 rtmp2 hls; do
    check "the image's $plugin plugin did its part of going live" plugins_from_image "$plugin"
  done
  tls_from_image() { grep -q " $root/usr/lib/gio/modules/libgiognutls\.so$" "$work/cloumer-studio.maps"; }
  check "RTMPS went through the image's GIO TLS module" tls_from_image
fi
# WebKitGTK started its helper from the image: the rewritten helper path at work.
helper_from_image() {
  [ -s "$work/WebKitWebProcess.maps" ] &&
    [ "$(cat "$work/WebKitWebProcess.exe")" = "$root/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/WebKitWebProcess" ] &&
    loaded_from_image "$work/WebKitWebProcess.maps" libwebkit2gtk-4.1.so.0
}
check "WebKitWebProcess ran from the image, with the image's WebKitGTK" helper_from_image
[ "$failed" = 0 ] || exit 1
echo "appimage-test: the AppImage ($mode) showed version $version and passed ${APPIMAGE_E2E_STEPS:-6} e2e steps on its own libraries"
