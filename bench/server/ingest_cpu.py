#!/usr/bin/env python3
"""CPU of the server process while one 1080p30 4.5 Mbps stream is ingested, recorded and
remuxed to HLS (issue target: < 5 % of one core), not a test.

A 20 s clip is encoded once (x264 CBR 4.5 Mbps with filler, 2 s GOP, AAC 160 kb/s) and
then published with `ffmpeg -re -stream_loop -1 -c copy` (no encoding while measuring);
after 10 s of warm-up, utime + stime of the server (all threads: RTMP, TLS, recording,
GStreamer) is read from /proc/<pid>/stat over the window. Usage:
ingest_cpu.py CLOUMER [SECONDS] [rtmp|rtmps]
"""
import os
import subprocess
import sys
import time

from serverctl import Server, cpu_seconds, machine

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "cloumer-bench")
CLIP = os.path.join(CACHE, "1080p30-4500k.flv")


def ensure_clip():
    if os.path.exists(CLIP):
        return
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "20",
         "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
         "-b:v", "4500k", "-minrate", "4500k", "-maxrate", "4500k", "-bufsize", "4500k",
         "-x264-params", "nal-hrd=cbr:scenecut=0", "-g", "60", "-keyint_min", "60",
         "-c:a", "aac", "-b:a", "160k", CLIP + ".tmp.flv"], check=True)
    os.rename(CLIP + ".tmp.flv", CLIP)


def main():
    cloumer = sys.argv[1]
    window = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    scheme = sys.argv[3] if len(sys.argv) > 3 else "rtmp"
    ensure_clip()
    server = Server(cloumer)
    publisher = None
    try:
        _, page = server.sign_up()
        url = server.urls[scheme] + page["streamKey"]
        publisher = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
             "-i", CLIP, "-c", "copy", "-f", "flv", url],
            stdin=subprocess.DEVNULL)
        time.sleep(10)
        if publisher.poll() is not None:
            raise RuntimeError("ffmpeg stopped publishing")
        cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
        time.sleep(window)
        cpu1, t1 = cpu_seconds(server.pid), time.monotonic()
        if publisher.poll() is not None:
            raise RuntimeError("ffmpeg stopped publishing during the window")
        segments = [f for f in os.listdir(os.path.join(server.data_dir, "hls", page["chanelName"]))
                    if f.endswith(".ts")]
        print("# %s, %s" % (cloumer, machine()))
        print("%s ingest + recording + HLS, 1080p30 4.5 Mbps + AAC 160 kb/s: %.2f CPU s in %.1f s"
              " = %.1f %% of one core (%d HLS segments on disk)"
              % (scheme.upper(), cpu1 - cpu0, t1 - t0, 100 * (cpu1 - cpu0) / (t1 - t0), len(segments)))
    finally:
        if publisher and publisher.poll() is None:
            publisher.terminate()
            publisher.wait()
        server.stop()


if __name__ == "__main__":
    main()
