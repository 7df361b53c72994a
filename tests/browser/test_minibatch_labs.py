"""The batch-size and learning-rate labs in a real browser: the figures draw, a control redraws them, no errors."""

from lab import CHARTS as PLOTS
from lab import assert_no_exception, open_from_home

X_TITLE = """(i) => {
  const gd = document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[i];
  return gd && gd._fullLayout ? gd._fullLayout.xaxis.title.text : null;
}"""


def open_lab(page, app_url, link: str, heading: str, n_plots: int):
    open_from_home(page, app_url, link, heading, n_plots)
    page.wait_for_selector(f"{PLOTS} .main-svg", timeout=30_000)


def no_errors(page):
    assert_no_exception(page)
    assert page.errors == []


def test_batch_size_lab_draws_and_follows_the_x_axis_choice(page, app_url):
    open_lab(page, app_url, "Batch size", "Batch size", 2)
    page.wait_for_function(f"() => ({X_TITLE})(1) && ({X_TITLE})(1).startsWith('epochs')", timeout=30_000)
    paths = page.evaluate("""() => document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[0]
        ._fullData.filter(t => t.mode === 'lines' && t.name !== 'contours').map(t => t.name)""")
    assert paths == ["SGD (B = 1, 200 steps/epoch)", "mini-batch (B = 10, 20 steps/epoch)",
                     "full batch (B = 200, 1 step/epoch)"]
    page.get_by_text("gradient evaluations", exact=True).click()
    page.wait_for_function(f"() => ({X_TITLE})(1) && ({X_TITLE})(1).startsWith('gradient evaluations')",
                           timeout=30_000)
    assert "bs_x=gradient+evaluations" in page.url or "bs_x=gradient%20evaluations" in page.url
    no_errors(page)


def test_learning_rate_lab_draws_and_follows_the_x_axis_choice(page, app_url):
    open_lab(page, app_url, "Learning rate", "Learning rate", 8)  # Figure 11, range test, α_t, distance, 4 zooms
    page.wait_for_function(f"() => ({X_TITLE})(0) && ({X_TITLE})(0).startsWith('epochs')", timeout=30_000)
    legend = page.evaluate("""() => document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[0]
        ._fullData.filter(t => t.mode === 'lines').map(t => t.name.split(':')[0])""")
    assert legend[:4] == ["very high", "high", "good", "low"]
    page.get_by_text("steps", exact=True).first.click()
    page.wait_for_function(f"() => ({X_TITLE})(0) && ({X_TITLE})(0).startsWith('steps')", timeout=30_000)
    page.wait_for_function(f"() => ({X_TITLE})(2) && ({X_TITLE})(2).startsWith('steps')", timeout=30_000)
    no_errors(page)


# The drawn size (bounding box of the SVG paths, in pixels) of each zoomed annealing map's path, by panel title.
ZOOM_SPREADS = """() => {
  const out = {};
  for (const gd of document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")) {
    const title = gd._fullLayout && gd._fullLayout.annotations && gd._fullLayout.annotations[0];
    if (!title || !gd._fullLayout.xaxis.range || !gd.querySelector('.heatmaplayer')) continue;
    let w = 0, h = 0;
    for (const g of gd.querySelectorAll('.scatterlayer g.trace')) {
      const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
      if (!t || t.mode !== 'lines' || t.name === 'contours') continue;
      for (const p of g.querySelectorAll('path.js-line')) { const b = p.getBBox(); w = Math.max(w, b.width); h = Math.max(h, b.height); }
    }
    out[title.text] = Math.max(w, h);
  }
  return out;
}"""
# The x pixel positions of the range test's vertical marks: lines drawn as traces, and shaded bands' edges.
RANGE_MARKS = """() => {
  const gd = document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[1];
  const xa = gd._fullLayout.xaxis;
  const xs = gd._fullData.filter(t => t.mode === 'lines' && new Set(Array.from(t.x)).size === 1).map(t => t.x[0]);
  for (const s of gd._fullLayout.shapes) if (s.xref === 'x') xs.push(s.x0);
  return xs.map(x => xa.l2p(Math.log10(x)));
}"""


def test_annealing_zoom_draws_constant_bouncing_wider_than_decaying(page, app_url):
    """On the drawn maps, the constant rate's late path spans several times the decaying ones'."""
    open_lab(page, app_url, "Learning rate", "Learning rate", 8)
    page.wait_for_function(f"() => Object.keys(({ZOOM_SPREADS})()).length === 4", timeout=60_000)
    spread = page.evaluate(ZOOM_SPREADS)
    assert set(spread) == {"constant", "exponential decay", "1/t decay", "step decay"}
    assert spread["constant"] > 40  # pixels: a visible scribble
    for name in ("exponential decay", "1/t decay", "step decay"):
        assert spread[name] < spread["constant"] / 2, spread
    marks = sorted(page.evaluate(RANGE_MARKS))
    assert all(b - a > 8 for a, b in zip(marks, marks[1:])), marks  # no two vertical marks within 8 px
    no_errors(page)
