"""Pins the two plotly/Streamlit internals the figures rely on (issue 15):

- ``unvalidated`` builds a figure with plotly's private ``_validate=False``: the same figure as plotly's
  validated constructor, and no check (a misspelt property passes through);
- ``unvalidated``'s figure makes its go.Figure only when read as one: ``to_dict`` (all Streamlit reads) is encoded
  from the dicts with plotly's typed-array helpers, and must equal go.Figure's ``to_dict``;
- ``PlainFigure`` is handed to ``st.plotly_chart`` as it is: Streamlit serialises it through its
  ``to_dict()``, so the chart's spec is our dict, without go.Figure's set-up.
"""

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from _plotly_utils.utils import is_skipped_key

from optiviz.figures import plain
from optiviz.figures.plain import PlainFigure, typed_array, unvalidated

DATA = [dict(type="scatter", x=[0.0, 1.0, 2.0], y=[1.0, 0.5, 0.25], mode="lines", name="loss",
             line=dict(color="#1f77b4", width=2))]
LAYOUT = dict(title=dict(text="a loss curve"), xaxis=dict(title=dict(text="epoch")), height=300)


def test_unvalidated_builds_the_validated_figure():
    assert unvalidated(DATA, LAYOUT).to_dict() == go.Figure(dict(data=DATA, layout=LAYOUT)).to_dict()


def test_unvalidated_skips_the_checks_that_plotly_would_make():
    bad = [dict(DATA[0], linee=dict(width=3))]
    with pytest.raises(ValueError):
        go.Figure(dict(data=bad, layout=LAYOUT))
    assert unvalidated(bad, LAYOUT).to_dict()["data"][0]["linee"] == {"width": 3}


def _as_json(spec: dict) -> dict:
    return json.loads(pio.to_json(spec, validate=False))


ARRAYS = [dict(type="heatmap", z=np.arange(12.0).reshape(3, 4), x=np.arange(4), y=np.array([0.5, 1.5, 2.5]),
               customdata=[np.arange(3), "text"], zmin=np.float64(0.0)),
          dict(x=np.linspace(0, 1, 5, dtype=np.float32), y=np.array([1, 2, 3, 200, 70000]), mode="markers",
               customdata=np.array([True, False, True, True, False]), ids=np.array(["a", "b", "c", "d", "e"]),
               text=np.array([], dtype=float), marker=dict(size=np.array([5, 6, 7, 8, 2**40]),
                                                           opacity=np.array([0.5] * 5, dtype=">f8"),
                                                           symbol=np.array([0, 1, 2, 3, 300], dtype=np.uint64))),
          dict(type="bar", x=pd.Series([1.0, 2.0]), y=np.arange(2.0)[::-1], width=np.array([-3, 2, -200000]),
               base=np.arange(6, dtype=np.int64).reshape(2, 3).T)]
LAYOUTS = [LAYOUT, dict(xaxis=dict(range=np.array([0.0, 4.0])), shapes=[dict(type="line", x0=0, x1=1, y0=0, y1=1)],
                        template="plotly_white")]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("template", ["plotly", "plotly_dark", None])
def test_unvalidated_sends_what_go_figure_sends(layout, template):
    frames = [dict(name="1", data=[dict(type="scatter", x=np.arange(2.0), y=np.ones(2))])]
    before = pio.templates.default
    try:
        pio.templates.default = template
        for frames_or_none in (None, frames, []):
            figure = unvalidated(DATA + ARRAYS, layout, frames_or_none)
            sent = figure.to_dict()
            assert not figure._made  # read as Streamlit reads it: no go.Figure made
            made = go.Figure(dict(data=DATA + ARRAYS, layout=layout, frames=frames_or_none), _validate=False)
            assert _as_json(sent) == _as_json(made.to_dict())
    finally:
        pio.templates.default = before


def test_the_keys_left_unencoded_are_plotlys():
    keys = ["range", "layer", "layers", "geojson", "x", "z", "ranges", "rangeslider", "autorange", ""]
    assert [k for k in keys if is_skipped_key(k)] == sorted(plain._SKIPPED, key=keys.index)


def test_unvalidated_is_a_go_figure_once_read_as_one():
    figure = unvalidated(DATA + ARRAYS, LAYOUT).update_layout(uirevision="k", meta={"name": "a chart"})
    assert not figure._made and figure.to_dict()["layout"]["uirevision"] == "k"
    assert isinstance(figure, go.Figure) and figure.layout.meta == {"name": "a chart"} and figure._made
    assert list(figure.data[2].y) == [1, 2, 3, 200, 70000] and figure.data[0].name == "loss"
    figure.update_layout(xaxis=dict(title=dict(text="step")))  # now go.Figure's update: merged, not replaced
    assert figure.to_dict()["layout"]["xaxis"]["title"]["text"] == "step" and figure.layout.height == 300


def _chart_spec(script: str) -> dict:
    at = AppTest.from_string(script, default_timeout=30).run()
    assert not at.exception
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_streamlit_sends_a_plain_figure_as_built():
    spec = _chart_spec(
        "import streamlit as st\n"
        "from optiviz.figures.plain import PlainFigure, typed_array\n"
        "spec = {'data': [{'type': 'scatter', 'x': typed_array([0.0, 1.0, 2.0]), 'y': [3.0, 2.0, 1.0]}],\n"
        "        'layout': {'title': {'text': 'plain'}, 'height': 250}}\n"
        "st.plotly_chart(PlainFigure(spec), key='plain')\n")
    assert spec["layout"]["title"] == {"text": "plain"} and spec["layout"]["height"] == 250
    x = spec["data"][0]["x"]
    assert x["dtype"] == "f4" and x["bdata"] == typed_array(np.array([0.0, 1.0, 2.0]))["bdata"]
    assert spec["data"][0]["y"] == [3.0, 2.0, 1.0]


def test_a_plain_figure_reads_back_its_dict_and_takes_layout_updates():
    figure = PlainFigure({"data": [], "layout": {"height": 200}})
    assert figure.update_layout(width=300).to_dict()["layout"] == {"height": 200, "width": 300}
    assert figure.to_plotly_json() == figure.to_dict()
