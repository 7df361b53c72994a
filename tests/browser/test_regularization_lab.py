"""The regularization lab in a real browser: the paths redraw when a control moves, every tab draws, the dropout
network redraws its dropped units each step, an old keep-probability link is refused, no errors."""

from lab import CHARTS as CHART
from lab import BASE_PATH_PROBES, assert_no_exception, open_from_home
from playwright.sync_api import expect

PATH_LINES = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  if (!gd || !gd._fullData) return -1;
  return gd._fullData.filter(t => t.mode === 'lines').length;
}"""


def open_lab(page, app_url):
    open_from_home(page, app_url, "Regularization", "Regularization", 5)  # paths, weights, boundaries, histogram, seeds


def test_paths_follow_the_features_slider(page, app_url):
    open_lab(page, app_url)
    page.wait_for_function(f"() => ({PATH_LINES})() === 18", timeout=30_000)  # 6 features × 3 penalties
    page.get_by_role("slider", name="Features p").focus()
    page.keyboard.press("ArrowRight")  # 6 -> 7 features
    page.wait_for_function(f"() => ({PATH_LINES})() === 21", timeout=30_000)
    assert "reg_features=7" in page.url  # the link reproduces the view
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert page.errors == []


def test_every_tab_draws(page, app_url):
    open_lab(page, app_url)
    for tab, charts in (("Early stopping", 3), ("Dropout and batch norm", 4), ("Data augmentation", 3)):
        page.get_by_role("tab", name=tab).click()
        expect(page.locator(CHART)).to_have_count(charts, timeout=60_000)
        expect(page.locator(".js-plotly-plot .main-svg:visible").first).to_be_visible(timeout=30_000)
    # training after a change: fewer epochs, the boundary titles follow
    page.locator("input[aria-label='Epochs']:visible").focus()
    page.keyboard.press("Home")  # 20 epochs
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => [...document.querySelectorAll('.gtitle, .annotation-text')]
        .some(t => t.textContent.includes('epoch 20'))""", timeout=60_000)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert page.errors == []


# The dropout network's DRAWN units: for each of its marker traces (kept, dropped), how many points have a
# visible marker in the SVG (a marker of size 0 draws an empty path).
DRAWN_UNITS = """() => {
  const gd = [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")]
    .find(g => g._fullData && g._fullData.some(t => t.name === 'unit dropped (×)'));
  if (!gd) return null;
  const out = {};
  out.step = '';
  for (const g of gd.querySelectorAll('.scatterlayer g.trace')) {
    const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
    if (t && t.name === 'step') out.step = g.textContent;  // the drawn "step k: …" line
    if (!t || !t.name.startsWith('unit ')) continue;
    out[t.name] = [...g.querySelectorAll('path.point')].filter(p => (p.getAttribute('d') || 'M0,0Z') !== 'M0,0Z'
      && p.getBBox().width > 1).length;
  }
  return out;
}"""


def test_the_dropout_network_redraws_its_dropped_units(page, app_url):
    page.goto(f"{app_url}/regularization?reg_tab=Dropout+and+batch+norm&reg_keep=0.8")
    expect(page.locator(CHART)).to_have_count(4, timeout=90_000)
    # the old keep-probability name is refused, and the note says so
    expect(page.get_by_text("reg_keep=0.8")).to_be_visible(timeout=30_000)
    page.wait_for_function(f"() => {{ const d = ({DRAWN_UNITS})(); return d && d['unit kept'] > 0; }}", timeout=30_000)
    first = page.evaluate(DRAWN_UNITS)
    assert first["unit kept"] + first["unit dropped (×)"] == 2 + 8 + 8 + 1  # input, 8 + 8 hidden shown, output
    assert first["unit dropped (×)"] >= 1 and first["step"].startswith("step 1:")
    page.locator(".updatemenu-button", has_text="Play").first.click()
    page.wait_for_function(f"() => !({DRAWN_UNITS})().step.startsWith('step 1:')", timeout=30_000)
    seen = set()
    for _ in range(8):  # the drawn units change as the steps play
        d = page.evaluate(DRAWN_UNITS)
        seen.add((d["step"].split(":")[0], d["unit dropped (×)"]))
        page.wait_for_timeout(400)
    assert len({s for s, _ in seen}) >= 3 and len({n for _, n in seen}) >= 2
    assert_no_exception(page)
    assert [e for e in page.errors if not any(probe in e for probe in BASE_PATH_PROBES)] == []  # deep link probes
