"""A classroom on one server: N simultaneous websocket sessions, each changing controls, against ``streamlit run``.

Starts ``streamlit run <app>`` on a free loopback port (with the repository's
.streamlit/config.toml), opens one warm-up session, then N sessions at once through
tests/support/stream_client.Session, Streamlit's own protocol (what a browser tab sends and receives,
without the browser, so 30 sessions fit on this small machine beside the server). Each
session opens the page, then moves sliders ``--changes`` times, waiting for each run to
finish (and ``--think`` seconds on average) before the next change.

Reported: the time from a change to the updated figure (the first st.plotly_chart message
of that run) and to the end of the run, p50 and p95; errors (exceptions, failed runs,
missing figures, dropped connections: the goal is 0); the server's RSS (/proc/<pid>/status)
before, at its peak during, and after the sessions close; the server's CPU seconds per run.

Values: change k of session s takes combination g = 1 + s·changes + k over the sliders'
grids, each sorted by distance from its default, the first slider varying fastest over its
``--spread`` nearest values. So no two changes ask for the same settings (every run misses
the cache) unless ``--same-values``, where every session walks the same sequence, like a
class following the teacher, and only the first to ask computes. ``--rounds 2`` runs a second
class on the same server, to tell memory that is reused from memory that grows.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for benchmarks.* and tests.support below (`pip install -e .` installs optiviz only)

from tests.support.stream_client import Session  # noqa: E402
from benchmarks.timing import report  # noqa: E402

PAGE_CONTROLS = {"optimizer-race": "steps,noise"}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app: str, port: int, log, options: list[str], env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", app, "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", *(f"--{option}" for option in options)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return server
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit(f"streamlit did not become healthy on port {port}")
        time.sleep(0.2)


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metric(port: int, name: str) -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/metrics", timeout=10).read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


class Peak(threading.Thread):
    """Samples the server's RSS every 0.2 s until stopped; keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, rss_mb(self.pid))

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak


def value_grids(widgets: dict, keys: list[str], spread: int) -> list[tuple[str, list[float]]]:
    """Each slider's values sorted by distance from its default (the first slider cut to ``spread``)."""
    grids = []
    for i, key in enumerate(keys):
        if key not in widgets or widgets[key].DESCRIPTOR.name != "Slider":
            sys.exit(f"--controls: no slider {key!r} on this page; its widgets: {', '.join(sorted(widgets))}")
        w = widgets[key]
        values = [w.min + j * w.step for j in range(int(round((w.max - w.min) / w.step)) + 1)]
        values.sort(key=lambda v: (abs(v - w.default[0]), v))
        grids.append((key, values[:spread] if i == 0 else values))
    return grids


def combination(grids, g: int) -> dict[str, float]:
    """The g-th setting, mixed radix over the grids, the first varying fastest."""
    chosen = {}
    for key, values in grids:
        chosen[key] = values[g % len(values)]
        g //= len(values)
    return chosen


async def student(url, page, grids, figures, index, first, args, results, errors) -> None:
    """One session: open the page, then change the sliders ``changes`` times, taking settings first + k
    (+ index·changes, unless every session asks the same)."""
    rng = random.Random(index)
    try:
        async with Session(url, page) as session:
            opened = await session.rerun()
            results["open"].append(opened.finished)
            for k in range(args.changes):
                await asyncio.sleep(rng.uniform(0, 2 * args.think))
                g = first + k + (0 if args.same_values else index * args.changes)
                run = await session.rerun(**combination(grids, g))
                problems = run.exceptions + ([run.status] if run.status != "FINISHED_SUCCESSFULLY" else [])
                if run.figures < figures:
                    problems.append(f"{run.figures} of {figures} figures")
                errors.extend(f"session {index} change {k}: {p}" for p in problems)
                if run.first_figure is not None:
                    results["figure"].append(run.first_figure)
                results["finished"].append(run.finished)
                results["bytes"].append(run.received_bytes)
    except Exception as exc:  # a dropped connection or a timeout is an error of the run, not of the benchmark
        errors.append(f"session {index}: {type(exc).__name__}: {exc}")


