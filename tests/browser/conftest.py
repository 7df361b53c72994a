"""A real browser: Debian's Chromium, driven by Playwright, against ``streamlit run app.py``.

Outside CI the browser tests skip when no Chromium is found; in CI (CI=true) that fails the run.
"""

import os
import shutil

import pytest

from tests.servers import free_port, start_streamlit, stop, wait_ready

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"{reason}: CI needs a real browser (bash .ci/run installs it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """``streamlit run app.py`` on a free port, ready once its script health check has run app.py."""
    port, log = free_port(), tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    server = start_streamlit(port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server, log)
        yield url
    finally:
        stop(server)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        _missing("no Chromium found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught exceptions in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()
