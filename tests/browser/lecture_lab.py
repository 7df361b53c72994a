"""What the lecture-figure browser tests share: a card's URL, waiting for its charts, and reading what is drawn."""

from urllib.parse import urlencode

from optiviz.ui.lecture_figures import LectureFigure

# The run has ended, nothing is loading, and every chart of ``keys`` is drawn.
DRAWN = """(keys) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  return keys.every(k => document.querySelector('.st-key-' + k + ' .js-plotly-plot .main-svg'));
}"""
# Each chart's box on the screen, and the font sizes of the tick labels it draws.
BOXES = """(keys) => keys.map(k => {
  const el = document.querySelector('.st-key-' + k);
  const r = el.getBoundingClientRect();
  const ticks = [...el.querySelectorAll('.xtick text, .ytick text')].filter(t => t.textContent.trim())
    .map(t => parseFloat(getComputedStyle(t).fontSize));
  return {key: k, top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, ticks};
})"""
# Every chart the screen shows (a box of some size), by the key of its element.
SHOWN_CHARTS = """() => [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stPlotlyChart']")]
  .filter(c => c.getBoundingClientRect().height > 0)
  .map(c => [...c.closest('.stElementContainer, [data-testid=stElementContainer]').classList]
  .find(n => n.startsWith('st-key-'))?.slice(7))"""


def one_page(browser, width: int, height: int):
    """One page at width × height, shared by a module's tests (a fixture body: yields it, then closes it)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    yield context.new_page()
    context.close()


def card_url(app_url: str, card: LectureFigure, present: bool = False, step: int = 0, **extra: str) -> str:
    return f"{app_url}/{card.url_path}?" + urlencode(card.query(present, step) | extra, doseq=True)


def open_card(page, url: str, keys: tuple[str, ...], timeout: float = 120_000) -> None:
    page.goto(url)
    page.wait_for_function(DRAWN, arg=list(keys), timeout=timeout)


def visible_share(box: dict, height: float, top: float = 0.0) -> float:
    """The share of the box's height inside the screen between ``top`` and ``height``."""
    inside = min(box["bottom"], height) - max(box["top"], top)
    return max(inside, 0.0) / box["height"]
