"""A figure for a projector: the same figure with its text large enough to read from the back of a room.

Every font size in the figure (the base font, axis ticks and titles, annotations, legend, colour bars,
sliders, buttons, and those of its frames) grows by ``FONT_SCALE``, to at least ``MIN_FONT`` px; its
pixel sizes (width, height, margins, a colour bar's thickness and pixel length) grow by ``SIZE_SCALE``,
so that fixed margins still hold the larger tick labels. Fractions of the plot (domains, positions)
are kept, and so are locked aspect ratios (``scaleanchor``).

The figure is a plain dict; it is copied where it changes, never changed in place (figures may be
shared by a cache). Arrays and typed-array specs are shared with the original, unchanged.
"""

from __future__ import annotations

from typing import Any

FONT_SCALE = 1.5
SIZE_SCALE = 1.35
MIN_HEIGHT = 480  # px: a figure as wide as the screen is at least this high (one row of histograms)
MIN_FONT = 18  # px: tick labels a class can read on a projected 1920×1080 screen
BASE_FONT = 12  # plotly's default layout.font.size
TITLE_FONT = 14  # Streamlit's theme's axis and figure titles
HIDDEN_FONT = 6  # smaller fonts are labels hidden on purpose (a slider's tick text at size 1): left alone
FONT_KEYS = frozenset({"font", "tickfont", "textfont", "titlefont", "insidetextfont", "outsidetextfont",
                       "grouptitlefont"})
MARGIN_SIDES = ("l", "r", "t", "b", "pad")


def font_size(size: float) -> float:
    """A font size for the projector: ×FONT_SCALE and at least MIN_FONT, unless it is a hidden label's."""
    if size < HIDDEN_FONT:
        return size
    return max(round(size * FONT_SCALE, 1), MIN_FONT)


def pixels(value: float) -> int:
    """A pixel length (width, height, margin) for the projector."""
    return round(value * SIZE_SCALE)


def _font(font: dict) -> dict:
    size = font.get("size")
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        return font | {"size": font_size(size)}
    if isinstance(size, (list, tuple)):  # one size per point
        return font | {"size": [font_size(s) if isinstance(s, (int, float)) else s for s in size]}
    return font


def _walk(node: Any) -> Any:
    """A copy of ``node`` with every font dict scaled and every colour bar's pixel sizes scaled."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in FONT_KEYS and isinstance(value, dict):
                out[key] = _font(value)
            elif key == "template":  # plotly's defaults, overridden below where they matter
                out[key] = value
            elif key == "colorbar" and isinstance(value, dict):
                out[key] = _colorbar(_walk(value))
            elif isinstance(value, (dict, list, tuple)):
                out[key] = _walk(value)
            else:
                out[key] = value
        return out
    if isinstance(node, (list, tuple)) and node and isinstance(node[0], (dict, list, tuple)):
        return [_walk(v) for v in node]
    return node  # numbers, strings, arrays: shared


def _colorbar(bar: dict) -> dict:
    bar = dict(bar)
    if isinstance(bar.get("thickness"), (int, float)) and bar.get("thicknessmode", "pixels") == "pixels":
        bar["thickness"] = pixels(bar["thickness"])
    if isinstance(bar.get("len"), (int, float)) and bar.get("lenmode") == "pixels":
        bar["len"] = pixels(bar["len"])
    return bar


def _axis_names(layout: dict) -> list[str]:
    names = [k for k in layout if k.rstrip("0123456789") in ("xaxis", "yaxis")]
    return names or ["xaxis", "yaxis"]


def enlarged(figure: dict) -> dict:
    """``figure`` (a plotly figure dict) with its text and pixel sizes for a projector; ``figure`` is unchanged."""
    out = _walk(figure)
    layout = out.get("layout", {})
    base = layout.get("font", {}).get("size", BASE_FONT) if isinstance(layout.get("font"), dict) else BASE_FONT
    base = base if isinstance(base, (int, float)) and base >= HIDDEN_FONT else BASE_FONT
    if "size" not in layout.get("font", {}):  # an explicit size was scaled by _walk already
        layout["font"] = layout.get("font", {}) | {"size": font_size(base)}
    tick = layout["font"]["size"]
    for name in _axis_names(layout):  # set here explicitly: a theme's own sizes (Streamlit's) win over the base font
        axis = dict(layout.get(name, {}))
        if "size" not in axis.get("tickfont", {}):
            axis["tickfont"] = axis.get("tickfont", {}) | {"size": tick}
        title = axis.get("title", {})
        title = {"text": title} if isinstance(title, str) else dict(title)
        if "size" not in title.get("font", {}):
            title["font"] = title.get("font", {}) | {"size": font_size(TITLE_FONT)}
        axis["title"] = title
        if axis.get("type") == "log" and "minorloglabels" not in axis:
            axis["minorloglabels"] = "none"  # plotly draws the 2s and 5s between decades at ¾ size: too small
        layout[name] = axis
    for name in ("title", "legend"):
        part = layout.get(name)
        if isinstance(part, dict) and "size" not in part.get("font", {}):
            size = font_size(TITLE_FONT if name == "title" else BASE_FONT)
            layout[name] = part | {"font": part.get("font", {}) | {"size": size}}
    for key in ("width", "height"):
        if isinstance(layout.get(key), (int, float)):
            layout[key] = pixels(layout[key])
    if isinstance(layout.get("height"), (int, float)) and "width" not in layout:  # a strip of small panels grows
        layout["height"] = max(layout["height"], MIN_HEIGHT)
    if isinstance(layout.get("margin"), dict):
        layout["margin"] = {k: pixels(v) if k in MARGIN_SIDES and isinstance(v, (int, float)) else v
                            for k, v in layout["margin"].items()}
    out["layout"] = layout
    return out
