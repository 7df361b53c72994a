"""Wait for a server that was just started: its ``/_stcore/health`` answers ``ok``, or it is given up."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from typing import Callable


def wait_healthy(process: subprocess.Popen, port: int, what: str, *, seconds: float = 90.0,
                 details: Callable[[], str] = str) -> subprocess.Popen:
    """``process`` once http://127.0.0.1:port/_stcore/health says ok; if it exits or ``seconds`` pass first, kill it
    and exit with a message naming ``what`` (and ``details()``, e.g. the tail of its log)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).read() == b"ok":
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"{what} did not become healthy on port {port} {details()}".rstrip())
        time.sleep(0.2)
