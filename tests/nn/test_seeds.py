"""Many seeds: each seed's curves equal train(seed=s), the spread and the counts are right."""

import math

import numpy as np
import pytest

from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.nn.seeds import (MAX_SEEDS, MAX_STEP_VALUES, MAX_STEP_WORK, MAX_WORK, SeedCurves, _Streams,
                              affordable_seeds, compare_seeds, compare_with_seeds, count_below, final_values,
                              seeds_step_work, seeds_work, spread, step_values, train_seeds)
from optiviz.nn.training import STREAMS, compare, stream, train

pytestmark = pytest.mark.filterwarnings("error")

CURVES = ("train_loss", "val_loss", "train_acc", "val_acc")


def split_of(name="moons", n=120, noise=0.2, seed=0, classes=2, val=0.25):
    X, y = make_dataset(name, n, noise, seed, classes=classes)
    return train_val_split(X, y, val, seed)


def assert_matches_train(curves: SeedCurves, net, data, optimizer, **settings):
    """Row s of every curve equals train(seed=s)'s history, to 1e-12, and NaN after it ends."""
    assert isinstance(curves, SeedCurves)
    for i, s in enumerate(curves.seeds):
        run = train(net, data, optimizer, seed=int(s), record_grid=False, record_params=False, **settings)
        rows = len(run.history)
        for name in CURVES:
            got = getattr(curves, name)[i]
            np.testing.assert_allclose(got[:rows], run.history[name].to_numpy(dtype=float), rtol=1e-12, atol=1e-12,
                                       err_msg=f"seed {s}, {name}")
            assert np.isnan(got[rows:]).all()
        assert curves.diverged_at[i] == (-1 if run.diverged_at is None else run.diverged_at)
        if curves.stopped_at is not None:
            assert curves.stopped_at[i] == (-1 if run.stopped_at is None else run.stopped_at)


