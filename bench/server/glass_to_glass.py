#!/usr/bin/env python3
"""Glass-to-glass latency of `cloumer serve` watched in the web site, in headless Chromium
(a benchmark, not a test; issue 18's target: < 5 s with the default HLS settings).

Each video frame carries the wall-clock time it was made at, drawn as a barcode: 48 bits of
Unix milliseconds and, below them, the same 48 bits inverted (a frame whose two halves
disagree, e.g. a half-decoded one, is not counted). Big blocks survive H.264 at any
bitrate, and reading them back needs no OCR: the page's own <video> element is drawn onto a
canvas the moment Chromium presents a frame (requestVideoFrameCallback), the blocks are
read from its pixels, and the time in the frame is subtracted from the browser's clock
(the same system clock: everything runs on this machine). That is the time from "camera"
to "screen": encode, RTMP, the server's remux to HLS segments, the playlist, hls.js's
polling and hold-back, decode.

The publisher is what the studio does with the same settings: x264 (zerolatency,
veryfast, 2.5 Mbps, keyframe every 2 s as IVS requires), 1280x720 at 30 fps, AAC, FLV over
RTMP to the server's ingest (gst-launch-1.0's rtmp2sink; the frames come from this script
through a pipe, paced in real time). The browser is Debian's chromium driven by
chromedriver over plain WebDriver HTTP (standard library only, like the other server
benchmarks). Usage:

    glass_to_glass.py CLOUMER [SAMPLES] [WARMUP_S]

SAMPLES (default 40) are taken about 1.5 s apart at random offsets, so they fall at every
phase of the player's playlist polling; WARMUP_S (default 15) lets the player settle first.
It also prints the server's share: how long after its last frame each segment appeared on
the playlist (the segment's first frame decoded with ffmpeg, its barcode read).
"""
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from serverctl import Server, machine

WIDTH, HEIGHT, FPS = 1280, 720, 30
COLS, ROWS = 16, 6  # 96 blocks of 80x120: 48 bits of milliseconds, then the same bits inverted
BITS = 48
BLOCK_W, BLOCK_H = WIDTH // COLS, HEIGHT // ROWS

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--autoplay-policy=no-user-gesture-required", "--window-size=1280,900"]


def frame(ms):
    """One gray8 picture: the barcode of `ms` (white = 1), block by block."""
    bits = [(ms >> (BITS - 1 - i)) & 1 for i in range(BITS)]
    bits += [1 - b for b in bits]
    rows = []
    for r in range(ROWS):
        line = b"".join((b"\xeb" if bits[r * COLS + c] else b"\x10") * BLOCK_W for c in range(COLS))
        rows.append(line * BLOCK_H)
    return b"".join(rows)


def publish(url, stop):
    """gst-launch encoding the frames this thread writes into its stdin, in real time."""
    pipeline = (
        "fdsrc fd=0 blocksize=%d ! rawvideoparse format=gray8 width=%d height=%d framerate=%d/1 "
        "! videoconvert ! video/x-raw,format=I420 "
        "! x264enc tune=zerolatency speed-preset=veryfast bitrate=2500 key-int-max=%d "
        "! video/x-h264,profile=main ! h264parse ! queue ! flvmux name=mux streamable=true "
        "! rtmp2sink sync=false location=%s "
        "audiotestsrc wave=silence ! audio/x-raw,rate=48000,channels=2 ! audioconvert "
        "! avenc_aac bitrate=128000 ! aacparse ! queue ! mux."
        % (WIDTH * HEIGHT, WIDTH, HEIGHT, FPS, 2 * FPS, url))
    proc = subprocess.Popen(["gst-launch-1.0", "-q", *pipeline.split()],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)

    def feed():
        start = time.monotonic()
        n = 0
        try:
            while not stop.is_set():
                proc.stdin.write(frame(int(time.time() * 1000)))
                proc.stdin.flush()
                n += 1
                delay = start + n / FPS - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        except (BrokenPipeError, ValueError):
            pass

    threading.Thread(target=feed, daemon=True).start()
    return proc


