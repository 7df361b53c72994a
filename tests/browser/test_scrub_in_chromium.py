"""The race's scrub figure in Chromium: its α slider redraws the drawn paths with no message to the server."""

from lab import assert_no_exception

COUNT_SENDS = """() => { window.sends = 0; const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (...a) { window.sends += 1; return send.apply(this, a); }; }"""
SCRUB = """Array.from(document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")).find(
  gd => gd._fullLayout && (gd._fullLayout.sliders || []).some(s => s.currentvalue.prefix === 'α = '))"""
DRAWN = f"""() => Array.from(({SCRUB}).querySelectorAll('.subplot.xy .scatterlayer g.trace'))
  .filter(g => g.__data__ && g.__data__[0].trace.legendgroup && g.__data__[0].trace.xaxis === 'x')
  .map(g => {{ const p = g.querySelector('path.js-line'); return p ? p.getAttribute('d') : ''; }})"""
SHOWN = f"""() => Array.from(({SCRUB}).querySelectorAll('.subplot.xy .scatterlayer g.trace'))
  .filter(g => g.__data__ && g.__data__[0].trace.legendgroup && g.__data__[0].trace.xaxis === 'x')
  .filter(g => getComputedStyle(g).opacity !== '0' && g.style.display !== 'none' && g.querySelector('path.js-line')
               && g.querySelector('path.js-line').getTotalLength() > 0).length"""


def test_dragging_alpha_redraws_the_paths_in_the_browser_only(page, app_url):
    page.context.add_init_script(COUNT_SENDS)
    page.goto(f"{app_url}/optimizer-race?tab=Scrub+%CE%B1+and+%CE%B3&surface=ravine")
    page.wait_for_function(f"() => !!({SCRUB})", timeout=90_000)
    page.wait_for_timeout(1000)  # the page's own messages are over
    before_value = page.evaluate(f"() => ({SCRUB}).querySelector('.slider-group text').textContent")
    before = page.evaluate(DRAWN)
    sends = page.evaluate("() => window.sends")
    assert len(before) == 3 and all(before)
    rail = page.evaluate(f"""() => {{ const r = ({SCRUB}).querySelector('.slider-rail-touch-rect');
        r.scrollIntoView({{block: 'center'}}); const b = r.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; }}""")
    left, top, width, height = rail
    page.mouse.move(left + 0.9 * width, top + height / 2)
    page.mouse.down()
    page.mouse.move(left + 0.1 * width, top + height / 2, steps=8)  # a drag across the slider
    page.mouse.up()
    page.wait_for_function(f"(old) => JSON.stringify(({DRAWN})()) !== old", arg=str(before).replace("'", '"'), timeout=5_000)
    after = page.evaluate(DRAWN)
    assert after != before and len(after) == 3
    value = page.evaluate(f"() => ({SCRUB}).querySelector('.slider-group text').textContent")
    assert value.startswith("α = ") and value != before_value
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.sends") == sends, "scrubbing must not talk to the server"
    # one γ at a time: the button hides the other paths, in the browser too
    assert page.evaluate(SHOWN) == 3
    page.locator(".updatemenu-button", has_text="γ = 0.9").click()
    page.wait_for_function(f"() => ({SHOWN})() === 1", timeout=5_000)
    assert page.evaluate("() => window.sends") == sends
    assert_no_exception(page)
