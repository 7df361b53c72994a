"""Plain-dict figures: the one way the builders of optiviz/figures make a figure, and the helpers they share.

Every builder assembles plain dicts: traces as dicts with their ``type``, one layout dict (``grid`` gives the axes
of a grid of panels as plotly's make_subplots lays them out, ``cell`` puts a trace in a panel), frames as dicts.
It returns them through one of two wrappers:

- ``unvalidated(data, layout, frames)``, the rule: a go.Figure without plotly's validation, which tests read as
  any go.Figure. It is made only when read so; Streamlit reads ``to_dict()`` alone, which is encoded straight
  from the dicts (go.Figure's set-up and ``to_dict`` deep-copy everything: about a third of a cached rerun of
  the training page);
- ``PlainFigure(spec)``, for a figure too big to encode on every rerun: the animated race map (and the loss
  strip drawn on the same rerun), the scrub map, double descent's figures. Its arrays go in encoded
  (``typed_array``), and it is never a real go.Figure.

Nothing here validates: tests/test_figure_style.py rebuilds each builder's figure with validation, and
tests/test_plain_figure.py pins the plotly and Streamlit internals the two wrappers rely on.
"""

from __future__ import annotations

import base64
import functools
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import plotlyjsShortTypes, to_typed_array_spec

DEFAULT_TEMPLATE = pio.templates[pio.templates.default].to_plotly_json()  # what go.Figure adds; read only


