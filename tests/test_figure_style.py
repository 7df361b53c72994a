"""One way to build a figure (issue 15): every builder in optiviz/figures assembles plain dicts (traces as dicts,
one layout dict) and returns them through ``plain.unvalidated``, or as a ``PlainFigure`` when the figure is too big
for plotly's object model.

Skipping plotly's validation moves its checks here: each builder's figure, at inputs like the pages', is rebuilt
with validation (``go.Figure(spec)`` raises on a misspelt or invalid property), its panels do not overlap, every
trace, shape and annotation sits on axes that exist, and what each figure is for (panels, traces, axis titles) holds.
"""

import ast
import dataclasses
import itertools
import json
import pathlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from optiviz.core.datasets import make_dataset
from optiviz.core.descent import race_paths
from optiviz.core.surfaces import SURFACES
from optiviz.figures import activations_init as fa
from optiviz.figures import landscape as fl
from optiviz.figures import regularization as fr
from optiviz.figures import train_network as ft
from optiviz.figures.optimizer_race import surface_3d
from optiviz.figures.plain import _Deferred, grid
from optiviz.labs.activations_init.statistics import compare_schemes
from optiviz.labs.regularization import experiments as lab
from optiviz.nn import MLP
from optiviz.nn import regularizers as rg
from optiviz.nn.landscape import PathPlane, Slice, slice_shape
from optiviz.nn.seeds import SeedCurves
from optiviz.nn.training import OptimizerSetting, train
from tests.support.regularization import example_moons, example_paths

FIGURES = pathlib.Path(__file__).resolve().parents[1] / "optiviz" / "figures"
OBJECT_MODEL = {"add_trace", "add_traces", "add_shape", "add_vline", "add_hline", "add_vrect", "add_hrect",
                "add_annotation", "update_layout", "update_xaxes", "update_yaxes", "update_annotations",
                "update_traces", "append_trace", "for_each_xaxis", "for_each_yaxis"}


# ---- one style, read from the source -------------------------------------------------------------------------


def violations(source: str, module: str) -> list[str]:
    """Where ``source`` builds a figure through plotly's object model: make_subplots, go.<Trace>(…), add_trace and
    the other mutators, or ``_validate`` (allowed in plain's ``_Deferred``, the figure plain.unvalidated returns,
    which makes its go.Figure with ``_validate=False`` when it is first read)."""
    tree = ast.parse(source)
    allowed = {id(node) for f in tree.body if isinstance(f, ast.ClassDef) and module == "plain"
               and f.name == "_Deferred" for node in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "plotly.subplots":
            found.append(f"{module}:{node.lineno} imports plotly.subplots")
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id == "make_subplots":
            found.append(f"{module}:{node.lineno} make_subplots")
        if isinstance(f, ast.Attribute) and f.attr in OBJECT_MODEL and id(node) not in allowed:
            found.append(f"{module}:{node.lineno} .{f.attr}(…)")
        plotly_object = isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "go"
        if plotly_object and id(node) not in allowed:
            found.append(f"{module}:{node.lineno} go.{f.attr}(…)")
        if any(k.arg == "_validate" for k in node.keywords) and id(node) not in allowed:
            found.append(f"{module}:{node.lineno} _validate")
    return sorted(set(found))


def test_the_check_finds_each_other_style():
    source = ("fig = make_subplots(1, 2)\nfig.add_trace(go.Scatter(x=[1]), 1, 1)\nfig.update_xaxes(title_text='x')\n"
              "other = go.Figure(dict(data=[]), _validate=False)\n")
    assert violations(source, "some_lab") == ["some_lab:1 make_subplots", "some_lab:2 .add_trace(…)",
                                              "some_lab:2 go.Scatter(…)", "some_lab:3 .update_xaxes(…)",
                                              "some_lab:4 _validate", "some_lab:4 go.Figure(…)"]


def test_no_builder_uses_plotlys_object_model():
    found = [v for path in sorted(FIGURES.glob("*.py")) for v in violations(path.read_text(), path.stem)]
    assert found == []
    wrapper = next(f for f in ast.parse((FIGURES / "plain.py").read_text()).body
                   if isinstance(f, ast.ClassDef) and f.name == "_Deferred")
    flags = [k for node in ast.walk(wrapper) if isinstance(node, ast.Call)
             for k in node.keywords if k.arg == "_validate"]
    assert len(flags) == 1 and flags[0].value.value is False  # the one use of plotly's private flag


def _returned(node: ast.AST) -> list[ast.expr]:
    """What ``node`` returns, leaving out the returns of functions nested in it."""
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Return) and child.value is not None:
            found.append(child.value)
        elif not isinstance(child, (ast.FunctionDef, ast.Lambda)):
            found += _returned(child)
    return found


