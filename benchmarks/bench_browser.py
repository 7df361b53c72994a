"""The optimizer race in Chromium against a trivial one-slider Plotly app: cold open, slider → redraw, scrub.

    python benchmarks/bench_browser.py [--rounds 7] [--presses 3] [--port 8610] [--check]

Starts, in this run, the optiviz server (``python -m optiviz.ui.serve``, as the README starts it) and
``benchmarks/trivial_plotly_page.py`` (one sidebar slider, one small Plotly chart) under ``streamlit
run``, both with the repository's .streamlit/config.toml, and drives Debian's Chromium through
Playwright. Every round measures both apps, in an order that alternates, so that a slow spell of the
machine hits both; the report gives medians and their ratio.

- cold open: a fresh browser context (empty HTTP cache) goes to the page; time from navigation start
  to the first Plotly chart's first line drawn in its SVG (``performance.now()`` in the page).
- slider → redraw: an arrow key on a sidebar slider (the race's "Steps": every path reruns; the trivial
  app's "frequency"); time from the keydown event to the last change of the chart's drawn lines
  (``path.js-line`` ``d``), the SVG then quiet for 0.5 s. For information: "settled", the last mutation
  of the chart's DOM (relayouts included), and "reply", the last websocket message received before the
  lines changed (the server's part).
- scrub (optiviz only): a click on the race's "Scrub α and γ" figure's plotly slider; time from the
  mousedown to the change of its drawn lines, and the websocket messages the page sent meanwhile
  (``WebSocket.prototype.send`` wrapped by an init script): the goal is none.

Goals (issue 14): cold open ≤ 1.3× the trivial app; slider → redraw ≤ 2× the trivial app and ≤ 200 ms;
scrub ≤ 50 ms with no websocket message. ``--check`` exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.servers (`pip install -e .` installs optiviz only)

from tests.servers import stop  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 720}
CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"

# Installed in every page before its own scripts: counts websocket sends; records when the first chart
# first draws a line; watches a chosen chart's drawn lines after a key press or a mouse press.
PROBE = """(() => {
  const B = window.__bench = {sends: 0, drawn: null, t0: null, sig0: null, sig: null, changed: null, last: null, find: null};
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (...args) {
    if (!this.__heard) { this.__heard = true; this.addEventListener('message', () => { if (B.t0 !== null && B.changed === null) B.reply = performance.now(); }); }
    B.sends += 1; return send.apply(this, args);
  };
  const first = () => {
    if (document.querySelector("%(chart)s .scatterlayer .trace path.js-line")) B.drawn = performance.now();
    else requestAnimationFrame(first);
  };
  requestAnimationFrame(first);
  B.signature = gd => Array.from(gd.querySelectorAll('.scatterlayer path.js-line'), p => p.getAttribute('d')).join('|');
  B.watch = find => {  // find() gives the chart: Streamlit may replace its element on a rerun
    B.find = find;
    new MutationObserver(records => {
      if (B.t0 === null) return;
      const gd = B.find();
      if (!gd) return;
      const now = performance.now(), sig = B.signature(gd);
      if (sig !== B.sig) { B.sig = sig; B.changed = now; }
      if (records.some(r => gd.contains(r.target))) B.last = now;  // the chart's own DOM only
    }).observe(document.body, {subtree: true, childList: true, attributes: true});
  };
  const start = e => { if (!B.find || !B.find()) return; B.t0 = e.timeStamp; B.sig = B.sig0 = B.signature(B.find());
                       B.changed = B.last = B.reply = null; B.sends0 = B.sends; };
  document.addEventListener('keydown', e => { if (e.key.startsWith('Arrow')) start(e); }, true);
  document.addEventListener('mousedown', start, true);
})();""" % {"chart": CHART}
SCRUB_CHART = """() => Array.from(document.querySelectorAll("%s")).find(
  gd => gd._fullLayout && (gd._fullLayout.sliders || []).some(s => (s.currentvalue.prefix || '').startsWith('α')))""" % CHART


def start_server(command: list[str], port: int, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, *command, "--server.headless=true", f"--server.port={port}",
                                 "--server.address=127.0.0.1"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def wait_ok(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if urllib.request.urlopen(url, timeout=30).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer ok")


def cold_open(browser, url: str):
    """(ms from navigation start to the first chart's first line, the open page and its context)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => window.__bench.drawn !== null", timeout=120_000)
    return page.evaluate("() => window.__bench.drawn"), page, context


def quiet(page, timeout: float = 30_000) -> dict:
    """Wait until the watched chart has changed its lines and then been still for 0.5 s; the probe's times."""
    page.wait_for_function("() => window.__bench.changed !== null", timeout=timeout)
    page.wait_for_function("() => performance.now() - window.__bench.last > 500", timeout=timeout, polling=100)
    return page.evaluate("() => { const B = window.__bench; return {changed: B.changed - B.t0, settled: B.last - B.t0,"
                         " sends: B.sends - B.sends0, reply: B.reply === null ? null : B.reply - B.t0}; }")


def slider_presses(page, slider: str, presses: int, key: str) -> list[dict]:
    """Focus the sidebar slider named ``slider`` and press ``key`` ``presses`` times, each after the last redraw."""
    page.evaluate(f"() => window.__bench.watch(() => document.querySelector(\"{CHART}\"))")
    thumb = page.locator("[data-testid='stSidebar']").get_by_role("slider", name=slider)
    thumb.focus()
    page.wait_for_timeout(300)
    results = []
    for _ in range(presses):
        page.keyboard.press(key)
        results.append(quiet(page))
    return results


def scrub_clicks(page, clicks: int) -> list[dict]:
    """Click along the scrub figure's plotly slider ``clicks`` times; each click's redraw time and websocket sends."""
    page.wait_for_function(f"() => !!({SCRUB_CHART})()", timeout=45_000)
    page.evaluate(f"() => window.__bench.watch({SCRUB_CHART})")
    rail = page.evaluate(f"""() => {{ const r = ({SCRUB_CHART})().querySelector('.slider-rail-touch-rect')
        || ({SCRUB_CHART})().querySelector('.slider-rail-rect'); r.scrollIntoView({{block: 'center'}});
        const b = r.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; }}""")
    left, top, width, height = rail
    results = []
    for i in range(clicks):
        fraction = [0.15, 0.85, 0.35, 0.65, 0.05, 0.95, 0.5][i % 7]
        page.mouse.click(left + fraction * width, top + height / 2)
        results.append(quiet(page, timeout=10_000))
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=7, help="rounds, each opening and pressing in both apps (default 7)")
    p.add_argument("--presses", type=int, default=3, help="slider presses (and scrub clicks) per round (default 3)")
    p.add_argument("--port", type=int, default=8610, help="optiviz's port; the trivial app takes the next (default 8610)")
    p.add_argument("--check", action="store_true", help="exit 1 on a missed goal")
    args = p.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        print(f"no Chromium at {CHROMIUM}: skipped")
        return 0
    from playwright.sync_api import sync_playwright

    logs = Path(tempfile.mkdtemp(prefix="bench_browser_"))
    apps = {
        "optiviz": (["-m", "optiviz.ui.serve"], args.port, "/optimizer-race", "Steps"),
        "trivial": (["-m", "streamlit", "run", "benchmarks/trivial_plotly_page.py"], args.port + 1, "/", "frequency"),
    }
    servers = {name: start_server(cmd, port, logs / f"{name}.log") for name, (cmd, port, _, _) in apps.items()}
    times = {f"{what} {name}": [] for what in ("cold open", "slider redraw", "slider settled", "slider reply") for name in apps}
    times |= {"scrub redraw": [], "scrub settled": []}
    sends = []
    try:
        for name, (_, port, _, _) in apps.items():
            wait_ok(f"http://127.0.0.1:{port}/_stcore/health", servers[name])
        wait_ok(f"http://127.0.0.1:{args.port}/_stcore/script-health-check", servers["optiviz"])
        print(f"load average {os.getloadavg()[0]:.2f} at start; {os.cpu_count()} CPUs; viewport {VIEWPORT}", flush=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for r in range(-1, args.rounds):  # round −1 warms both servers up and is not counted
                order = list(apps) if r % 2 == 0 else list(apps)[::-1]
                for name in order:
                    _, port, path, slider = apps[name]
                    url = f"http://127.0.0.1:{port}{path}"
                    key = "ArrowRight" if r % 2 == 0 else "ArrowLeft"  # optiviz's steps: 200 → 230 → 200 → …
                    opened, page, context = cold_open(browser, url)
                    presses = slider_presses(page, slider, args.presses, key)
                    context.close()
                    if r < 0:
                        continue
                    times[f"cold open {name}"].append(opened)
                    times[f"slider redraw {name}"] += [x["changed"] for x in presses]
                    times[f"slider settled {name}"] += [x["settled"] for x in presses]
                    times[f"slider reply {name}"] += [x["reply"] for x in presses if x["reply"] is not None]
                if r < 0:
                    continue
                # the scrub: its tab opened by link, then clicks along its slider
                context = browser.new_context(viewport=VIEWPORT)
                context.add_init_script(PROBE)
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{args.port}/optimizer-race?tab=Scrub+%CE%B1+and+%CE%B3")
                try:
                    clicks = scrub_clicks(page, args.presses)
                except Exception as error:  # noqa: BLE001 - no scrub figure (the code before it): reported, not timed
                    print(f"scrub: not measured ({type(error).__name__}: {str(error).splitlines()[0]})", flush=True)
                    clicks = []
                context.close()
                times["scrub redraw"] += [x["changed"] for x in clicks]
                times["scrub settled"] += [x["settled"] for x in clicks]
                sends += [x["sends"] for x in clicks]
                print(f"round {r + 1}/{args.rounds} done", flush=True)
            browser.close()
    finally:
        for server in servers.values():
            stop(server)
    print(f"load average {os.getloadavg()[0]:.2f} at end")

    med = {name: statistics.median(v) for name, v in times.items() if v}
    goals = [  # (row, limit in ms or None, against row and factor or None, text)
        ("cold open optiviz", None, ("cold open trivial", 1.3), "≤ 1.3× trivial"),
        ("slider redraw optiviz", 200.0, ("slider redraw trivial", 2.0), "≤ 2× trivial and ≤ 200 ms"),
        ("scrub redraw", 50.0, None, "≤ 50 ms, no websocket message"),
    ]
    failures = []
    print(f"\nmedians over {args.rounds} rounds ({args.presses} presses each), interleaved; ms")
    print(f"{'measurement':<24} {'median':>8} {'min':>8} {'max':>8} {'ratio':>7}  goal")
    rows = {row: (limit, against, text) for row, limit, against, text in goals}
    for name, values in times.items():
        if not values:
            print(f"{name:<24} {'—':>8}")
            continue
        limit, against, text = rows.get(name, (None, None, ""))
        ratio = ""
        if against is None and name.endswith("optiviz"):
            other = name.replace("optiviz", "trivial")
            ratio = f"{med[name] / med[other]:.2f}×" if other in med else ""
        verdict = ""
        if name in rows:
            ok = True
            if against:
                ratio = f"{med[name] / med[against[0]]:.2f}×"
                ok &= med[name] <= against[1] * med[against[0]]
            if limit is not None:
                ok &= med[name] <= limit
            if name == "scrub redraw":
                ok &= bool(sends) and max(sends) == 0
            verdict = "PASS" if ok else "FAIL"
            if not ok:
                failures.append(f"{name}: {med[name]:.0f} ms {ratio} (goal {text})")
        print(f"{name:<24} {med[name]:8.0f} {min(values):8.0f} {max(values):8.0f} {ratio:>7}  {text} {verdict}".rstrip())
    if not times["scrub redraw"]:
        failures.append("scrub redraw: not measured (no scrub figure)")
    print(f"websocket messages sent per scrub click: {sends if sends else 'not measured'}")
    print("\nsummary: " + ("all goals met" if not failures else "; ".join(failures)))
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