def typed_array(values) -> dict:
    """A plotly typed-array spec of float32 values: half the bytes of float64, and encoded
    once here rather than on every rerun by ``Figure.to_dict``."""
    a = np.ascontiguousarray(values, dtype=np.float32)
    spec = {"dtype": "f4", "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    return spec | {"shape": ", ".join(map(str, a.shape))} if a.ndim > 1 else spec


def typed_prefixes(values, lengths) -> list[dict]:
    """``typed_array(values[:n])`` for each n in ``lengths``, from one encoding of the 1-D ``values``.

    Base64 turns every 3 bytes into 4 characters, so a prefix's encoding is the whole encoding up
    to the prefix's last full 3 bytes, plus its last 1 or 2 bytes encoded alone: an animation's
    frames, each a longer prefix of the same path, cost one encoding instead of one each.
    """
    raw = np.ascontiguousarray(values, dtype=np.float32).ravel().tobytes()
    whole = base64.b64encode(raw).decode("ascii")
    specs = []
    for n in lengths:
        size = 4 * int(n)
        full = size - size % 3
        tail = base64.b64encode(raw[full:size]).decode("ascii")
        specs.append({"dtype": "f4", "bdata": whole[: full // 3 * 4] + tail})
    return specs


class PlainFigure(go.Figure):
    """``{"data": [...], "layout": {...}, "frames": [...]}`` handed to Streamlit as it is.

    Streamlit serialises a go.Figure through ``to_dict()``, which deep-copies and re-encodes every
    trace and frame on every rerun (~7 ms for the animated race map). This figure skips that and
    plotly's validation: build its dict complete, with arrays already encoded, and do not change
    it afterwards. It is a go.Figure only so that Streamlit takes it as one: go.Figure's own
    set-up (~1 ms, mostly the template) is skipped, so read it through ``to_dict()`` only.
    """

    def __init__(self, spec: dict):  # no super().__init__(): see the class docstring
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return dict(self._spec)

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def update_layout(self, **values) -> PlainFigure:
        """Set top-level layout properties (no magic underscores, no validation)."""
        self._spec["layout"] = self._spec.get("layout", {}) | values
        return self

    def layout_value(self, name: str):
        """The top-level layout property ``name`` as built (None when unset), without encoding the figure."""
        return self._spec.get("layout", {}).get(name)


def unvalidated(data: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    """``go.Figure({"data": data, "layout": layout, "frames": frames})`` without plotly's check of every property
    as it is set (about 1 ms a trace): for traces and layouts built and tested here.

    The figure is made only when something reads it as a go.Figure (tests do); a page only hands it to
    Streamlit, which reads ``to_dict()``: that is encoded straight from the dicts, the same dict go.Figure's
    ``to_dict`` gives (tests/test_plain_figure.py), without its two deep copies. Plotly's private
    ``_validate=False`` and its typed-array helpers are used here only, pinned by that test file."""
    return _Deferred(dict(data=data, layout=layout, **({"frames": frames} if frames is not None else {})))


class _Deferred(PlainFigure):
    """A go.Figure made on first use; until then ``to_dict`` and ``update_layout`` work on the spec."""

    def __init__(self, spec: dict):  # no go.Figure set-up yet: see __getattr__
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_made", False)

    def __getattr__(self, name: str):  # only for names not found: go.Figure's own, before it is made
        if self.__dict__.get("_made", True):
            raise AttributeError(name)
        object.__setattr__(self, "_made", True)
        go.Figure.__init__(self, self._spec, _validate=False)
        return getattr(self, name)

    def to_dict(self) -> dict:
        if self._made:
            return go.Figure.to_dict(self)
        spec = self._spec
        layout = _encoded(spec["layout"])
        if "template" not in layout and pio.templates.default:  # as go.Figure adds it (Streamlit sets its own)
            layout["template"] = _template(pio.templates.default)
        frames = _encoded(spec.get("frames") or [])
        data = [trace if "type" in trace else trace | {"type": "scatter"} for trace in _encoded(spec["data"])]
        return {"data": data, "layout": layout} | ({"frames": frames} if frames else {})

    def update_layout(self, dict1=None, overwrite=False, **values):
        if self._made:
            return go.Figure.update_layout(self, dict1, overwrite, **values)
        return PlainFigure.update_layout(self, **(dict1 or {}), **values)

    def layout_value(self, name: str):
        return self.layout[name] if self._made else PlainFigure.layout_value(self, name)


@functools.lru_cache(maxsize=8)
def _template(name: str) -> dict:
    """The layout spec of plotly's template ``name``; read only."""
    return pio.templates[name].to_plotly_json()


_SKIPPED = frozenset(("geojson", "layer", "layers", "range"))  # the keys _plotly_utils.utils.is_skipped_key skips
_PLAIN = frozenset((str, int, float, bool, type(None)))  # what convert_to_base64 leaves as it is
_CONTAINERS = frozenset((dict, list, tuple))


def _encoded(value):
    """A copy of the dicts and lists in ``value`` with their arrays as plotly's typed-array specs: what go.Figure's
    ``to_dict`` does with a deep copy and ``convert_to_base64``, without copying what it leaves unchanged."""
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            kind = type(v)
            if kind in _PLAIN or key in _SKIPPED:
                out[key] = v
            elif kind is np.ndarray:
                out[key] = _typed(v)
            elif kind in _CONTAINERS:
                out[key] = _encoded(v)
            else:
                out[key] = to_typed_array_spec(v) if is_homogeneous_array(v) else _encoded(v)
        return out
    if isinstance(value, (list, tuple)):
        return [_encoded(v) if type(v) in _CONTAINERS else v for v in value]
    return value


def _typed(a: np.ndarray):
    """plotly's ``to_typed_array_spec(a)`` for a numeric array, without its generic conversion (~70 µs an array):
    int64 and uint64 in the smallest type holding their values, then {dtype, bdata[, shape]}."""
    if a.dtype.kind not in "iuf" or a.size == 0:
        return to_typed_array_spec(a)
    if a.dtype in (np.int64, np.uint64):
        low, high = a.min(), a.max()
        kinds = ("int8", "int16", "int32") if a.dtype == np.int64 else ("uint8", "uint16", "uint32")
        a = next((a.astype(k) for k in kinds if np.iinfo(k).min <= low and high <= np.iinfo(k).max), a)
    short = plotlyjsShortTypes.get(str(a.dtype))
    if short is None:
        return to_typed_array_spec(a)
    spec = {"dtype": short, "bdata": base64.b64encode(np.ascontiguousarray(a)).decode("ascii")}
    return spec | {"shape": str(a.shape)[1:-1]} if a.ndim > 1 else spec


def grid(rows: int, cols: int, titles=(), *, column_titles=(), row_titles=(), horizontal_spacing: float | None = None,
         vertical_spacing: float | None = None, column_widths=None, shared_yaxes: bool = False,
         title_size: int = 16) -> dict:
    """The layout of a rows × cols grid of panels, as plotly's ``make_subplots`` lays it out, as a plain dict.

    Panel k = (row − 1)·cols + col (row 1 at the top) has axes ``xaxis{k}``/``yaxis{k}`` ("xaxis", "yaxis" for
    k = 1), each anchored to the other; a trace goes in it with ``**cell(k)``. Column j spans
    [Σ_{i<j} w_i + j·h, … + w_j] with w_j = (W − h·(cols − 1))·c_j/Σc (c: ``column_widths``, equal by default;
    W = 0.98 with row titles, else 1; h: ``horizontal_spacing``, 0.2/cols by default), rows likewise from the top
    (``vertical_spacing``, 0.3/rows). Titles are annotations (font ``title_size``): ``titles`` above each panel,
    ``column_titles`` above the top row, ``row_titles`` at the right, turned 90°. ``shared_yaxes``: the
    panels of a row match the first one's y-axis, whose tick labels are the only ones shown.
    """
    h = 0.2 / cols if horizontal_spacing is None else horizontal_spacing
    v = 0.3 / rows if vertical_spacing is None else vertical_spacing
    full = 0.98 if row_titles else 1.0
    if column_widths is None:  # plotly's arithmetic, to the last bit
        widths = [(full - h * (cols - 1)) / cols] * cols
    else:
        widths = [(full - h * (cols - 1)) * (c / float(sum(column_widths))) for c in column_widths]
    heights = [(1.0 - v * (rows - 1)) / rows] * rows
    x_spans = [(sum(widths[:c]) + c * h, sum(widths[:c]) + c * h + widths[c]) for c in range(cols)]
    y_spans = []
    for r in range(rows):  # r = 0 is the top row
        low = sum(heights[: rows - 1 - r]) + (rows - 1 - r) * v
        y_spans.append(tuple(min(max(y, 0.0), 1.0) if -0.01 < y < 1.01 else y for y in (low, low + heights[r])))
    layout: dict = {}
    for r in range(rows):
        for c in range(cols):
            k = r * cols + c + 1
            (x0, x1), (y0, y1) = x_spans[c], y_spans[r]
            layout[_key("x", k)] = {"domain": [max(0.0, x0), min(1.0, x1)], "anchor": _ref("y", k)}
            layout[_key("y", k)] = {"domain": [max(0.0, y0), min(1.0, y1)], "anchor": _ref("x", k)}
            if shared_yaxes and c > 0:
                layout[_key("y", k)] |= {"matches": _ref("y", r * cols + 1), "showticklabels": False}
    cells = [(x_spans[c], y_spans[r]) for r in range(rows) for c in range(cols)]
    size = title_size
    notes = [_title(text, size, (x0 + x1) / 2.0, y1) for text, ((x0, x1), (_, y1)) in zip(titles, cells) if text]
    notes += [_title(text, size, (x0 + x1) / 2.0, y_spans[0][1])
              for text, (x0, x1) in zip(column_titles, x_spans) if text]
    notes += [_title(text, size, x_spans[-1][1], (y0 + y1) / 2.0, xanchor="left", yanchor="middle", textangle=90)
              for text, (y0, y1) in zip(row_titles, y_spans) if text]
    return layout | ({"annotations": notes} if notes else {})


def _title(text: str, size: int, x: float, y: float, xanchor: str = "center", yanchor: str = "bottom",
           **more) -> dict:
    return dict(y=y, xref="paper", x=x, yref="paper", text=text, showarrow=False, font=dict(size=size),
                xanchor=xanchor, yanchor=yanchor, **more)


def _ref(letter: str, k: int) -> str:
    return letter if k == 1 else f"{letter}{k}"


def _key(letter: str, k: int) -> str:
    return f"{letter}axis" if k == 1 else f"{letter}axis{k}"


def cell(k: int) -> dict:
    """The axes of panel k of a ``grid``, for a trace: ``{"xaxis": "x3", "yaxis": "y3"}``."""
    return {"xaxis": _ref("x", k), "yaxis": _ref("y", k)}


def axis(layout: dict, letter: str, k: int) -> dict:
    """Panel k's x- or y-axis (``letter`` "x" or "y") in a ``grid``'s layout."""
    return layout[_key(letter, k)]


def axes(layout: dict, letter: str) -> list[dict]:
    """Every x- (or y-) axis of a layout, for properties all panels share."""
    return [value for key, value in layout.items() if re.fullmatch(f"{letter}axis[0-9]*", key)]


def even_scale(colours) -> list:
    """``colours`` spread evenly over [0, 1]: a named colour scale as plotly spells it out (plotly.js knows a few
    names only, with other stops), e.g. ``even_scale(plotly.colors.sequential.Viridis)`` for "Viridis"."""
    return [[i / (len(colours) - 1), c] for i, c in enumerate(colours)]


def band(x, low, high, colour: str, name: str, opacity: float = 0.18, **properties) -> dict:
    """The shaded band between ``low`` and ``high`` over ``x`` (e.g. 10–90% of the seeds), a plain scatter trace.

    One closed polygon: along ``high`` and back along ``low``, filled, with no outline and no hover.
    """
    x = np.asarray(x)
    y = np.concatenate([np.asarray(high), np.asarray(low)[::-1]])
    return dict(type="scatter", x=np.concatenate([x, x[::-1]]), y=y, fill="toself", fillcolor=colour, opacity=opacity,
                mode="lines", line=dict(width=0), hoverinfo="skip", name=name, **properties)
