"""Real optiviz servers for the browser and deployment tests: start, wait until ready, stop."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(port: int, log: Path, env: dict[str, str] | None = None, legacy: bool = False) -> subprocess.Popen:
    """The server on a loopback port, with the repository's .streamlit/config.toml: started as the README, the image
    and the unit start it (``python -m optiviz.ui.serve``), or with ``legacy`` as plain ``streamlit run app.py``."""
    command = ["-m", "streamlit", "run", "app.py"] if legacy else ["-m", "optiviz.ui.serve"]
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, *command, "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )


def wait_ok(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Poll ``url`` until it answers ``ok``; fail with the log's tail if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(url, timeout=30).read() == b"ok":
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            tail = Path(log).read_text()[-2000:] if Path(log).is_file() else ""
            pytest.fail(f"{url} did not answer ok:\n{tail}", pytrace=False)
        time.sleep(0.2)


def wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Wait for the server at ``url`` (its root) to be healthy, then warm it up as deploy/healthcheck.py does.

    The script health check runs app.py once: until app.py has called st.navigation, Streamlit
    serves a deep link through its legacy pages/ discovery ("Page not found", or a page without app.py).
    """
    wait_ok(f"{url}/_stcore/health", process, log, timeout)
    wait_ok(f"{url}/_stcore/script-health-check", process, log, timeout)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
