#!/usr/bin/env python3
"""Load check of `cloumer serve` (issue 18 #4), not a test: N simultaneous HLS viewers of
one 720p30 stream, then the web site's pages at a fixed request rate, with the server's
CPU (% of one core) and RSS; and the latency from a frame's publish to its segment being
listed in the live playlist.

Publisher: a 20 s 720p30 clip (x264 2.5 Mbps, 2 s GOP, AAC) encoded once, then sent with
`ffmpeg -re -stream_loop -1 -c copy` so no encoder competes for the 2 cores while
measuring. Viewers: asyncio, one keep-alive HTTP/1.1 connection each, like a player: the
live playlist every second, then every new segment in full. They come from 127.0.0.2..
(50 a source address) because the server caps connections per address (256). Pages: GET
/, /channel/<name>, /public/users, /public/broadcast_status at RATE requests/s, paced.

Latency: the publisher sends frame PTS p at T0 + p (-re); a segment whose first frame has
PTS p appears in the playlist at W; W - (T0 + p) is the time from "glass" (the frame
leaves the encoder) to the segment being playable. T0 is ffmpeg's start, so figures are
high by ffmpeg's start-up (~0.1-0.3 s). A player adds its hold-back behind the live edge.

Usage: hls_viewers.py CLOUMER [VIEWERS] [SECONDS] [RATE]
"""
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time

from serverctl import Server, cpu_seconds, machine

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "cloumer-bench")
CLIP = os.path.join(CACHE, "720p30-2500k.flv")
PER_ADDRESS = 50


def ensure_clip():
    if os.path.exists(CLIP):
        return
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "20",
         "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "2500k",
         "-maxrate", "2500k", "-bufsize", "2500k", "-g", "60", "-keyint_min", "60",
         "-x264-params", "scenecut=0", "-c:a", "aac", "-b:a", "128k", CLIP + ".tmp.flv"],
        check=True)
    os.rename(CLIP + ".tmp.flv", CLIP)


