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
    open_lab(page, app_url, "Learning rate", "Learning rate", 5)
    page.wait_for_function(f"() => ({X_TITLE})(0) && ({X_TITLE})(0).startsWith('epochs')", timeout=30_000)
    legend = page.evaluate("""() => document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[0]
        ._fullData.filter(t => t.mode === 'lines').map(t => t.name.split(':')[0])""")
    assert legend[:4] == ["very high", "high", "good", "low"]
    page.get_by_text("steps", exact=True).first.click()
    page.wait_for_function(f"() => ({X_TITLE})(0) && ({X_TITLE})(0).startsWith('steps')", timeout=30_000)
    page.wait_for_function(f"() => ({X_TITLE})(2) && ({X_TITLE})(2).startsWith('steps')", timeout=30_000)
    no_errors(page)
