"""The marks a figure draws in colour, read from its plotly JSON, and the palette rules checked on them.

What counts as a series: every scatter, scattergl, scatter3d or bar trace that is drawn (not hidden,
not fully transparent) contributes marks:

- a line (mode with "lines", or no mode) of its line colour, styled by its dash;
- markers (mode with "markers", or a bar) of each of its marker colours, styled by the symbol
  (open symbols are drawn in the marker colour) or, for bars, the hatching;

and a mark belongs to the series named by the trace's legend group and name. Where a trace
gives one colour per point (classes, the optimizers' "now" dots), or has no name, each colour is its
own series.
Marks drawn at less than 60% opacity (contour lines under the paths, every step's faint trace, bands)
are context, not series. Heatmaps, contours and surfaces are colour scales, not series.

Two series' marks of the same style (both solid lines, both circles, both bars) must differ by
ΔE ≥ 20 under deuteranopia; marks of the same series may share a colour.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

from optiviz.figures.palette import DARK_BACKGROUND, LIGHT_BACKGROUND, MIN_CONTRAST, MIN_DELTA_E, contrast, delta_e, parse

MARK_TYPES = ("scatter", "scattergl", "scatter3d", "bar")
SHADED = ("heatmap", "contour", "surface", "image")
CONTEXT_OPACITY = 0.6


class Mark(NamedTuple):
    series: str
    colour: str
    style: tuple  # ("line", dash) | ("marker", symbol) | ("bar", pattern)
    outline: str | None  # a marker's outline colour (None for lines and unoutlined markers)
    on_shading: bool  # drawn over a heatmap or contour and kept out of the legend: judged against the shading
    trace: int


def _opacity(colour: str) -> float:
    return parse(colour)[1]


def _axes(trace: dict) -> tuple[str, str]:
    return trace.get("xaxis", "x"), trace.get("yaxis", "y")


def marks(fig: dict) -> list[Mark]:
    """Every coloured mark of a figure (plotly JSON as Streamlit sends it)."""
    data = fig.get("data", [])
    shaded = {_axes(t) for t in data if t.get("type") in SHADED}
    out = []
    for i, t in enumerate(data):
        kind = t.get("type", "scatter")
        if kind not in MARK_TYPES or t.get("visible", True) is not True or t.get("opacity", 1) < CONTEXT_OPACITY:
            continue
        named = " / ".join(str(t[k]) for k in ("legendgroup", "name") if t.get(k))  # unnamed: known by its colour
        on_shading = _axes(t) in shaded and t.get("showlegend") is False
        mode = t.get("mode", "lines")
        line, marker = t.get("line") or {}, t.get("marker") or {}
        if kind != "bar" and "lines" in mode and isinstance(line.get("color"), str) and line.get("width", 2) > 0 \
                and _opacity(line["color"]) >= CONTEXT_OPACITY:
            out.append(Mark(str(named or f"colour {line['color']}"), line["color"], ("line", line.get("dash") or "solid"),
                            None, on_shading, i))
        if kind == "bar" or "markers" in mode:
            if marker.get("opacity", 1) < CONTEXT_OPACITY if not isinstance(marker.get("opacity"), list) else False:
                continue
            colours = marker.get("color")
            outline = (marker.get("line") or {}).get("color") if (marker.get("line") or {}).get("width", 1) else None
            outline = outline if isinstance(outline, str) else None
            symbols = marker.get("symbol", "circle")
            symbols = symbols if isinstance(symbols, list) else [symbols]
            if "-open" in str(symbols[0]) and isinstance(colours, str) is False and outline:
                colours = outline  # an open symbol without a fill colour is drawn in its outline colour
            if isinstance(colours, str):
                group = [(str(named or f"colour {colours}"), colours)]
            elif isinstance(colours, list) and all(isinstance(c, str) for c in colours):
                group = [(f"colour {c}", c) for c in dict.fromkeys(colours)]
            else:
                continue  # numbers on a colour scale, or no colour: not a categorical mark
            style = ("bar", (marker.get("pattern") or {}).get("shape") or "") if kind == "bar" else None
            for name, c in group:
                if _opacity(c) < CONTEXT_OPACITY:
                    continue
                for symbol in dict.fromkeys(symbols):
                    out.append(Mark(name, c, style or ("marker", str(symbol)), outline, on_shading, i))
    return out


def too_close(fig: dict, minimum: float = MIN_DELTA_E) -> list[tuple[float, Mark, Mark]]:
    """Pairs of marks of two series, drawn in the same style, closer than ``minimum`` ΔE under deuteranopia."""
    found, seen = [], set()
    for a, b in itertools.combinations(marks(fig), 2):
        if a.series == b.series or a.style != b.style:
            continue
        pair = (frozenset((a.series, b.series)), a.style)
        if pair in seen:
            continue
        d = delta_e(a.colour, b.colour)
        if d < minimum:
            seen.add(pair)
            found.append((round(d, 1), a, b))
    return found


def reads_on_both(colour: str) -> bool:
    return min(contrast(colour, LIGHT_BACKGROUND), contrast(colour, DARK_BACKGROUND)) >= MIN_CONTRAST


def _reads_on(mark: Mark, background: str) -> bool:
    inks = [mark.colour] + ([mark.outline] if mark.outline and _opacity(mark.outline) == 1 else [])
    return any(contrast(c, background) >= MIN_CONTRAST for c in inks)


def unreadable(fig: dict) -> list[Mark]:
    """Marks on the theme's background that neither their colour nor their outline makes 3:1 against, on the
    light or on the dark theme (a white star outlined dark reads on both: the outline on light, the fill on dark)."""
    return [m for m in marks(fig) if not m.on_shading
            and not (_reads_on(m, LIGHT_BACKGROUND) and _reads_on(m, DARK_BACKGROUND))]


def hard_coded_ink(fig: dict) -> list[str]:
    """Paths of layout text, shapes and backgrounds coloured black, white or near either: ink only one theme reads."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        elif isinstance(node, str) and path.endswith(("color", "bgcolor")) and not path.endswith("fillcolor"):
            try:
                rgb, alpha = parse(node)
            except ValueError:
                return
            if alpha >= CONTEXT_OPACITY and not reads_on_both(node):
                found.append(f"{path} = {node}")

    layout = fig.get("layout", {})
    for key in ("annotations", "shapes", "sliders", "updatemenus", "font", "plot_bgcolor", "paper_bgcolor"):
        if key in layout:
            walk(layout[key], f"layout.{key}")
    for i, t in enumerate(fig.get("data", [])):
        if "textfont" in t:
            walk(t["textfont"], f"data[{i}].textfont")
    return found
