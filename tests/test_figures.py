"""Figure builders: contour lines, the animated race map, and the LaTeX of the update rules."""

import base64

import numpy as np
import pytest

from optiviz.descent import race_paths
from optiviz.figures.isolines import isolines
from optiviz.figures.plain import typed_array, typed_prefixes
from optiviz.figures.race import MAX_FRAMES, learning_rate_sweep, loss_curves, race_map
from optiviz.formulas import number, schedule_rule, update_rule
from optiviz.optimizers import OPTIMIZERS
from optiviz.surfaces import SURFACES


def decode(spec) -> np.ndarray:
    """A plotly typed-array spec (or a plain list) as a NumPy array."""
    if isinstance(spec, dict):
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=spec["dtype"])
    return np.asarray(spec)


def test_typed_array_sends_float32_with_a_shape_beyond_one_dimension():
    flat = typed_array([1.0, 2.5, -3.0])
    assert flat["dtype"] == "f4" and "shape" not in flat
    np.testing.assert_array_equal(decode(flat), np.float32([1.0, 2.5, -3.0]))
    grid = np.arange(6.0).reshape(2, 3).T  # not contiguous: encoded in row-major order all the same
    spec = typed_array(grid)
    assert spec["shape"] == "3, 2"
    np.testing.assert_array_equal(decode(spec).reshape(3, 2), grid)


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.7])
def test_isolines_of_a_bowl_are_circles(radius):
    x = y = np.linspace(-2, 2, 81)
    xx, yy = np.meshgrid(x, y)
    lx, ly = isolines(x, y, xx**2 + yy**2, [radius**2])
    points = np.stack([lx, ly], axis=1)
    points = points[~np.isnan(points[:, 0])]
    r = np.hypot(points[:, 0], points[:, 1])
    assert len(points) > 40
    np.testing.assert_allclose(r, radius, atol=2e-3)  # linear interpolation on a 0.05 grid
    # the segments go all the way round
    angles = np.sort(np.arctan2(points[:, 1], points[:, 0]))
    assert np.max(np.diff(angles)) < 0.2


def test_isolines_separate_segments_with_gaps():
    x = y = np.linspace(-1, 1, 5)
    xx, yy = np.meshgrid(x, y)
    lx, ly = isolines(x, y, xx, [0.1])  # the vertical line x = 0.1
    assert np.isnan(lx[2::3]).all() and len(lx) % 3 == 0
    segments = lx.reshape(-1, 3)[:, :2]
    np.testing.assert_allclose(segments, 0.1)
    assert np.isnan(isolines(x, y, xx, [5.0])[0]).all() or len(isolines(x, y, xx, [5.0])[0]) == 0


@pytest.fixture(scope="module")
def beale_race():
    s = SURFACES["beale"]
    runs = [(name, s.learning_rates[name], {}) for name in ("sgd", "momentum", "rmsprop", "adam")]
    return s, race_paths("beale", runs, s.starts[0][1], 200)


def test_race_map_frames_carry_only_the_paths(beale_race):
    surface, paths = beale_race
    fig = race_map(surface, paths, 200).to_dict()
    names = [t.get("name") for t in fig["data"]]
    assert names[:2] == ["surface", "contours"] and "minimum" in names and "start" in names
    assert len(fig["frames"]) == MAX_FRAMES
    animated = fig["frames"][0]["traces"]
    assert [names[i] for i in animated] == ["SGD", "Momentum", "RMSProp", "Adam", "now"]
    # frame k shows each path up to its step, in full resolution
    for frame in (fig["frames"][0], fig["frames"][10], fig["frames"][-1]):
        step = int(frame["name"])
        sgd = paths[0]
        assert sgd.optimizer == "sgd"
        np.testing.assert_allclose(decode(frame["data"][0]["x"]), sgd.x[: step + 1], rtol=1e-6)
    assert fig["frames"][-1]["name"] == "200" and fig["layout"]["sliders"][0]["active"] == MAX_FRAMES - 1


def test_race_map_heatmap_keeps_its_shape(beale_race):
    surface, paths = beale_race
    heatmap = race_map(surface, paths, 200).to_dict()["data"][0]
    rows, cols = map(int, heatmap["z"]["shape"].split(","))
    assert (rows, cols) == (len(decode(heatmap["y"])), len(decode(heatmap["x"])))


def test_loss_curves_mark_divergence():
    s = SURFACES["ravine"]
    paths = race_paths("ravine", [("sgd", 0.5, {}), ("adam", 0.05, {})], s.starts[0][1], 50)
    assert [p.diverged_at for p in paths] == [3, None]
    fig = loss_curves(paths).to_dict()
    crosses = [t for t in fig["data"] if t.get("mode") == "markers+text"]
    assert len(crosses) == 1 and crosses[0]["x"] == [3]
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_sweep_figure_puts_diverged_runs_in_a_row_above():
    import pandas as pd

    sweep = pd.DataFrame({"optimizer": "sgd", "learning_rate": [0.01, 0.1, 1.0],
                          "final_loss": [1.0, 0.1, np.nan], "diverged_at": [np.nan, np.nan, 4.0]})
    fig = learning_rate_sweep(sweep, {"sgd": 0.1}).to_dict()
    line, crosses = fig["data"]
    assert list(decode(line["x"])) == [0.01, 0.1] and list(decode(crosses["x"])) == [1.0]
    assert decode(crosses["y"])[0] > decode(line["y"]).max()


@pytest.mark.parametrize("value, text", [(0.9, "0.9"), (1e-8, "10^{-8}"), (0.001, "0.001"), (2.5e-5, r"2.5 \times 10^{-5}"), (0, "0")])
def test_number_formatting(value, text):
    assert number(value) == text


def test_update_rules_fill_in_the_values():
    assert update_rule("momentum", {"momentum": 0.5})[1] == r"v_{t+1} = 0.5\, v_t - \alpha_t\, g_t"
    adam = " ".join(update_rule("adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}))
    assert "0.8\\, m_{t-1} + 0.2\\, g_t" in adam and "0.99^t" in adam and "10^{-6}" in adam
    assert all(update_rule(name, {}) for name in OPTIMIZERS)
    assert schedule_rule("inv", 0.1, 0.01) == r"\alpha_t = \frac{0.1}{1 + 0.01\, t}"
    with pytest.raises(ValueError, match="schedule"):
        schedule_rule("cosine", 0.1, 0.01)


def test_typed_prefixes_equal_each_prefix_encoded_alone():
    values = np.random.default_rng(3).normal(size=37)
    lengths = list(range(0, 38)) + [5, 1, 37]
    assert typed_prefixes(values, lengths) == [typed_array(values[:n]) for n in lengths]
