"""The Training tab's experiment (optiviz.labs.activations_init.training): what it trains, over which seeds, and its counts."""

import math

import numpy as np
import pytest

from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.labs.activations_init import training as it
from optiviz.nn.seeds import count_below, train_seeds
from optiviz.nn.training import train

SMALL = dict(depth=3, width=8, epochs=8, seeds=3)


@pytest.fixture(scope="module")
def runs():
    return it.scheme_trainings("tanh", seed=4, **SMALL)


def split(seed):
    X, y = make_dataset("moons", it.DATA_POINTS, it.DATA_NOISE, seed, 2)
    return train_val_split(X, y, 0.0, seed)


def test_each_seed_is_the_documented_run(runs):
    """Seed s of a random scheme is train(net, moons, momentum γ = 0.9, α, full batch, seed = s)."""
    net = MLP(2, (8,) * 3, 1, activation="tanh", initializer="normal", init_params={"sigma": 2.0})
    one = train(net, split(4), {"name": "momentum", "momentum": 0.9}, learning_rate=it.LEARNING_RATE, batch_size=None,
                epochs=8, seed=5, record_grid=False, record_params=False)
    c = runs.curves["large normal"]
    assert list(c.seeds) == [4, 5, 6]
    np.testing.assert_allclose(c.train_loss[1], one.history["train_loss"], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("scheme, initializer, params", [("zeros", "zeros", {}), ("constant", "constant", {"c": 0.1})])
def test_deterministic_schemes_give_one_run_for_every_seed(runs, scheme, initializer, params):
    """Full batch and no random weights: every seed's run is the same, so one run stands for all."""
    net = MLP(2, (8,) * 3, 1, activation="tanh", initializer=initializer, init_params=params)
    many = train_seeds(net, split(4), {"name": "momentum", "momentum": 0.9}, seeds=[4, 9, 17],
                       learning_rate=it.LEARNING_RATE, batch_size=None, epochs=8)
    np.testing.assert_allclose(many.train_loss, np.broadcast_to(many.train_loss[0], many.train_loss.shape), rtol=1e-9)
    c = runs.curves[scheme]
    assert c.train_loss.shape == (1, 9)
    np.testing.assert_allclose(c.train_loss[0], many.train_loss[0], rtol=1e-9)
    assert runs.distinct[scheme] == 1  # the units of hidden layer 1 never tell themselves apart


def test_zeros_stays_at_a_coin_toss(runs):
    assert np.allclose(runs.curves["zeros"].train_loss, math.log(2), atol=1e-9)


def test_counts_and_summary_agree_with_the_curves(runs):
    final = it.final_losses(runs)
    assert all(v.shape == (3,) for v in final.values())
    for a, b, k, n in it.comparisons(runs):
        assert n == 3 and k == count_below(runs.curves[a].train_loss[:, -1],
                                           np.broadcast_to(runs.curves[b].train_loss[:, -1], (3,)))
    table = it.summary(runs).set_index("scheme")
    assert table.loc["xavier", "loss_median"] == pytest.approx(np.median(runs.curves["xavier"].train_loss[:, -1]))
    assert (table.loss_p10 <= table.loss_median).all() and (table.loss_median <= table.loss_p90).all()


def test_the_defaults_show_the_lecture():
    """Default network and seeds: Xavier and He end below σ = 0.01 and σ = 2 in at least 8 of 10 seeds."""
    full = it.scheme_trainings()
    assert len(full.seeds) == 10 and full.depth == 6
    for a, b, k, n in it.comparisons(full):
        assert k >= 8, (a, b, k)


def test_progress_counts_runs():
    seen = []
    it.scheme_trainings("relu", ("zeros", "he"), progress=lambda d, t: seen.append((d, t)), **SMALL)
    assert seen == [(1, 4), (4, 4)]


@pytest.mark.parametrize("kwargs, name", [({"schemes": ("bogus",)}, "schemes"), ({"schemes": "xavier"}, "schemes"),
                                          ({"schemes": ()}, "schemes"), ({"depth": 7}, "depth"), ({"width": 0}, "width"),
                                          ({"width": 33}, "width"), ({"epochs": 0}, "epochs"), ({"seeds": 21}, "seeds"),
                                          ({"seed": -1}, "seed"), ({"large_sigma": float("nan")}, "sigma")])
def test_bad_input_raises_value_error_naming_it(kwargs, name):
    with pytest.raises(ValueError, match=name):
        it.scheme_trainings(**{**SMALL, **kwargs})