def test_every_builder_returns_through_one_of_the_two_wrappers():
    """A top-level function that returns a figure returns ``unvalidated(…)``, ``PlainFigure(…)``, or another builder
    of its module (which does)."""
    checked, wrong = 0, []
    for path in sorted(FIGURES.glob("*.py")):
        tree = ast.parse(path.read_text())
        local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and node.returns is not None) or node.name == "unvalidated":
                continue
            kind = ast.unparse(node.returns)
            if kind not in ("go.Figure", "PlainFigure") and not kind.startswith("tuple[go.Figure"):
                continue
            for value in _returned(node):
                value = value.elts[0] if isinstance(value, ast.Tuple) else value
                name = value.func.id if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) else None
                checked += 1
                if name not in ("unvalidated", "PlainFigure") and name not in local:
                    wrong.append(f"{path.stem}.{node.name}: returns {ast.unparse(value)[:60]}")
    assert wrong == [] and checked >= 40


# ---- the grid helper lays panels out as make_subplots did ----------------------------------------------------

GRIDS = [  # as the builders call it
    dict(rows=1, cols=3, titles=["a", "b", "c"], shared_yaxes=True, horizontal_spacing=0.03),
    dict(rows=1, cols=2, titles=["a", "b"], column_widths=[0.55, 0.45], horizontal_spacing=0.1),
    dict(rows=1, cols=4, titles=["a", "b", "", "d"], shared_yaxes=True, horizontal_spacing=0.06),
    dict(rows=1, cols=5, titles=list("abcde"), horizontal_spacing=0.04),
    dict(rows=6, cols=10, column_titles=list("abcdefghij"), row_titles=list("uvwxyz"), horizontal_spacing=0.012,
         vertical_spacing=0.03),
    dict(rows=4, cols=7, column_titles=list("abcdefg"), row_titles=list("uvwx"), horizontal_spacing=0.012,
         vertical_spacing=0.3 / 4),
    dict(rows=2, cols=8, titles=[f"unit {i}" for i in range(10)], horizontal_spacing=0.015, vertical_spacing=0.06),
    dict(rows=2, cols=2, titles=list("abcd"), horizontal_spacing=0.06, vertical_spacing=0.1),
    dict(rows=1, cols=1, titles=["a"]),
    dict(rows=2, cols=3),
]


@pytest.mark.parametrize("settings", GRIDS, ids=lambda s: f"{s['rows']}x{s['cols']}")
def test_grid_is_make_subplots_layout(settings):
    settings = dict(settings)
    rows, cols, titles = settings.pop("rows"), settings.pop("cols"), settings.pop("titles", ())
    expected = make_subplots(rows, cols, subplot_titles=titles or None, **settings).to_plotly_json()["layout"]
    expected.pop("template")
    expected = {k: v for k, v in expected.items() if v != ()}  # no titles: make_subplots leaves an empty tuple
    assert grid(rows, cols, titles, **settings) == go.Layout(expected).to_plotly_json()


# ---- what every figure must hold -----------------------------------------------------------------------------


def _axis_names(layout: dict, letter: str) -> set[str]:
    """Trace-style names of the 2-D axes in a layout: "x", "x2", …"""
    return {letter + key[len(letter) + 4:] for key in layout if key.startswith(f"{letter}axis")}


