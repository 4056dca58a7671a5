"""Cold starts of one Lambda bootstrap under cargo-lambda's runtime emulator.

Lambda's Init Duration runs from starting the runtime process to its first request for an
event (GET .../runtime/invocation/next). This probe sits between the function and the
emulator (`cargo lambda watch --only-lambda-apis`) as a TCP relay, starts the bootstrap
fresh for every run, and takes the time of the first bytes the function sends (that first
/next request). It then invokes the function once through the emulator and times the
answer. Stdlib only: a relay is all it needs.

usage: init_probe.py BOOTSTRAP EMULATOR_PORT RUNS EVENT_JSON
prints one JSON object: {"init_ms": [...], "first_invoke_ms": [...]}
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request


def relay(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def one_run(bootstrap, emulator_port, event):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    first_bytes = []

    def accept_loop():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", emulator_port))
            head = conn.recv(65536)
            if not first_bytes:
                first_bytes.append(time.monotonic())
            upstream.sendall(head)
            threading.Thread(target=relay, args=(conn, upstream), daemon=True).start()
            threading.Thread(target=relay, args=(upstream, conn), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{port}/.rt",
        "AWS_LAMBDA_FUNCTION_NAME": "_",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    })
    started = time.monotonic()
    proc = subprocess.Popen([bootstrap], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = started + 10
        while not first_bytes and time.monotonic() < deadline:
            time.sleep(0.0005)
        if not first_bytes:
            raise SystemExit("the function never asked for an event")
        init_ms = (first_bytes[0] - started) * 1000
        url = f"http://127.0.0.1:{emulator_port}/2015-03-31/functions/_/invocations"
        request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST")
        sent = time.monotonic()
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = json.loads(answer.read())
        invoke_ms = (time.monotonic() - sent) * 1000
        if "statusCode" not in body:
            raise SystemExit(f"unexpected answer: {body}")
        return init_ms, invoke_ms
    finally:
        proc.kill()
        proc.wait()
        listener.close()


def main():
    bootstrap, emulator_port, runs, event_file = sys.argv[1:5]
    with open(event_file) as f:
        event = json.load(f)
    inits, invokes = [], []
    for _ in range(int(runs)):
        init_ms, invoke_ms = one_run(bootstrap, int(emulator_port), event)
        inits.append(round(init_ms, 1))
        invokes.append(round(invoke_ms, 1))
    print(json.dumps({"init_ms": inits, "first_invoke_ms": invokes}))


main()