CASES = {
    "relu sgd": (MLP(2, (8, 8), 1), "sgd", dict(learning_rate=0.3, batch_size=16, epochs=6)),
    "tanh momentum 3 classes": (MLP(2, (6,), 3, activation="tanh", initializer="xavier"),
                                {"name": "momentum", "momentum": 0.8}, dict(learning_rate=0.05, batch_size=32, epochs=5)),
    "adam schedule l1 l2": (MLP(2, (5, 5), 1, activation="leaky_relu", alpha=0.2, skip=True), "adam",
                            dict(learning_rate=0.01, schedule="step", decay_rate=0.5, batch_size=20, epochs=5,
                                 l1=0.001, l2=0.01)),
    "dropout augment rmsprop": (MLP(2, (7, 7), 1, keep_prob=0.7), "rmsprop",
                                dict(learning_rate=0.01, batch_size=13, epochs=4, jitter=0.1, rotation=20.0,
                                     reflect="x", preprocessing="standardise")),
    "batch norm nesterov": (MLP(2, (6, 6), 2, activation="elu", batch_norm=True), "nesterov",
                            dict(learning_rate=0.05, batch_size=89, epochs=4)),
    "early stopping adagrad full batch": (MLP(2, (4,), 1, activation="sigmoid"), "adagrad",
                                          dict(learning_rate=0.5, batch_size=None, epochs=30, patience=2)),
    "mse": (MLP(2, (5,), 1), "sgd", dict(learning_rate=0.05, batch_size=16, epochs=3, loss="mean_squared_error")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_seed_equals_train(case):
    net, opt, settings = CASES[case]
    data = split_of(classes=net.output_dim if net.output_dim > 1 else 2, name="blobs" if net.output_dim > 2 else "moons")
    curves = train_seeds(net, data, opt, seeds=[0, 3, 7], **settings)
    assert curves.train_loss.shape == (3, settings["epochs"] + 1)
    np.testing.assert_array_equal(curves.epochs, np.arange(settings["epochs"] + 1))
    np.testing.assert_array_equal(curves.seeds, [0, 3, 7])
    assert_matches_train(curves, net, data, opt, **settings)


@pytest.mark.parametrize("name", list(STREAMS))
def test_the_fast_streams_draw_what_stream_draws(name):
    """The vectorised SeedSequence gives every seed's Generator the bits of ``stream(s, name, epoch)``."""
    seeds = np.array([0, 1, 2, 7, 123_456, 2**31 + 5, 2**32 - 1])
    streams = _Streams(seeds, 70)
    assert streams.fast
    for epoch in (0, 1, 2, 59, 70):
        for s, rng in zip(seeds, streams(name, epoch)):
            reference = stream(int(s), name, epoch)
            np.testing.assert_array_equal(rng.permutation(50), reference.permutation(50))
            np.testing.assert_array_equal(rng.random(5), reference.random(5))


def test_seeds_beyond_32_bits_take_the_slow_streams_and_still_equal_train():
    net, opt, settings = CASES["dropout augment rmsprop"]
    seeds = [2**32 + 3, 1]
    assert not _Streams(np.array(seeds), 3).fast
    assert_matches_train(train_seeds(net, split_of(), opt, seeds=seeds, **settings), net, split_of(), opt, **settings)


def test_optimizers_together_equal_each_alone():
    net, data = MLP(2, (6, 6), 1, keep_prob=0.8, activation="tanh"), split_of()
    settings = dict(batch_size=24, epochs=4, schedule="exp", decay_rate=0.3)
    opts = ["sgd", {"name": "adam", "learning_rate": 0.02}, {"name": "momentum", "momentum": 0.5}, "adam"]
    all_curves = compare_seeds(net, data, opts, seeds=[2, 5], **settings)
    assert [c.label for c in all_curves] == ["sgd", "adam", "momentum", "adam (2)"]
    for opt, curves in zip(opts, all_curves):
        assert_matches_train(curves, net, data, opt, **settings)
    np.testing.assert_array_equal(all_curves[1].val_loss, train_seeds(net, data, opts[1], seeds=[2, 5], **settings).val_loss)


def test_seeds_differ_and_a_divergent_run_does_not_spoil_the_others():
    # a deep linear net: at α = 0.5 every seed overflows, at α = 0.001 none does; trained together
    net = MLP(2, (8, 8, 8), 1, activation="linear", initializer="normal", init_params={"sigma": 1.0})
    data = split_of()
    settings = dict(batch_size=16, epochs=8)
    fast, slow = {"name": "sgd", "learning_rate": 0.5}, {"name": "sgd", "learning_rate": 0.001}
    wild, calm = compare_seeds(net, data, [fast, slow], seeds=range(4), **settings)
    assert (wild.diverged_at > 0).all() and (calm.diverged_at == -1).all()
    assert np.isnan(wild.train_loss[:, -1]).all() and np.isfinite(calm.train_loss).all()
    assert_matches_train(wild, net, data, fast, **settings)
    assert_matches_train(calm, net, data, slow, **settings)
    assert len({tuple(r) for r in calm.train_loss}) == 4  # four different runs


def test_label_and_progress():
    calls = []
    curves = train_seeds(MLP(2, (4,), 1), split_of(), {"name": "adam", "label": "adam (2)"}, seeds=2, epochs=3,
                         progress=lambda d, t: calls.append((d, t)))
    assert curves.label == "adam (2)"
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))


@pytest.mark.parametrize("bad, message", [
    (dict(seeds=[]), "seeds must hold"),
    (dict(seeds=range(MAX_SEEDS + 1)), "seeds must hold"),
    (dict(seeds=[1, 1]), "distinct"),
    (dict(seeds=[-1]), "seeds"),
    (dict(seeds="abc"), "seeds"),
    (dict(seed=3), "seed is not a setting"),
    (dict(initial=None), "initial is not a setting"),
    (dict(record_grid=True), "record_grid"),
    (dict(epochs=0), "epochs"),
    (dict(learning_rate=-1.0), "learning_rate"),
])
def test_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        train_seeds(MLP(2, (4,), 1), split_of(), "sgd", **{"epochs": 2, **bad})


