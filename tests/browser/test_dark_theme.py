"""The dark theme, as a student whose system prefers it sees the labs: read from what Chromium draws.

With no theme forced in .streamlit/config.toml, Streamlit follows ``prefers-color-scheme``. Each page is
opened at its defaults in the dark scheme, and, from the drawn SVG and computed styles:

- the app is dark (its background's relative luminance under 0.05);
- every chart's plot areas are dark too (no panel left white);
- every series' line, marker and bar in a plot area on the chart's background has a contrast of at least
  3:1 (a marker: its fill or its outline), and so has every legend sample on the legend's background.
  Plot areas shaded by a heatmap, a contour or a picture are left out (their marks sit on the shading);
  marks under 60% opacity are context (tests/palette_marks.py says the same of the figures' data);
- the plotly sliders' labels ("step t = 200", "p = 15"), the updatemenu buttons' text and the in-plot notes
  (annotations: panel titles, "p = n", "L(w*)") read (3:1);
- the race's results table's coloured ● read on the page.

The light theme is checked the same way, so the test also fails if a colour reads on one theme only.
"""

import pytest
from lab import CHARTS, assert_no_exception
from playwright.sync_api import expect

PAGES = ["optimizer-race", "batch-size", "learning-rate", "train-network", "preprocessing", "activations-init",
         "double-descent", "regularization"]
MIN_CONTRAST = 3.0

# Everything the checks need, measured in the page: colours as drawn, parsed and compared in JavaScript.
MEASURE = """() => {
  const parse = s => { const m = (s || '').match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const l = c.rgb.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const opacity = el => { let o = 1; for (let e = el; e && e.tagName !== 'svg'; e = e.parentElement) {
    const s = getComputedStyle(e); o *= Number(s.opacity); } return o; };
  const visible = c => c && c.a >= 0.6;
  const app = parse(getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor);
  const out = {app: lum(app), charts: [], dots: []};
  for (const gd of document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")) {
    const name = (gd._fullLayout.meta && gd._fullLayout.meta.name) || 'a chart';
    let paper = parse(gd.querySelector('.main-svg').style.background);
    if (!visible(paper)) paper = app;
    const chart = {name, panels: [], marks: [], legend: [], labels: []};
    for (const r of gd.querySelectorAll('.bglayer rect.bg, .cartesianlayer rect.bg')) {
      const c = parse(getComputedStyle(r).fill); if (visible(c)) chart.panels.push(lum(c));
    }
    for (const sub of gd.querySelectorAll('.cartesianlayer g.subplot')) {
      const shaded = sub.querySelector('.heatmaplayer .hm, .contourlayer .contour, image');
      if (shaded) continue;
      for (const p of sub.querySelectorAll('.scatterlayer g.trace path.js-line, .scatterlayer g.trace path.point, .barlayer g.trace path')) {
        if (opacity(p) < 0.6) continue;
        const s = getComputedStyle(p);
        const inks = [];
        if (p.classList.contains('js-line')) { if (parseFloat(s.strokeWidth) > 0) inks.push(parse(s.stroke)); }
        else { inks.push(parse(s.fill)); if (parseFloat(s.strokeWidth) > 0) inks.push(parse(s.stroke)); }
        const drawn = inks.filter(visible);
        if (!drawn.length) continue;
        const best = Math.max(...drawn.map(c => ratio(c, paper)));
        chart.marks.push({best, inks: drawn.map(c => c.rgb.join(',')), trace: p.closest('g.trace').__data__?.[0]?.trace?.name});
      }
    }
    const legendBg = parse(getComputedStyle(gd.querySelector('g.legend rect.bg') || gd).fill);
    const behind = visible(legendBg) ? legendBg : paper;
    for (const item of gd.querySelectorAll('g.legend g.traces')) {
      if (opacity(item) < 0.6) continue;
      for (const p of item.querySelectorAll('g.legendpoints path')) {
        if (opacity(p) < 0.6) continue;
        const s = getComputedStyle(p);
        const drawn = [parseFloat(s.strokeWidth) > 0 ? parse(s.stroke) : null, parse(s.fill)].filter(visible);
        if (!drawn.length) continue;
        chart.legend.push({best: Math.max(...drawn.map(c => ratio(c, behind))), text: item.textContent});
      }
    }
    for (const t of gd.querySelectorAll('g.slider-container text, .updatemenu-button text, .infolayer g.annotation text')) {
      const s = getComputedStyle(t);
      if (Number(s.fillOpacity) === 0 || parseFloat(s.fontSize) <= 2 || !t.textContent.trim()) continue;
      const button = t.closest('.updatemenu-button');
      let under = button ? parse(getComputedStyle(button.querySelector('rect')).fill) : paper;
      if (!visible(under)) under = paper;
      chart.labels.push({ratio: ratio(parse(s.fill), under), text: t.textContent});
    }
    out.charts.push(chart);
  }
  for (const s of document.querySelectorAll('[data-testid="stMarkdownContainer"] span')) {
    if (s.textContent.trim() === '●') out.dots.push(ratio(parse(getComputedStyle(s).color), app));
  }
  return out;
}"""


def _open(browser, app_url, scheme, path):
    context = browser.new_context(viewport={"width": 1280, "height": 2400}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{app_url}/{path}")
    expect(page.locator(CHARTS).first).to_be_visible(timeout=90_000)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=90_000)  # the run is over
    page.wait_for_function("""() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")]
                                     .every(gd => gd._fullLayout && gd.querySelector('.main-svg'))""", timeout=60_000)
    assert_no_exception(page)
    return context, page


def _failures(measured: dict, scheme: str) -> list[str]:
    found = []
    for chart in measured["charts"]:
        where = f"{scheme}: {chart['name']}"
        if scheme == "dark":
            found += [f"{where}: a plot area of luminance {p:.2f}" for p in chart["panels"] if p > 0.1]
        found += [f"{where}: {m['trace']} drawn in {m['inks']} at {m['best']:.2f}:1" for m in chart["marks"]
                  if m["best"] < MIN_CONTRAST]
        found += [f"{where}: legend '{m['text']}' at {m['best']:.2f}:1" for m in chart["legend"] if m["best"] < MIN_CONTRAST]
        found += [f"{where}: label '{m['text']}' at {m['ratio']:.2f}:1" for m in chart["labels"] if m["ratio"] < MIN_CONTRAST]
    found += [f"{scheme}: a coloured ● at {d:.2f}:1" for d in measured["dots"] if d < MIN_CONTRAST]
    return found


@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("path", PAGES)
def test_every_mark_reads(browser, app_url, scheme, path):
    context, page = _open(browser, app_url, scheme, path)
    try:
        measured = page.evaluate(MEASURE)
    finally:
        context.close()
    assert (measured["app"] < 0.05) == (scheme == "dark"), f"the app is not {scheme}: luminance {measured['app']:.2f}"
    assert sum(len(c["marks"]) + len(c["legend"]) for c in measured["charts"]) > 0, "no mark measured"
    if path in ("optimizer-race", "double-descent"):
        assert any(c["labels"] for c in measured["charts"]), "no slider label measured"
    if path == "optimizer-race":
        assert len(measured["dots"]) >= 4, "the results table's coloured dots"
    failures = _failures(measured, scheme)
    assert not failures, "\n".join(failures)
