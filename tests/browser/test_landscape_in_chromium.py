"""Lecture Figure 3 in a real browser: the loss-landscape maps are drawn square, the training path is drawn
long on its plane, and the legend's start marker is drawn with a dark outline (visible on the white legend)."""

from urllib.parse import urlencode

from lab import BASE_PATH_PROBES, CHARTS, assert_no_exception
from playwright.sync_api import expect

from optiviz.ui.lecture_figures import LECTURE_FIGURES

CARD = next(f for f in LECTURE_FIGURES if f.figures == "3")
# Per landscape map (a chart with a trace named "θ* (trained)"): its plot area in pixels, the drawn length of the
# training path's line, and the stroke of the legend's "start" symbol.
DRAWN = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")]
  .filter(gd => gd._fullData && gd._fullData.some(t => t.name === 'θ* (trained)'))
  .map(gd => {
    const drag = gd.querySelector('.draglayer .xy .nsewdrag');
    const area = drag ? drag.getBoundingClientRect() : {width: 0, height: 0};
    let path = 0, start = null;
    for (const g of gd.querySelectorAll('.scatterlayer g.trace')) {
      const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
      if (t && String(t.name).endsWith("'s path")) for (const p of g.querySelectorAll('path.js-line')) path += p.getTotalLength();
    }
    for (const item of gd.querySelectorAll('.legend .traces')) {
      const t = item.__data__ && item.__data__[0] && item.__data__[0].trace;
      const symbol = item.querySelector('path.scatterpts');
      if (t && t.name === 'start' && symbol) start = getComputedStyle(symbol).stroke;
    }
    return {width: area.width, height: area.height, path, start};
  })"""


def test_figure_3_maps_are_square_with_a_visible_path(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"{app_url}/train-network?{urlencode(CARD.settings, doseq=True)}")
    expect(page.locator(CHARTS)).to_have_count(6, timeout=120_000)  # boundary, curves, two slices, two path planes
    page.wait_for_function(f"() => ({DRAWN})().length === 4 && ({DRAWN})().every(m => m.width > 100)", timeout=60_000)
    maps = page.evaluate(DRAWN)
    for m in maps:
        assert abs(m["width"] - m["height"]) <= 2, m  # square
    slices, planes = maps[:2], maps[2:]
    assert all(m["path"] == 0 for m in slices)  # the random slices draw no path (it would be a dot)
    for m in planes:
        assert m["path"] >= 0.8 * m["width"], m  # the path crosses a good part of its plane
        assert m["start"] in ("rgb(0, 0, 0)", "#000000"), m
    assert_no_exception(page)
    assert [e for e in page.errors if not any(p in e for p in BASE_PATH_PROBES)] == []