def test_the_work_cap_counts_the_seeds():
    net, data = MLP(2, (64, 64, 64), 1), split_of(n=1000)
    with pytest.raises(ValueError, match="seeds must be fewer"):
        train_seeds(net, data, "sgd", seeds=range(20), epochs=100, batch_size=None)
    with pytest.raises(ValueError, match="seeds must be fewer"):  # K optimizers count K times
        compare_seeds(net, data, ["sgd", "adam", "rmsprop", "momentum"], seeds=range(5), epochs=100, batch_size=None)
    train_seeds(net, data, "sgd", seeds=range(2), epochs=1, batch_size=None)  # within the caps
    with pytest.raises(ValueError, match="memory cap"):
        compare_seeds(MLP(2, (64, 64), 1), data, ["sgd", "adam"], seeds=range(10), epochs=1, batch_size=None)
    with pytest.raises(ValueError, match="seeds must be fewer with dropout"):
        train_seeds(MLP(2, (4, 4), 1, keep_prob=0.5), data, "sgd", seeds=range(20), epochs=100, batch_size=8)


def test_spread_is_the_median_and_the_10_90_band_ignoring_nan():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(11, 4))
    v[3, 2] = math.nan
    v[:, 3] = math.nan
    median, low, high = spread(v)
    for e in range(3):
        col = v[:, e][~np.isnan(v[:, e])]
        s = np.sort(col)
        assert median[e] == pytest.approx(np.median(col))
        # linear interpolation between order statistics, as numpy's default percentile
        pos = 0.1 * (len(s) - 1)
        assert low[e] == pytest.approx(s[int(pos)] + (pos - int(pos)) * (s[int(pos) + 1] - s[int(pos)]))
        pos = 0.9 * (len(s) - 1)
        assert high[e] == pytest.approx(s[int(pos)] + (pos - int(pos)) * (s[min(int(pos) + 1, len(s) - 1)] - s[int(pos)]))
        assert low[e] <= median[e] <= high[e]
    assert np.isnan([median[3], low[3], high[3]]).all()


def test_count_below():
    a = np.array([1.0, 2.0, 3.0, math.nan, 0.5, math.nan])
    b = np.array([2.0, 2.0, 1.0, 1.0, math.nan, math.nan])
    # 1 < 2 yes; 2 < 2 no; 3 < 1 no; diverged a never below; finite a below a diverged b; both diverged no
    assert count_below(a, b) == 2
    assert count_below(b, a) == 2
    with pytest.raises(ValueError, match="same shape"):
        count_below([1.0], [1.0, 2.0])


def test_final_values():
    curves = SeedCurves(np.arange(3), np.arange(4),
                        np.array([[1, 2, 3, 4], [1, 2, math.nan, math.nan], [1, 5, math.nan, math.nan]], float),
                        np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((3, 4)), np.array([-1, -1, 2]), "sgd",
                        np.array([-1, 1, -1]))
    np.testing.assert_array_equal(final_values(curves, "train_loss"), [4.0, 2.0, math.nan])


FIRST = {
    "relu, four optimizers": (MLP(2, (8, 8), 1), ["sgd", "momentum", "rmsprop", "adam"],
                              dict(learning_rate=0.05, batch_size=32, epochs=5, l2=0.01)),
    "batch norm, dropout, early stopping, 3 classes": (
        MLP(2, (6, 6), 3, activation="tanh", batch_norm=True, keep_prob=0.8, skip=True), ["momentum", "sgd"],
        dict(learning_rate=0.05, batch_size=16, epochs=25, patience=2, jitter=0.05)),
    "adam, dropout, early stopping": (MLP(2, (6, 6), 1, keep_prob=0.7), ["adam", "rmsprop"],
                                      dict(learning_rate=0.05, batch_size=16, epochs=25, patience=2)),
}


