"""Two replicas behind nginx: the sessions of a class split evenly between them, and a download (kept in the memory
of its session's replica) is found through nginx whichever replica a request reaches first (deploy/nginx.conf)."""

import urllib.error
import urllib.request
from pathlib import Path

from tests.deploy.conftest import in_chromium
from tests.deploy.test_nginx_replicas import VIEWPORT, fewer_steps, open_race

BROWSERS = 4


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_sessions_split_evenly_and_each_download_is_found(chromium, replicas, proxy):
    in_chromium(chromium, split_and_download, replicas, proxy)


def split_and_download(browser, replicas, proxy) -> None:
    url, _ = proxy
    contexts = [browser.new_context(viewport=VIEWPORT, accept_downloads=True) for _ in range(BROWSERS)]
    pages = [open_race(context, url) for context in contexts]
    sessions = [replica.metric("active_sessions") for replica in replicas]
    assert sessions == [BROWSERS / 2] * 2, f"nginx should split {BROWSERS} sessions evenly: {sessions}"
    holders = []
    for i, page in enumerate(pages):
        for k in range(1, i + 1):  # a race of its own in each browser: a download's name is a hash of its bytes
            fewer_steps(page, 200 - 10 * k)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download paths (CSV)").click()
        lines = Path(download.value.path()).read_text().splitlines()
        assert lines[0].startswith("optimizer") and len(lines) > 100, lines[:2]  # a header and every step's row
        path = download.value.url.removeprefix(url)
        assert path.startswith("/media/"), download.value.url
        held = [status(replica.url + path) for replica in replicas]
        assert sorted(held) == [200, 404], f"{path} should live in its session's replica only: {held}"
        holders.append(held.index(200))
        # nginx's first pick alternates between the replicas; a 404 passes the request on to the other
        assert [status(download.value.url) for _ in range(4)] == [200] * 4
    assert sorted(set(holders)) == [0, 1], f"the downloads should come from both replicas' sessions: {holders}"
    for context in contexts:
        context.close()
