"""optiviz.ui.optimizer_race.cache.race: each optimizer's Path cached on its own, the missing ones run side by side."""

import numpy as np
import pytest

from optiviz.core import descent
from optiviz.ui.optimizer_race import cache


@pytest.fixture
def computed(monkeypatch):
    """Clears the cache and records the optimizers of every ``descent.race_paths`` call the cache makes."""
    cache._stored_path.clear()
    calls = []
    real = descent.race_paths

    def counting(**kwargs):
        calls.append([name for name, _, _ in kwargs["runs"]])
        return real(**kwargs)

    monkeypatch.setattr(descent, "race_paths", counting)
    yield calls
    cache._stored_path.clear()


RUNS = (("sgd", 0.001, ()), ("momentum", 0.001, (("momentum", 0.9),)), ("adam", 0.01, (("beta1", 0.9),)))
RACE = dict(start=(1.0, 1.5), steps=80, schedule="constant", decay_rate=0.0, noise=0.0, seed=0)


ALONE = descent.race_paths  # the real one, before the fixture counts its calls


def alone(runs):
    """Each run by itself, not side by side."""
    return [ALONE("beale", [(name, lr, dict(hyper))], **RACE)[0] for name, lr, hyper in runs]


def assert_same_paths(a, b):
    assert [p.optimizer for p in a] == [p.optimizer for p in b]
    for p, q in zip(a, b):
        for field in ("x", "y", "loss", "grad_norm", "learning_rate"):
            np.testing.assert_array_equal(getattr(p, field), getattr(q, field))
        assert p.diverged_at == q.diverged_at


def test_misses_run_together_once_and_then_hit(computed):
    first = cache.race("beale", RUNS, **RACE)
    again = cache.race("beale", RUNS, **RACE)
    assert computed == [["sgd", "momentum", "adam"]]  # one side-by-side run for all three, none the second time
    assert_same_paths(first, alone(RUNS))
    assert_same_paths(again, alone(RUNS))


def test_changing_one_optimizer_reruns_only_that_one(computed):
    cache.race("beale", RUNS, **RACE)
    faster = (RUNS[0], RUNS[1], ("adam", 0.05, RUNS[2][2]))
    paths = cache.race("beale", faster, **RACE)
    assert computed == [["sgd", "momentum", "adam"], ["adam"]]
    assert_same_paths(paths, alone(faster))


def test_a_shared_setting_reruns_every_optimizer(computed):
    cache.race("beale", RUNS, **RACE)
    cache.race("beale", RUNS, **RACE | {"steps": 90})
    cache.race("beale", RUNS[:1], **RACE | {"steps": 90})  # a subset of what is cached: no run at all
    assert computed == [["sgd", "momentum", "adam"]] * 2


def test_no_runs_no_paths(computed):
    assert cache.race("beale", (), **RACE) == []


def test_cached_paths_are_shared_read_only(computed):
    """The cache hands every session the same Path: its arrays cannot be written to."""
    first = cache.race("beale", RUNS, **RACE)
    again = cache.race("beale", RUNS, **RACE)
    assert all(a is b for a, b in zip(first, again))
    with pytest.raises(ValueError, match="read-only"):
        first[0].x[0] = 0.0
