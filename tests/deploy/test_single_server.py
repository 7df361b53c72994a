"""Freshly started servers: a teacher's deep link finds its page on the first request, and the health check."""

import os
import subprocess
import sys

import pytest

from tests.deploy.conftest import first_session
from tests.servers import ROOT, free_port, start_streamlit, stop, wait_ok

HEALTHCHECK = ROOT / "deploy" / "healthcheck.py"


LABS = sorted(p.stem.replace("_", "-") for p in (ROOT / "pages").glob("*.py") if p.stem != "home")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A new plain ``streamlit run app.py`` that has answered /_stcore/health and run no session yet; yields its port."""
    port, log = free_port(), tmp_path_factory.mktemp("server") / "streamlit.log"
    process = start_streamlit(port, log, legacy=True)
    try:
        wait_ok(f"http://127.0.0.1:{port}/_stcore/health", process, log)
        yield port
    finally:
        stop(process)


def healthcheck(port: int, base_url_path: str = "") -> int:
    env = os.environ | {"STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_BASE_URL_PATH": base_url_path}
    return subprocess.run([sys.executable, str(HEALTHCHECK)], env=env, timeout=60).returncode


@pytest.mark.parametrize("lab", LABS)
def test_a_fresh_server_finds_the_first_deep_link(lab, tmp_path):
    """Started as the README, the image and the unit start it (optiviz.ui.serve): no "Page not found", no warm-up."""
    port, log = free_port(), tmp_path / "streamlit.log"
    process = start_streamlit(port, log)
    try:
        wait_ok(f"http://127.0.0.1:{port}/_stcore/health", process, log)
        first = first_session(f"http://127.0.0.1:{port}", lab)
    finally:
        stop(process)
    assert not first.page_not_found
    assert first.status == "FINISHED_SUCCESSFULLY" and not first.exceptions


def test_the_warm_up_lets_the_first_deep_link_find_its_page(server):
    url = f"http://127.0.0.1:{server}"
    cold = first_session(url, "optimizer-race")
    # Plain `streamlit run app.py` (1.67) serves a fresh server's first run through its legacy pages/
    # discovery: a deep link then gets "Page not found" (docs/facts.md). optiviz.ui.serve turns that
    # off before the first run; deploy/healthcheck.py's warm-up clears it for a plain server too.
    assert cold.page_not_found
    assert healthcheck(server) == 0
    warm = first_session(url, "double-descent")
    assert warm.status == "FINISHED_SUCCESSFULLY" and warm.figures >= 2 and not warm.exceptions
    assert not warm.page_not_found


def test_the_healthcheck_follows_the_server(server):
    assert healthcheck(server) == 0
    assert healthcheck(server, "optiviz") == 1  # this server has no base path: /optiviz/_stcore/health is 404
    assert healthcheck(free_port()) == 1  # nothing listens there
