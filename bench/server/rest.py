#!/usr/bin/env python3
"""REST latency at a paced 500 requests/s with wrk (issue target: p99 < 5 ms), not a test.

Starts `cloumer serve`, signs a user up, then runs wrk with rest_get.lua against an
authenticated route (R6 /stream/mypage: JWT check + SQLite lookups) and a public one
(R1 /public/users). Usage: rest.py CLOUMER [SECONDS]
"""
import os
import subprocess
import sys

from serverctl import Server, machine

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    cloumer = sys.argv[1]
    seconds = sys.argv[2] if len(sys.argv) > 2 else "30"
    server = Server(cloumer)
    try:
        token, _ = server.sign_up()
        print("# %s, %s; wrk -t2 -c10, 18 ms pacing per connection" % (cloumer, machine()))
        for path in ("/stream/mypage", "/public/users"):
            env = {**os.environ, "CLOUMER_TOKEN": token, "BENCH_PATH": path, "BENCH_DELAY_MS": "18"}
            out = subprocess.run(
                ["wrk", "-t2", "-c10", "-d%ss" % seconds, "-s", os.path.join(HERE, "rest_get.lua"),
                 server.api], env=env, capture_output=True, text=True, check=True).stdout
            print(out[out.index(path + ":"):].rstrip())
    finally:
        server.stop()


if __name__ == "__main__":
    main()
