"""Runs `cloumer live` (720p30 snow, --bitrate 3500) through a testkit-netbed link whose
rate follows a schedule, and reports per second: the link rate, the encoder target, the
bitrate and video frames the ingest recorded, and the backlog `cloumer live` measured.
"""

import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "abr" / "results"
CLOUMER = ROOT / "target" / "debug" / "cloumer"
NETBED = ROOT / "target" / "debug" / "testkit-netbed"
KEY = "sk_bench_abr"
BITRATE = 3500

# name: (seconds, [(at, action)], extra args); actions: ("rate", kbit) | ("down",) | ("up",)
SCENARIOS = {
    "slow": (30, [(0, ("rate", 1500))], []),
    "grow": (35, [(0, ("rate", 1500)), (15, ("rate", 20000))], []),
    "steady": (75, [(0, ("rate", 2500))], []),
    "down": (47, [(0, ("rate", 1500)), (12, ("down",)), (22, ("up",))], []),
    "noabr": (20, [(0, ("rate", 1500))], ["--no-abr"]),
}


def video_packets(path):
    """(pts seconds, bytes) of every video packet of a recording."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
         "packet=pts_time,size", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=False).stdout
    packets = []
    for line in out.splitlines():
        parts = line.strip().split(",")
        try:
            packets.append((float(parts[0]), int(parts[1])))
        except (ValueError, IndexError):
            continue
    return packets


def run(name):
    secs, schedule, extra = SCENARIOS[name]
    first_rate = schedule[0][1][1]
    bed = subprocess.Popen([str(NETBED), KEY, str(first_rate)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    info = json.loads(bed.stdout.readline())
    link = {"rate": first_rate, "up": True}

    def command(line):
        bed.stdin.write(line + "\n")
        bed.stdin.flush()
        bed.stdout.readline()

    env = dict(os.environ, CLOUMER_STREAM_KEY=KEY, RUST_LOG="warn")
    started = time.monotonic()
    live = subprocess.Popen(
        ["ip", "netns", "exec", info["client_netns"], str(CLOUMER), "live",
         "--to", info["rtmps_url"], "--camera", "test:snow", "--size", "1280x720",
         "--fps", "30", "--bitrate", str(BITRATE), "--json", "--duration", str(secs)]
        + extra, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    timeline = []  # (wall seconds, link kbit or 0 when down)

    def drive():
        for at, action in schedule:
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            if action[0] == "rate":
                command(f"rate {action[1]}")
                link["rate"] = action[1]
            else:
                command(action[0])
                link["up"] = action[0] == "up"
            timeline.append((time.monotonic() - started, link["rate"] if link["up"] else 0))

    threading.Thread(target=drive, daemon=True).start()
    stats, changes = [], []
    for line in live.stdout:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if event.get("event") == "stats":
            stats.append(event)
        elif event.get("event") == "bitrate":
            changes.append(dict(event, at=time.monotonic() - started))
    live.wait()
    time.sleep(2)  # nginx finishes the recording
    records = sorted(Path(info["record_dir"]).glob("*.flv"), key=lambda p: p.stat().st_mtime)
    packets = [p for r in records for p in video_packets(r)]
    bed.stdin.close()
    bed.wait()
    return report(name, secs, timeline, stats, changes, packets)


def link_at(timeline, t):
    rate = timeline[0][1] if timeline else 0
    for at, r in timeline:
        if at <= t:
            rate = r
    return rate


def report(name, secs, timeline, stats, changes, packets):
    # The recording's time 0 is the first data the ingest got: align it with the first
    # second in which bytes were sent.
    onset = next((s["uptime_secs"] for s in stats if s.get("bytes_sent", 0) > 0), 0.0)
    onset = max(0.0, onset - 1.0)
    base = packets[0][0] if packets else 0.0
    per_second = {}
    for pts, size in packets:
        second = int(pts - base + onset)
        kbit, frames = per_second.get(second, (0.0, 0))
        per_second[second] = (kbit + size * 8 / 1000, frames + 1)
    rows = []
    for s in stats:
        second = int(s["uptime_secs"])
        kbit, frames = per_second.get(second, (0.0, 0))
        rows.append({
            "second": second,
            "link_kbps": link_at(timeline, s["uptime_secs"]),
            "target_kbps": s["target_bitrate_kbps"],
            "sent_kbps": s["output_bitrate_kbps"],
            "ingest_video_kbps": round(kbit),
            "backlog_ms": s["backlog_ms"],
            "frames_received": frames,
        })
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{name}.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    plot(name, rows)
    span = packets[-1][0] - packets[0][0] if packets else 0.0
    return {
        "seconds": secs,
        "bitrate_changes": len(changes),
        "frames_received": len(packets),
        "frames_expected": round(span * 30) + 1 if packets else 0,
        "max_backlog_ms": max((r["backlog_ms"] for r in rows), default=0),
        "seconds_backlog_over_500ms": sum(1 for r in rows if r["backlog_ms"] > 500),
        "reconnects": stats[-1]["reconnects"] if stats else None,
        "first_change_s": round(changes[0]["at"], 1) if changes else None,
        **scenario_figures(timeline, stats),
    }


def scenario_figures(timeline, stats):
    """What the issue's targets are about, per scenario (stats come once a second)."""
    figures = {}
    timed = [(s["uptime_secs"], s) for s in stats]
    onset = next((t for t, s in timed if s.get("bytes_sent", 0) > 0), None)
    if onset is not None:
        cleared = next((t for t, s in timed if t > onset and s["backlog_ms"] < 500), None)
        figures["backlog_under_500ms_after_onset_s"] = (
            round(cleared - onset, 1) if cleared is not None else None)
    for (before, after) in zip(timeline, timeline[1:]):
        at, rate = after
        if rate > before[1] > 0:
            back = next((t for t, s in timed
                         if t > at and s["target_bitrate_kbps"] >= BITRATE * 0.9), None)
            figures["target_back_to_90pct_after_link_grew_s"] = (
                round(back - at, 1) if back is not None else None)
        if before[1] == 0 and rate > 0:
            again = next((t for t, s in timed if t > at and s.get("connected")), None)
            figures["connected_again_after_link_up_s"] = (
                round(again - at, 1) if again is not None else None)
    if len(timeline) == 1 and timeline[0][1] > 0:
        rate = timeline[0][1]
        settled = [s for t, s in timed if t >= 15]
        if settled:
            shares = [100 * s["target_bitrate_kbps"] / rate for s in settled]
            over = [s["backlog_ms"] > 500 for s in settled]
            episodes = sum(1 for a, b in zip([False] + over, over) if b and not a)
            figures["settled_target_pct_of_link"] = [round(min(shares)), round(max(shares))]
            figures["settled_episodes_over_500ms_per_min"] = round(
                episodes * 60 / len(settled), 1)
    return figures