@pytest.mark.parametrize("case", list(FIRST))
def test_compare_with_seeds_gives_compares_runs_and_draws_the_same_grids(case):
    net, opts, settings = FIRST[case]
    classes = max(2, net.output_dim)
    data = split_of("blobs" if classes == 3 else "moons", classes=classes)
    got = compare_with_seeds(net, data, opts, seed=4, seeds=3, grid_size=12, **settings)
    want = compare(net, data, opts, seed=4, grid_size=12, **settings)
    assert len(got.seeds) == len(opts) and all(list(c.seeds) == [4, 5, 6] for c in got.seeds)
    for a, b, curves in zip(got, want, got.seeds):
        assert a.optimizer == b.optimizer == curves.label
        cols = ["epoch", "steps", "lr", "train_loss", "val_loss", "train_acc", "val_acc", "penalty"]
        np.testing.assert_allclose(a.history[cols].to_numpy(float), b.history[cols].to_numpy(float), rtol=1e-12,
                                   atol=1e-12)
        assert list(a.history["optimizer"]) == list(b.history["optimizer"])
        for name in ("weight_norms", "grad_norms", "param_vectors"):
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-11, atol=1e-12, err_msg=name)
        assert (a.best_epoch, a.stopped_at, a.diverged_at) == (b.best_epoch, b.stopped_at, b.diverged_at)
        np.testing.assert_allclose(a.layout.flatten(a.params), b.layout.flatten(b.params), rtol=1e-11, atol=1e-12)
        for x, y in zip(a.state, b.state):
            for key in x:
                np.testing.assert_allclose(x[key], y[key], rtol=1e-11)
        np.testing.assert_array_equal(a.grid_x, b.grid_x)
        assert a.grids is None and b.grids is not None
        for epoch in (0, 1, b.epochs_run // 2, b.epochs_run, b.epochs_run + 5):
            np.testing.assert_allclose(a.grid_at(epoch), b.grid_at(epoch), atol=1e-6)
        # the first seed's curves are the run's own history
        rows = len(b.history)
        np.testing.assert_allclose(curves.val_loss[0, :rows], b.history["val_loss"], rtol=1e-12)
        np.testing.assert_allclose(a.neuron_responses(0), b.neuron_responses(0), rtol=1e-10, atol=1e-12)
    if "early" in case:
        assert any(r.stopped_at is not None for r in want)
        assert any(r.best_epoch < r.epochs_run for r in want)


def test_compare_with_seeds_caps():
    with pytest.raises(ValueError, match="epochs must be fewer to keep"):
        compare_with_seeds(MLP(2, (64, 64, 64), 1), split_of(), ["sgd"], seeds=2, epochs=300, batch_size=None)
    with pytest.raises(ValueError, match="seeds"):
        compare_with_seeds(MLP(2, (4,), 1), split_of(), ["sgd"], seeds=MAX_SEEDS + 1, epochs=2)


def test_affordable_seeds_stay_within_every_cap():
    data = split_of(n=400)
    n_train, n_val = len(data.X_train), len(data.X_val)
    cases = [(MLP(2, (16, 16), 1), 32, 60, 4), (MLP(2, (64,) * 5, 3, batch_norm=True), 8, 40, 2),
             (MLP(2, (8,), 1, keep_prob=0.5), 1, 30, 1), (MLP(2, (64, 64), 1), None, 20, 4)]
    for net, batch, epochs, k in cases:
        n = affordable_seeds(net, n_train, n_val, batch, epochs, k, MAX_SEEDS)
        assert 1 <= n <= MAX_SEEDS
        if n > 1:  # what it allows runs; one more seed would break a cap (unless at the top)
            opts = ["sgd"] * k
            compare_seeds(net, data, opts, seeds=range(n), batch_size=batch, epochs=1)  # cheap: the caps scale
            assert seeds_work(net, n_train, n_val, epochs, k * n) <= MAX_WORK
            if n < MAX_SEEDS:
                bigger = n + 1
                assert (seeds_work(net, n_train, n_val, epochs, k * bigger) > MAX_WORK
                        or step_values(net, n_train, batch, k * bigger) > MAX_STEP_VALUES
                        or seeds_step_work(net, n_train, batch, epochs, bigger) > MAX_STEP_WORK)
    assert affordable_seeds(MLP(2, (16, 16), 1), n_train, n_val, 32, 60, 4, 10) == 10
    assert affordable_seeds(MLP(2, (16, 16), 1), n_train, n_val, 32, 60, 4, 3) == 3


def test_spread_equals_numpys_nanpercentile():
    rng = np.random.default_rng(3)
    v = rng.lognormal(size=(13, 40))
    v[rng.random(v.shape) < 0.2] = math.nan
    v[:, 5] = math.nan
    got = spread(v)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):  # the all-NaN column
        want = np.nanpercentile(v, [50, 10, 90], axis=0)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-13, equal_nan=True)
