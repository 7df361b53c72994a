"""Two replicas behind nginx: a session lives on one; when that one stops, its page and new ones go on on the other."""

import http.client
import time

from playwright.sync_api import expect

from tests.browser.lab import BASE_PATH_PROBES, PATH_LENGTHS, assert_no_exception
from tests.browser.lab import CHARTS as MAP
from tests.deploy.conftest import in_chromium

VIEWPORT = {"width": 1500, "height": 1100}


def open_race(context, url: str):
    """A new page in ``context`` on the optimizer race, once its four paths are drawn."""
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{url}/optimizer-race")
    expect(page.locator(MAP)).to_have_count(1, timeout=60_000)  # the race map, with its loss strip
    page.wait_for_function(f"() => ({PATH_LENGTHS})().length === 4", timeout=60_000)
    return page


def fewer_steps(page, steps: int) -> None:
    """One step left on the Steps slider, then wait for the redrawn paths (``steps`` steps, ``steps + 1`` points)."""
    page.get_by_role("slider", name="Steps").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => ({PATH_LENGTHS})().every(n => n === {steps + 1})", timeout=60_000)
    assert_no_exception(page)


def unexpected(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(probe in e for probe in BASE_PATH_PROBES)]


def test_a_session_lives_on_one_replica_and_survives_its_loss(chromium, replicas, proxy):
    in_chromium(chromium, sticks_and_survives, replicas, proxy)


def sticks_and_survives(browser, replicas, proxy):
    url, error_log = proxy
    first = browser.new_context(viewport=VIEWPORT)
    page = open_race(first, url)
    fewer_steps(page, 190)

    route = {c["name"]: c["value"] for c in first.cookies()}.get("optiviz_route")
    assert route, "nginx should set the route cookie (limit_conn counts a browser's websockets by it)"
    sessions = [r.metric("active_sessions") for r in replicas]
    assert sorted(sessions) == [0, 1], f"one replica should hold the one session: {sessions}"
    home, other = sorted(replicas, key=lambda r: -r.metric("active_sessions"))

    home.stop()

    # The open page reconnects through nginx, to the other replica, and goes on redrawing.
    # (Wait for the new session first: a key pressed while the page reconnects is lost.)
    deadline = time.monotonic() + 60
    while other.metric("active_sessions") < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    page.wait_for_function(f"() => ({PATH_LENGTHS})().every(n => n === 191)", timeout=60_000)
    fewer_steps(page, 180)
    assert unexpected(page.errors) == []
    # A new browser with the first one's cookie: nginx tries the stopped replica, then passes it on too.
    same_route = browser.new_context(viewport=VIEWPORT)
    same_route.add_cookies([{"name": "optiviz_route", "value": route, "url": url}])
    moved = open_race(same_route, url)
    assert_no_exception(moved)
    assert unexpected(moved.errors) == []
    assert other.metric("active_sessions") == 2
    assert f"127.0.0.1:{home.port}" in error_log.read_text(), "nginx never tried the stopped replica"


def test_metrics_are_for_the_teacher_only(proxy):
    url, _ = proxy
    host, port = url.removeprefix("http://").split(":")
    statuses = {}
    for source in ("127.0.0.1", "127.0.0.2"):  # the server itself, and another address (a student's, say)
        connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
        connection.request("GET", "/_stcore/metrics")
        response = connection.getresponse()
        statuses[source] = (response.status, response.read())
        connection.close()
    assert statuses["127.0.0.1"][0] == 200 and b"active_sessions" in statuses["127.0.0.1"][1]
    assert statuses["127.0.0.2"][0] == 403
