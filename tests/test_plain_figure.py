"""Pins the two plotly/Streamlit internals the figures rely on (issue 15):

- ``unvalidated`` builds a figure with plotly's private ``_validate=False``: the same figure as plotly's
  validated constructor, and no check (a misspelt property passes through);
- ``PlainFigure`` is handed to ``st.plotly_chart`` as it is: Streamlit serialises it through its
  ``to_dict()``, so the chart's spec is our dict, without go.Figure's set-up.
"""

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

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