def _domain(layout: dict, letter: str, name: str) -> list[float]:
    return list(layout.get(f"{letter}axis{name[1:]}", {}).get("domain", [0.0, 1.0]))


def _ref(value: str) -> str:
    return value.removesuffix(" domain")


def checked(fig) -> dict:
    """The figure's spec, after the checks plotly's validation and the grid would make; see the module docstring.

    Read before anything makes its go.Figure, as a page reads it: the dict Streamlit is sent must be go.Figure's.
    """
    spec = fig.to_plotly_json()
    if isinstance(fig, _Deferred):
        assert not fig._made and as_json(spec) == as_json(go.Figure(fig._spec, _validate=False).to_dict())
    go.Figure(spec)  # validates every property: raises ValueError on a misspelt or invalid one
    layout = spec["layout"]
    xs, ys = _axis_names(layout, "x") | {"x"}, _axis_names(layout, "y") | {"y"}
    for trace in spec["data"]:
        if trace["type"] in ("scatter", "bar", "heatmap", "contour"):
            assert trace.get("xaxis", "x") in xs and trace.get("yaxis", "y") in ys, trace.get("name")
    for item in [*layout.get("shapes", []), *layout.get("annotations", [])]:
        assert _ref(item.get("xref", "x")) in xs | {"paper"} and _ref(item.get("yref", "y")) in ys | {"paper"}
    for name in _axis_names(layout, "x") | _axis_names(layout, "y"):
        axis = layout[f"{name[0]}axis{name[1:]}"]
        assert axis.get("anchor", "free") in xs | ys | {"free"} and axis.get("matches", "y") in xs | ys
    panels = sorted(_axis_names(layout, "x"))
    boxes = [(_domain(layout, "x", x), _domain(layout, "y", "y" + x[1:])) for x in panels]
    for (ax, ay), (bx, by) in itertools.combinations(boxes, 2):
        assert min(ax[1], bx[1]) <= max(ax[0], bx[0]) or min(ay[1], by[1]) <= max(ay[0], by[0]), "panels overlap"
    return spec


def as_json(spec: dict) -> dict:
    """``spec`` as the browser receives it (key order aside)."""
    return json.loads(pio.to_json(spec, validate=False))


def titles(spec: dict, letter: str) -> list[str]:
    """The axis titles, panel by panel ("" where none)."""
    layout = spec["layout"]
    names = sorted(_axis_names(layout, letter), key=lambda n: int(n[1:] or 1))
    return [layout[f"{letter}axis{n[1:]}"].get("title", {}).get("text", "") for n in names]


def notes(spec: dict) -> list[str]:
    return [a["text"] for a in spec["layout"].get("annotations", [])]


# ---- the regularization lab ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paths():
    return example_paths()


@pytest.fixture(scope="module")
def data():
    return example_moons()


@pytest.fixture(scope="module")
def runs(data):
    return tuple(train(MLP(2, (8, 4), 1), data, OptimizerSetting(name, label=label), epochs=12, l1=l1, seed=0,
                       grid_size=15, grid_every=4)
                 for name, label, l1 in (("adam", "no penalty", 0.0), ("sgd", "L1", 0.01),
                                         ("momentum", "momentum", 0.0), ("rmsprop", "rmsprop", 0.0)))


def seed_curves(label: str, shift: float = 0.0, seeds: int = 5, epochs: int = 8) -> SeedCurves:
    rng = np.random.default_rng(len(label))
    loss = np.exp(-np.linspace(0, 2, epochs + 1))[None, :] * (1 + 0.2 * rng.random((seeds, 1))) + shift
    acc = 1 - loss / 2
    return SeedCurves(np.arange(seeds), np.arange(epochs + 1), loss * 0.8, loss, acc, acc - 0.05,
                      np.full(seeds, -1), label)


