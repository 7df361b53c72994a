"""Every page on a phone (390 × 844) as Chromium DRAWS it: nothing wider than the screen, figures stacked, and the
text that used to collide (the histogram grid's ticks, the boundary titles) apart.

Streamlit scrolls its main area itself, so the document's scrollWidth alone cannot see a figure or a table that
runs off the screen: the main area's scrollWidth and every visible element's right edge are checked, the latter
after the boxes inside the main area that clip it. A box that scrolls sideways inside the screen (a wide table,
the tab strip, a formula) keeps the page at 390 px. A control element 500 px wide, added to the page, must fail.
"""

from urllib.parse import urlencode

import pytest
from lab import CHARTS, assert_no_exception, overlaps
from playwright.sync_api import expect

from optiviz.ui.lecture_figures import LECTURE_FIGURES

PHONE = {"width": 390, "height": 844}
PAGES = ["", "lecture-figures", "optimizer-race", "batch-size", "learning-rate", "train-network", "preprocessing",
         "activations-init", "double-descent", "regularization"]

# True once the main area has not changed for 2 s, nothing runs and every chart is drawn (Streamlit's status
# widget alone is not enough: on a phone's first visit it is not drawn while a page trains).
SETTLED = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  if (!window.__quiet) {
    window.__quiet = {since: performance.now()};
    new MutationObserver(() => { window.__quiet.since = performance.now(); })
      .observe(main, {childList: true, subtree: true, attributes: true, characterData: true});
  }
  const busy = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-testid="stSpinner"]');
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")];
  const drawn = charts.every(gd => gd._fullLayout && gd.querySelector('.main-svg'));
  if (busy || !drawn) { window.__quiet.since = performance.now(); return false; }
  return performance.now() - window.__quiet.since > 2000;
}"""

# The page's widths, and each visible element whose right edge is past the screen after every box that clips it
# (overflow other than visible) has cut it: what a student would have to scroll the whole page sideways to see.
WIDTHS = """(screen) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const beyond = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= screen + 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.closest('.katex-mathml')) continue;
    let right = r.right;
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {  // main itself scrolls: the page
      const s = getComputedStyle(a);
      if (s.overflowX !== 'visible' || s.clipPath !== 'none') right = Math.min(right, a.getBoundingClientRect().right);
    }
    if (el.closest('svg') && el.tagName !== 'svg') {  // plotly clips its drawing at its own svg
      right = Math.min(right, el.closest('svg').getBoundingClientRect().right);
    }
    if (right > screen + 1) {
      const owner = el.closest('[data-testid]');
      beyond.push(`${el.tagName.toLowerCase()} in ${owner ? owner.dataset.testid : '?'} to ${Math.round(right)} px: `
                  + (el.textContent || '').trim().slice(0, 40));
    }
  }
  return {document: document.documentElement.scrollWidth, main: main.scrollWidth, beyond: beyond.slice(0, 10)};
}"""

# Every chart's drawn text (tick labels, titles, annotations, legend entries) as boxes, per chart.
TEXT_BOXES = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")].map((gd, i) => {
  const boxes = [];
  for (const t of gd.querySelectorAll('.xtick text, .ytick text, g.annotation-text-g text, .g-gtitle text, .legendtext, .g-xtitle text, .g-ytitle text')) {
    const r = t.getBoundingClientRect();
    if (r.width > 0 && t.textContent.trim()) boxes.push({x0: r.left, x1: r.right, y0: r.top, y1: r.bottom, text: t.textContent});
  }
  const svg = gd.querySelector('.main-svg').getBoundingClientRect();
  return {chart: i, name: (gd._fullLayout.meta || {}).name || '', right: Math.max(gd.getBoundingClientRect().right, svg.right), boxes};
})"""

