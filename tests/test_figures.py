"""Figure builders: contour lines, the animated race map, and the LaTeX of the update rules."""

import base64
import json

import numpy as np
import pytest

from optiviz.descent import race_paths
from optiviz.figures.isolines import isolines
from optiviz.figures.plain import typed_array, typed_prefixes
from optiviz.figures.race import MAX_FRAMES, learning_rate_sweep, loss_curves, race_map
from optiviz.formulas import number, rules_table, schedule_rule, update_rule
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


def lines_of(lx, ly) -> list[np.ndarray]:
    """The NaN-separated polylines of isolines() as (n, 2) arrays."""
    assert np.isnan(lx[-1]) and np.array_equal(np.isnan(lx), np.isnan(ly))  # every line ends with a NaN
    parts = np.split(np.stack([lx, ly], axis=1), np.flatnonzero(np.isnan(lx)) + 1)
    return [part[:-1] for part in parts if len(part)]


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.7])
def test_isolines_of_a_bowl_are_one_closed_circle(radius):
    x = y = np.linspace(-2, 2, 81)
    xx, yy = np.meshgrid(x, y)
    (circle,) = lines_of(*isolines(x, y, xx**2 + yy**2, [radius**2]))  # the segments joined into one line
    assert len(circle) > 40
    np.testing.assert_array_equal(circle[0], circle[-1])  # closed
    np.testing.assert_allclose(np.hypot(circle[:, 0], circle[:, 1]), radius, atol=2e-3)  # linear interpolation, 0.05 grid
    angles = np.unwrap(np.arctan2(circle[:, 1], circle[:, 0]))
    assert abs(abs(angles[-1] - angles[0]) - 2 * np.pi) < 1e-9  # once round, in order
    assert np.all(np.diff(angles) * np.sign(angles[-1] - angles[0]) >= 0)


def test_isolines_join_segments_and_separate_curves_with_gaps():
    x = y = np.linspace(-1, 1, 5)
    xx, yy = np.meshgrid(x, y)
    (line,) = lines_of(*isolines(x, y, xx, [0.1]))  # the vertical line x = 0.1 crosses 4 cells: one line of 5 points
    np.testing.assert_allclose(line[:, 0], 0.1)
    np.testing.assert_allclose(np.sort(line[:, 1]), y)
    two = lines_of(*isolines(x, y, xx, [-0.3, 0.1]))  # two levels: two lines
    assert sorted(round(float(line[0, 0]), 9) for line in two) == [-0.3, 0.1]
    assert len(isolines(x, y, xx, [5.0])[0]) == 0  # a level the surface never reaches


def test_isolines_saddle_cells_keep_every_crossing():
    """A checkerboard saddle: each cell with four crossings gives two pieces, and no crossing is lost in the join."""
    x = y = np.linspace(0, 3, 4)
    z = np.indices((4, 4)).sum(axis=0) % 2 * 1.0  # 0 1 0 1 / 1 0 1 0 / …: every interior edge crosses 0.5
    lx, ly = isolines(x, y, z, [0.5])
    crossings = {(round(a, 9), round(b, 9)) for a, b in zip(lx, ly) if a == a}
    assert len(crossings) == 24  # 12 horizontal and 12 vertical edges, one crossing each (at its middle)


@pytest.fixture(scope="module")
def beale_race():
    s = SURFACES["beale"]
    runs = [(name, s.learning_rates[name], {}) for name in ("sgd", "momentum", "rmsprop", "adam")]
    return s, race_paths("beale", runs, s.starts[0][1], 200)


def computed_frame(fig: dict, name: str) -> dict[int, dict]:
    """What plotly.js's computeFrame makes of frame ``name``: its chain of base frames merged, later frames winning."""
    frames = {f["name"]: f for f in fig["frames"]}
    chain, frame = [], frames[name]
    while frame is not None and frame not in chain:
        chain.append(frame)
        frame = frames.get(frame.get("baseframe"))
    traces = {}
    for frame in reversed(chain):
        for i, update in zip(frame["traces"], frame["data"]):
            traces[i] = traces.get(i, {}) | update
    return traces


