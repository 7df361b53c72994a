"""The app in a real browser: every page renders, Play moves the paths, no errors."""

from pathlib import Path

from lab import (BASE_PATH_PROBES, CHARTS, DRAWN_LENGTH, FRAME_NAMES, PATH_LENGTHS, SHOW_FRAME, assert_no_exception,
                 open_from_home)
from playwright.sync_api import expect

DOCS = Path(__file__).resolve().parents[2] / "docs"
MAP = CHARTS
SHADED_LOSS = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  const image = gd && gd.querySelector('.imagelayer image');
  return !!image && (image.getAttribute('href') || '').startsWith('data:image/png') && +image.getAttribute('width') > 100;
}"""



def open_race(page, app_url):
    open_from_home(page, app_url, "Optimizer race", "Optimizer race", 1)  # the map, with the loss strip under it
    page.wait_for_function(f"() => ({PATH_LENGTHS})().length === 4", timeout=30_000)


def test_every_page_renders_without_errors(page, app_url):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="optiviz")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Optimizers: SGD, momentum, RMSProp, Adam")).to_be_visible()
    assert_no_exception(page)
    open_race(page, app_url)
    expect(page.get_by_role("heading", name="Optimizer race")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="steps to loss")).to_be_visible()  # the results, in colour
    assert_no_exception(page)
    assert page.errors == []


def test_play_moves_the_paths(page, app_url):
    open_race(page, app_url)
    full = page.evaluate(PATH_LENGTHS)
    assert full == [201, 201, 201, 201]  # 200 steps: the whole race is shown before Play
    page.locator(".updatemenu-button", has_text="Play").click()
    # the race restarts from the start point and the paths grow frame by frame
    page.wait_for_function(f"() => Math.max(...({PATH_LENGTHS})()) < 60", timeout=20_000)
    early = max(page.evaluate(PATH_LENGTHS))
    page.wait_for_function(f"() => Math.max(...({PATH_LENGTHS})()) > {early} + 20", timeout=30_000)
    page.wait_for_function(f"() => ({PATH_LENGTHS})().every(n => n === 201)", timeout=60_000)  # the race ends
    assert page.evaluate(SHADED_LOSS), "the shaded loss must stay under the paths after Play"
    page.screenshot(path=str(DOCS / "optimizer-race.png"), full_page=True)
    assert_no_exception(page)
    assert page.errors == []


def test_the_map_draws_each_path_up_to_the_step_shown(page, app_url):
    """Measured on the drawn SVG: at step 0 (almost) nothing of the trails, then more with every frame."""
    open_race(page, app_url)
    names = page.evaluate(FRAME_NAMES)
    final = page.evaluate(DRAWN_LENGTH)  # before Play, the whole race
    lengths = {}
    for name in [names[-1], names[0], *names[1::6], names[len(names) // 2], names[-1], names[0]]:
        page.evaluate(SHOW_FRAME, name)
        lengths[name] = page.evaluate(DRAWN_LENGTH)
    assert final > 300  # pixels: four paths across the map
    assert lengths[names[0]] <= 0.05 * final  # step 0: the start point, no trail
    assert lengths[names[-1]] == final
    grown = [lengths[n] for n in names if n in lengths]  # in step order; pieces joined differently may differ by < 1 px
    assert all(b > a - 0.5 for a, b in zip(grown, grown[1:])) and lengths[names[0]] < lengths[names[len(names) // 2]] < final
    # Play from the end restarts the race: soon after, little of the trails is drawn
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(f"() => ({DRAWN_LENGTH})() < {0.5 * final}", timeout=20_000)
    page.wait_for_function(f"() => ({DRAWN_LENGTH})() === {final}", timeout=60_000)
    assert [e for e in page.errors if e != "undefined"] == []


def test_pause_then_play_goes_on_from_the_paused_step(page, app_url):
    open_race(page, app_url)
    page.evaluate("""() => { const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
        window.shown = []; gd.on('plotly_animatingframe', e => window.shown.push(+e.name)); }""")
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function("() => window.shown.length > 0 && window.shown.at(-1) >= 50", timeout=20_000)
    page.locator(".updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(300)
    paused = page.evaluate("""() => document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot")
        ._fullLayout._currentFrame""")
    assert 50 <= int(paused) < 200
    page.evaluate("() => { window.shown = []; }")
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function("() => window.shown.length >= 3", timeout=20_000)
    resumed = page.evaluate("() => window.shown")
    assert resumed[0] > int(paused) and resumed == sorted(resumed)  # on from the paused step, not from 0
    assert [e for e in page.errors if e != "undefined"] == []


def test_the_loss_cursor_follows_the_animation(page, app_url):
    open_race(page, app_url)
    names = page.evaluate(FRAME_NAMES)
    cursor_x = """() => { const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
        const g = [...gd.querySelectorAll('.subplot.x2y2 .scatterlayer g.trace')]
            .find(g => g.__data__[0].trace.name === 'step now');
        const box = g.querySelector('path.js-line').getBBox();
        return [box.x, box.width, gd._fullLayout.xaxis2.l2p(+gd._fullLayout._currentFrame)]; }"""
    seen = []
    for name in (names[0], names[len(names) // 2], names[-1]):
        page.evaluate(SHOW_FRAME, name)
        x, width, want = page.evaluate(cursor_x)
        assert width < 1 and abs(x - want) < 1.5  # a vertical line, drawn at the step shown
        seen.append(x)
    assert seen == sorted(seen) and seen[-1] - seen[0] > 100


def test_pause_stops_the_race(page, app_url):
    open_race(page, app_url)
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(f"() => Math.max(...({PATH_LENGTHS})()) < 100", timeout=20_000)
    page.locator(".updatemenu-button", has_text="Pause").click()
    paused = page.evaluate(PATH_LENGTHS)
    page.wait_for_timeout(1500)  # a running animation would add ~15 frames in this time
    assert page.evaluate(PATH_LENGTHS) == paused
    assert max(paused) < 201
    # plotly.js rejects the interrupted animation's promise with `undefined`, uncaught: that one is expected
    assert [e for e in page.errors if e != "undefined"] == []


def test_changing_a_control_redraws_the_race(page, app_url):
    open_race(page, app_url)
    page.get_by_role("slider", name="Steps").focus()
    page.keyboard.press("ArrowLeft")  # 200 -> 190 steps
    page.wait_for_function(f"() => ({PATH_LENGTHS})().every(n => n === 191)", timeout=30_000)
    assert_no_exception(page)
    assert page.errors == []


def test_deep_link_opens_the_page(page, app_url):
    page.goto(f"{app_url}/optimizer-race")
    expect(page.locator(MAP)).to_have_count(1, timeout=30_000)
    assert_no_exception(page)
    unexpected = [e for e in page.errors if not any(probe in e for probe in BASE_PATH_PROBES)]
    assert unexpected == []


def test_training_lab_trains_and_draws(page, app_url):
    # boundary, learning curves and gradient norms, drawn after training with the defaults
    # (a figure per optimizer for the boundaries and the gradient norms: columns that a phone stacks)
    open_from_home(page, app_url, "Train a network", "Train a network", 9)
    expect(page.locator("[data-testid='stMetric']")).to_have_count(4)
    heatmaps = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")]
        .slice(0, 4).map(gd => gd._fullData.filter(t => t.type === 'heatmap').length)""")
    assert heatmaps == [1, 1, 1, 1]
    # train again with fewer epochs: the boundary's titles follow
    page.get_by_role("slider", name="Epochs").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # 60 -> 57 epochs
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => [...document.querySelectorAll('.gtitle, .annotation-text')]
        .some(t => t.textContent.includes('epoch 57'))""", timeout=60_000)
    assert_no_exception(page)
    assert page.errors == []


def test_activations_lab_draws_the_histogram_grid(page, app_url):
    open_from_home(page, app_url, "Activations and initialisation", "Activations and initialisation", 2)
    bars = page.evaluate("""() => document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[1]
        ._fullData.filter(t => t.type === 'bar').length""")
    assert bars == 60  # 6 schemes × 10 layers
    page.get_by_role("tab", name="The backward pass").click()
    expect(page.locator(MAP)).to_have_count(3, timeout=60_000)
    assert_no_exception(page)
    assert page.errors == []


def test_race_fits_a_laptop_screen_with_true_angles(browser, app_url):
    """At 1280×720, with the surface's title at the top, the map, the loss strip, ▶ Play and the slider are all
    in view; one unit is as long across the map as up it; the strip spans the map's width; the legend is one
    row. On a 390 px phone nothing is wider than the screen and the legend takes at most two rows."""
    measure = """() => { const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
        const fl = gd._fullLayout, box = gd.getBoundingClientRect();
        const rail = gd.querySelector('.slider-rail-rect').getBoundingClientRect();
        const play = gd.querySelector('.updatemenu-button').getBoundingClientRect();
        const title = [...document.querySelectorAll('h3')].find(h => h.textContent.startsWith('Beale')).getBoundingClientRect();
        return {titleTop: title.top, bottom: Math.max(rail.bottom, play.bottom), height: innerHeight,
                xPerUnit: fl.xaxis._length / 9, yPerUnit: fl.yaxis._length / 9, mapLeft: box.left + fl.xaxis._offset,
                mapWidth: fl.xaxis._length, stripLeft: box.left + fl.xaxis2._offset, stripWidth: fl.xaxis2._length,
                legendRows: fl.legend._height / 29, pageWidth: document.documentElement.scrollWidth, width: innerWidth}; }"""
    for width, height, rows in ((1280, 720, 1), (390, 844, 2)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        try:
            page.goto(f"{app_url}/optimizer-race")
            expect(page.locator(MAP)).to_have_count(1, timeout=60_000)
            page.wait_for_function(f"() => ({PATH_LENGTHS})().length === 4", timeout=30_000)
            page.evaluate("() => [...document.querySelectorAll('h3')].find(h => h.textContent.startsWith('Beale'))"
                          ".scrollIntoView({block: 'start'})")
            m = page.evaluate(measure)
            assert abs(m["xPerUnit"] - m["yPerUnit"]) < 0.01 * m["xPerUnit"]  # true angles on Beale's square
            assert abs(m["stripLeft"] - m["mapLeft"]) < 8 and abs(m["stripWidth"] - m["mapWidth"]) < 10
            assert m["legendRows"] < rows + 0.5
            assert m["pageWidth"] <= m["width"]
            if width == 1280:
                assert m["mapWidth"] >= 320  # the map, not the table, has the room
                assert m["titleTop"] >= 0 and m["bottom"] <= m["height"]  # title to slider in one screen
        finally:
            context.close()
