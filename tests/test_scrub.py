"""The scrub figure's engine call (one batched run of every α and γ) and the figure it feeds."""

import base64

import numpy as np
import pytest

from optiviz.core.descent import descend, grid_paths
from optiviz.figures.optimizer_race import surface_layers
from optiviz.figures.scrub import MAX_STEPS, scrub_map
from optiviz.core.optimizers import make_optimizer
from optiviz.core.surfaces import get_surface

RATES = (0.003, 0.03, 0.16, 0.3)
MOMENTA = (0.0, 0.5, 0.9)


def decoded(spec) -> np.ndarray:
    """A typed array spec (or a plain list) as float64."""
    if isinstance(spec, dict):
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.float32).astype(float)
    return np.asarray(spec, dtype=float)


@pytest.mark.parametrize("schedule, noise", [("constant", 0.0), ("exp", 0.3)])
def test_batched_grid_equals_runs_looped(schedule, noise):
    traj = grid_paths("ravine", "momentum", RATES, (1.0, -2.5), 60, schedule, 0.01, noise, 7, momentum=MOMENTA)
    assert traj.points.shape == (61, len(RATES) * len(MOMENTA), 2)
    for g, gamma in enumerate(MOMENTA):
        for a, lr in enumerate(RATES):
            one = descend(get_surface("ravine"), make_optimizer("momentum", momentum=gamma), [(1.0, -2.5)], 60, lr,
                          schedule, 0.01, noise, 7)
            b = g * len(RATES) + a
            np.testing.assert_array_equal(traj.points[:, b], one.points[:, 0])
            np.testing.assert_array_equal(traj.loss[:, b], one.loss[:, 0])
            assert traj.diverged_at[b] == one.diverged_at[0]


def test_grid_with_gamma_zero_is_gradient_descent_and_large_alpha_diverges():
    traj = grid_paths("ravine", "momentum", RATES, (1.0, -2.5), 60, momentum=MOMENTA)
    sgd = descend(get_surface("ravine"), make_optimizer("sgd"), [(1.0, -2.5)] * len(RATES), 60, np.array(RATES))
    np.testing.assert_array_equal(traj.points[:, : len(RATES)], sgd.points)
    # ravine: curvature 12 across, so plain gradient descent diverges above α = 2/12; γ = 0.9 stays stable to 2(1+γ)/12
    assert traj.diverged_at[RATES.index(0.3)] >= 0
    assert traj.diverged_at[2 * len(RATES) + RATES.index(0.3)] < 0


def test_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="learning_rate"):
        grid_paths("ravine", "momentum", [0.1, -1.0], (1.0, -2.5), 10, momentum=MOMENTA)
    with pytest.raises(ValueError, match="momentum"):
        grid_paths("ravine", "momentum", [0.1], (1.0, -2.5), 10, momentum=[0.5, 1.5])
    with pytest.raises(ValueError, match="optimizer"):
        grid_paths("ravine", "nope", [0.1], (1.0, -2.5), 10)


def test_every_frame_holds_the_engine_paths_of_its_alpha():
    surface = get_surface("ravine")
    steps = MAX_STEPS + 50  # more than the figure draws: cut at MAX_STEPS
    traj = grid_paths("ravine", "momentum", RATES, (1.0, -2.5), steps, momentum=MOMENTA)
    fig = scrub_map(surface, traj, RATES, MOMENTA, surface_layers(surface), active=1).to_dict()
    (slider,) = fig["layout"]["sliders"]
    assert slider["currentvalue"]["prefix"] == "α = "
    assert slider["active"] == 1
    assert [s["args"][0] for s in slider["steps"]] == [[f["name"]] for f in fig["frames"]]
    assert all(s["method"] == "animate" and s["args"][1]["frame"]["redraw"] is False for s in slider["steps"])
    assert "diverges at γ = 0" in slider["steps"][3]["label"] and "0.9" not in slider["steps"][3]["label"].split("γ")[1]
    for a, (lr, frame) in enumerate(zip(RATES, fig["frames"])):
        assert frame["name"] == f"{lr:g}"
        paths, losses = frame["data"][: len(MOMENTA)], frame["data"][len(MOMENTA):]
        for g in range(len(MOMENTA)):
            b = g * len(RATES) + a
            gone = traj.diverged_at[b]
            n = min(gone if gone >= 0 else MAX_STEPS + 1, MAX_STEPS + 1)
            x = decoded(paths[g]["x"])
            want = traj.points[:n, b, 0].astype(np.float32)
            np.testing.assert_array_equal(x[: max(n, 1)] if n > 1 else x[:1], want if n > 1 else want[:1])
            np.testing.assert_array_equal(decoded(paths[g]["y"])[:n], traj.points[:n, b, 1].astype(np.float32)[:n])
            np.testing.assert_allclose(decoded(losses[g]["y"])[:n], np.maximum(traj.loss[:n, b], 1e-12), rtol=1e-6)
    # the first drawn traces are the active α's frame
    traces = {t["name"]: t for t in fig["data"] if t.get("xaxis", "x") == "x" and t["mode"] == "lines" and "legendgroup" in t}
    assert len(traces) == len(MOMENTA)
    for g, t in enumerate(fig["data"][i] for i in fig["frames"][0]["traces"][: len(MOMENTA)]):
        np.testing.assert_array_equal(decoded(t["x"]), decoded(fig["frames"][1]["data"][g]["x"]))


def test_gamma_buttons_show_one_gamma_or_all():
    surface = get_surface("ravine")
    traj = grid_paths("ravine", "momentum", RATES, (1.0, -2.5), 30, momentum=MOMENTA)
    fig = scrub_map(surface, traj, RATES, MOMENTA, surface_layers(surface), active=0).to_dict()
    (menu,) = fig["layout"]["updatemenus"]
    moved = fig["frames"][0]["traces"]
    assert [b["label"] for b in menu["buttons"]] == ["every γ", "γ = 0", "γ = 0.5", "γ = 0.9"]
    for b in menu["buttons"]:
        assert b["method"] == "restyle" and b["args"][1] == moved
    shown = [[fig["data"][i]["name"] for i, v in zip(moved, b["args"][0]["visible"]) if v] for b in menu["buttons"][1:]]
    assert [set(s) for s in shown] == [{"γ = 0 (SGD)"}, {"γ = 0.5"}, {"γ = 0.9"}]