class Browser:
    """One headless Chromium session through chromedriver's WebDriver HTTP API."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.driver = subprocess.Popen(["chromedriver", "--port=%d" % port],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("chromedriver did not listen")
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium", "args": CHROMIUM_FLAGS}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body or {}).encode() if method == "POST" else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as res:
            return json.load(res)["value"]

    def goto(self, url):
        self.call("POST", "/session/%s/url" % self.session, {"url": url})

    def run(self, script, *args, wait=False):
        kind = "async" if wait else "sync"
        return self.call("POST", "/session/%s/execute/%s" % (self.session, kind),
                         {"script": script, "args": list(args)})

    def close(self):
        try:
            self.call("DELETE", "/session/%s" % self.session)
        finally:
            self.driver.terminate()
            self.driver.wait()


# At the next presented frame: the time read from its barcode, and the browser's clock.
READ_FRAME = """
const [cols, rows, bits, done] = [arguments[0], arguments[1], arguments[2], arguments[3]];
const v = document.querySelector('[data-testid=player]');
if (!v || !v.videoWidth || !v.requestVideoFrameCallback) return done(null);
v.requestVideoFrameCallback(() => {
  const now = Date.now();
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(v, 0, 0);
  const bw = c.width / cols, bh = c.height / rows;
  const bit = (i) => {
    const x = Math.floor((i % cols + 0.5) * bw) - 4, y = Math.floor((Math.floor(i / cols) + 0.5) * bh) - 4;
    const d = g.getImageData(x, y, 8, 8).data;
    let sum = 0;
    for (let k = 0; k < d.length; k += 4) sum += d[k];
    return sum / (d.length / 4) > 128 ? 1 : 0;
  };
  let stamp = 0, valid = true;
  for (let i = 0; i < bits; i++) {
    const b = bit(i);
    if (bit(bits + i) === b) valid = false;
    stamp = stamp * 2 + b;
  }
  done({ now, stamp: valid ? stamp : null, currentTime: v.currentTime,
         buffered: v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 0 });
});
setTimeout(() => done(null), 3000);
"""


def stamp_of(picture):
    """The milliseconds drawn into a gray8 WIDTHxHEIGHT picture, or None if unreadable."""
    def bit(i):
        x = int((i % COLS + 0.5) * BLOCK_W)
        y = int((i // COLS + 0.5) * BLOCK_H)
        return 1 if picture[y * WIDTH + x] > 128 else 0
    bits = [bit(i) for i in range(2 * BITS)]
    if any(a == b for a, b in zip(bits[:BITS], bits[BITS:])):
        return None
    return int("".join(map(str, bits[:BITS])), 2)


def watch_listings(hls_dir, stop, listed):
    """Appends (segment duration, seconds from its last frame to its listing) for every
    segment the server lists: the server's share of the latency (encode, RTMP, remux,
    playlist), read from the segment's own first frame."""
    playlist = os.path.join(hls_dir, "index.m3u8")
    seen = set()
    while not stop.is_set():
        try:
            with open(playlist) as f:
                lines = f.read().splitlines()
        except OSError:
            lines = []
        now = time.time()
        for duration, name in zip(lines, lines[1:]):
            if not duration.startswith("#EXTINF") or name in seen:
                continue
            seen.add(name)
            first = subprocess.run(
                ["ffmpeg", "-v", "error", "-i", os.path.join(hls_dir, name), "-frames:v", "1",
                 "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True).stdout
            stamp = stamp_of(first) if len(first) == WIDTH * HEIGHT else None
            seconds = float(duration.split(":")[1].rstrip(","))
            if stamp is not None:
                listed.append((seconds, now - stamp / 1000 - seconds))
        time.sleep(0.05)


def wait_playing(browser, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        t = browser.run("const v = document.querySelector('[data-testid=player]');"
                        "return v ? v.currentTime : 0;")
        if t and t > 1:
            return
        time.sleep(0.5)
    raise RuntimeError("the channel page did not play within %d s" % seconds)


def main():
    cloumer = sys.argv[1]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    warmup = float(sys.argv[3]) if len(sys.argv) > 3 else 15.0
    server = Server(cloumer)
    stop = threading.Event()
    publisher = browser = None
    try:
        _, page = server.sign_up()
        publisher = publish(server.urls["rtmp"] + page["streamKey"], stop)
        listed = []
        threading.Thread(target=watch_listings, daemon=True, args=(
            os.path.join(server.data_dir, "hls", page["chanelName"]), stop, listed)).start()
        browser = Browser()
        browser.goto("%s/channel/%s" % (server.api, page["chanelName"]))
        wait_playing(browser, 60)
        time.sleep(warmup)
        latencies, buffered, unreadable = [], [], 0
        while len(latencies) < samples:
            if publisher.poll() is not None:
                raise RuntimeError("the publisher stopped")
            got = browser.run(READ_FRAME, COLS, ROWS, BITS, wait=True)
            if got and got["stamp"] is not None:
                latencies.append((got["now"] - got["stamp"]) / 1000)
                buffered.append(got["buffered"])
            else:
                unreadable += 1
                if unreadable > samples:
                    raise RuntimeError("frames without a readable time: %r" % got)
            time.sleep(1.0 + random.random())
        q = statistics.quantiles(latencies, n=10)
        print("# %s, %s, load average %s" % (cloumer, machine(), os.getloadavg()))
        print("glass-to-glass in Chromium, %d samples (%d unreadable): median %.2f s, "
              "p10 %.2f s, p90 %.2f s, min %.2f s, max %.2f s; player buffer ahead median %.2f s"
              % (len(latencies), unreadable, statistics.median(latencies), q[0], q[-1],
                 min(latencies), max(latencies), statistics.median(buffered)))
        print("samples (s): " + " ".join("%.2f" % x for x in latencies))
        after = [delay for _, delay in listed[1:]]  # the first waits for the publisher's start
        print("server: %d segments of %s s listed a median %.2f s (max %.2f s) after their last "
              "frame was made (encode + RTMP + remux + playlist)"
              % (len(after), "/".join(sorted({"%g" % d for d, _ in listed})),
                 statistics.median(after), max(after)))
    finally:
        stop.set()
        if browser:
            browser.close()
        if publisher and publisher.poll() is None:
            publisher.terminate()
            publisher.wait()
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)  # recordings and segments


if __name__ == "__main__":
    main()
