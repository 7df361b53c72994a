"""Figure builders: contour lines, the animated race map, and the LaTeX of the update rules."""

import base64
import io
import json

import numpy as np
import pytest

from optiviz.core.descent import race_paths
from optiviz.figures.isolines import isolines
from optiviz.figures.plain import typed_array, typed_prefixes
from optiviz.figures.palette import SURFACE_COLOURSCALE, shade
from optiviz.figures.png import png_data_uri
from optiviz.figures.optimizer_race import MAX_FRAMES, learning_rate_sweep, loss_curves, race_map, surface_layers
from optiviz.core.formulas import number, rules_table, schedule_rule, update_rule
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.surfaces import SURFACES


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


def lines_of(lx, ly, levels) -> list[np.ndarray]:
    """The NaN-separated polylines of isolines() as (n, 2) arrays; each point's level is its line's."""
    gaps = np.isnan(lx)
    assert gaps[-1] and np.array_equal(gaps, np.isnan(ly)) and np.array_equal(gaps, np.isnan(levels))  # every line ends with NaN
    parts = np.split(np.stack([lx, ly], axis=1), np.flatnonzero(gaps) + 1)
    for level in np.split(levels, np.flatnonzero(gaps) + 1):
        assert len(set(level[:-1].tolist())) <= 1  # one level per line
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
    lx, ly, levels = isolines(x, y, xx, [-0.3, 0.1])
    two = lines_of(lx, ly, levels)  # two levels: two lines, each point knowing its level
    assert sorted(round(float(line[0, 0]), 9) for line in two) == [-0.3, 0.1]
    np.testing.assert_allclose(lx[~np.isnan(lx)], levels[~np.isnan(lx)])  # here the level is x itself
    assert len(isolines(x, y, xx, [5.0])[0]) == 0  # a level the surface never reaches


def test_isolines_saddle_cells_keep_every_crossing():
    """A checkerboard saddle: each cell with four crossings gives two pieces, and no crossing is lost in the join."""
    x = y = np.linspace(0, 3, 4)
    z = np.indices((4, 4)).sum(axis=0) % 2 * 1.0  # 0 1 0 1 / 1 0 1 0 / …: every interior edge crosses 0.5
    lx, ly, _ = isolines(x, y, z, [0.5])
    crossings = {(round(a, 9), round(b, 9)) for a, b in zip(lx, ly) if a == a}
    assert len(crossings) == 24  # 12 horizontal and 12 vertical edges, one crossing each (at its middle)


def edge_crossings(x, y, z, c) -> np.ndarray:
    """Every grid edge whose ends straddle c, crossed at p = pa + t (pb − pa), t = (c − za)/(zb − za)."""
    xx, yy = np.meshgrid(x, y)
    found = []
    for a, b in (((slice(None), slice(None, -1)), (slice(None), slice(1, None))),  # along x
                 ((slice(None, -1), slice(None)), (slice(1, None), slice(None)))):  # along y
        za, zb = z[a], z[b]
        cross = (za > c) != (zb > c)
        t = (c - za[cross]) / (zb[cross] - za[cross])
        found.append(np.stack([xx[a][cross] + t * (xx[b][cross] - xx[a][cross]),
                               yy[a][cross] + t * (yy[b][cross] - yy[a][cross])], axis=1))
    return np.concatenate(found)


def test_isolines_vertices_are_the_edge_crossings_of_their_level():
    """On an uneven grid and a bumpy surface: each vertex is where its level crosses a grid edge (to 1e-9), every
    crossing edge gives a vertex, and closed rings end on their first point."""
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.uniform(0.05, 0.2, 37))
    y = np.cumsum(rng.uniform(0.05, 0.2, 29))
    xx, yy = np.meshgrid(x, y)
    z = np.sin(3 * xx) * np.cos(2 * yy) + 0.3 * rng.standard_normal(xx.shape)
    levels = [-0.7, 0.0, 0.45]
    lines = lines_of(*isolines(x, y, z, levels))
    lx, ly, at = isolines(x, y, z, levels)
    for c in levels:
        vertices = np.stack([lx[at == c], ly[at == c]], axis=1)
        expected = edge_crossings(x, y, z, c)
        assert len(np.unique(np.round(vertices, 9), axis=0)) == len(expected) > 20
        gap = np.abs(vertices[:, None, :] - expected[None, :, :]).max(axis=2)  # vertex × crossing distances
        assert gap.min(axis=1).max() < 1e-9 and gap.min(axis=0).max() < 1e-9  # each on a crossing, each crossing drawn
    def on_border(p):
        return bool(np.isclose(p[0], x[[0, -1]], rtol=0, atol=1e-12).any()
                    or np.isclose(p[1], y[[0, -1]], rtol=0, atol=1e-12).any())

    closed = [np.array_equal(line[0], line[-1]) for line in lines]
    assert any(closed) and not all(closed)
    for shut, line in zip(closed, lines):  # a curve that does not close ends at the border, both ends
        assert shut or (on_border(line[0]) and on_border(line[-1]))


