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

Every page has its controls in PAGE_CONTROLS (tests/test_bench_load_pages.py checks that they exist);
where a page computes only when a button is pressed, the change presses it too (PAGE_TRIGGERS: Train on
"Train a network", so that every change trains). ``--think-range 3 5`` draws each pause uniformly from
3–5 s, and ``--duration 60`` lets every session go on changing for 60 s instead of ``--changes`` times.
``--nginx --replicas 2`` puts deploy/nginx.conf in front of 2 servers (as tests/deploy does: loopback
ports, the shipped config otherwise), and ``--hammer`` adds one client with HAMMER_TABS tabs on the
costliest training link (HAMMER_LINK), each changing it and pressing Train again as soon as a run ends,
while the sessions work on ``--page``: its p95 is the figure to watch. The exact commands of docs/load.md:

    python benchmarks/bench_load.py --page train-network --think-range 3 5 --duration 60
    python benchmarks/bench_load.py --page train-network --think-range 3 5 --duration 60 --nginx --replicas 2
    python benchmarks/bench_load.py --page optimizer-race --think-range 3 5 --duration 60 --hammer
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
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for benchmarks.* and tests.support below (`pip install -e .` installs optiviz only)

from tests.support.health import wait_healthy  # noqa: E402
from tests.support.stream_client import Run, Session  # noqa: E402
from benchmarks.timing import report  # noqa: E402

# every page (its url path) and the sliders a session moves there, the first varying fastest ("": no slider,
# a change is a plain rerun); the keys are checked against the pages by tests/test_bench_load_pages.py
PAGE_CONTROLS = {
    "": "",
    "lecture-figures": "",
    "optimizer-race": "steps,noise",
    "learning-rate": "lr_noise,lr_samples",
    "batch-size": "bs_noise,bs_samples",
    "preprocessing": "pp_distance,pp_correlation",
    "activations-init": "init_layers,init_alpha",
    "regularization": "reg_noise,reg_lambda",
    "double-descent": "dd_noise,dd_n_train",
    "train-network": "noise,samples,val_fraction",
}
PAGE_TRIGGERS = {"train-network": "train"}  # the button a change presses too: the page trains only when asked
HAMMER_TABS = 10
# the costliest training link (benchmarks/bench_worst_case.py, docs/load.md): full batch, batch norm, 5 × 64, 3 classes
HAMMER_LINK = {"samples": "1000", "classes": "3", "depth": "5", "width": "64", "batch_norm": "true",
               "batch_size": "full batch", "epochs": "300", "seeds": "20"}
