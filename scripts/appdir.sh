#!/usr/bin/env bash
# Lays out Cloumer Studio's AppDir, the tree the AppImage is made of
# (scripts/package.sh --appimage; crates/cloumer-package writes the image):
#
#   scripts/appdir.sh <cloumer-studio binary> <AppDir to create>
#
#   AppRun, cloumer-studio.desktop, cloumer-studio.png, .DirIcon
#   usr/bin/cloumer-studio                 the studio (debug info stripped)
#   usr/bin/xdg-open                       hands the host's opener the host's environment
#   usr/lib/*.so*                          every library the ELF files below need (ldd),
#                                          less the exclude list below
#   usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/  WebKitGTK's helper processes + injected bundle
#   usr/lib/gstreamer-1.0/                 the GStreamer plugins the engine uses
#   usr/libexec/gstreamer-1.0/gst-plugin-scanner
#   usr/lib/gio/modules/                   TLS (glib-networking), proxies, dconf
#   usr/lib/gdk-pixbuf-2.0/                loaders + a loaders.cache template (AppRun fills in)
#   usr/share/glib-2.0/schemas/            GTK's compiled GSettings schemas
#
# Debian's multiarch layout is assumed (the build machine and CI are Debian 12).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: scripts/appdir.sh <cloumer-studio binary> <AppDir>" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bin="$1"
appdir="$2"
multiarch=/usr/lib/x86_64-linux-gnu
[ -x "$bin" ] || { echo "appdir: no binary at $bin" >&2; exit 1; }

rm -rf "$appdir"
mkdir -p "$appdir/usr/bin" "$appdir/usr/lib" "$appdir/usr/libexec/gstreamer-1.0"

# --- the studio, its desktop entry and icon ----------------------------------------------
# The debug build carries debug info the AppImage has no use for (strip keeps the symbols).
strip --strip-debug -o "$appdir/usr/bin/cloumer-studio" "$bin"
install -m 755 "$here/appimage/AppRun" "$appdir/AppRun"
install -m 755 "$here/appimage/xdg-open" "$appdir/usr/bin/xdg-open"
cp "$root/icons/128x128.png" "$appdir/cloumer-studio.png"
ln -s cloumer-studio.png "$appdir/.DirIcon"
cat >"$appdir/cloumer-studio.desktop" <<'EOF'
[Desktop Entry]
Type=Application
Name=Cloumer Studio
Comment=Go live on Amazon IVS with one click
Exec=cloumer-studio
Icon=cloumer-studio
Terminal=false
Categories=AudioVideo;Video;
EOF

# --- WebKitGTK's helper processes ----------------------------------------------------------
# libwebkit2gtk starts WebKitWebProcess / WebKitNetworkProcess (and loads the injected
# bundle) from PKGLIBEXECDIR, an absolute path compiled in; a release build of WebKitGTK reads
# no environment variable for it (WEBKIT_EXEC_PATH is for developer builds only). The AppImage
# tools (Tauri's bundler, linuxdeploy's GTK plugin) copy the helpers into the AppDir at the
# same path below usr/ and rewrite "/usr" in that string to the same-length "././", which
# resolves against the working directory; AppRun runs the studio from $APPDIR/usr. Only the
# webkit2gtk-4.1 directory is rewritten here, not every "/usr" of the library.
mkdir -p "$appdir/usr/lib/x86_64-linux-gnu"
cp -a "$multiarch/webkit2gtk-4.1" "$appdir/usr/lib/x86_64-linux-gnu/"
rm -f "$appdir/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"

# --- GStreamer: the plugins the engine's pipelines use, and the scanner -------------------
# coreelements/coretracers: queue, tee, capsfilter, filesink, latency + stats tracers;
# app/typefindfunctions/playback/autodetect: what WebKitGTK's media code asks for;
# audio: pulsesrc, audiotestsrc, audioconvert, audioresample, audiomixer, volume, level,
# voaacenc (AAC from 128 kbps; avenc_aac's gst-libav would add ~170 FFmpeg libraries);
# video: ximagesrc, pipewiresrc (Wayland portal), v4l2src (cameras), videoconvertscale,
# videorate, compositor, alpha, imagefreeze + png/jpeg decoders (the be-right-back still),
# textoverlay (pango), jpegenc, videotestsrc,
# ximagesink (the native preview); encoders: x264, va + vaapi (VA-API), nvcodec (NVENC, CUDA
# from the host's driver); out: h264parse (videoparsersbad), flvmux, rtmp2 (RTMPS),
# matroska (recordings); the embedded server ("Try it locally", cloumer-server's HLS):
# flvdemux (flv), aacparse (audioparsers), mpegtsmux, hlssink (hls, around multifilesink).
gst_plugins=(
  coreelements coretracers app typefindfunctions playback autodetect
  pulseaudio audiotestsrc audioconvert audioresample audiomixer volume level voaacenc
  ximagesrc pipewire video4linux2 videoconvertscale videorate compositor alpha imagefreeze
  png pango jpeg videotestsrc ximagesink x264 va vaapi nvcodec videoparsersbad flv rtmp2 matroska
  audioparsers mpegtsmux hls multifile
)
mkdir -p "$appdir/usr/lib/gstreamer-1.0"
for p in "${gst_plugins[@]}"; do
  cp "$multiarch/gstreamer-1.0/libgst$p.so" "$appdir/usr/lib/gstreamer-1.0/"
