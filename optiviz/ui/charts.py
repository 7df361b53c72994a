"""One way to draw a figure on a page, so that every chart behaves the same.

``show`` is the only place a page calls ``st.plotly_chart``: what every chart needs (the
mode bar without plotly's logo, zoom and legend state kept across reruns, an accessible
name) is added here once.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from optiviz.figures import projector
from optiviz.figures.plain import PlainFigure
from optiviz.ui import lecture_mode

Figure = go.Figure | dict[str, Any]
CONFIG = {"displaylogo": False}


def show(fig: Figure, key: str, *, name: str, where: Any = st, config: dict | None = None, **options) -> None:
    """Draw ``fig`` in ``where`` (a column or container; the page by default).

    ``key`` names the chart in tests and keeps its zoom and legend clicks across reruns
    (``layout.uirevision``); ``name`` is what a screen reader says for it.
    """
    if isinstance(fig, dict):
        fig = PlainFigure(fig)
    if key in lecture_mode.presented():  # lecture mode: larger text and sizes for a projector, on a copy
        fig = PlainFigure(projector.enlarged(fig.to_dict()))
        if isinstance(options.get("width"), int):
            options = options | {"width": projector.pixels(options["width"])}
    revision = fig.layout_value("uirevision") if isinstance(fig, PlainFigure) else fig.layout.uirevision
    fig.update_layout(uirevision=revision or key, meta={"name": name})
    where.plotly_chart(fig, key=key, config=CONFIG | (config or {}), **options)
