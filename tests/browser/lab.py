"""What the browser tests share: the chart selector, opening a lab the way a student does, and error checks."""

from playwright.sync_api import expect

CHARTS = "[data-testid='stPlotlyChart'] .js-plotly-plot"
# Streamlit probes for a base path under a deep link before it finds the server's root
# (`/optimizer-race/_stcore/health`, then `/_stcore/health`); those 404s are expected.
BASE_PATH_PROBES = ("/_stcore/health", "/_stcore/host-config")
# The optimizer race map's path lengths (points drawn per optimizer) in the browser. A trail is drawn in
# pieces (optiviz.figures.optimizer_race._trails), each sharing its first point with the piece before; a piece not yet
# reached is one point twice (a line of length 0), and counts no point. The loss strip (axis x2) is left out.
PATH_LENGTHS = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  if (!gd || !gd._fullData) return [];
  const points = new Map();
  const still = t => t.x.length > 1 && Array.from(t.x).every(v => v === t.x[0]) && Array.from(t.y).every(v => v === t.y[0]);
  for (const t of gd._fullData.filter(t => t.mode === 'lines' && t.xaxis === 'x' && t.legendgroup)) {
    const n = !t.x || still(t) ? 0 : t.x.length - 1;
    points.set(t.legendgroup, (points.get(t.legendgroup) ?? 1) + n);
  }
  return [...points.values()];
}"""
# The total length, in pixels, of the optimizers' lines the race map DRAWS (its SVG), not plotly's data.
DRAWN_LENGTH = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  let total = 0;
  for (const g of gd.querySelectorAll('.subplot.xy .scatterlayer g.trace')) {
    const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
    if (!t || t.mode !== 'lines' || !t.legendgroup) continue;
    for (const p of g.querySelectorAll('path.js-line')) total += p.getTotalLength();
  }
  return total;
}"""
# Show frame ``name`` of the race as the slider does, and resolve when it is drawn.
SHOW_FRAME = """(name) => Plotly.animate(document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot"), [name],
  {frame: {duration: 0, redraw: false}, transition: {duration: 0}, mode: 'immediate'}).then(() => true)"""
FRAME_NAMES = """() => document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot")._transitionData._frames
  .map(f => f.name)"""


def open_from_home(page, app_url: str, link: str, heading: str, charts: int) -> None:
    """Open Home, follow the sidebar link to a lab, and wait for its heading and ``charts`` Plotly charts."""
    page.goto(app_url)
    expect(page.get_by_role("heading", name="optiviz")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name=link).first.click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator(CHARTS)).to_have_count(charts, timeout=60_000)


def assert_no_exception(page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap by more than a pixel each way."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 1 and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 1:
                out.append((a["text"], b["text"]))
    return out
