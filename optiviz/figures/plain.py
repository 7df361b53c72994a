"""A figure kept as the plain dict it was built from, for figures too big for plotly's object model,
and the typed arrays such a dict carries."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

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
        specs.append({"dtype": "f4", "bdata": whole[: full // 3 * 4] + base64.b64encode(raw[full:size]).decode("ascii")})
    return specs


def unvalidated(data: list[dict], layout: dict) -> go.Figure:
    """``go.Figure({"data": data, "layout": layout})`` without plotly's check of every property as it is set
    (about 1 ms a trace): for traces and layouts built and tested here. Plotly's private ``_validate=False``,
    used here only; tests/test_plain_figure.py pins that it still builds the same figure."""
    return go.Figure(dict(data=data, layout=layout), _validate=False)


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


class Panels:
    """A grid of panels, as ``make_subplots`` lays them out, built as plain dicts and put in a figure unvalidated.

    Plotly checks every property as it is set (about 1 ms a trace, ~10 ms a subplot layout: more than
    the numbers behind these figures cost); the traces and axes here are built by this module and
    tested, so the figure skips that. Panel (row, col) is number k = (row − 1)·cols + col, on axes
    x{k}, y{k} ("x", "y" for k = 1); row 1 is the top. ``update_xaxes``/``update_yaxes`` take plotly
    axis properties (``title_text`` for the title) for one panel or, without row and col, for all.
    """

    def __init__(self, rows: int, cols: int, subplot_titles=(), horizontal_spacing: float = 0.2 / 3,
                 vertical_spacing: float = 0.3 / 3, shared_yaxes: bool = False):
        self.rows, self.cols = rows, cols
        self.data: list[dict] = []
        self.layout: dict = {"annotations": []}
        width = (1 - horizontal_spacing * (cols - 1)) / cols
        height = (1 - vertical_spacing * (rows - 1)) / rows
        titles = list(subplot_titles)
        for row in range(1, rows + 1):
            for col in range(1, cols + 1):
                k = (row - 1) * cols + col
                x0 = (col - 1) * (width + horizontal_spacing)
                y1 = 1 - (row - 1) * (height + vertical_spacing)
                x_axis = {"anchor": self._ref("y", k), "domain": [max(x0, 0.0), min(x0 + width, 1.0)]}
                y_axis = {"anchor": self._ref("x", k), "domain": [max(y1 - height, 0.0), min(y1, 1.0)]}
                if shared_yaxes and col > 1:
                    y_axis.update(matches=self._ref("y", (row - 1) * cols + 1), showticklabels=False)
                self.layout[self._name("xaxis", k)] = x_axis
                self.layout[self._name("yaxis", k)] = y_axis
                if k <= len(titles) and titles[k - 1]:
                    self.layout["annotations"].append(dict(
                        text=titles[k - 1], x=x0 + width / 2, y=y1, xref="paper", yref="paper", xanchor="center",
                        yanchor="bottom", showarrow=False, font=dict(size=16)))

    @staticmethod
    def _ref(letter: str, k: int) -> str:
        return letter if k == 1 else f"{letter}{k}"

    @staticmethod
    def _name(axis: str, k: int) -> str:
        return axis if k == 1 else f"{axis}{k}"

    def add_trace(self, trace: dict, row: int = 1, col: int = 1) -> None:
        k = (row - 1) * self.cols + col
        self.data.append({**trace, "xaxis": self._ref("x", k), "yaxis": self._ref("y", k)})

    def _update_axes(self, axis: str, row, col, properties: dict) -> None:
        if "title_text" in properties:
            properties = {**properties, "title": {"text": properties.pop("title_text")}}
        ks = ([(row - 1) * self.cols + col] if row is not None else
              [k for k in range(1, self.rows * self.cols + 1)])
        for k in ks:
            self.layout[self._name(axis, k)].update(properties)

    def update_xaxes(self, row=None, col=None, **properties) -> None:
        self._update_axes("xaxis", row, col, properties)

    def update_yaxes(self, row=None, col=None, **properties) -> None:
        self._update_axes("yaxis", row, col, properties)

    def update_annotations(self, font_size: int) -> None:
        for note in self.layout["annotations"]:
            note["font"] = dict(size=font_size)

    def update_layout(self, **properties) -> None:
        self.layout.update(properties)

    def figure(self) -> go.Figure:
        return unvalidated(self.data, self.layout)


def band(x, low, high, colour: str, name: str, opacity: float = 0.18, **properties) -> dict:
    """The shaded band between ``low`` and ``high`` over ``x`` (e.g. 10–90% of the seeds), a plain scatter trace.

    One closed polygon: along ``high`` and back along ``low``, filled, with no outline and no hover.
    """
    x = np.asarray(x)
    y = np.concatenate([np.asarray(high), np.asarray(low)[::-1]])
    return dict(type="scatter", x=np.concatenate([x, x[::-1]]), y=y, fill="toself", fillcolor=colour, opacity=opacity,
                mode="lines", line=dict(width=0), hoverinfo="skip", name=name, **properties)
