"""Starts `cloumer serve` on free ports in a temp data dir and signs a user up, for the
server benchmarks (not a test). Only the standard library: the benchmarks must not need
the test venv.
"""
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request

READY = re.compile(r"^ready in (\d+) ms$")


class Server:
    """`cloumer serve` as a child process; `urls` maps the printed names to values."""

    def __init__(self, cloumer, data_dir=None, extra=()):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="cloumer-bench-")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [cloumer, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0",
             "--rtmp", "127.0.0.1:0", "--rtmps", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")})
        self.urls = {}
        for line in self.proc.stdout:
            line = line.strip()
            m = READY.match(line)
            if m:
                self.ready_s = time.monotonic() - self.started
                self.reported_ms = int(m.group(1))
                break
            name, _, value = line.partition(": ")
            self.urls[name] = value
        else:
            raise RuntimeError("cloumer serve exited before it was ready")
        self.api = self.urls["api"]

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def cognito(self, op, body):
        req = urllib.request.Request(
            self.urls["cognito"], data=json.dumps(body).encode(), method="POST",
            headers={"X-Amz-Target": "AWSCognitoIdentityProviderService." + op,
                     "Content-Type": "application/x-amz-json-1.1"})
        with urllib.request.urlopen(req) as res:
            return json.load(res)

    def sign_up(self, email="bench@example.com", password="Passw0rd!bench"):
        """Signs up, confirms from the outbox, logs in; returns (id_token, mypage)."""
        client_id = self.urls["client_id"]
        self.cognito("SignUp", {"ClientId": client_id, "Username": email, "Password": password,
                                "UserAttributes": [{"Name": "email", "Value": email},
                                                   {"Name": "nickname", "Value": "bench"}]})
        with open(os.path.join(self.data_dir, "outbox.jsonl")) as outbox:
            code = [json.loads(l)["code"] for l in outbox if json.loads(l)["to"] == email][-1]
        self.cognito("ConfirmSignUp", {"ClientId": client_id, "Username": email,
                                       "ConfirmationCode": code})
        auth = self.cognito("InitiateAuth", {
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
            "AuthParameters": {"USERNAME": email, "PASSWORD": password}})
        token = auth["AuthenticationResult"]["IdToken"]
        req = urllib.request.Request(self.api + "/stream/mypage", headers={"Authorization": token})
        with urllib.request.urlopen(req) as res:
            return token, json.load(res)


def cpu_seconds(pid):
    """utime + stime of a process (all threads), from /proc/<pid>/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine():
    """One line describing this machine, for the results."""
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%s, %d cores, %s" % (model, os.cpu_count(), os.uname().release)
