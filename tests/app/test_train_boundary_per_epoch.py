"""The boundary of the epoch shown, drawn on demand, is the one the training loop used to record (issue 16 §4).

``optiviz.nn.boundary.compare_drawn_on_demand`` trains without recording a grid and keeps θ after every
epoch; ``grid_at(e)`` then draws epoch e. Every epoch's grid must equal the recorded frame of
``compare(..., record_grid=True)`` to float32 (the frames are float32), the runs themselves must be the same,
and where θ alone is not enough (batch norm's running statistics) the grids are recorded as before. On the
page, a one-seed training (the path that recorded every epoch's grid) draws the recorded grid.
"""

import numpy as np
import pytest
from apptest_helpers import clean, figures, follow, numbers

from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.nn.boundary import compare_drawn_on_demand, on_demand
from optiviz.nn.training import MAX_PARAM_VALUES, compare
from optiviz.core.optimizers import OPTIMIZERS

RUNS = ["sgd", {"name": "adam", "learning_rate": 0.01}, {"name": "sgd", "learning_rate": 1e4}]  # the last goes wild
CASES = {
    "binary": (2, {}, dict(batch_size=32, epochs=12)),
    "three classes, standardised": (3, {}, dict(batch_size=16, epochs=8, preprocessing="standardise")),
    "dropout, skip, jitter": (2, dict(keep_prob=0.7, skip=True), dict(batch_size=32, epochs=8, jitter=0.1)),
    "early stopping, L2": (2, {}, dict(batch_size=32, epochs=40, patience=2, l2=0.01)),
}


def split(classes: int, samples: int = 200, noise: float = 0.1):
    X, y = make_dataset("spiral", samples, noise, 0, classes)
    return train_val_split(X, y, 0.3, 0)


def both(classes, net_options, settings):
    data = split(classes)
    net = MLP(2, (12, 12), 1 if classes == 2 else classes, activation="relu", **net_options)
    return compare(net, data, RUNS, seed=3, **settings), compare_drawn_on_demand(net, data, RUNS, seed=3, **settings)


@pytest.mark.parametrize("case", CASES)
def test_every_epochs_grid_drawn_on_demand_equals_the_recorded_one(case):
    recorded, drawn = both(*CASES[case])
    assert [r.optimizer for r in recorded] == [r.optimizer for r in drawn]
    for a, b in zip(recorded, drawn):
        assert a.grids is not None and b.grids is None and b.param_vectors is not None  # drawn, not recorded
        assert a.history.equals(b.history)  # the same runs: recording a grid never changes θ
        assert (a.diverged_at, a.stopped_at, a.best_epoch) == (b.diverged_at, b.stopped_at, b.best_epoch)
        np.testing.assert_array_equal(a.grid_x, b.grid_x)
        np.testing.assert_array_equal(a.grid_y, b.grid_y)
        for epoch in range(a.epochs_run + 2):  # one past the last: both give the last
            want, got = a.grid_at(epoch), b.grid_at(epoch)
            assert got.dtype == np.float32 and got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=0, atol=float(np.finfo(np.float32).eps), equal_nan=True)


def test_batch_norm_keeps_recording_its_grids():
    data = split(2)
    net = MLP(2, (8, 8), 1, activation="relu", batch_norm=True)
    assert not on_demand(net, 10)
    result = compare_drawn_on_demand(net, data, ["adam"], seed=1, batch_size=32, epochs=10)
    assert result[0].grids is not None and len(result[0].grid_epochs) == 11
    np.testing.assert_array_equal(result[0].grids, compare(net, data, ["adam"], seed=1, batch_size=32, epochs=10)[0].grids)


def test_too_many_parameters_to_keep_keeps_recording_its_grids():
    net = MLP(2, (64, 64, 64), 1, activation="relu")
    size = 2 * 64 + 64 + 2 * (64 * 64 + 64) + 64 + 1
    assert on_demand(net, MAX_PARAM_VALUES // size - 1) and not on_demand(net, MAX_PARAM_VALUES // size)


def test_the_pages_one_seed_boundary_is_the_recorded_one():
    names = ("sgd", "momentum", "rmsprop", "adam")  # the page's default optimizers
    at = clean(follow("pages/train_network.py", {"samples": "150", "epochs": "6", "seeds": "1"}))
    shown = figures(at)[:4]
    assert [f["layout"]["annotations"][0]["text"].split("<br>")[0] for f in shown] == [OPTIMIZERS[n].label for n in names]
    assert all("epoch 6" in f["layout"]["annotations"][0]["text"] for f in shown)
    # the page's defaults (spiral, noise 0.05, 30 % validation, 2 × 16 ReLU, He, batches of 32), recorded every epoch
    net = MLP(2, (16, 16), 1, activation="relu", initializer="he")
    runs = [{"name": n, "learning_rate": at.session_state[f"train_lr_{n}"]} for n in names]  # as the sliders show α₀
    recorded = compare(net, split(2, 150, 0.05), runs, seed=0, batch_size=32, epochs=6)
    for r, fig in zip(recorded, shown):
        heat = next(t for t in fig["data"] if t["type"] == "heatmap")
        z = numbers(heat["z"]) if isinstance(heat["z"], dict) else np.asarray(heat["z"], dtype=float).ravel()
        np.testing.assert_allclose(z.reshape(r.grids[-1].shape), r.grids[-1], rtol=0,
                                   atol=float(np.finfo(np.float32).eps))
