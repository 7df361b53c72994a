"""Several optimizers under one schedule: each batched run's α_t is what ``compare`` gives that optimizer.

The batched runs compute every optimizer's α_t in one schedule call per epoch (its learning rates as a
vector); each optimizer must still get its own α₀ scaled by the schedule, epoch by epoch.
"""

import numpy as np
import pytest

from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.nn.seeds import compare_with_seeds
from optiviz.nn.training import compare

pytestmark = pytest.mark.filterwarnings("error")


@pytest.mark.parametrize("schedule", ["exp", "inv", "step"])
def test_each_optimizer_keeps_its_own_scheduled_rate(schedule):
    X, y = make_dataset("moons", 120, 0.2, 0)
    data = train_val_split(X, y, 0.25, 0)
    net = MLP(2, (6,), 1, activation="tanh")
    runs = [{"name": "sgd", "learning_rate": 0.3}, {"name": "adam", "learning_rate": 0.02},
            {"name": "momentum", "learning_rate": 0.05}]
    settings = dict(batch_size=30, epochs=5, schedule=schedule, decay_rate=0.4)
    got = compare_with_seeds(net, data, runs, seed=2, seeds=2, grid_size=5, **settings)
    want = compare(net, data, runs, seed=2, record_grid=False, **settings)
    rates = [r.history["lr"].to_numpy(float) for r in got]
    assert len({tuple(r[1:]) for r in rates}) == len(runs)  # three different rate curves
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.history["lr"].to_numpy(float), b.history["lr"].to_numpy(float))
        np.testing.assert_allclose(a.history["train_loss"], b.history["train_loss"], rtol=1e-12, atol=1e-12)
