"""A figure kept as the plain dict it was built from, for figures too big for plotly's object model,
and the typed arrays such a dict carries."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go


def typed_array(values) -> dict:
    """A plotly typed-array spec of float32 values: half the bytes of float64, and encoded
    once here rather than on every rerun by ``Figure.to_dict``."""
    a = np.ascontiguousarray(values, dtype=np.float32)
    spec = {"dtype": "f4", "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    return spec | {"shape": ", ".join(map(str, a.shape))} if a.ndim > 1 else spec


class PlainFigure(go.Figure):
    """``{"data": [...], "layout": {...}, "frames": [...]}`` handed to Streamlit as it is.

    Streamlit serialises a go.Figure through ``to_dict()``, which deep-copies and re-encodes every
    trace and frame on every rerun (~7 ms for the animated race map). This figure skips that and
    plotly's validation: build its dict complete, with arrays already encoded, and do not change
    it afterwards. It is a go.Figure only so that Streamlit takes it as one: go.Figure's own
    set-up (~1 ms, mostly the template) is skipped, so read it through ``to_dict()`` only.
    """

    def __init__(self, spec: dict):  # noqa: no super().__init__(): see the class docstring
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return dict(self._spec)

    def to_plotly_json(self) -> dict:
        return self.to_dict()