def test_isolines_leave_out_the_cells_around_a_missing_value():
    x = y = np.linspace(-1, 1, 41)  # steps of 0.05
    xx, yy = np.meshgrid(x, y)
    z = xx**2 + yy**2
    z[20, 30] = np.nan  # the corner (0.5, 0) on the circle of radius 0.5
    (arc,) = lines_of(*isolines(x, y, z, [0.25]))
    assert not np.array_equal(arc[0], arc[-1])  # the circle, broken open at the hole
    near = (np.abs(arc[:, 0] - 0.5) < 0.05 - 1e-12) & (np.abs(arc[:, 1]) < 0.05 - 1e-12)
    assert not near.any()  # nothing drawn in the four cells that share the missing corner
    np.testing.assert_allclose(np.hypot(arc[:, 0], arc[:, 1]), 0.5, atol=2e-3)


def test_isolines_of_the_preprocessing_default_keep_the_marching_squares_count():
    """The preprocessing page's default loss panels: 1,919 vertices in 51 lines, as the hand-written marching
    squares drew them before contourpy replaced it (and each vertex on a crossing of its level)."""
    from optiviz.labs import preprocessing as lab
    from optiviz.figures import preprocessing as figs

    data = dict(model="linear", samples=200, seed=0, centre=(1.0, 4.0), correlation=0.6, scale=2.0)
    run = dict(optimizer="sgd", steps=100, start=(-2.0, 2.0))
    rates = tuple(lab.best_rates(lab.rate_sweep(**data, **run))["learning rate"])
    c = lab.compare_preprocessings(**data, **run, learning_rate=rates)
    vertices = lines = 0
    for k, (w1, w2, Z) in enumerate(c.grids):
        levels = figs._levels(float(c.trajectories.loss[0, k] - c.loss_min[k]))
        z = np.clip(np.log10(np.maximum(Z - c.loss_min[k], figs.FLOOR)), levels[0], levels[-1])
        lx, ly, at = isolines(w1, w2, z, levels)
        vertices += int(np.sum(~np.isnan(lx)))
        lines += len(lines_of(lx, ly, at))
        for level in levels[1:-1]:  # the end levels touch the clipped plateaus, where crossings sit on grid corners
            expected = edge_crossings(w1, w2, z, level)
            got = np.stack([lx[at == level], ly[at == level]], axis=1)
            assert len(got) >= len(expected)
            if len(expected):
                assert np.abs(got[:, None] - expected[None]).max(axis=2).min(axis=0).max() < 1e-9
    assert (vertices, lines) == (1919, 51)


def picture(uri: str) -> np.ndarray:
    """A PNG data URI decoded by Pillow (Streamlit's own dependency), as (H, W, 3) bytes."""
    from PIL import Image

    assert uri.startswith("data:image/png;base64,")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
        assert image.mode == "RGB"
        return np.asarray(image)


def test_png_data_uri_round_trips_through_pillow():
    rng = np.random.default_rng(1)
    for rgb in (rng.integers(0, 256, (7, 5, 3), dtype=np.uint8), np.zeros((1, 1, 3), np.uint8),
                np.full((40, 60, 3), 255, np.uint8)):
        np.testing.assert_array_equal(picture(png_data_uri(rgb)), rgb)
    with pytest.raises(ValueError, match="uint8"):
        png_data_uri(np.zeros((4, 4, 3)))


