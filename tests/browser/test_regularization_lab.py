"""The regularization lab in a real browser: the paths redraw when a control moves, every tab draws, no errors."""

from lab import CHARTS as CHART
from lab import open_from_home
from playwright.sync_api import expect

PATH_LINES = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  if (!gd || !gd._fullData) return -1;
  return gd._fullData.filter(t => t.mode === 'lines').length;
}"""


def open_lab(page, app_url):
    open_from_home(page, app_url, "Regularization", "Regularization", 4)  # paths, weights, boundaries, weight histogram


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
    for tab, charts in (("Early stopping", 2), ("Dropout and batch norm", 2), ("Data augmentation", 3)):
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
