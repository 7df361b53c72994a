"""The shipped deployment on loopback: deploy/nginx.conf in front of two ``streamlit run app.py`` replicas.

nginx runs as the current user from a temporary prefix; only the upstream servers, the listen
address, the mime.types path and the writable paths of deploy/nginx.conf are changed.
Outside CI the tests skip when nginx or Chromium is missing; in CI (CI=true) that fails the run.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import pwd
import secrets
import shutil
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.stream_client import Session
from tests.browser.conftest import CHROMIUM_ARGS, _chromium, _missing
from tests.servers import ROOT, free_port, start_streamlit, stop, wait_ok, wait_ready

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
REPLICA_HOSTS = ("app-1:8501", "app-2:8501")


def _nginx() -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def in_thread(function, *args):
    """``function(*args)`` in a thread of its own, with the exceptions it raises.

    The browser tests' Playwright, alive for the whole session, keeps an event loop running in
    the main thread; a second sync Playwright or an asyncio.run() can only start in another.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def first_session(url: str, page: str = ""):
    """Open one session on ``page``, run it once and close it; returns the run."""
    async def once():
        async with Session(url, page) as session:
            return await session.rerun()

    return in_thread(asyncio.run, once())


def in_chromium(executable: str, scenario, *args):
    """``scenario(browser, *args)`` with a Chromium of its own (in a thread of its own: in_thread)."""
    from playwright.sync_api import sync_playwright

    def run():
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                return scenario(browser, *args)
            finally:
                browser.close()

    return in_thread(run)


def nginx_command(binary: str, upstream_ports: list[int], listen_port: int, tmp: Path) -> tuple[list[str], Path]:
    """(the command that runs deploy/nginx.conf in the foreground with everything under ``tmp``, its error log)."""
    conf = tmp / "nginx.conf"
    conf.write_text(render_nginx_conf(upstream_ports, listen_port, tmp))
    error_log = tmp / "error.log"
    directives = f"daemon off; pid {tmp / 'nginx.pid'}; error_log {error_log} info;"
    if os.geteuid() == 0:  # root would hand the workers to `nobody`, who cannot write in tmp
        directives += f" user {pwd.getpwuid(0).pw_name};"
    return [binary, "-p", str(tmp), "-c", str(conf), "-e", str(error_log), "-g", directives], error_log


def render_nginx_conf(upstream_ports: list[int], listen_port: int, tmp: Path) -> str:
    """deploy/nginx.conf with loopback replicas and listen port, and every writable path under ``tmp``."""
    text = NGINX_CONF.read_text()
    swaps = {
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "include mime.types;": "include /etc/nginx/mime.types;",
        "http {": "http {\n    " + " ".join(
            f"{name}_temp_path {tmp / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ) + f" access_log {tmp / 'access.log'};",
    }
    swaps |= {f"server {host} ": f"server 127.0.0.1:{port} " for host, port in zip(REPLICA_HOSTS, upstream_ports)}
    for old, new in swaps.items():
        assert text.count(old) == 1, f"deploy/nginx.conf should contain {old!r} exactly once"
        text = text.replace(old, new)
    return text


@dataclass
class Replica:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metric(self, name: str) -> float:
        """One unlabelled value from the replica's own ``/_stcore/metrics``."""
        text = urllib.request.urlopen(f"{self.url}/_stcore/metrics", timeout=5).read().decode()
        return next(float(line.split()[1]) for line in text.splitlines() if line.startswith(f"{name} "))

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    executable = _nginx()
    if executable is None:
        _missing("nginx is not installed")
    return executable


@pytest.fixture(scope="module")
def replicas(tmp_path_factory) -> list[Replica]:
    """Two ``streamlit run app.py`` processes on free loopback ports, sharing one cookie secret."""
    tmp = tmp_path_factory.mktemp("replicas")
    env = os.environ | {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    started = []
    for i in range(2):
        port, log = free_port(), tmp / f"replica-{i}.log"
        started.append(Replica(port, start_streamlit(port, log, env), log))
    try:
        for replica in started:
            wait_ready(replica.url, replica.process, replica.log)  # warmed up, as deploy/healthcheck.py does
        yield started
    finally:
        for replica in started:
            stop(replica.process)


@pytest.fixture(scope="module")
def proxy(nginx_binary, replicas, tmp_path_factory):
    """nginx with the shipped config on a free loopback port; yields (url, error log path)."""
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    command, error_log = nginx_command(nginx_binary, [r.port for r in replicas], port, tmp)
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ok(f"{url}/_stcore/health", process, error_log, timeout=15)
        yield url, error_log
    finally:
        stop(process)


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable for in_chromium (skips, or fails in CI, without it or Playwright)."""
    executable = _chromium()
    if executable is None:
        _missing("no Chromium found")
    if importlib.util.find_spec("playwright") is None:
        _missing("playwright is not installed")
    return executable