def test_png_data_uri_keeps_every_pixel_of_a_race_map_picture():
    """Lossless: the shaded Rosenbrock picture, and a strided (non-contiguous) view of it, decode to the input."""
    surface = SURFACES["rosenbrock"]
    (x0, x1), (y0, y1) = surface.bounds
    t = (np.arange(96) + 0.5) / 96
    xx, yy = np.meshgrid(x0 + t * (x1 - x0), y1 - t * (y1 - y0))
    z = np.log10(surface.value(np.stack([xx, yy], axis=-1)) + 1e-3)
    rgb = shade((z - z.min()) / (z.max() - z.min()))
    assert rgb.dtype == np.uint8 and len(np.unique(rgb.reshape(-1, 3), axis=0)) > 100
    for view in (rgb, rgb[::3, ::-2]):
        np.testing.assert_array_equal(picture(png_data_uri(view)), view)


def test_shade_is_linear_between_the_colourscale_stops():
    first, second = SURFACE_COLOURSCALE[0], SURFACE_COLOURSCALE[1]
    rgb = lambda c: [int(c[i : i + 2], 16) for i in (1, 3, 5)]  # noqa: E731
    np.testing.assert_array_equal(shade([first[0], second[0]]), [rgb(first[1]), rgb(second[1])])
    middle = shade((first[0] + second[0]) / 2)
    np.testing.assert_allclose(middle, (np.array(rgb(first[1])) + rgb(second[1])) / 2, atol=0.5)
    np.testing.assert_array_equal(shade([-1.0, 2.0]), [rgb(first[1]), rgb(SURFACE_COLOURSCALE[-1][1])])  # clipped


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_race_background_picture_covers_the_view_and_lines_tell_their_loss(name):
    s = SURFACES[name]
    image, (lines, colours) = surface_layers(s, pixels=40)
    (x0, x1), (y0, y1) = s.bounds
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (x0, y1, x1 - x0, y1 - y0)
    shaded = picture(image["source"])
    assert shaded.shape == (40, 40, 3)
    centres = (np.arange(40) + 0.5) / 40  # pixel centres, top row first
    xx, yy = np.meshgrid(x0 + centres * (x1 - x0), y1 - centres * (y1 - y0))
    brightness = shaded.astype(int).sum(axis=2).ravel()[np.argsort(s.value(np.stack([xx, yy], axis=-1)).ravel())]
    assert np.all(np.diff(brightness) <= 3)  # the lower the loss, the lighter (but for rounding each channel)
    assert brightness[0] - brightness[-1] > 100
    x, y, loss = decode(lines["x"]), decode(lines["y"]), decode(lines["customdata"])
    on = ~np.isnan(x)
    levels = s.levels(18)
    np.testing.assert_allclose(np.unique(loss[on]), levels.astype(np.float32), rtol=1e-6)  # each line its own level
    lift = np.log10 if s.log_levels else (lambda v: v)
    off = np.abs(lift(s.value(np.stack([x[on], y[on]], axis=1))) - lift(loss[on].astype(float)))
    assert np.median(off) < 0.02 * np.diff(lift(levels)).min()  # on its level, but for the grid's interpolation
    marker = colours["marker"]
    assert marker["showscale"] and marker["opacity"] == 0 and marker["colorscale"] == SURFACE_COLOURSCALE


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
    """The points (x, y) one optimizer's trail shows: its blocks in order, then its tail, each piece after the
    first sharing its first point with the one before; a piece not yet reached is the start point, twice."""
    pieces = [np.stack([decode(traces[i]["x"]), decode(traces[i]["y"])], axis=1)
              for i, t in enumerate(fig["data"]) if t.get("legendgroup") == group and t.get("xaxis", "x") == "x"]
    points = [pieces[1][:1] if len(pieces) > 1 else pieces[0][:1]]
    for piece in [*pieces[1:], pieces[0]]:
        assert len(piece) >= 2  # an empty or one-point trace leaves its old line drawn (GUIDE)
        if (piece == piece[0]).all():
            continue  # drawn with length 0
        assert (piece[0] == points[-1][-1]).all()  # the trail is continuous
        points.append(piece[1:])
    return np.concatenate(points)


def without_repeats(points: np.ndarray) -> np.ndarray:
    """The points with each run of equal consecutive points kept once: the same line."""
    keep = np.ones(len(points), bool)
    keep[1:] = (np.diff(points, axis=0) != 0).any(axis=1)
    return points[keep]