def drawn(fig: dict, traces: dict[int, dict], group: str) -> np.ndarray:
    """The points one optimizer's trail shows: its blocks in order, then its tail, each piece after the first
    sharing its first point with the one before."""
    pieces = [decode(traces[i]["x"]) for i, t in enumerate(fig["data"]) if t.get("legendgroup") == group]
    points = []
    for piece in [*pieces[1:], pieces[0]]:
        if len(piece):
            if points:
                assert piece[0] == points[-1][-1]  # the trail is continuous
                piece = piece[1:]
            points.append(piece)
    return np.concatenate(points)


def test_race_map_frames_carry_only_the_paths(beale_race):
    surface, paths = beale_race
    fig = race_map(surface, paths, 200).to_dict()
    names = [t.get("name") for t in fig["data"]]
    assert names[:2] == ["surface", "contours"] and "minimum" in names and "start" in names
    assert len(fig["frames"]) == MAX_FRAMES
    animated = {i for frame in fig["frames"] for i in frame["traces"]}
    assert {names[i] for i in animated} == {"SGD", "Momentum", "RMSProp", "Adam", "now"}
    assert all(fig["data"][i]["type"] == "scatter" for i in animated)  # the surface is never in a frame
    as_sent = {i: fig["data"][i] for i in animated}
    for frame in fig["frames"]:  # frame k shows each path up to its step, in full resolution
        step, shown = int(frame["name"]), computed_frame(fig, frame["name"])
        assert set(shown) == animated
        for p in paths:
            np.testing.assert_array_equal(drawn(fig, shown, p.optimizer), p.x[: step + 1].astype(np.float32))
        heads = decode(shown[names.index("now")]["x"])
        np.testing.assert_array_equal(heads, [np.float32(p.x[min(step, len(p.x) - 1)]) for p in paths])
    last = computed_frame(fig, "200")  # before Play, the figure shows what the last frame shows
    assert all(decode(last[i]["x"]).tolist() == decode(t["x"]).tolist() for i, t in as_sent.items())
    assert fig["frames"][-1]["name"] == "200" and fig["layout"]["sliders"][0]["active"] == MAX_FRAMES - 1


@pytest.mark.parametrize("steps", [1, 10, 57, 1000])
def test_race_map_frames_at_any_length_and_after_divergence(steps):
    """Any number of steps, and a path that stops early: every frame still shows each path up to its step."""
    s = SURFACES["ravine"]
    paths = race_paths("ravine", [("sgd", 0.5, {}), ("momentum", 0.01, {})], s.starts[0][1], steps)
    fig = race_map(s, paths, steps).to_dict()
    for frame in fig["frames"]:
        shown = computed_frame(fig, frame["name"])
        for p in paths:
            want = p.y[: int(frame["name"]) + 1].astype(np.float32)
            got = [decode(shown[i]["y"]) for i, t in enumerate(fig["data"]) if t.get("legendgroup") == p.optimizer]
            assert sum(max(len(piece) - 1, 0) for piece in got) + 1 == len(want)


def test_race_map_bytes_grow_as_the_steps(beale_race):
    """Frames send each point once (plus a tail of at most BLOCK frames): twice the steps, about twice the bytes."""
    surface = beale_race[0]
    runs = [(name, surface.learning_rates[name], {}) for name in ("sgd", "momentum", "rmsprop", "adam")]
    sizes = [len(json.dumps(race_map(surface, race_paths("beale", runs, surface.starts[0][1], n), n).to_dict()["frames"]))
             for n in (400, 800)]
    assert sizes[1] < 2.1 * sizes[0]


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


def test_rules_table_puts_each_name_in_its_colour_beside_its_lines():
    table = rules_table([("SGD", "#0072B2", ["a_1", "a_2"]), ("Adam", "#D55E00", ["b_1"])])
    assert table.startswith(r"\begin{array}{rl}") and table.endswith(r"\end{array}")
    sgd, adam = table.split(r"\hline")
    assert r"\textcolor{#0072B2}{\bullet\ \textbf{SGD}} & \displaystyle a_1" in sgd and r"& \displaystyle a_2" in sgd
    assert r"\textcolor{#D55E00}{\bullet\ \textbf{Adam}} & \displaystyle b_1" in adam and "SGD" not in adam
