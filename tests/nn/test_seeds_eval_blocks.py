"""The batched seeds' evaluation in several blocks (K × S × width > EVAL_VALUES / points) gives every point its own logits.

Regression: the blocks of equal size shared one output buffer and were concatenated after all of them
ran, so the first blocks' points got the last full block's logits (the training page's default,
4 optimizers × 10 seeds, showed training curves off by up to 1.4 in loss).
"""

import numpy as np

from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.nn import seeds as seeds_module
from optiviz.nn.seeds import compare_seeds
from optiviz.nn.training import compare


def test_many_blocks_match_compare(monkeypatch):
    monkeypatch.setattr(seeds_module, "EVAL_VALUES", 2_000)  # blocks of 20 points
    X, y = make_dataset("spiral", 200, 0.05, 0, 2)
    data = train_val_split(X, y, 0.3, 0)
    net = MLP(2, (16, 16), 1, activation="relu", initializer="he")
    runs = ["sgd", {"name": "adam", "learning_rate": 0.01}]
    points = len(data.X_train) + len(data.X_val)
    rows = seeds_module.EVAL_VALUES // (len(runs) * 3 * 16)
    assert rows < points / 2  # several blocks, so the bug would show
    curves = compare_seeds(net, data, runs, seeds=range(3), epochs=3, batch_size=32)
    looped = compare(net, data, runs, seed=0, record_grid=False, record_params=False, epochs=3, batch_size=32)
    for k in range(len(runs)):
        for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
            np.testing.assert_allclose(getattr(curves[k], name)[0], looped.results[k].history[name].to_numpy(float),
                                       rtol=0, atol=1e-12, err_msg=f"{runs[k]} {name}")
