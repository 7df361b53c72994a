"""The activations and initialisation lab as DRAWN in Chromium: the histogram grids' labels do not collide on a phone."""

import pytest
from lab import CHARTS, assert_no_exception, overlaps
from playwright.sync_api import expect

# Every x tick label and column title the chart draws, as boxes {x0, x1, y0, y1, text}.
LABEL_BOXES = """(index) => {
  const gd = document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[index];
  const boxes = [];
  for (const t of gd.querySelectorAll('.xaxislayer-above text, g.annotation-text-g text')) {
    const r = t.getBoundingClientRect();
    if (r.width > 0 && t.textContent.trim()) boxes.push({x0: r.left, x1: r.right, y0: r.top, y1: r.bottom, text: t.textContent});
  }
  return boxes;
}"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("tab, chart", [("Histograms", 1), ("The backward pass", 2)])
def test_histogram_grid_labels_do_not_collide(page, app_url, width, tab, chart):
    page.set_viewport_size({"width": width, "height": 3000})
    page.goto(f"{app_url}/activations-init?init_tab={tab.replace(' ', '+')}")
    expect(page.locator(CHARTS)).to_have_count(chart + 1, timeout=120_000)
    page.wait_for_function(f"document.querySelectorAll(\"{CHARTS}\")[{chart}]"
                           ".querySelectorAll('.xaxislayer-above text').length > 0", timeout=60_000)
    boxes = page.evaluate(LABEL_BOXES, chart)
    assert len(boxes) > 10
    assert not overlaps(boxes), overlaps(boxes)
    assert_no_exception(page)