def test_race_map_frames_carry_only_the_paths(beale_race):
    surface, paths = beale_race
    fig = race_map(surface, paths, 200).to_dict()
    names = [t.get("name") for t in fig["data"]]
    assert names[:2] == ["contours", "loss colours"] and "minimum" in names and "start" in names
    assert len(fig["frames"]) == MAX_FRAMES
    animated = {i for frame in fig["frames"] for i in frame["traces"]}
    assert {names[i] for i in animated} == {"SGD", "Momentum", "RMSProp", "Adam", "now", "step now", "loss now"}
    assert all(fig["data"][i]["type"] == "scatter" for i in animated)  # scatter traces alone can animate without redraws
    assert all(t["type"] == "scatter" for t in fig["data"])  # a heatmap vanishes on Play: the loss is a picture
    (image,) = fig["layout"]["images"]
    assert image["source"].startswith("data:image/png;base64,") and image["layer"] == "below"
    as_sent = {i: fig["data"][i] for i in animated}
    for frame in fig["frames"]:  # frame k shows each path up to its step, in full resolution, and nothing beyond
        step, shown = int(frame["name"]), computed_frame(fig, frame["name"])
        assert set(shown) == animated
        for p in paths:
            want = np.stack([p.x[: step + 1], p.y[: step + 1]], axis=1).astype(np.float32)
            np.testing.assert_array_equal(without_repeats(drawn(fig, shown, p.optimizer)), without_repeats(want))
        heads = decode(shown[names.index("now")]["x"])
        np.testing.assert_array_equal(heads, [np.float32(p.x[min(step, len(p.x) - 1)]) for p in paths])
        cursor, dots = shown[names.index("step now")], shown[names.index("loss now")]  # the loss chart follows
        assert cursor["x"] == [step, step] and dots["x"] == [step] * len(paths)
        np.testing.assert_allclose(dots["y"], [max(p.loss[step], 1e-12) for p in paths])
    last = computed_frame(fig, "200")  # before Play, the figure shows what the last frame shows
    assert all(json.dumps(last[i]["x"]) == json.dumps(t["x"]) for i, t in as_sent.items())
    assert fig["frames"][-1]["name"] == "200" and fig["layout"]["sliders"][0]["active"] == MAX_FRAMES - 1
    play = fig["layout"]["updatemenus"][0]["buttons"][0]["args"][1]
    assert play["fromcurrent"] and not play["frame"]["redraw"]  # Play after Pause goes on from the step shown


def test_race_map_loss_strip_shares_the_figure(beale_race):
    surface, paths = beale_race
    fig = race_map(surface, paths, 200).to_dict()
    curves = [t for t in fig["data"] if t.get("yaxis") == "y2" and t["mode"] == "lines" and t.get("legendgroup")]
    assert [t["name"] for t in curves] == ["SGD", "Momentum", "RMSProp", "Adam"] and not any(t["showlegend"] for t in curves)
    for t, p in zip(curves, paths):
        np.testing.assert_allclose(decode(t["y"]), np.maximum(p.loss, 1e-12).astype(np.float32))
    low, high = fig["layout"]["yaxis2"]["range"]
    losses = np.concatenate([p.loss for p in paths])
    assert 10**low < losses.min() and losses.max() < 10**high
    map_low, _ = fig["layout"]["yaxis"]["domain"]
    assert fig["layout"]["yaxis2"]["domain"][1] < map_low  # the strip below the map


@pytest.mark.parametrize("steps", [1, 10, 57, 1000])
def test_race_map_frames_at_any_length_and_after_divergence(steps):
    """Any number of steps, and a path that stops early: every frame still shows each path up to its step."""
    s = SURFACES["ravine"]
    paths = race_paths("ravine", [("sgd", 0.5, {}), ("momentum", 0.01, {})], s.starts[0][1], steps)
    fig = race_map(s, paths, steps).to_dict()
    for frame in fig["frames"]:
        shown = computed_frame(fig, frame["name"])
        for p in paths:
            end = int(frame["name"]) + 1
            want = np.stack([p.x[:end], p.y[:end]], axis=1).astype(np.float32)
            np.testing.assert_array_equal(without_repeats(drawn(fig, shown, p.optimizer)), without_repeats(want))


def test_race_map_bytes_grow_as_the_steps(beale_race):
    """Frames send each point once (plus a tail of at most BLOCK frames): twice the steps, about twice the bytes."""
    surface = beale_race[0]
    runs = [(name, surface.learning_rates[name], {}) for name in ("sgd", "momentum", "rmsprop", "adam")]
    sizes = [len(json.dumps(race_map(surface, race_paths("beale", runs, surface.starts[0][1], n), n).to_dict()["frames"]))
             for n in (400, 800)]
    assert sizes[1] < 2.1 * sizes[0]