done
cp "$multiarch/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner" "$appdir/usr/libexec/gstreamer-1.0/"

# --- GIO modules, gdk-pixbuf loaders, GSettings schemas ------------------------------------
# The bundled GLib would otherwise look in the host's module directory, whose modules were
# built against the host's GLib (AppRun sets GIO_MODULE_DIR and GDK_PIXBUF_MODULE_FILE).
mkdir -p "$appdir/usr/lib/gio/modules"
cp "$multiarch"/gio/modules/*.so "$appdir/usr/lib/gio/modules/"
pixbuf="$multiarch/gdk-pixbuf-2.0/2.10.0"
mkdir -p "$appdir/usr/lib/gdk-pixbuf-2.0/loaders"
cp "$pixbuf"/loaders/*.so "$appdir/usr/lib/gdk-pixbuf-2.0/loaders/"
sed "s|\"$pixbuf/loaders/|\"@APPDIR@/usr/lib/gdk-pixbuf-2.0/loaders/|" "$pixbuf/loaders.cache" \
  >"$appdir/usr/lib/gdk-pixbuf-2.0/loaders.cache.in"
mkdir -p "$appdir/usr/share/glib-2.0/schemas"
cp /usr/share/glib-2.0/schemas/gschemas.compiled "$appdir/usr/share/glib-2.0/schemas/"

# --- the libraries they all need ------------------------------------------------------------
# Left to the host (after the AppImage project's "excludelist"), because they must match the
# host's kernel, drivers or configuration, and every desktop distribution has them:
# - glibc (libc, libm, libdl, libpthread, librt, libresolv, the loader, ...): the loader and
#   libc must be one, and NSS modules come from the host; libgcc_s and libstdc++ too, as the
#   host's GL drivers (Mesa links LLVM) need the host's, newer C++ runtime;
# - the GL stack (libGL, libEGL, libGLX, libGLdispatch, libOpenGL, libglapi, libgbm, libdrm)
#   and VA-API's libva*: the GPU driver loaded through them is the host's;
# - X11/xcb core (libX11, libX11-xcb, libxcb, libxcb-dri2/3, libxcb-glx, libxcb-present) and
#   Wayland (libwayland-*): shared with the host's GL/EGL implementation;
# - fontconfig, freetype, harfbuzz, fribidi, expat, zlib: the host's font configuration and
#   cache format are read with the host's library;
# - libasound, libjack, libpipewire-0.3: their plugins and modules are the host's.
excluded='^(ld-linux.*|libc|libm|libmvec|libdl|libpthread|librt|libresolv|libutil|libanl|libnsl|libBrokenLocale|libthread_db|libnss_.*|libgcc_s|libstdc\+\+|libGL|libEGL|libGLX|libGLdispatch|libOpenGL|libglapi|libgbm|libdrm|libva|libva-.*|libvdpau|libX11|libX11-xcb|libxcb|libxcb-dri2|libxcb-dri3|libxcb-glx|libxcb-present|libwayland-.*|libfontconfig|libfreetype|libharfbuzz|libfribidi|libexpat|libz|libasound|libjack|libpipewire-0\.3)\.so(\.[0-9.]+)?$'
elfs=("$appdir/usr/bin/cloumer-studio" "$appdir/usr/libexec/gstreamer-1.0/gst-plugin-scanner")
while IFS= read -r -d '' f; do elfs+=("$f"); done < <(find "$appdir/usr/lib" -type f -name '*.so*' -print0)
while IFS= read -r -d '' f; do elfs+=("$f"); done < <(find "$appdir/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1" -maxdepth 1 -type f -executable -print0)
missing=$(for f in "${elfs[@]}"; do ldd "$f"; done | awk '/=> not found/ {print $1}' | sort -u)
[ -z "$missing" ] || { echo "appdir: libraries not found on this machine: $missing" >&2; exit 1; }
for f in "${elfs[@]}"; do ldd "$f"; done | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u |
  while read -r name path; do
    [[ "$name" =~ $excluded ]] && continue
    [ -e "$appdir/usr/lib/$name" ] || cp -L "$path" "$appdir/usr/lib/$name"
  done

# The rewrite described above: same length, so offsets in the library stay as they were.
webkit="$appdir/usr/lib/libwebkit2gtk-4.1.so.0"
perl -0777 -pi -e 's|/usr(/lib/x86_64-linux-gnu/webkit2gtk-4\.1)|././$1|g' "$webkit"
grep -qa "././/lib/x86_64-linux-gnu/webkit2gtk-4.1" "$webkit" ||
  { echo "appdir: the helper path in $webkit was not rewritten" >&2; exit 1; }
if grep -qa "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1" "$webkit"; then
  echo "appdir: $webkit still names the host's helper directory" >&2
  exit 1
fi
echo "appdir: $(find "$appdir/usr/lib" -maxdepth 1 -name '*.so*' | wc -l) libraries, ${#gst_plugins[@]} GStreamer plugins, $(du -sh "$appdir" | cut -f1) in $appdir" >&2
