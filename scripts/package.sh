#!/usr/bin/env bash
# Builds Cloumer Studio's Linux packages: the .deb with Tauri's own bundler (`tauri bundle`,
# from the UI's @tauri-apps/cli), the AppImage with scripts/appdir.sh + crates/cloumer-package.
#
#   scripts/package.sh              release build (scripts/build-app.sh), then the packages
#   scripts/package.sh --debug      packages target/debug/cloumer-studio instead: what CI
#                                   installs and starts (scripts/package-test.sh), without a
#                                   second, release build of everything
#   scripts/package.sh --prebuilt   with --debug: the binary as it is, no UI or cargo build
#                                   (scripts/test.sh, after the test run built it)
#   scripts/package.sh --appimage   the AppImage too: WebKitGTK, GStreamer and their libraries
#                                   inside (docs/packages.md). Not Tauri's appimage bundle, which
#                                   downloads linuxdeploy and the runtime from GitHub releases
#                                   (Debian packages neither): scripts/appdir.sh lays out the
#                                   AppDir, cloumer-package (the appimage crate's runtime +
#                                   mksquashfs) writes the image.
#   scripts/package.sh --appimage-only   the AppImage alone (scripts/appimage-test.sh)
#
# The .deb's dependencies are in src-tauri/tauri.conf.json (bundle.linux.deb.depends): x264
# is in gstreamer1.0-plugins-ugly, AAC in -bad (voaacenc) or gstreamer1.0-libav, the Wayland
# capture in xdg-desktop-portal + gstreamer1.0-pipewire.
# Prints each package's path on a line of its own, the .deb first: the last line is the .deb's
# path without --appimage, the AppImage's with it.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
appimage=
prebuilt=
deb=1
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --prebuilt) prebuilt=1 ;;
    --appimage) appimage=1 ;;
    --appimage-only) appimage=1 deb= ;;
    *) echo "package: unknown option $arg (--debug, --prebuilt, --appimage, --appimage-only)" >&2; exit 2 ;;
  esac
done

[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
if [ "$profile" = release ]; then
  bash scripts/build-app.sh
  debug_flag=()
else
  if [ -z "$prebuilt" ]; then
    # The default feature custom-protocol embeds ui/dist, as in the release build.
    (cd ui && npm run --silent build)
    cargo build -q -p cloumer-studio
  fi
  [ -x "$target_dir/debug/cloumer-studio" ] || { echo "package: no $target_dir/debug/cloumer-studio" >&2; exit 1; }
  debug_flag=(--debug)
fi

out="$target_dir/$profile/bundle"
stage=
trap '[ -z "$stage" ] || rm -rf "$stage"' EXIT

build_deb() {
  # The bundler patches the binary it packages in place (its bundle type), which fails while
  # that binary runs and would change the test run's copy: it works on a copy in a staging
  # target dir instead.
  stage=$(mktemp -d)
  mkdir -p "$stage/$profile"
  cp "$target_dir/$profile/cloumer-studio" "$stage/$profile/"
  (cd src-tauri && CARGO_TARGET_DIR="$stage" ../ui/node_modules/.bin/tauri bundle "${debug_flag[@]}" --ci --bundles deb >&2)
  rm -rf "$out/deb"
  mkdir -p "$out"
  cp -r "$stage/$profile/bundle/deb" "$out/"

  # The bundler names the file after the product ("Cloumer Studio_0.1.0_amd64.deb"); a name
  # without spaces is friendlier to apt and shells.
  local built version arch deb
  built=$(find "$out/deb" -maxdepth 1 -name '*.deb' | head -n 1)
  [ -n "$built" ] || { echo "package: the bundler made no .deb" >&2; exit 1; }
  version=$(dpkg-deb -f "$built" Version)
  arch=$(dpkg-deb -f "$built" Architecture)
  deb="$out/deb/cloumer-studio_${version}_${arch}.deb"
  mv "$built" "$deb"
  echo "package: $(du -h "$deb" | cut -f1) $(dpkg-deb -f "$deb" Package) $version" >&2
  echo "$deb"
}

build_appimage() {
  command -v mksquashfs >/dev/null || { echo "package: mksquashfs is missing: apt-get install squashfs-tools" >&2; exit 1; }
  # The packager is a workspace binary (the test build makes it too); it is small to build.
  local packager="$target_dir/debug/cloumer-package"
  [ -x "$packager" ] || cargo build -q -p cloumer-package
  local version started appdir image
  version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' src-tauri/tauri.conf.json)
  [ -n "$version" ] || { echo "package: no version in src-tauri/tauri.conf.json" >&2; exit 1; }
  started=$(date +%s)
  rm -rf "$out/appimage"
  mkdir -p "$out/appimage"
  appdir="$out/appimage/cloumer-studio.AppDir"
  image="$out/appimage/cloumer-studio_${version}_x86_64.AppImage"
  bash scripts/appdir.sh "$target_dir/$profile/cloumer-studio" "$appdir"
  # mksquashfs draws a progress bar on stdout, which carries only package paths here.
  "$packager" appimage "$appdir" "$image" >/dev/null
  rm -rf "$appdir"
  echo "package: $(du -h "$image" | cut -f1) AppImage $version in $(($(date +%s) - started)) s" >&2
  echo "$image"
}

[ -z "$deb" ] || build_deb
[ -z "$appimage" ] || build_appimage