def test_race_map_draws_the_background_it_is_given(beale_race):
    surface, paths = beale_race
    background = surface_layers(surface, pixels=20)
    fig = race_map(surface, paths, 200, background).to_dict()
    assert fig["layout"]["images"] == [background.image] and fig["data"][0] == background.traces[0]
    sent, given = fig["data"][1], background.traces[1]
    bar = sent["marker"]["colorbar"]  # moved beside the map, clear of the loss strip under it
    assert {k: v for k, v in sent.items() if k != "marker"} == {k: v for k, v in given.items() if k != "marker"}
    def without_bar(marker):
        return {k: v for k, v in marker.items() if k != "colorbar"}

    assert without_bar(sent["marker"]) == without_bar(given["marker"])
    low, high = fig["layout"]["yaxis"]["domain"]
    margin = fig["layout"]["margin"]
    plot_height = fig["layout"]["height"] - margin["t"] - margin["b"]  # the bar's length is in pixels
    half = bar["len"] / plot_height / 2 if bar.get("lenmode") == "pixels" else bar["len"] / 2
    assert low <= bar["y"] - half and bar["y"] + half <= high
    assert not fig["layout"]["xaxis"]["showgrid"] and not fig["layout"]["yaxis"]["showgrid"]  # no grid over the picture


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


def test_rules_table_puts_each_name_in_its_colour_above_its_lines():
    table = rules_table([("SGD", "#0072B2", ["a_1", "a_2"]), ("Adam", "#D55E00", ["b_1"])])
    assert table.startswith(r"\begin{array}{l}") and table.endswith(r"\end{array}")  # one column: fits a phone
    sgd, adam = table.split(r"\hline")
    assert r"\textcolor{#0072B2}{\bullet\ \textbf{SGD}} \\[10pt] \displaystyle a_1 \\[10pt] \displaystyle a_2" in sgd
    assert r"\textcolor{#D55E00}{\bullet\ \textbf{Adam}} \\[10pt] \displaystyle b_1" in adam and "SGD" not in adam


def test_surface_3d_draws_the_paths_above_a_see_through_surface(beale_race):
    from optiviz.figures.optimizer_race import surface_3d

    surface, paths = beale_race
    fig = surface_3d(surface, paths).to_dict()
    sheet, *lines = fig["data"]
    assert sheet["type"] == "surface" and sheet["opacity"] < 1
    height = decode(sheet["z"]).reshape(70, 70)
    drawn = [t for t in lines if t["mode"] == "lines"]
    assert [t["name"] for t in drawn] == ["SGD", "Momentum", "RMSProp", "Adam"] and all(t["line"]["width"] >= 6 for t in drawn)
    for t, p in zip(drawn, paths):
        lifted = decode(t["z"]) - np.log10(np.maximum(p.loss, 1e-3)).astype(np.float32)
        np.testing.assert_allclose(lifted, 0.02 * np.ptp(height), rtol=1e-3)  # each point 2% of the height above the surface


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_race_map_keeps_angles_true_in_a_fixed_frame(name):
    """One unit as long across the map as up it (scaleanchor), at a width made for the surface's aspect; fixed
    margins and height (no re-measuring while frames play); the strip under the map, Play under the strip."""
    from optiviz.figures.optimizer_race import SIZE

    s = SURFACES[name]
    paths = race_paths(name, [("sgd", s.learning_rates["sgd"], {})], s.starts[0][1], 20)
    layout = race_map(s, paths, 20).to_dict()["layout"]
    (x0, x1), (y0, y1) = s.bounds
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["scaleratio"] == 1
    margin = layout["margin"]
    plot_w, plot_h = layout["width"] - margin["l"] - margin["r"], layout["height"] - margin["t"] - margin["b"]
    low, high = layout["yaxis"]["domain"]
    assert plot_w / (x1 - x0) == pytest.approx(plot_h * (high - low) / (y1 - y0), rel=0.01)  # the map fills its frame
    assert layout["height"] <= 620  # with the title above, it fits a 720 px high laptop screen
    assert layout["yaxis2"]["domain"][1] < low and layout["updatemenus"][0]["y"] < 0 and layout["sliders"][0]["y"] < 0
    assert (layout["width"], layout["height"]) == (SIZE.width(s), SIZE.height)
    assert all(t.get("showlegend") is False for t in race_map(s, paths, 20).to_dict()["data"] if t.get("name") in ("minimum", "start"))
