"""Accessibility in a real browser, on every page at its defaults.

- Every interactive control (Streamlit's inputs, sliders, buttons, tabs, selects and links, and plotly's
  ▶ Play / ❚❚ Pause and step sliders that optiviz/ui/keyboard.js exposes) has a non-empty accessible name,
  unique on its page, as Chromium computes it (its accessibility tree, over the DevTools protocol).
- Tab reaches ▶ Play on the race and on double descent; Enter starts it (the drawn figure moves); ←/→ and
  Home/End on a focused plotly slider change the drawn figure.
- Every visible text (HTML and the charts' SVG) reads at WCAG AA against what is drawn behind it:
  4.5:1, 3:1 for large text (24 px, or 18.66 px bold) and for symbols alone; computed from the browser's
  computed colours and opacities, not from the figures' data. In the dark theme too, when the app's
  config lets the student choose it.
"""

import tomllib
from collections import Counter
from pathlib import Path

import pytest
from lab import CHARTS, DRAWN_LENGTH

PAGES = ["", "lecture-figures", "optimizer-race", "batch-size", "learning-rate", "train-network", "preprocessing",
         "activations-init", "double-descent", "regularization"]
CONTROL_ROLES = {"button", "link", "slider", "spinbutton", "textbox", "searchbox", "combobox", "listbox", "checkbox",
                 "switch", "radio", "tab", "menuitem", "menuitemcheckbox", "menuitemradio"}
CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
# The page has finished its run and drawn every chart, and keyboard.js has named them.
READY = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector("[data-testid='stMain'] h1") || document.querySelector("[data-testid='stSkeleton']")) return false;
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  return charts.every(c => { const gd = c.querySelector('.js-plotly-plot');
    return gd && gd._fullLayout && gd.querySelector('.main-svg') && gd.getAttribute('role') === 'figure'; });
}"""
# Every visible text node, with its colour as drawn and the colour behind it (see the module docstring).
CONTRAST = r"""() => {
  const rgba = (c) => { const m = c && c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const inside = (e, x, y) => { const b = e.getBoundingClientRect(); return x >= b.left && x <= b.right && y >= b.top && y <= b.bottom; };
  // The backgrounds of the ancestors that cover (x, y), composited onto white. Below a scrolling box
  // (Streamlit's main area) the ancestors' boxes are the viewport's, so they count wherever the text is.
  const behind = (el, x, y) => {
    const layers = [];
    let scrolled = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e), bg = rgba(cs.backgroundColor);
      if (bg && bg[3] > 0 && (scrolled || inside(e, x, y))) { layers.push(bg); if (bg[3] >= 1) break; }
      if (/auto|scroll/.test(cs.overflowY + cs.overflowX)) scrolled = true;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const opacity = (el) => { let o = 1; for (let e = el; e && e.nodeType === 1; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; };
  const behindSvg = (el, x, y) => {  // the chart's paper, then its plot areas, legend, button and annotation boxes
    const gd = el.closest('.js-plotly-plot');
    if (!gd) return behind(el.ownerSVGElement || el, x, y);
    let under = behind(gd, x, y);
    for (const svg of gd.querySelectorAll('svg.main-svg')) {
      const paper = rgba(getComputedStyle(svg).backgroundColor);
      if (paper && paper[3] > 0) under = over(paper, under);
    }
    for (const r of gd.querySelectorAll('rect.bg, rect.updatemenu-item-rect, g.annotation rect, g.legend rect.bg')) {
      if (!inside(r, x, y) || r.contains(el)) continue;
      const fill = rgba(getComputedStyle(r).fill), cs = getComputedStyle(r);
      if (fill && cs.visibility !== 'hidden' && cs.display !== 'none')
        under = over([fill[0], fill[1], fill[2], fill[3] * Number(cs.fillOpacity) * opacity(r)], under);
    }
    return under;
  };
  const clipped = (el) => {  // inside a box clipped to (almost) nothing, the usual visually-hidden pattern
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e), b = e.getBoundingClientRect();
      if ((cs.clip !== 'auto' && cs.position === 'absolute') || (cs.overflow !== 'visible' && (b.width <= 1 || b.height <= 1)))
        return true;
    }
    return false;
  };
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const words = n.textContent.trim(), el = n.parentElement;
    if (!words || !el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TITLE'].includes(el.tagName)) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    const box = range.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || clipped(el)) continue;  // visually hidden (KaTeX's MathML copy)
    const cs = getComputedStyle(el);
    if (/Material Symbols|Material Icons/.test(cs.fontFamily)) continue;  // icon ligatures, not text
    const widget = el.closest("[data-testid='stElementContainer']");
    if (widget && widget.querySelector('input:disabled, button:disabled, [aria-disabled="true"]')) continue;  // inactive
    const svg = el instanceof SVGElement, fg = rgba(svg ? cs.fill : cs.color);
    if (!fg) continue;
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const alpha = fg[3] * (svg ? Number(cs.fillOpacity) : 1) * opacity(el);
    if (alpha === 0) continue;  // drawn transparent on purpose (plotly's hidden slider tick labels)
    const under = svg ? behindSvg(el, x, y) : behind(el, x, y);
    const shown = over([fg[0], fg[1], fg[2], alpha], under);
    const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
    const need = size >= 24 || (size >= 18.66 && bold) || !/[\p{L}\p{N}]/u.test(words) ? 3 : 4.5;
    out.push({text: words.slice(0, 50), ratio: Math.round(ratio(shown, under) * 100) / 100, need, svg,
      colour: svg ? cs.fill : cs.color, where: (el.closest('[data-testid]') || {dataset: {}}).dataset.testid || el.tagName});
  }
  return out;
}"""
PLAYER = """(index) => document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[index]"""
# What a chart DRAWS: its lines' geometry, its markers' positions and its texts (the slider's label aside).
CHANGED = """([index, before]) => (%s)(index) !== before"""  # the chart draws something else now
DRAWN = """(index) => {
  const gd = document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[index];
  const parts = [...gd.querySelectorAll('.cartesianlayer path, .cartesianlayer .point, .cartesianlayer text')]
    .map(e => e.getAttribute('d') || e.getAttribute('transform') || e.textContent);
  return parts.join('|');
}"""
CHANGED = CHANGED % DRAWN
SLIDER_VALUE = """(index) => Number(document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")[index]
  .querySelector("g.slider-container[role='slider']").getAttribute('aria-valuenow'))"""


def dark_theme_allowed() -> bool:
    """False while .streamlit/config.toml forces a theme base (the student's choice is then ignored)."""
    theme = tomllib.loads(CONFIG.read_text()).get("theme", {})
    return "base" not in theme


THEMES = ["light", pytest.param("dark", marks=pytest.mark.skipif(not dark_theme_allowed(),
                                                                   reason=".streamlit/config.toml forces a theme"))]


@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context per colour scheme, shared by this module's tests (one page each)."""
    made = {}

    def get(scheme: str):
        if scheme not in made:
            context = browser.new_context(viewport={"width": 1280, "height": 720}, color_scheme=scheme)
            made[scheme] = (context, context.new_page())
        return made[scheme]

    yield get
    for context, _ in made.values():
        context.close()


def open_ready(pg, app_url: str, path: str) -> None:
    pg.goto(f"{app_url}/{path}")
    pg.wait_for_function(READY, timeout=120_000)
    pg.wait_for_timeout(300)  # keyboard.js names what plotly drew in its next animation frame


def controls(pg) -> list[tuple[str, str]]:
    """(role, accessible name) of every interactive node in Chromium's accessibility tree."""
    cdp = pg.context.new_cdp_session(pg)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [(n["role"]["value"], n.get("name", {}).get("value", "").strip()) for n in nodes
            if not n.get("ignored") and n.get("role", {}).get("value") in CONTROL_ROLES]


@pytest.mark.parametrize("path", PAGES)
def test_every_control_has_a_unique_name(contexts, app_url, path):
    _, pg = contexts("light")
    open_ready(pg, app_url, path)
    found = controls(pg)
    assert len(found) > 10, found  # the sidebar's links alone are 10
    assert not [role for role, name in found if not name], found
    repeated = {name: n for name, n in Counter(name for _, name in found).items() if n > 1}
    assert not repeated, repeated
    players = pg.locator(f"{CHARTS} g.updatemenu-button").count()
    assert sum(role == "button" and name.startswith(("Play", "Pause")) for role, name in found) == players
    sliders = pg.locator(f"{CHARTS} g.slider-container").count()
    assert sum(role == "slider" for role, _ in found) >= sliders


@pytest.mark.parametrize("path, chart", [("optimizer-race", 0), ("double-descent", 2)])
def test_tab_reaches_play_and_enter_starts_it(contexts, app_url, path, chart):
    _, pg = contexts("light")
    open_ready(pg, app_url, path)
    pg.locator("body").focus()
    for _ in range(200):
        pg.keyboard.press("Tab")
        if pg.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Play":
            break
    else:
        pytest.fail("Tab never reached ▶ Play")
    assert pg.evaluate(f"() => ({PLAYER})({chart}).contains(document.activeElement)")
    assert pg.evaluate("() => document.activeElement.matches(':focus-visible')")
    before = pg.evaluate(DRAWN, chart)
    length = pg.evaluate(DRAWN_LENGTH) if path == "optimizer-race" else None
    pg.keyboard.press("Enter")
    pg.wait_for_function(CHANGED, arg=[chart, before], timeout=10_000)  # a frame was drawn
    first = pg.evaluate(SLIDER_VALUE, chart)
    pg.wait_for_function(f"() => ({SLIDER_VALUE})({chart}) > {first}", timeout=10_000)  # and the next ones
    if length is not None:  # the race restarts from step 0, then its drawn paths grow
        short = pg.evaluate(DRAWN_LENGTH)
        assert short < length
        pg.wait_for_function(f"() => ({DRAWN_LENGTH})() > {short} + 50", timeout=10_000)
    pg.keyboard.press("Tab")  # on to ❚❚ Pause, which stops it
    assert pg.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Pause"
    pg.keyboard.press(" ")
    pg.wait_for_timeout(300)
    paused = pg.evaluate(SLIDER_VALUE, chart)
    pg.wait_for_timeout(600)
    assert pg.evaluate(SLIDER_VALUE, chart) == paused


@pytest.mark.parametrize("path, chart", [("optimizer-race", 0), ("double-descent", 2)])
def test_arrow_keys_move_a_plotly_slider(contexts, app_url, path, chart):
    _, pg = contexts("light")
    open_ready(pg, app_url, path)
    slider = pg.locator(CHARTS).nth(chart).locator("g.slider-container[role='slider']")
    slider.focus()
    last = int(slider.get_attribute("aria-valuemax"))
    steps = [("Home", 0), ("ArrowRight", 1), ("ArrowRight", 2), ("End", last), ("ArrowLeft", last - 1)]
    drawn = pg.evaluate(DRAWN, chart)
    for key, value in steps:
        pg.keyboard.press(key)
        pg.wait_for_function(f"() => ({SLIDER_VALUE})({chart}) === {value}", timeout=10_000)
        pg.wait_for_function(CHANGED, arg=[chart, drawn], timeout=10_000)  # the figure changed
        drawn = pg.evaluate(DRAWN, chart)
        label = slider.get_attribute("aria-valuetext")
        shown = pg.locator(CHARTS).nth(chart).locator(".slider-group > text.slider-label")  # plotly's currentvalue
        step = pg.evaluate("([i, v]) => { const gd = document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\")[i];"
                           " return String(gd._fullLayout.sliders[0].steps[v].label); }", [chart, value])
        assert label == (shown.text_content() if shown.count() else label) and label.endswith(step), (label, step)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", PAGES)
def test_text_contrast(contexts, app_url, path, theme):
    _, pg = contexts(theme)
    open_ready(pg, app_url, path)
    if theme == "dark":  # the theme really is dark, so that the test is not the light one twice
        background = pg.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
        assert sum(int(v) for v in background[4:-1].split(",")[:3]) < 200, background
    texts = pg.evaluate(CONTRAST)
    assert len(texts) > 20
    faint = [t for t in texts if t["ratio"] < t["need"]]
    assert not faint, faint[:20]
