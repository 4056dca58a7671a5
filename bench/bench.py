#!/usr/bin/env python3
"""Runs the same screen + mic job with cloumer, bare gst-launch-1.0 and ffmpeg.

For every run: CPU seconds (user + sys, GNU time), peak RSS, frames the ingest received
(video packets in nginx's recording), and the time from process start to the first video
frame (first H.264 NALU tag) arriving in the ingest's recording. Runs alternate between
tools so machine load drifts hit all of them alike.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

KEY = "sk_bench_cloumer"
SIZES = {"720p30": (1280, 720, 3500), "1080p30": (1920, 1080, 6000)}
FPS = 30


def gst_launch_cmd(env, w, h, kbps, url):
    """The bare pipeline doing cloumer's job, element for element."""
    return [
        "gst-launch-1.0", "-e", "-q",
        "ximagesrc", f"display-name={env['display']}", "use-damage=false", "show-pointer=true", "!",
        "videoscale", "!", "videoconvert", "!", "videorate", "!",
        f"video/x-raw,format=I420,width={w},height={h},framerate={FPS}/1,pixel-aspect-ratio=1/1", "!",
        "queue", "!",
        "x264enc", f"bitrate={kbps}", "vbv-buf-capacity=1000", f"key-int-max={2 * FPS}", "bframes=0",
        "tune=zerolatency", "speed-preset=veryfast", f"option-string=scenecut=0:min-keyint={2 * FPS}",
        "!", "video/x-h264,profile=high,stream-format=avc,alignment=au", "!", "h264parse", "!",
        "queue", "leaky=downstream", "max-size-buffers=0", "max-size-bytes=0", "max-size-time=3000000000", "!",
        "flvmux", "name=mux", "streamable=true", "!", "rtmp2sink", f"location={url}{KEY}",
        "pulsesrc", f"device={env['mic']}", "!", "audioconvert", "!", "audioresample", "!",
        "audio/x-raw,rate=48000,channels=2", "!", "queue", "!", "audioconvert", "!",
        "voaacenc", "bitrate=128000", "!",
        "queue", "leaky=downstream", "max-size-buffers=0", "max-size-bytes=0", "max-size-time=3000000000", "!",
        "mux.",
    ]


def ffmpeg_cmd(env, w, h, kbps, url, seconds):
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "x11grab", "-framerate", str(FPS), "-video_size", "1920x1080", "-i", env["display"],
        "-f", "pulse", "-i", env["mic"],
        "-vf", f"scale={w}:{h}", "-pix_fmt", "yuv420p",
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "high",
        "-b:v", f"{kbps}k", "-maxrate", f"{kbps}k", "-bufsize", f"{kbps}k",
        "-g", str(2 * FPS), "-keyint_min", str(2 * FPS), "-sc_threshold", "0", "-bf", "0",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
        "-t", str(seconds), "-f", "flv", f"{url}{KEY}",
    ]


def cloumer_cmd(binary, env, w, h, kbps, url, seconds):
    return [
        binary, "live", "--to", url, "--screen", env["display"], "--mic", env["mic"],
        "--size", f"{w}x{h}", "--fps", str(FPS), "--bitrate", str(kbps), "--encoder", "x264",
        "--duration", str(seconds),
    ]