def plot(name, rows):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = [r["second"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    top.step(t, [r["link_kbps"] for r in rows], where="post", label="link rate", color="black")
    top.plot(t, [r["target_kbps"] for r in rows], label="encoder target")
    top.plot(t, [r["sent_kbps"] for r in rows], label="sent (all tracks)")
    top.plot(t, [r["ingest_video_kbps"] for r in rows], label="video at the ingest")
    top.set_ylabel("kbit/s")
    top.set_ylim(0, 4500)
    top.legend(loc="upper right", fontsize="small")
    bottom.plot(t, [r["backlog_ms"] for r in rows], label="backlog (ms)", color="tab:red")
    bottom.axhline(500, color="grey", linestyle=":")
    bottom.set_ylabel("backlog ms")
    bottom.set_xlabel("seconds")
    fig.suptitle(f"adaptive bitrate, scenario '{name}' (720p30 snow, --bitrate {BITRATE})")
    fig.tight_layout()
    fig.savefig(OUT / f"{name}.png", dpi=80)
    plt.close(fig)


def main():
    names = sys.argv[1:] or list(SCENARIOS)
    summary_path = OUT / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for name in names:
        print(f"scenario {name}...", flush=True)
        summary[name] = run(name)
        print(json.dumps(summary[name]), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    summary_path.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
