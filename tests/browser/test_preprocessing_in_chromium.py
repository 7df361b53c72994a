"""The data preprocessing lab in a real browser: its figures draw, a control redraws them, no errors."""

from lab import open_from_home
from playwright.sync_api import expect

CLASSES_DRAWN = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  return !!(gd && gd._fullData && gd._fullData.some(t => t.name === 'class 0'));
}"""
SURFACE_TITLES = """() => {
  const gd = document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[1];
  return gd && gd._fullLayout ? gd._fullLayout.annotations.map(a => a.text).join(' | ') : '';
}"""


def open_lab(page, app_url):
    open_from_home(page, app_url, "Data preprocessing", "Data preprocessing", 6)
    page.wait_for_function(f"() => ({SURFACE_TITLES})().includes('whitened')", timeout=60_000)


def test_preprocessing_lab_draws_and_follows_its_controls(page, app_url):
    open_lab(page, app_url)
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    titles = page.evaluate(SURFACE_TITLES)
    assert "raw" in titles and "κ = 1" in titles
    assert not page.evaluate(CLASSES_DRAWN)
    page.get_by_text("Logistic regression (cross-entropy)").click()  # the model radio
    page.wait_for_function(CLASSES_DRAWN, timeout=60_000)  # the clouds are redrawn with the two classes
    expect(page.get_by_text("Without a bias")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert page.errors == []