def classroom(url: str, pid: int, args, grids, figures: int, first: int, results, errors) -> tuple[float, float, float]:
    """All sessions at once, until every one has closed: (wall seconds, server CPU seconds, peak RSS MB)."""
    peak, cpu = Peak(pid), cpu_seconds(pid)
    peak.start()

    async def everyone():
        await asyncio.gather(*(student(url, args.page, grids, figures, i, first, args, results, errors)
                               for i in range(args.sessions)))

    start = time.perf_counter()
    asyncio.run(everyone())
    return time.perf_counter() - start, cpu_seconds(pid) - cpu, peak.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--changes", type=int, default=10, help="slider changes per session")
    parser.add_argument("--page", default="optimizer-race", help="url path of the page ('' for the main page)")
    parser.add_argument("--controls", help="comma-separated keys of the sliders to move (default for the race: steps,noise)")
    parser.add_argument("--spread", type=int, default=21, help="values of the first slider used, nearest its default")
    parser.add_argument("--app", default="app.py", help="script to serve, e.g. benchmarks/trivial_page.py")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause before each change, seconds")
    parser.add_argument("--same-values", action="store_true", help="every session asks for the same sequence")
    parser.add_argument("--rounds", type=int, default=1, help="classes one after the other on the same server")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after the sessions close")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="a streamlit config option for the server, over .streamlit/config.toml "
                             "(e.g. runner.postScriptGC=true); repeatable")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server (e.g. MALLOC_ARENA_MAX=2); repeatable")
    parser.add_argument("--profile", metavar="FILE", help="record the server with py-spy (collapsed stacks) meanwhile")
    parser.add_argument("--check", action="store_true", help="exit 1 unless there were no errors")
    args = parser.parse_args()
    keys = (args.controls or PAGE_CONTROLS.get(args.page, "")).split(",")

    port = free_port()
    log = open(Path(tempfile.gettempdir()) / "optiviz_bench_load_server.log", "w")
    env = os.environ | dict(item.split("=", 1) for item in args.env)
    server = start_server(args.app, port, log, args.option, env)
    url = f"http://127.0.0.1:{port}"
    results = {"open": [], "figure": [], "finished": [], "bytes": []}
    errors: list[str] = []
    rounds = []
    try:
        rss_start = rss_mb(server.pid)

        async def warm_up():
            async with Session(url, args.page) as session:
                return await session.rerun(), session.widgets

        opened, widgets = asyncio.run(warm_up())
        grids, figures = value_grids(widgets, keys, args.spread), opened.figures
        time.sleep(1)
        rss_before = rss_mb(server.pid)
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(server.pid), "--format", "raw", "--threads",
                                "--rate", "50", "--nonblocking", "-o", args.profile],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT) if args.profile else None
        for r in range(args.rounds):
            first = 1 + (0 if args.same_values else r * args.sessions * args.changes)
            rounds.append((*classroom(url, server.pid, args, grids, figures, first, results, errors),
                           rss_mb(server.pid)))
        if spy:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
            spy.wait(30)
        time.sleep(args.settle)
        rss_after, active = rss_mb(server.pid), metric(port, "active_sessions")
    finally:
        server.terminate()
        server.wait(15)
        log.close()

    wall, cpu = sum(r[0] for r in rounds), sum(r[1] for r in rounds)
    runs = len(results["finished"]) + len(results["open"])
    print(f"{args.sessions} sessions x {args.changes} changes of {', '.join(keys)} on /{args.page} ({args.app}), "
          f"think {args.think:g} s, {'same values in every session' if args.same_values else 'every setting new'}"
          + "".join(f", --{item}" for item in args.option) + "".join(f", {item}" for item in args.env))
    print(f"wall time {wall:.1f} s, {len(results['finished']) / wall:.1f} changes/s, "
          f"server CPU {cpu:.1f} s = {1000 * cpu / max(runs, 1):.0f} ms per run "
          f"({runs} runs incl. page opens), {statistics.mean(results['bytes'] or [0]) / 1e3:.0f} kB sent per change")
    for name, label in (("figure", "change -> updated figure"), ("finished", "change -> run finished"),
                        ("open", "page open -> run finished")):
        values = results[name]
        if values:
            print(f"{label:<28} p50 {percentile(values, 0.5):6.2f} s   p95 {percentile(values, 0.95):6.2f} s   "
                  f"max {max(values):6.2f} s   (n={len(values)})")
    print(f"server RSS: at start {rss_start:.0f} MB, after warm-up (before) {rss_before:.0f} MB, "
          + ", ".join(f"round {i + 1} peak {r[2]:.0f} MB and at close {r[3]:.0f} MB" for i, r in enumerate(rounds))
          + f", {args.settle:g} s later {rss_after:.0f} MB (active sessions then: {active:.0f})")
    print(f"errors: {len(errors)}")
    for line in errors[:10]:
        print("  " + line)
    expected = args.rounds * args.sessions * args.changes
    checks = [f"changes answered: {len(results['finished'])} of {expected}", f"errors: {len(errors)} (goal 0)"]
    failures = [f"{len(errors)} errors"] if errors or len(results["finished"]) != expected else []
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
