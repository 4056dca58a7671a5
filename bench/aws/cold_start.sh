#!/usr/bin/env bash
# Benchmark (not a test): cold start and size of the API function as AWS runs it.
# Builds the functions like `make aws-deploy` (scripts/aws-build.sh: release with the size
# profile, glibc-pinned, then sam build) unless they are there, then starts `cloumer-api-fn` RUNS times
# (default 20) under cargo-lambda's emulator and reports the init duration (process start
# to its first request for an event) and the first invocation (a REST proxy event for a
# route that needs no AWS call). Figures go to deploy/aws/README.md.
# Usage: bash bench/aws/cold_start.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-20}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
export PATH="$PWD/target/aws-venv/bin:$PATH"
[ -x "$target/lambda/cloumer-api-fn/bootstrap" ] || bash scripts/aws-build.sh

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/emulator/src"
printf '[package]\nname = "emulator"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n' > "$work/emulator/Cargo.toml"
echo 'fn main() {}' > "$work/emulator/src/main.rs"
(cd "$work/emulator" && exec cargo lambda watch --only-lambda-apis -A 127.0.0.1 -P "$port") >/dev/null 2>&1 &
watch_pid=$!
trap 'kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

# The function's configuration as the template sets it; nothing listens at the endpoint,
# and the route below needs no AWS call (the clients connect lazily).
export CLOUMER_TABLE=cloumer CLOUMER_AVATAR_BUCKET=avatars CLOUMER_CHANNEL_TYPE=STANDARD \
  CLOUMER_AVATAR_BASE_URL=https://d111111abcdef8.cloudfront.net \
  AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_ENDPOINT_URL=http://127.0.0.1:9 \
  AWS_EC2_METADATA_DISABLED=true RUST_LOG=info
python3 - "$work/event.json" <<'PY'
import json, sys
event = json.load(open("crates/cloumer-aws/tests/fixtures/apigw_rest_proxy_event.json"))
event["path"] = "/public/no-such-route"
event["pathParameters"] = {"proxy": "public/no-such-route"}
event["requestContext"]["path"] = "/develop/public/no-such-route"
json.dump(event, open(sys.argv[1], "w"))
PY
result=$(python3 bench/aws/init_probe.py "$target/lambda/cloumer-api-fn/bootstrap" "$port" "$runs" "$work/event.json")
python3 - "$result" "$target" <<'PY'
import json, os, statistics, sys
r = json.loads(sys.argv[1]); target = sys.argv[2]
def row(name, xs):
    xs = sorted(xs)
    p90 = xs[max(0, int(round(0.9 * len(xs))) - 1)]
    return f"| {name} | {statistics.median(xs):.1f} ms | {p90:.1f} ms | {xs[-1]:.1f} ms |"
print(f"cloumer-api-fn, {len(r['init_ms'])} cold starts under cargo lambda watch (this machine)")
print("| | median | p90 | max |\n|---|---|---|---|")
print(row("init duration", r["init_ms"]))
print(row("first invocation", r["first_invoke_ms"]))
print()
print("| binary | size |\n|---|---|")
for b in ("cloumer-api-fn", "cloumer-post-confirmation-fn", "cloumer-stream-state-fn"):
    p = os.path.join(target, "lambda", b, "bootstrap")
    if os.path.exists(p):
        print(f"| {b} | {os.path.getsize(p) / 1e6:.1f} MB |")
PY
