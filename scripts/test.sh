#!/usr/bin/env bash
# Installs what the tests need, then runs every test suite: the Rust workspace (unit,
# element, server, client and go-live tests against real nginx-rtmp, Xvfb, PulseAudio,
# moto), the desktop shell, the UI (Vitest) and the app end to end (WebDriver).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1
export PATH="$PWD/target/test-venv/bin:$PWD/target/aws-venv/bin:$PATH"
# Reuse compiled dependencies between runs when sccache is there (it is optional).
if [ -z "${RUSTC_WRAPPER:-}" ] && command -v sccache >/dev/null 2>&1; then export RUSTC_WRAPPER=sccache; fi
export CARGO_TERM_COLOR=never RUST_BACKTRACE=1 CARGO_INCREMENTAL=0

log=$(mktemp)
# Tests that skip for a missing prerequisite write one line here (cloumer_testkit::skip):
# libtest counts them as passed, the closing line below does not. Under CI=true they fail.
export CLOUMER_SKIP_LOG
CLOUMER_SKIP_LOG=$(mktemp)
failed_suites=()
run_suite() { # name, command...
  local name=$1; shift
  echo "=== $name: $*"
  if ! "$@" 2>&1 | tee -a "$log"; then failed_suites+=("$name"); fi
}

# The UI first: the app binary embeds ui/dist when it is compiled.
run_suite "ui build" bash -c 'cd ui && npm run --silent build'
# The viewers' web site: `cloumer serve` serves web/dist (tests/web_site.rs drives it in Chromium).
run_suite "web build" bash -c 'cd web && npm run --silent build'
# The AWS deployment (deploy/aws): cfn-lint and `sam validate --lint` of the template, and
# `sam build` of the Lambdas (cross-built in the dev profile; AWS_LAMBDA_BUILD=release builds
# what make aws-deploy ships; see the script).
run_suite "aws template" bash scripts/aws-test.sh
# The bootstraps that sam build made, kept by aws-test.sh: the emulator test of cloumer-aws
# runs them (under CI=true it fails without them; elsewhere it falls back to host builds).
# (An absolute path: cargo runs each test in its crate's directory.)
if [ -d "${CARGO_TARGET_DIR:-target}/sam-bootstraps" ]; then
  CLOUMER_SAM_BOOTSTRAPS=$(cd "${CARGO_TARGET_DIR:-target}/sam-bootstraps" && pwd)
  export CLOUMER_SAM_BOOTSTRAPS
fi
# One build for every crate, the desktop shell (cloumer-studio) included: testing it apart
# would compile the shared dependencies a second time with other features. It also builds
# target/debug/cloumer-studio (UI embedded), which the end-to-end test drives.
run_suite "rust workspace + desktop shell" cargo test --workspace --no-fail-fast
# A CI machine's disk can be small: the suites below need none of the workspace build but
# the studio binary (target/debug/cloumer-studio, a hard link that survives), so under CI
# the test binaries and libraries (about 4.5 GB) go before the fuzz build adds its own.
# Never on a developer's machine, whose next build would start from scratch.
if [ "${CI:-}" = true ]; then
  find "${CARGO_TARGET_DIR:-target}/debug/deps" -maxdepth 1 -type f \
    \( -executable -o -name '*.rlib' -o -name '*.rmeta' \) -delete
fi
# Every parser an outsider can reach, fuzzed briefly (docs/security.md; longer runs:
# `bash scripts/fuzz.sh 600`).
run_suite "fuzz" bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
[ "${CI:-}" = true ] && rm -rf "${CARGO_TARGET_DIR:-target}/fuzz"
run_suite "ui (vitest)" bash -c 'cd ui && npx vitest run'
run_suite "web (vitest)" bash -c 'cd web && npx vitest run'
# The real app under Xvfb through tauri-driver. The debug binary from the step above saves
# CI a second, release build of everything; E2E_BUILD=release tests `make app`'s binary.
case "${E2E_BUILD:-debug}" in
  release) run_suite "app end to end" e2e/run.sh ;;
  *) run_suite "app end to end" env STUDIO_BUILD=none \
       STUDIO_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/cloumer-studio" e2e/run.sh ;;
esac
# The .deb as a user gets it: built from the binary above, installed with apt, started
# (scripts/package-test.sh).
run_suite "package (.deb)" bash scripts/package-test.sh --prebuilt
# The AppImage from the same binary, started through FUSE or extracted, its WebKitGTK and
# GStreamer checked to come from the image (scripts/appimage-test.sh).
run_suite "package (AppImage)" bash scripts/appimage-test.sh --prebuilt

# One closing line over all Rust suites (cargo prints one `test result` per test binary).
passed=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -oE '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}')
ignored=$(grep -oE '[0-9]+ ignored;' "$log" | awk '{s+=$1} END {print s+0}')
skipped_here=$(wc -l < "$CLOUMER_SKIP_LOG")
passed=$((passed - skipped_here))
skipped=$((ignored + skipped_here))
echo
if [ "$skipped_here" -gt 0 ]; then
  echo "skipped (prerequisite missing on this machine):"
  sed 's/^/  /' "$CLOUMER_SKIP_LOG"
fi
rm -f "$log" "$CLOUMER_SKIP_LOG"
if [ "${#failed_suites[@]}" -gt 0 ]; then
  echo "failed suites: ${failed_suites[*]}"
  echo "rust: $passed passed, $failed failed, $skipped skipped"
  exit 1
fi
echo "rust: $passed passed, $failed failed, $skipped skipped"
