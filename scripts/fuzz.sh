#!/usr/bin/env bash
# Fuzzes every parser `cloumer serve` feeds with an outsider's bytes (cargo-fuzz targets in
# crates/cloumer-server/fuzz/: the RTMP ingest, chat frames, the Cognito JSON protocol and
# the multipart avatar upload), each for SECONDS (default 300; CI runs a short pass).
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# libFuzzer without a sanitizer: the code is safe Rust, so what we look for is a panic,
# an allocation beyond -malloc_limit_mb, a hang beyond -timeout, or an abort. A crash
# leaves its input under target/fuzz-artifacts/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-300}
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(rtmp_ingest chat_frame cognito_json avatar_multipart)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi
# The fuzz crate has its own lock file; keep the versions the workspace already uses.
fuzz_dir=crates/cloumer-server/fuzz
[ -f "$fuzz_dir/Cargo.lock" ] || cp Cargo.lock "$fuzz_dir/Cargo.lock"

cd "$fuzz_dir"
# `--sanitizer none` keeps to stable Rust: the sanitizers need nightly's -Z flags, while
# cargo-fuzz's coverage instrumentation is made of stable codegen options.
passed=0
failed=0
for t in "${targets[@]}"; do
  corpus="$root/target/fuzz-corpus/$t"
  artifacts="$root/target/fuzz-artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  echo "=== fuzz $t for ${seconds}s"
  if cargo fuzz run --sanitizer none --target-dir "$root/target/fuzz" "$t" "$corpus" "seeds/$t" -- \
      -max_total_time="$seconds" -timeout=10 -malloc_limit_mb=512 -rss_limit_mb=2048 \
      -max_len=65536 -artifact_prefix="$artifacts" -print_final_stats=1 2>&1 | tail -n 12; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "fuzz $t FAILED: the input that broke it is in $artifacts"
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