# Each formula: how far its glyphs reach past its box on the right (a formula wider than its box is cut off).
FORMULAS = """() => [...document.querySelectorAll('[data-testid="stMain"] .katex-display')]
  .filter(e => e.getBoundingClientRect().width > 0).map(e => {
    const box = e.getBoundingClientRect();
    let right = box.left;
    for (const g of e.querySelectorAll('.katex-html span, .katex-html svg')) {
      const ink = g.tagName === 'svg' || (g.children.length === 0 && g.textContent.trim() && !g.closest('svg'));
      const q = g.getBoundingClientRect();
      if (ink && q.width > 0) right = Math.max(right, q.right);
    }
    return {text: e.textContent.slice(0, 30), past: right - box.right};
  })"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def open_settled(phone, url: str) -> None:
    phone.goto(url)
    expect(phone.locator("h1").first).to_be_visible(timeout=120_000)
    phone.wait_for_function(SETTLED, timeout=180_000, polling=250)


def assert_fits(phone) -> None:
    """Nothing on the page reaches past the phone's screen: the page, its elements, its charts' drawings."""
    widths = phone.evaluate(WIDTHS, PHONE["width"])
    assert widths["document"] <= PHONE["width"] and widths["main"] <= PHONE["width"], widths
    assert widths["beyond"] == [], widths["beyond"]
    for chart in phone.evaluate(TEXT_BOXES):
        assert chart["right"] <= PHONE["width"] + 1, chart["name"]
    assert_no_exception(phone)


@pytest.mark.parametrize("path", PAGES + ["train-network?train_tab=What+the+neurons+see",
                                          "optimizer-race?tab=Learning-rate+sensitivity"])
def test_no_page_is_wider_than_a_phone(phone, app_url, path):
    open_settled(phone, f"{app_url}/{path}")
    assert_fits(phone)


def _card_links() -> list[str]:
    """Each lecture-figure card's link (page and settings), once each; the pages' defaults are tested above."""
    links = {f"{f.page.removeprefix('pages/').removesuffix('.py').replace('_', '-')}?{urlencode(f.settings, doseq=True)}"
             for f in LECTURE_FIGURES if f.settings}
    return sorted(links)


@pytest.mark.parametrize("link", _card_links())
def test_every_lecture_card_opens_within_a_phone(phone, app_url, link):
    open_settled(phone, f"{app_url}/{link}")
    assert_fits(phone)


def test_the_width_check_sees_a_wide_element(phone, app_url):
    # the control: the checks above would pass on anything if they could not see this
    open_settled(phone, f"{app_url}/batch-size")
    phone.evaluate("""() => { const d = document.createElement('div'); d.style.cssText = 'width: 500px; height: 9px';
        d.textContent = 'wide'; document.querySelector('[data-testid="stMainBlockContainer"]').appendChild(d); }""")
    widths = phone.evaluate(WIDTHS, PHONE["width"])
    assert widths["main"] > PHONE["width"] and any("wide" in b for b in widths["beyond"]), widths


@pytest.mark.parametrize("path, charts", [("train-network", range(9)),
                                          ("activations-init?init_tab=Histograms", [1]),
                                          ("activations-init?init_tab=The+backward+pass", [2])])
def test_titles_and_ticks_do_not_collide_on_a_phone(phone, app_url, path, charts):
    # the training lab's boundary and gradient-norm panels (a figure each, stacked) and curves, the histogram grids
    open_settled(phone, f"{app_url}/{path}")
    drawn = phone.evaluate(TEXT_BOXES)
    for k in charts:
        chart = drawn[k]
        assert len(chart["boxes"]) > 5, chart["name"]
        assert not overlaps(chart["boxes"]), (chart["name"], overlaps(chart["boxes"]))


def test_the_training_panels_are_stacked_at_full_width(phone, app_url):
    open_settled(phone, f"{app_url}/train-network")
    widths = phone.evaluate(f"""() => [...document.querySelectorAll("{CHARTS}")].map(gd =>
        gd.querySelector('.nsewdrag') ? gd.querySelector('.nsewdrag').getBoundingClientRect().width : 0)""")
    boundaries = widths[:4]
    assert all(w >= 200 for w in boundaries), boundaries  # the 2 × 2 grid shrank each to about 110 px


@pytest.mark.parametrize("path, only", [("batch-size", ""), ("regularization", ""),
                                        ("regularization?reg_tab=Dropout+and+batch+norm", ""),
                                        ("optimizer-race?tab=Update+rules", "∙")])  # the update rules (• name)
@pytest.mark.parametrize("width", [390, 1280])
def test_formulas_fit_their_boxes(browser, app_url, path, only, width):
    # the batch-size cards, J(w) and the solver and dropout rules, the race's update rules: cut off at 1280 px before
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        open_settled(page, f"{app_url}/{path}")
        for summary in page.locator('[data-testid="stMain"] [data-testid="stExpander"] summary').all():  # formulas in them too
            summary.click()
        formulas = [f for f in page.evaluate(FORMULAS) if only in f["text"]]
        assert formulas
        assert [f for f in formulas if f["past"] > 2] == []  # KaTeX's own 2 px of slack at the right
    finally:
        context.close()
