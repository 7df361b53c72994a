"""optiviz.figures.projector: a figure's text and pixel sizes for a projector, on a copy."""

import copy

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optiviz.figures.projector import FONT_SCALE, MIN_FONT, SIZE_SCALE, enlarged, font_size


def spec() -> dict:
    return {
        "data": [{"type": "contour", "z": np.ones((3, 3)), "colorbar": {"thickness": 10, "len": 200, "lenmode": "pixels",
                                                                        "tickfont": {"size": 10}}},
                 {"type": "scatter", "x": [0, 1], "y": [1, 0], "textfont": {"size": [8, 30]}}],
        "layout": {
            "width": 400, "height": 300, "margin": {"l": 60, "r": 20, "t": 30, "b": 40},
            "xaxis": {"tickfont": {"size": 9}, "title": {"text": "w₁"}},
            "yaxis": {"scaleanchor": "x", "scaleratio": 1, "type": "log"},
            "xaxis2": {"title": "steps"},
            "annotations": [{"text": "minimum", "font": {"size": 11}}, {"text": "plain"}],
            "sliders": [{"font": {"size": 1, "color": "rgba(0,0,0,0)"}, "currentvalue": {"font": {"size": 13}}}],
            "updatemenus": [{"font": {"size": 12}}],
            "legend": {"orientation": "h"},
        },
        "frames": [{"name": "1", "layout": {"annotations": [{"font": {"size": 12}}]}}],
    }


def test_every_font_grows_to_at_least_18_px_and_hidden_labels_stay_hidden():
    out = enlarged(spec())
    layout = out["layout"]
    assert layout["font"]["size"] == MIN_FONT  # plotly's default 12 × 1.5
    assert layout["xaxis"]["tickfont"]["size"] == MIN_FONT  # 9 × 1.5 = 13.5, raised to 18
    assert layout["yaxis"]["tickfont"]["size"] >= MIN_FONT and layout["xaxis2"]["tickfont"]["size"] >= MIN_FONT
    assert layout["xaxis"]["title"]["font"]["size"] >= MIN_FONT and layout["xaxis2"]["title"]["text"] == "steps"
    assert layout["annotations"][0]["font"]["size"] == MIN_FONT and "font" not in layout["annotations"][1]
    assert layout["sliders"][0]["font"]["size"] == 1  # a hidden label
    assert layout["sliders"][0]["currentvalue"]["font"]["size"] == 13 * FONT_SCALE
    assert layout["updatemenus"][0]["font"]["size"] == MIN_FONT and layout["legend"]["font"]["size"] >= MIN_FONT
    assert out["frames"][0]["layout"]["annotations"][0]["font"]["size"] == MIN_FONT
    assert out["data"][0]["colorbar"]["tickfont"]["size"] == MIN_FONT
    assert out["data"][1]["textfont"]["size"] == [font_size(8), 45]
    assert layout["yaxis"]["minorloglabels"] == "none"  # plotly draws them at ¾ size


def test_pixel_sizes_grow_together_and_the_aspect_lock_stays():
    out = enlarged(spec())
    layout = out["layout"]
    assert (layout["width"], layout["height"]) == (round(400 * SIZE_SCALE), round(300 * SIZE_SCALE))
    assert layout["margin"] == {k: round(v * SIZE_SCALE) for k, v in spec()["layout"]["margin"].items()}
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["scaleratio"] == 1
    assert out["data"][0]["colorbar"]["thickness"] == round(10 * SIZE_SCALE)
    assert out["data"][0]["colorbar"]["len"] == round(200 * SIZE_SCALE)


def test_the_figure_given_is_not_changed_and_arrays_are_shared():
    original = spec()
    kept = copy.deepcopy(original)
    out = enlarged(original)
    assert original["layout"] == kept["layout"] and original["frames"] == kept["frames"]
    assert original["data"][0]["colorbar"] == kept["data"][0]["colorbar"]
    assert out["data"][0]["z"] is original["data"][0]["z"]  # not copied


def test_a_plotly_figure_goes_through_its_dict():
    fig = make_subplots(1, 2, subplot_titles=("a", "b"))
    fig.add_trace(go.Scatter(x=[1, 2], y=[3, 4]), 1, 1)
    out = go.Figure(enlarged(fig.to_dict()))  # still a valid figure for plotly
    assert out.layout.font.size == MIN_FONT
    assert all(a.font.size >= MIN_FONT for a in out.layout.annotations)  # subplot titles
    assert out.layout.xaxis2.tickfont.size == MIN_FONT
    assert fig.layout.font.size is None  # the original keeps its own
