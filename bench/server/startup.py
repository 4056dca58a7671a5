#!/usr/bin/env python3
"""Start-up to ready of `cloumer serve` (issue target < 300 ms), not a test.

For each run: wall time from spawning the process to its "ready in N ms" line (the URLs
are printed just before it and every listener is bound), and to the first HTTP answer
(GET /public/users). "first run" starts on an empty data dir (it creates the SQLite
database, the RSA signing key and the RTMPS certificate); "restart" on an existing one.
Usage: startup.py CLOUMER [RUNS]
"""
import statistics
import sys
import tempfile
import time
import urllib.request

from serverctl import Server, machine


def one(cloumer, data_dir):
    server = Server(cloumer, data_dir)
    try:
        with urllib.request.urlopen(server.api + "/public/users") as res:
            res.read()
        answered = time.monotonic() - server.started
        return server.ready_s * 1000, answered * 1000
    finally:
        server.stop()


def summary(values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return "median %.0f ms, p95 %.0f ms, max %.0f ms" % (statistics.median(values), p95, values[-1])


def main():
    cloumer = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    print("# %s, %s" % (cloumer, machine()))
    first, restart = [], []
    for _ in range(runs):
        data_dir = tempfile.mkdtemp(prefix="cloumer-startup-")
        first.append(one(cloumer, data_dir))
        restart.append(one(cloumer, data_dir))
    for name, results in (("first run", first), ("restart", restart)):
        print("%-9s ready: %s | first HTTP answer: %s" % (
            name, summary([r[0] for r in results]), summary([r[1] for r in results])))


if __name__ == "__main__":
    main()