@pytest.mark.parametrize("mix", [0.5, 0.2])
def test_weight_paths(paths, mix):
    table, lam_max = paths
    spec = checked(fr.weight_paths(table, lam_max, lam_max / 10, mix))
    assert titles(spec, "x") == ["penalty strength λ →"] * 3 and titles(spec, "y") == ["weight w_j", "", ""]
    assert [spec["layout"][f"yaxis{k}"]["matches"] for k in (2, 3)] == ["y", "y"]  # one weight scale
    assert sum(t["mode"] == "lines" for t in spec["data"]) == 3 * 4
    assert notes(spec)[-2:] == ["λ_max", "λ_max/α"] and f"α = {mix:g}" in notes(spec)[2]
    assert len(spec["layout"]["shapes"]) == 3 + 2  # λ chosen in each panel, λ_max and λ_max/α


@pytest.mark.parametrize("scale", [0.01, 1.5])
def test_weights_at(paths, scale):
    table, lam_max = paths
    fig, lam = fr.weights_at(table, lam_max * scale)
    spec = checked(fig)
    assert [t["type"] for t in spec["data"]] == ["bar"] * 3 + ["scatter"] * 3
    assert {t["xaxis"] for t in spec["data"][3:]} == {"x2"} and spec["layout"]["xaxis2"]["type"] == "log"
    assert spec["layout"]["shapes"][0]["x0"] == lam and f"{lam:.3g}" in notes(spec)[0]


def test_network_histograms_and_curves(runs):
    spec = checked(fr.network_weights(runs[:2]))
    assert len(spec["data"]) == 2 and spec["layout"]["yaxis"]["type"] == "log"
    dropped = runs[0].history["train_loss"].to_numpy() * 2
    for results, traces in ((runs[:2], 4), ((runs[0], dataclasses.replace(runs[1], optimizer="dropout")), 5)):
        spec = checked(fr.regularizer_curves(results, dropped))
        assert len(spec["data"]) == traces and titles(spec, "y") == ["loss L (log scale)", ""]
        assert titles(spec, "x") == ["epoch", "epoch"] and spec["layout"]["yaxis2"]["matches"] == "y"
    spec = checked(fr.validation_curves(runs[:2]))
    assert len(spec["data"]) == 2 * 2 * 2 and notes(spec) == ["loss (log scale)", "accuracy"]
    assert spec["layout"]["yaxis"]["type"] == "log" and spec["layout"]["yaxis2"]["tickformat"] == ".0%"


@pytest.mark.parametrize("patience", [1, 3])
def test_early_stopping_figures(runs, patience):
    h = runs[0].history
    rule = rg.early_stopping(h["val_loss"].to_numpy(), np.arange(1, 6))
    stop, kept = int(rule.stopped_at[patience - 1]), int(rule.kept_epoch[patience - 1])
    spec = checked(fr.early_stopping_curves(h, stop, kept, patience))
    assert spec["data"][-1]["x"] == [kept] and titles(spec, "y") == ["loss L"]
    assert len(spec["layout"].get("shapes", [])) == (2 if stop >= 0 else 0)  # the patience window, the stop
    spec = checked(fr.patience_risk(rule, patience, float(h["val_loss"].iloc[-1]), float(h["val_loss"].min())))
    assert len(spec["data"]) == 2 and [s["yref"] for s in spec["layout"]["shapes"]] == ["y", "y"]
    val = np.stack([r.history["val_loss"].to_numpy() for r in runs])
    spec = checked(fr.patience_spread(lab.stopping_spread(val, np.arange(1, 6)), patience))
    assert [t.get("fill") for t in spec["data"]] == ["toself", None, None] and titles(spec, "x") == ["patience P"]


@pytest.mark.parametrize("drop", [0.25, 0.5])
def test_dropout_figures(drop):
    spec = checked(fr.dropout_scaling(rg.dropout_expectations(np.ones((4, 3)), drop, 10), drop))
    assert [t["type"] for t in spec["data"]] == ["bar"] * 4 + ["scatter"]
    assert f"p = {drop:g}" in notes(spec)[0] and spec["layout"]["yaxis2"]["matches"] == "y"
    masks = rg.dropout_masks(0, 12, 30, 10, (16, 5), drop)
    spec = checked(fr.dropout_network(masks, (16, 5), drop, shown=8))
    assert len(spec["frames"]) == len(masks) and all(len(f["data"]) == 5 for f in spec["frames"])


