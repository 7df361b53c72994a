"""What the browser tests share: the chart selector, opening a lab the way a student does, and error checks."""

from playwright.sync_api import expect

CHARTS = "[data-testid='stPlotlyChart'] .js-plotly-plot"
# Streamlit probes for a base path under a deep link before it finds the server's root
# (`/optimizer-race/_stcore/health`, then `/_stcore/health`); those 404s are expected.
BASE_PATH_PROBES = ("/_stcore/health", "/_stcore/host-config")
# The optimizer race map's path lengths (points drawn per optimizer) in the browser. A trail is drawn in
# pieces (optiviz.figures.race._trails), each sharing its first point with the piece before.
PATH_LENGTHS = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  if (!gd || !gd._fullData) return [];
  const points = new Map();
  for (const t of gd._fullData.filter(t => t.mode === 'lines' && t.name !== 'contours')) {
    points.set(t.legendgroup, (points.get(t.legendgroup) ?? 1) + Math.max((t.x ? t.x.length : 0) - 1, 0));
  }
  return [...points.values()];
}"""


def open_from_home(page, app_url: str, link: str, heading: str, charts: int) -> None:
    """Open Home, follow the sidebar link to a lab, and wait for its heading and ``charts`` Plotly charts."""
    page.goto(app_url)
    expect(page.get_by_role("heading", name="optiviz")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name=link).first.click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator(CHARTS)).to_have_count(charts, timeout=60_000)


def assert_no_exception(page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