def rss_mib(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class Conn:
    """One keep-alive HTTP/1.1 connection from a chosen local address."""

    def __init__(self, host, port, source, agent):
        self.host, self.port, self.source, self.agent = host, port, source, agent
        self.reader = self.writer = None

    async def get(self, path):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, local_addr=(self.source, 0))
        self.writer.write(("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n\r\n"
                           % (path, self.host, self.agent)).encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
        body = await self.reader.readexactly(int(m.group(1))) if m else b""
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def viewer(i, host, port, playlist_path, stop, stats):
    conn = Conn(host, port, "127.0.0.%d" % (2 + i // PER_ADDRESS), "bench-viewer-%d" % i)
    base = playlist_path.rsplit("/", 1)[0]
    seen = set()
    await asyncio.sleep(i * 0.01)  # players do not all start in the same millisecond
    while not stop.is_set():
        try:
            status, body = await conn.get(playlist_path)
            stats["playlists"] += 1
            if status != 200:
                stats["errors"] += 1
            for name in re.findall(r"^(segment\d+\.ts)$", body.decode(), re.M)[-3:]:
                if name in seen:
                    continue
                seen.add(name)
                status, data = await conn.get(base + "/" + name)
                stats["segments"] += 1
                stats["bytes"] += len(data)
                if status != 200:
                    stats["errors"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            stats["errors"] += 1
            conn.close()
        await asyncio.sleep(1.0)
    conn.close()


async def latency_probe(host, port, playlist_path, channel_dir, t0, stop, out):
    """Polls the playlist every 50 ms; for each new segment, its appearance time minus
    the publish time of its first frame."""
    conn = Conn(host, port, "127.0.0.1", "bench-latency")
    seen, pts0 = set(), None
    while not stop.is_set():
        try:
            _, body = await conn.get(playlist_path)
        except (OSError, asyncio.IncompleteReadError):
            conn.close()
            await asyncio.sleep(0.05)
            continue
        now = time.time()
        for name in re.findall(r"^(segment\d+\.ts)$", body.decode(), re.M):
            if name in seen:
                continue
            seen.add(name)
            pts = first_pts(os.path.join(channel_dir, name))
            if pts is None:
                continue
            if pts0 is None:
                pts0 = pts  # the first segment starts with the first frame published
                continue
            out.append(now - (t0 + (pts - pts0)))
        await asyncio.sleep(0.05)
    conn.close()


def first_pts(path):
    try:
        res = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "packet=pts_time", "-read_intervals", "%+#1", "-of", "json", path],
            capture_output=True, text=True, timeout=10)
        return float(json.loads(res.stdout)["packets"][0]["pts_time"])
    except (subprocess.SubprocessError, KeyError, IndexError, ValueError):
        return None


async def pages(host, port, paths, rate, seconds, stats):
    """`rate` GETs a second for `seconds`, spread over connections as a site's visitors."""
    conns = [Conn(host, port, "127.0.0.%d" % (100 + i % 20), "bench-page-%d" % i) for i in range(40)]
    free = asyncio.Queue()
    for c in conns:
        free.put_nowait(c)
    latencies = []

    async def one(path):
        conn = await free.get()
        t = time.monotonic()
        try:
            status, _ = await conn.get(path)
            latencies.append(time.monotonic() - t)
            stats["requests"] += 1
            if status != 200:
                stats["errors"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            stats["errors"] += 1
            conn.close()
        free.put_nowait(conn)

    tasks, start = [], time.monotonic()
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(paths[n % len(paths)])))
    await asyncio.gather(*tasks)
    for c in conns:
        c.close()
    return latencies


async def run(server, page, viewers, seconds, rate):
    host, port = server.api.split("//", 1)[1].rsplit(":", 1)
    port = int(port)
    channel = page["chanelName"]
    playlist_path = "/hls/%s/index.m3u8" % channel
    channel_dir = os.path.join(server.data_dir, "hls", channel)
    t0 = time.time()
    publisher = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
         "-i", CLIP, "-c", "copy", "-f", "flv", server.urls["rtmp"] + page["streamKey"]],
        stdin=subprocess.DEVNULL)
    stop = asyncio.Event()
    latencies = []
    probe = asyncio.create_task(latency_probe(host, port, playlist_path, channel_dir, t0, stop, latencies))
    try:
        while not os.path.exists(os.path.join(channel_dir, "index.m3u8")):
            await asyncio.sleep(0.2)
        stats = {"playlists": 0, "segments": 0, "bytes": 0, "errors": 0}
        tasks = [asyncio.create_task(viewer(i, host, port, playlist_path, stop, stats))
                 for i in range(viewers)]
        await asyncio.sleep(15)  # all viewers connected and in their polling rhythm
        cpu0, m0, s0 = cpu_seconds(server.pid), time.monotonic(), dict(stats)
        await asyncio.sleep(seconds)
        cpu1, m1 = cpu_seconds(server.pid), time.monotonic()
        rss, hwm = rss_mib(server.pid), rss_mib(server.pid, "VmHWM")
        window = {k: stats[k] - s0[k] for k in stats}
        stop.set()
        await asyncio.gather(*tasks, probe)
        hls = {
            "viewers": viewers, "window_s": round(m1 - m0, 1),
            "cpu_percent_of_one_core": round(100 * (cpu1 - cpu0) / (m1 - m0), 1),
            "rss_mib": round(rss, 1), "peak_rss_mib": round(hwm, 1),
            "playlists_per_s": round(window["playlists"] / (m1 - m0), 1),
            "segments_per_s": round(window["segments"] / (m1 - m0), 1),
            "mbit_per_s": round(8 * window["bytes"] / (m1 - m0) / 1e6, 1),
            "errors": window["errors"],
        }
        # Pages at a fixed rate while the stream goes on (no viewers).
        paths = ["/", "/channel/" + channel, "/public/users", "/public/broadcast_status"]
        pstats = {"requests": 0, "errors": 0}
        cpu0, m0 = cpu_seconds(server.pid), time.monotonic()
        lat = await pages(host, port, paths, rate, 30, pstats)
        cpu1, m1 = cpu_seconds(server.pid), time.monotonic()
        lat.sort()
        site = {
            "rate_per_s": rate, "window_s": round(m1 - m0, 1), **pstats,
            "cpu_percent_of_one_core": round(100 * (cpu1 - cpu0) / (m1 - m0), 1),
            "rss_mib": round(rss_mib(server.pid), 1),
            "p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None,
            "p99_ms": round(1000 * lat[int(len(lat) * 0.99)], 1) if lat else None,
        }
        latency = {
            "segments": len(latencies),
            "median_s": round(statistics.median(latencies), 2) if latencies else None,
            "max_s": round(max(latencies), 2) if latencies else None,
        }
        return {"hls": hls, "pages": site, "publish_to_playlist": latency}
    finally:
        stop.set()
        publisher.terminate()
        publisher.wait()


def main():
    cloumer = sys.argv[1]
    viewers = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    rate = float(sys.argv[4]) if len(sys.argv) > 4 else 200
    ensure_clip()
    server = Server(cloumer)
    try:
        _, page = server.sign_up()
        result = asyncio.run(run(server, page, viewers, seconds, rate))
    finally:
        server.stop()
    print("# %s, %s" % (cloumer, machine()))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
