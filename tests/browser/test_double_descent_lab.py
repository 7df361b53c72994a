"""The double descent lab in a real browser: its figures render, a control redraws them, Play runs over p."""

from lab import BASE_PATH_PROBES
from playwright.sync_api import expect

PLOTS = ".js-plotly-plot .main-svg"
THRESHOLD = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  return gd && gd.layout && gd.layout.shapes && gd.layout.shapes.length ? gd.layout.shapes[0].x0 : null;
}"""
FIT_LABEL = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[2];
  const label = gd && gd.data.find(t => t.name === 'this fit');
  return label ? label.text[0].replace(/<\\/?b>/g, '') : '';
}"""


def open_lab(page, app_url, query: str = ""):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="optiviz")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Double descent").first.click()
    if query:
        page.wait_for_function(f"() => document.querySelectorAll('{PLOTS}').length >= 3", timeout=60_000)
        page.goto(f"{page.url.split('?')[0]}?{query}")
    page.wait_for_function(f"() => document.querySelectorAll('{PLOTS}').length >= 3", timeout=60_000)
    expect(page.get_by_role("heading", name="Double descent").first).to_be_visible()


def real_errors(page) -> list[str]:
    return [e for e in page.errors if not any(probe in e for probe in BASE_PATH_PROBES)]


def test_the_lab_renders_and_a_control_redraws_the_curve(page, app_url):
    open_lab(page, app_url)
    page.wait_for_function(f"() => ({THRESHOLD})() === 40", timeout=30_000)  # drawn, with the threshold at n
    expect(page.get_by_text("Peak of the test error")).to_be_visible()
    page.get_by_role("slider", name="Training samples n").focus()
    page.keyboard.press("ArrowLeft")  # n = 40 -> 39
    page.wait_for_function(f"() => ({THRESHOLD})() === 39", timeout=30_000)
    assert "dd_n_train=39" in page.url  # the URL reproduces the setting
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert real_errors(page) == []


def test_a_link_sets_the_controls(page, app_url):
    open_lab(page, app_url, "dd_n_train=25&dd_fit_features=30")
    page.wait_for_function(f"() => ({THRESHOLD})() === 25", timeout=30_000)
    assert page.evaluate(FIT_LABEL).startswith("p = 30 > n: min-norm interpolant")
    assert real_errors(page) == []


def test_play_runs_the_fit_over_p(page, app_url):
    open_lab(page, app_url)
    assert page.evaluate(FIT_LABEL).startswith("p = n = 15: the interpolating fit")
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(f"() => /^p = [1-9] < n/.test(({FIT_LABEL})())", timeout=20_000)  # from p = 1 …
    page.wait_for_function(f"() => ({FIT_LABEL})().startsWith('p = 60 > n')", timeout=60_000)  # … to 4n
    text = page.locator("[data-testid='stPlotlyChart']").nth(2).locator("text", has_text="p = 60 > n")
    expect(text.first).to_be_visible()  # the label on screen follows the frames, not only the data
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert real_errors(page) == []
