"""Memory per open tab: the server's RSS growth per session kept open, for every page, side by side in one run.

Starts ``python -m optiviz.ui.serve`` on a loopback port (8740 by default), then for each case
(every page's plain link, and the training page's 3-class spiral link) opens one warm-up
session (it fills the shared caches; closed again), opens ``--sessions`` sessions one after the
other through tests/support/stream_client.Session (Streamlit's own protocol, what a browser tab
sends, without the browser) and keeps them open (they refill the heap the warm-up freed), reads
the server's RSS, opens ``--sessions`` more, waits ``--settle`` seconds and reads RSS again.
MB per open tab = (after − before) / sessions: what each student's tab costs beyond what the
caches already hold. The cases run in one server, one after
the other; the sessions of earlier cases stay open until the end, so freed memory is not reused
by a later case. Goal (``--check``): every case ≤ ``--goal`` MB per tab (1 MB, issue 16).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for benchmarks.* and tests.support below


from benchmarks.timing import report  # noqa: E402
from tests.support.health import wait_healthy  # noqa: E402
from tests.support.stream_client import Session  # noqa: E402

PAGES = ("", "lecture-figures", "optimizer-race", "batch-size", "learning-rate", "train-network", "preprocessing",
         "activations-init", "double-descent", "regularization")
LINKS = (("train-network", "classes=3"),)  # the 3-class spiral (spiral is the page's default dataset)


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_server(port: int, log) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "optiviz.ui.serve", f"--server.port={port}",
                               "--server.headless=true", "--server.address=127.0.0.1"],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    return wait_healthy(server, port, "the server")


async def measure(url: str, pid: int, cases, sessions: int, settle: float) -> list[tuple[str, float, float, list[str]]]:
    """(case, RSS before, RSS after, errors) per case; every session stays open until all cases are measured."""
    rows = []
    async with contextlib.AsyncExitStack() as stack:
        for page, query in cases:
            label = f"/{page}" + (f"?{query}" if query else "")
            errors: list[str] = []
            async with Session(url, page, timeout=180.0, query=query) as warm:  # fills the caches; a closed tab
                run = await warm.rerun()
                errors += run.exceptions + (["page not found"] if run.page_not_found else [])
            readings = []
            for stage in range(2):  # the first tabs fill the heap the warm-up freed; the next ones show the growth
                await asyncio.sleep(settle)
                readings.append(rss_mb(pid))
                for _ in range(sessions):
                    session = await stack.enter_async_context(Session(url, page, timeout=180.0, query=query))
                    run = await session.rerun()
                    if run.exceptions or run.status != "FINISHED_SUCCESSFULLY" or run.page_not_found:
                        errors += run.exceptions + [run.status or "page not found"]
            await asyncio.sleep(settle)
            before = readings[1]
            rows.append((label, before, rss_mb(pid), errors))
            print(f"  {label:<32} RSS {before:6.0f} -> {rows[-1][2]:6.0f} MB", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="tabs kept open per case")
    parser.add_argument("--port", type=int, default=8740)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds to wait before each RSS reading")
    parser.add_argument("--goal", type=float, default=1.0, help="MB per open tab (--check)")
    parser.add_argument("--page", action="append", help="only this url path ('' for home); repeatable")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every case meets --goal")
    args = parser.parse_args()
    cases = [(p, "") for p in (args.page if args.page is not None else PAGES)]
    cases += [link for link in LINKS if args.page is None or link[0] in args.page]

    log = open(Path(tempfile.gettempdir()) / "optiviz_bench_memory_server.log", "w")
    server = start_server(args.port, log)
    try:
        start = rss_mb(server.pid)
        rows = asyncio.run(measure(f"http://127.0.0.1:{args.port}", server.pid, cases, args.sessions, args.settle))
        end = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(15)
        log.close()

    print(f"\n{args.sessions} tabs kept open per case, one server; RSS at start {start:.0f} MB, at the end {end:.0f} MB")
    print(f"{'case':<34}{'RSS before':>11}{'after':>8}{'MB per tab':>12}")
    failures, checks = [], []
    for label, before, after, errors in rows:
        per_tab = (after - before) / args.sessions
        print(f"{label:<34}{before:>9.0f} MB{after:>5.0f} MB{per_tab:>10.2f}")
        if per_tab > args.goal:
            failures.append(f"{label} {per_tab:.2f} MB per tab > {args.goal:g}")
        if errors:
            failures.append(f"{label}: {len(errors)} errors ({errors[0][:80]})")
        checks.append(f"{label}: {len(errors)} errors")
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