@pytest.mark.parametrize("log, title", [(True, ""), (False, "dropout over 5 seeds")])
def test_seed_bands(log, title):
    spec = checked(fr.seed_bands([seed_curves("dropout"), seed_curves("no dropout", 0.1)], title, log=log))
    assert len(spec["data"]) == 2 * 4 and spec["layout"]["yaxis"].get("type") == ("log" if log else None)
    assert spec["layout"].get("title", {}).get("text", "") == title


@pytest.mark.parametrize("copies", [2, 5])
def test_augmentation_points(copies):
    X, y = make_dataset("circles", 20, 0.1, 0)
    spec = checked(fr.augmentation_points(X, y, rg.augmented_copies(X, y, copies, rotation=90.0)))
    assert len(spec["data"]) == 2 * 3  # per class: augmented, and the originals in both panels
    assert [spec["layout"][f"yaxis{k}"]["scaleanchor"] for k in ("", "2")] == ["x", "x2"]


# ---- the training lab ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, shape", [(1, (1, 1)), (2, (1, 2)), (4, (2, 2))])
def test_decision_boundaries(runs, data, n, shape):
    points = {"train": (data.X_train, data.y_train), "validation": (data.X_val, data.y_val)}
    spec = checked(ft.decision_boundaries(runs[:n], 8, points))
    assert len(_axis_names(spec["layout"], "x")) == shape[0] * shape[1]
    assert len(spec["data"]) == n * 4  # P(class 1), the 0.5 contour, training and validation points
    assert [t["showscale"] for t in spec["data"] if t["type"] == "heatmap"] == [True] + [False] * (n - 1)
    assert all(spec["layout"][f"yaxis{k if k > 1 else ''}"]["scaleanchor"] == f"x{k if k > 1 else ''}"
               for k in range(1, n + 1))
    spec = checked(ft.decision_boundary(runs[n - 1], 4, points))
    assert len(spec["data"]) == 4 and "epoch 4" in notes(spec)[0]


def test_learning_curves_and_gradient_norms(runs):
    history = pd.concat([r.history for r in runs[:2]], ignore_index=True)
    for spec in (checked(ft.learning_curves(history)),
                 checked(ft.learning_curves(None, [seed_curves("adam"), seed_curves("sgd", 0.1)]))):
        assert notes(spec) == ["loss", "accuracy"] and titles(spec, "x") == ["epoch", "epoch"]
        assert spec["layout"]["yaxis"]["type"] == "log" and spec["layout"]["yaxis2"]["range"] == [0, 1.02]
    assert len(spec["data"]) == 2 * (2 + 4 + 1)  # per run: 2 validation bands, 4 medians, the final dots
    spec = checked(ft.gradient_norms(runs[:3]))
    assert len(spec["data"]) == 3 * len(runs[0].layer_names) and titles(spec, "y")[0] == "gradient norm ‖∂J/∂W‖"
    panels = [checked(f) for f in ft.gradient_norm_panels(runs[:2])]
    assert len(panels) == 2 and panels[0]["layout"]["yaxis"]["range"] == panels[1]["layout"]["yaxis"]["range"]


@pytest.mark.parametrize("units, cells", [(6, 6), (10, 16)])
def test_neuron_maps(units, cells):
    g = np.linspace(-1, 1, 12)
    responses = np.tanh(np.add.outer(np.arange(units) - 4.0, np.add.outer(g, g)))
    spec = checked(ft.neuron_maps(g, g, responses, "tanh"))
    assert len(spec["data"]) == units and len(_axis_names(spec["layout"], "x")) == cells
    assert spec["data"][0]["colorscale"][0] == [0.0, "rgb(5,48,97)"]  # RdBu reversed: signed outputs
    assert all(spec["layout"][f"yaxis{k if k > 1 else ''}"]["scaleanchor"] == f"x{k if k > 1 else ''}"
               for k in range(1, units + 1))


