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
