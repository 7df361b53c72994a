"""The double descent lab in a real browser: its figures render, a control redraws them, Play runs over p,
Pause then Play goes on from the paused p, and the slider, the label and the download agree with the frame drawn."""

from lab import BASE_PATH_PROBES
from playwright.sync_api import expect

PLOTS = ".js-plotly-plot .main-svg"
THRESHOLD = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  return gd && gd.layout && gd.layout.shapes && gd.layout.shapes.length ? gd.layout.shapes[0].x0 : null;
}"""
DRAWN_LABEL = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[2];
  const text = gd ? [...gd.querySelectorAll('g.textpoint text')].map(e => e.textContent).find(s => s.startsWith('p = ')) : null;
  return text || '';
}"""  # the label as drawn in the SVG
DRAWN_SLIDER = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[2];
  const text = gd ? [...gd.querySelectorAll('.slider-label')].map(e => e.textContent).find(s => s.startsWith('p = ')) : null;
  return text || '';
}"""  # the p the plotly slider shows under the figure
WATCH = """() => {
  window.__seen = [];
  const read = () => {
    const gd = document.querySelectorAll('.js-plotly-plot')[2];
    const text = [...gd.querySelectorAll('g.textpoint text')].map(e => e.textContent).find(s => s.startsWith('p = ')) || '';
    const p = parseInt(text.slice(4));
    if (!Number.isNaN(p) && window.__seen[window.__seen.length - 1] !== p) window.__seen.push(p);
    window.__watch = requestAnimationFrame(read);
  };
  read();
}"""  # records every p drawn, frame by frame
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
    open_lab(page, app_url, "dd_n_train=25&dd_fit_points=10&dd_model=Linear+model")
    page.wait_for_function(f"() => ({THRESHOLD})() === 25", timeout=30_000)
    page.wait_for_function(f"() => ({FIT_LABEL})().startsWith('p = n = 10: the interpolating fit')", timeout=30_000)
    expect(page.get_by_text("True weights β")).to_be_visible()  # the linear model's own control
    assert real_errors(page) == []


def drawn_p(page) -> int:
    return int(page.evaluate(DRAWN_LABEL).split(" ")[2])


def test_pause_then_play_goes_on_from_the_paused_p(page, app_url):
    open_lab(page, app_url)
    page.wait_for_function(f"() => ({DRAWN_LABEL})().startsWith('p = n = 15')", timeout=30_000)
    assert page.evaluate(DRAWN_SLIDER) == "p = 15"
    buttons = page.locator("[data-testid='stPlotlyChart']").nth(2).locator(".updatemenu-button")
    buttons.filter(has_text="Play").click()
    page.wait_for_function(f"() => {{ const t = ({DRAWN_LABEL})(); return t.startsWith('p = ') && "
                           "parseInt(t.slice(4)) >= 20; }", timeout=30_000)
    buttons.filter(has_text="Pause").click()
    paused = drawn_p(page)
    page.wait_for_timeout(600)  # four frames' time: a paused figure stays put
    assert drawn_p(page) == paused and 20 <= paused < 60
    assert page.evaluate(DRAWN_SLIDER) == f"p = {paused}"  # the slider under the figure shows the frame drawn
    page.evaluate(WATCH)
    buttons.filter(has_text="Play").click()
    page.wait_for_function(f"() => ({DRAWN_LABEL})().startsWith('p = 60 > n')", timeout=60_000)
    seen = page.evaluate("() => { cancelAnimationFrame(window.__watch); return window.__seen; }")
    assert seen[0] == paused and min(seen) == paused, seen  # resumed from the paused frame, not from p = 1
    assert seen == sorted(seen)  # and on up (the wait above saw p = 60 drawn)
    page.wait_for_timeout(400)  # the animation is over: the figure rests on its last frame …
    assert drawn_p(page) == 60 and page.evaluate(DRAWN_SLIDER) == "p = 60"
    # … and the page's only download holds that frame with every other: nothing is left out of step
    expect(page.get_by_role("button", name="Download every fit, p = 1 … 60 (CSV)")).to_be_visible()
    assert page.locator("[data-testid='stSlider']", has_text="Features p of the fit").count() == 0
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    # plotly.js rejects the interrupted animation's promise with `undefined`, uncaught: that one is expected
    assert [e for e in real_errors(page) if e != "undefined"] == []


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