# ---- the activations lab ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module",
                params=[("tanh", ("small normal", "xavier", "large normal")), ("relu", ("zeros", "he"))])
def stats(request):
    activation, schemes = request.param
    return activation, compare_schemes(activation, schemes, layers=5, width=24, samples=60, seed=0)


def test_activation_panels():
    z = np.linspace(-6, 6, 121)
    curves = {"sigmoid": (1 / (1 + np.exp(-z)), np.exp(-z) / (1 + np.exp(-z)) ** 2, ""), "linear": (z, 1 + 0 * z, "")}
    spec = checked(fa.activation_panels(z, curves))
    assert notes(spec) == ["sigmoid", "linear"] and len(spec["data"]) == 2 * 2 + 1
    assert {s["xref"] for s in spec["layout"]["shapes"]} == {"x"}  # the sigmoid saturates; the line never does
    assert spec["layout"]["yaxis2"]["showticklabels"] is False


def test_per_layer_figures(stats):
    activation, results = stats
    for build in (fa.layer_moments, fa.unit_health, fa.gradient_spread):
        spec = checked(build(results))
        assert len(spec["data"]) == 2 * len(results) and titles(spec, "x") == ["layer", "layer"]
    assert spec["layout"]["yaxis"]["type"] == spec["layout"]["yaxis2"]["type"] == "log"  # gradient spread
    for kind, bounds in (("act", (-1.05, 1.05) if activation == "tanh" else None), ("grad", None)):
        spec = checked(fa.histogram_grid(results, kind, bounds))
        cols = len(fa._layer_picks(5))
        assert len(_axis_names(spec["layout"], "x")) == len(results) * cols
        assert notes(spec)[cols:cols + len(results)] == [fa.scheme_label(s) for s in results]  # row titles


def test_training_losses():
    spec = checked(fa.training_losses({"xavier": seed_curves("xavier"), "zeros": seed_curves("zeros", seeds=1)}))
    assert [t["name"] for t in spec["data"]] == ["Xavier: 10–90% of 5 seeds", "Xavier", "zeros (every seed)"]
    assert spec["layout"]["shapes"][0]["y0"] == pytest.approx(np.log(2)) and spec["layout"]["yaxis"]["type"] == "log"


# ---- the loss landscape and the 3-D race --------------------------------------------------------------------


@pytest.mark.parametrize("skip", [False, True])
def test_landscape_maps(skip):
    a = np.linspace(-1, 1, 21)
    Z = np.add.outer(a**2, a**2) + 0.3 * np.cos(6 * np.add.outer(a, 0 * a)) + 1.0
    s = Slice(skip, a, a, Z, slice_shape(a, a, Z), 0.01, np.nan)
    spec = checked(fl.slice_figure(s))
    assert [t["type"] for t in spec["data"]] == ["contour", "scatter", "scatter"]
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x" and titles(spec, "x") == ["α (random direction d₁)"]
    p = PathPlane(skip, a, a, Z, np.linspace(0.8, 0, 9), np.linspace(-0.5, 0, 9), np.array([0.7, 0.2]), np.ones(9))
    spec = checked(fl.path_figure(p, "adam"))
    assert len(spec["data"]) == 5 and titles(spec, "y") == ["PC 2 (20%)"]


@pytest.mark.parametrize("name", ["beale", "saddle"])
def test_surface_3d(name):
    s = SURFACES[name]
    runs = [(o, s.learning_rates[o], {}) for o in ("sgd", "adam")]
    spec = checked(surface_3d(s, race_paths(name, runs, s.starts[0][1], 30)))
    assert [t["type"] for t in spec["data"]] == ["surface"] + ["scatter3d"] * 4
    assert spec["layout"]["scene"]["zaxis"]["title"]["text"] in ("loss", "log₁₀ loss")
