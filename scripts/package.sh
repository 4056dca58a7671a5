#!/usr/bin/env bash
# Builds Cloumer Studio's Linux packages with Tauri's own bundler (`tauri bundle`, from the
# UI's @tauri-apps/cli): the .deb always, the AppImage with --appimage.
#
#   scripts/package.sh              release build (scripts/build-app.sh), then the packages
#   scripts/package.sh --debug      packages target/debug/cloumer-studio instead: what CI
#                                   installs and starts (scripts/package-test.sh), without a
#                                   second, release build of everything
#   scripts/package.sh --prebuilt   with --debug: the binary as it is, no UI or cargo build
#                                   (scripts/test.sh, after the test run built it)
#   scripts/package.sh --appimage   the AppImage too (GStreamer inside it). Tauri's bundler
#                                   downloads linuxdeploy and the AppImage runtime from GitHub
#                                   releases the first time, which needs that network access
#                                   (Debian packages neither).
#
# The .deb's dependencies are in src-tauri/tauri.conf.json (bundle.linux.deb.depends): x264
# is in gstreamer1.0-plugins-ugly, AAC in -bad (voaacenc) or gstreamer1.0-libav, the Wayland
# capture in xdg-desktop-portal + gstreamer1.0-pipewire.
# The last line printed is the .deb's path.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
bundles=deb
prebuilt=
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --prebuilt) prebuilt=1 ;;
    --appimage) bundles=deb,appimage ;;
    *) echo "package: unknown option $arg (--debug, --prebuilt, --appimage)" >&2; exit 2 ;;
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

# The bundler patches the binary it packages in place (its bundle type), which fails while
# that binary runs and would change the test run's copy: it works on a copy in a staging
# target dir instead.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$profile"
cp "$target_dir/$profile/cloumer-studio" "$stage/$profile/"
(cd src-tauri && CARGO_TARGET_DIR="$stage" ../ui/node_modules/.bin/tauri bundle "${debug_flag[@]}" --ci --bundles "$bundles" >&2)

out="$target_dir/$profile/bundle"
rm -rf "$out"
mkdir -p "$out"
cp -r "$stage/$profile/bundle/." "$out/"

# The bundler names the file after the product ("Cloumer Studio_0.1.0_amd64.deb"); a name
# without spaces is friendlier to apt and shells.
built=$(find "$out/deb" -maxdepth 1 -name '*.deb' | head -n 1)
[ -n "$built" ] || { echo "package: the bundler made no .deb" >&2; exit 1; }
version=$(dpkg-deb -f "$built" Version)
arch=$(dpkg-deb -f "$built" Architecture)
deb="$out/deb/cloumer-studio_${version}_${arch}.deb"
mv "$built" "$deb"
echo "package: $(du -h "$deb" | cut -f1) $(dpkg-deb -f "$deb" Package) $version" >&2
echo "$deb"