def first_video_frame_offset(path):
    """Byte offset just past the first coded H.264 frame tag in an FLV file, or None."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    pos = 13  # FLV header (9) + PreviousTagSize0 (4)
    while pos + 11 <= len(data):
        tag_type = data[pos]
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        body = pos + 11
        if body + size > len(data):
            return None
        # Video tag, AVC, AVCPacketType 1 = coded frames (0 is the sequence header).
        if tag_type == 9 and size >= 2 and data[body] & 0x0F == 7 and data[body + 1] == 1:
            return body + size
        pos = body + size + 4
    return None


def newest_recording(record_dir, before):
    new = [os.path.join(record_dir, f) for f in os.listdir(record_dir) if f not in before]
    return max(new, key=os.path.getmtime) if new else None


def video_packets(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path],
        capture_output=True, text=True)
    try:
        return int(out.stdout.strip().split(",")[0])
    except ValueError:
        return 0


def suspend_mic(sub_env, suspended):
    """Suspends (or resumes) the null sink whose monitor is the microphone: a capture client
    then gets its first buffer only on resume, like a real microphone being opened."""
    subprocess.run(["pactl", "suspend-sink", "vsink", "1" if suspended else "0"],
                   env=sub_env, check=True, stdout=subprocess.DEVNULL)


def run_one(tool, cmd, env, seconds, record_dir, sub_env, mic_delay=0.0):
    before = set(os.listdir(record_dir))
    # The machine may be shared: keep the 1-minute load next to each figure.
    load_before = os.getloadavg()[0]
    if mic_delay:
        suspend_mic(sub_env, True)
    started = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, env=sub_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if mic_delay:
        threading.Timer(mic_delay, suspend_mic, (sub_env, False)).start()
    first_frame = None
    stop_sent = False
    while proc.poll() is None:
        now = time.monotonic() - started
        if first_frame is None:
            rec = newest_recording(record_dir, before)
            if rec and first_video_frame_offset(rec):
                first_frame = now
        # gst-launch has no duration option: SIGINT with -e drains it like Ctrl-C.
        if tool == "gst-launch" and not stop_sent and now >= seconds:
            # /usr/bin/time forwards nothing: signal its child.
            subprocess.run(["pkill", "-INT", "-P", str(proc.pid)])
            stop_sent = True
        if now > seconds + 60:
            proc.kill()
            break
        time.sleep(0.01)
    stderr = proc.stderr.read() if proc.stderr else ""
    proc.wait()

    def field(name):
        m = re.search(rf"{re.escape(name)}: ([0-9.:]+)", stderr)
        return m.group(1) if m else "0"

    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss_mib = int(field("Maximum resident set size (kbytes)")) / 1024
    time.sleep(1.5)  # let nginx close the recording
    rec = newest_recording(record_dir, before)
    frames = video_packets(rec) if rec else 0
    return {"tool": tool, "cpu_s": round(cpu, 2), "peak_rss_mib": round(rss_mib, 1),
            "frames": frames, "expected_frames": seconds * FPS,
            "first_frame_s": round(first_frame, 3) if first_frame is not None else None,
            "exit": proc.returncode, "load_before": round(load_before, 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cloumer", required=True)
    ap.add_argument("--env", required=True)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="bench/results.json")
    ap.add_argument("--mic-delay", type=float, default=0.0,
                    help="the microphone's first buffer comes SECS after the start (a real "
                         "device being opened); 0: at once (the null sink)")
    ap.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: 720p30,1080p30")
    ap.add_argument("--tools", default="cloumer,gst-launch,ffmpeg")
    args = ap.parse_args()

    envp = subprocess.Popen([args.env, KEY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    env = json.loads(envp.stdout.readline())
    sub_env = dict(os.environ, **env["pulse_env"], DISPLAY=env["display"], CLOUMER_STREAM_KEY=KEY)
    url = env["rtmps_url"]
    results = []
    try:
        for label, (w, h, kbps) in SIZES.items():
            if label not in args.sizes.split(","):
                continue
            for i in range(args.runs):
                for tool in args.tools.split(","):
                    cmd = {
                        "cloumer": cloumer_cmd(args.cloumer, env, w, h, kbps, url, args.seconds),
                        "gst-launch": gst_launch_cmd(env, w, h, kbps, url),
                        "ffmpeg": ffmpeg_cmd(env, w, h, kbps, url, args.seconds),
                    }[tool]
                    r = run_one(tool, cmd, env, args.seconds, env["record_dir"], sub_env,
                                args.mic_delay)
                    r.update(size=label, run=i + 1, mic_delay_s=args.mic_delay)
                    print(json.dumps(r), flush=True)
                    results.append(r)
    finally:
        envp.stdin.close()
        envp.wait(timeout=30)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    print()
    print("Medians, with the range over the runs in brackets.")
    print()
    print("| size | tool | CPU s | peak RSS MiB | frames / expected | first frame s |")
    print("|---|---|---|---|---|---|")
    for label in SIZES:
        for tool in ("cloumer", "gst-launch", "ffmpeg"):
            rs = [r for r in results if r["size"] == label and r["tool"] == tool]
            if not rs:
                continue

            def cell(key, fmt):
                values = [r[key] for r in rs if r[key] is not None] or [0]
                med = statistics.median(values)
                if len(values) == 1:
                    return fmt.format(med)
                return f"{fmt.format(med)} ({fmt.format(min(values))}-{fmt.format(max(values))})"

            print(f"| {label} | {tool} | {cell('cpu_s', '{:.2f}')} | {cell('peak_rss_mib', '{:.0f}')} | "
                  f"{cell('frames', '{:.0f}')} / {rs[0]['expected_frames']} | {cell('first_frame_s', '{:.2f}')} |")
    print()
    for label in SIZES:
        by_tool = {t: statistics.median([r["cpu_s"] for r in results if r["size"] == label and r["tool"] == t] or [0])
                   for t in ("cloumer", "gst-launch", "ffmpeg")}
        if by_tool["gst-launch"] and by_tool["ffmpeg"]:
            print(f"{label}: cloumer CPU = {by_tool['cloumer'] / by_tool['gst-launch']:.2f}x gst-launch, "
                  f"{by_tool['cloumer'] / by_tool['ffmpeg']:.2f}x ffmpeg (medians)")


if __name__ == "__main__":
    sys.exit(main())