HAMMER_PAGE = "train-network"


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
    return wait_healthy(server, port, "streamlit")


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
    """Samples the servers' summed RSS every 0.2 s until stopped; keeps the peak."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peak, self._done = pids, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, sum(rss_mb(pid) for pid in self.pids))

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


def stride(args) -> int:
    """Changes one session can make at most: session s takes settings s·stride + k, so no two ask the same."""
    if not args.duration:
        return args.changes
    shortest = args.think_range[0] if args.think_range else 0.0
    return int(args.duration / max(shortest, 0.25)) + 1


def think_time(rng: random.Random, args) -> float:
    """A pause before a change: uniform over --think-range, else uniform over [0, 2 × --think]."""
    return rng.uniform(*args.think_range) if args.think_range else rng.uniform(0, 2 * args.think)


def problems_of(run: Run, figures: int) -> list[str]:
    found = run.exceptions + ([run.status] if run.status != "FINISHED_SUCCESSFULLY" else [])
    return found + ([f"{run.figures} of {figures} figures"] if run.figures < figures else [])


async def student(url, page, grids, figures, index, first, args, results, errors, deadline) -> None:
    """One session: open the page, then change the sliders (and press the page's button), taking settings
    first + k (+ index·changes, unless every session asks the same), ``changes`` times or until ``deadline``."""
    rng = random.Random(index)
    trigger = PAGE_TRIGGERS.get(page)
    try:
        async with Session(url, page, timeout=300.0) as session:
            opened = await session.rerun()
            results["open"].append(opened.finished)
            errors.extend(f"session {index} open: {p}" for p in problems_of(opened, figures))
            triggers = (trigger,) if trigger in session.widgets else ()
            k = 0
            while (time.monotonic() < deadline) if deadline else (k < args.changes):
                await asyncio.sleep(think_time(rng, args))
                if deadline and time.monotonic() >= deadline:
                    break
                g = first + k + (0 if args.same_values else index * stride(args))
                run = await session.rerun(triggers, **combination(grids, g))
                errors.extend(f"session {index} change {k}: {p}" for p in problems_of(run, figures))
                if run.first_figure is not None:
                    results["figure"].append(run.first_figure)
                results["finished"].append(run.finished)
                results["bytes"].append(run.received_bytes)
                k += 1
    except Exception as exc:  # a dropped connection or a timeout is an error of the run, not of the benchmark
        errors.append(f"session {index}: {type(exc).__name__}: {exc}")


async def hammer_tab(url, index, done: asyncio.Event, results, errors) -> None:
    """One tab of the hammering client: the costliest training link, changed and trained again as soon as it ends."""
    try:
        async with Session(url, HAMMER_PAGE, timeout=300.0, query=HAMMER_LINK) as session:
            await session.rerun()
            noise = [v / 100 for v in range(51)]
            k = 0
            while not done.is_set():
                run = await session.rerun(("train",), noise=noise[(7 * index + 11 * k) % len(noise)])
                errors.extend(f"hammer tab {index} change {k}: {p}" for p in problems_of(run, 1))
                results["hammer"].append(run.finished)
                k += 1
    except Exception as exc:
        errors.append(f"hammer tab {index}: {type(exc).__name__}: {exc}")


def classroom(url: str, pids: list[int], args, grids, figures: int, first: int, results,
              errors) -> tuple[float, list[float], float]:
    """All sessions at once (and the hammer), until every session has closed: (wall s, each server's CPU s, peak RSS
    MB)."""
    peak, cpu = Peak(pids), [cpu_seconds(pid) for pid in pids]
    peak.start()

    async def everyone():
        done = asyncio.Event()
        hammer = [asyncio.create_task(hammer_tab(url, i, done, results, errors)) for i in range(HAMMER_TABS)] \
            if args.hammer else []
        if hammer:
            await asyncio.sleep(args.hammer_lead)  # the hammer is at work before the class starts
        deadline = time.monotonic() + args.duration if args.duration else None
        await asyncio.gather(*(student(url, args.page, grids, figures, i, first, args, results, errors, deadline)
                               for i in range(args.sessions)))
        done.set()
        await asyncio.gather(*hammer)

    start = time.perf_counter()
    asyncio.run(everyone())
    return time.perf_counter() - start, [cpu_seconds(pid) - c for pid, c in zip(pids, cpu)], peak.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def start_nginx(upstream_ports: list[int], port: int, tmp: Path) -> subprocess.Popen:
    """deploy/nginx.conf in front of ``upstream_ports`` on loopback ``port``, as tests/deploy runs it."""
    import shutil

    from tests.deploy.conftest import nginx_command  # the loopback rendering the deploy tests use

    command, error_log = nginx_command(shutil.which("nginx") or "/usr/sbin/nginx", upstream_ports, port, tmp)
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    if checked.returncode:
        sys.exit(f"nginx -t failed:\n{checked.stderr}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return wait_healthy(process, port, "nginx", seconds=30, details=lambda: error_log.read_text()[-2000:])


def ports(args, count: int) -> list[int]:
    return [args.port_base + i for i in range(count)] if args.port_base else [free_port() for _ in range(count)]


def stats_line(label: str, values: list[float]) -> str:
    return (f"{label:<34} p50 {percentile(values, 0.5):6.2f} s   p95 {percentile(values, 0.95):6.2f} s   "
            f"max {max(values):6.2f} s   (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--changes", type=int, default=10, help="slider changes per session (without --duration)")
    parser.add_argument("--duration", type=float, default=0.0, help="seconds the sessions go on changing (0: --changes)")
    parser.add_argument("--page", default="optimizer-race", help="url path of the page ('' for the main page)")
    parser.add_argument("--controls", help="comma-separated keys of the sliders to move (default: PAGE_CONTROLS)")
    parser.add_argument("--spread", type=int, default=21, help="values of the first slider used, nearest its default")
    parser.add_argument("--app", default="app.py", help="script to serve, e.g. benchmarks/trivial_page.py")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause before each change, seconds")
    parser.add_argument("--think-range", type=float, nargs=2, metavar=("LOW", "HIGH"),
                        help="pause before each change drawn uniformly from LOW..HIGH seconds (instead of --think)")
    parser.add_argument("--same-values", action="store_true", help="every session asks for the same sequence")
    parser.add_argument("--rounds", type=int, default=1, help="classes one after the other on the same server")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after the sessions close")
    parser.add_argument("--replicas", type=int, default=1, help="servers to start (more than 1 needs --nginx)")
    parser.add_argument("--nginx", action="store_true", help="deploy/nginx.conf in front of the servers, as tests/deploy")
    parser.add_argument("--hammer", action="store_true",
                        help=f"one more client: {HAMMER_TABS} tabs training the costliest link over and over")
    parser.add_argument("--hammer-lead", type=float, default=5.0, help="seconds the hammer works before the class")
    parser.add_argument("--port-base", type=int, default=0, help="first loopback port to use (default: free ports)")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="a streamlit config option for the server, over .streamlit/config.toml "
                             "(e.g. runner.postScriptGC=true); repeatable")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server (e.g. OPTIVIZ_FAIR_SHARE=0); repeatable")
    parser.add_argument("--profile", metavar="FILE", help="record the (first) server with py-spy meanwhile")
    parser.add_argument("--check", action="store_true", help="exit 1 unless there were no errors")
    args = parser.parse_args()
    if args.replicas > 1 and not args.nginx:
        parser.error("--replicas above 1 needs --nginx in front")
    keys = [k for k in (args.controls if args.controls is not None else PAGE_CONTROLS.get(args.page, "")).split(",") if k]

    tmp = Path(tempfile.mkdtemp(prefix="optiviz_bench_load_"))
    server_ports = ports(args, args.replicas + args.nginx)
    env = os.environ | {"PYTHONPATH": str(ROOT), "STREAMLIT_SERVER_COOKIE_SECRET": os.urandom(16).hex()} | dict(item.split("=", 1) for item in args.env)
    load_start = os.getloadavg()
    logs = [open(tmp / f"server-{i}.log", "w") for i in range(args.replicas)]
    servers = [start_server(args.app, port, log, args.option, env) for port, log in zip(server_ports, logs)]
    proxy = None
    results = {"open": [], "figure": [], "finished": [], "bytes": [], "hammer": []}
    errors: list[str] = []
    rounds = []
    try:
        if args.nginx:
            proxy = start_nginx(server_ports[:args.replicas], server_ports[-1], tmp)
        url = f"http://127.0.0.1:{server_ports[-1] if args.nginx else server_ports[0]}"
        pids = [s.pid for s in servers]
        rss_start = sum(rss_mb(pid) for pid in pids)

        async def warm_up():  # every replica: a page opened once (and, for the hammer, its page)
            for port in server_ports[:args.replicas]:
                async with Session(f"http://127.0.0.1:{port}", args.page, timeout=300.0) as session:
                    opened = await session.rerun()
                    widgets = session.widgets
                if args.hammer:
                    async with Session(f"http://127.0.0.1:{port}", HAMMER_PAGE, timeout=300.0) as session:
                        await session.rerun()
            return opened, widgets

        opened, widgets = asyncio.run(warm_up())
        grids, figures = value_grids(widgets, keys, args.spread), opened.figures
        time.sleep(1)
        rss_before = sum(rss_mb(pid) for pid in pids)
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(pids[0]), "--format", "raw", "--threads",
                                "--rate", "50", "--nonblocking", "-o", args.profile],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT) if args.profile else None
        load_during = os.getloadavg()
        for r in range(args.rounds):
            first = 1 + (0 if args.same_values else r * args.sessions * stride(args))
            rounds.append((*classroom(url, pids, args, grids, figures, first, results, errors),
                           sum(rss_mb(pid) for pid in pids)))
        load_end = os.getloadavg()
        if spy:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
            spy.wait(30)
        time.sleep(args.settle)
        rss_after = sum(rss_mb(pid) for pid in pids)
        active = sum(metric(port, "active_sessions") for port in server_ports[:args.replicas])
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(15)
        for server in servers:
            server.terminate()
            server.wait(15)
        for log in logs:
            log.close()

    wall, by_server = sum(r[0] for r in rounds), [sum(r[1][i] for r in rounds) for i in range(len(pids))]
    cpu = sum(by_server)
    runs = len(results["finished"]) + len(results["open"]) + len(results["hammer"])
    think = (f"think {args.think_range[0]:g}-{args.think_range[1]:g} s" if args.think_range else f"think {args.think:g} s")
    what = f"for {args.duration:g} s" if args.duration else f"x {args.changes} changes"
    setup = (f"nginx + {args.replicas} replicas" if args.nginx else "one process") + (
        f", hammer: {HAMMER_TABS} tabs on the costliest training link" if args.hammer else "")
    print(f"{args.sessions} sessions {what} of {', '.join(keys) or '(plain reruns)'}"
          f"{' + ' + PAGE_TRIGGERS[args.page] if args.page in PAGE_TRIGGERS else ''} on /{args.page} ({args.app}), "
          f"{think}, {'same values in every session' if args.same_values else 'every setting new'}; {setup}"
          + "".join(f", --{item}" for item in args.option) + "".join(f", {item}" for item in args.env))
    print("load average (1, 5, 15 min): at start {:.2f} {:.2f} {:.2f}; when the class started {:.2f} {:.2f} {:.2f}; "
          "at its end {:.2f} {:.2f} {:.2f}".format(*load_start, *load_during, *load_end))
    print(f"wall time {wall:.1f} s, {len(results['finished']) / wall:.1f} changes/s, "
          f"servers' CPU {cpu:.1f} s = {1000 * cpu / max(runs, 1):.0f} ms per run "
          f"({runs} runs incl. page opens), {statistics.mean(results['bytes'] or [0]) / 1e3:.0f} kB sent per change"
          + (f"; CPU by replica {' / '.join(f'{c:.1f} s' for c in by_server)}"
             if len(by_server) > 1 else ""))
    for name, label in (("figure", "change -> updated figure"), ("finished", "change -> run finished"),
                        ("open", "page open -> run finished"), ("hammer", "hammer: Train -> run finished")):
        if results[name]:
            print(stats_line(label, results[name]))
    print(f"servers' RSS (summed): at start {rss_start:.0f} MB, after warm-up (before) {rss_before:.0f} MB, "
          + ", ".join(f"round {i + 1} peak {r[2]:.0f} MB and at close {r[3]:.0f} MB" for i, r in enumerate(rounds))
          + f", {args.settle:g} s later {rss_after:.0f} MB (active sessions then: {active:.0f})")
    print(f"errors: {len(errors)}")
    for line in errors[:10]:
        print("  " + line)
    checks = [f"changes answered: {len(results['finished'])}" + ("" if args.duration else
                                                                  f" of {args.rounds * args.sessions * args.changes}"),
              f"errors: {len(errors)} (goal 0)"]
    short = not args.duration and len(results["finished"]) != args.rounds * args.sessions * args.changes
    failures = [f"{len(errors)} errors"] if errors or short else []
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
