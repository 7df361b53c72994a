"""Regularizers read from training runs: early stopping, dropout's expectations and training loss, augmented copies."""

import math

import numpy as np
import pytest

from optiviz.core.datasets import Split, make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.nn import regularizers as rg
from optiviz.nn.losses import binary_cross_entropy
from optiviz.nn.training import epoch_batches, stream, train


# ---- early stopping --------------------------------------------------------------------------------------


def test_early_stopping_rule_by_hand():
    v = [1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76, 0.77]
    rule = rg.early_stopping(v, [1, 2, 3, 4])
    np.testing.assert_array_equal(rule.stopped_at, [2, 3, 7, -1])
    np.testing.assert_array_equal(rule.kept_epoch, [1, 1, 4, 4])
    np.testing.assert_array_equal(rule.kept_loss, [0.8, 0.8, 0.7, 0.7])
    nan = rg.early_stopping([1.0, math.nan, math.nan, 0.5], [2])  # NaN never improves
    assert nan.stopped_at[0] == 2 and nan.kept_epoch[0] == 0
    tie = rg.early_stopping([1.0, 0.5, 0.5, 0.5], [2])  # a tie is no improvement
    assert tie.stopped_at[0] == 3 and tie.kept_epoch[0] == 1
    with pytest.raises(ValueError, match="^patience"):
        rg.early_stopping(v, [0])


def test_stop_rule_runs_over_leading_axes_as_early_stopping_does_per_curve():
    """The batched seeds call the rule on (K, S, E) curves with one patience; each row is early_stopping's answer."""
    rng = np.random.default_rng(0)
    curves = rng.normal(size=(2, 3, 12)).cumsum(axis=-1)
    curves[0, 1, 3:6] = math.nan
    curves[1, 2, 0] = math.inf  # a first epoch that is not finite is still the first best
    for patience in (1, 3, 20):
        stop, kept = rg.stop_rule(curves, patience)
        assert stop.shape == kept.shape == (2, 3)
        for k in range(2):
            for s in range(3):
                one = rg.early_stopping(curves[k, s], [patience])
                assert (stop[k, s], kept[k, s]) == (one.stopped_at[0], one.kept_epoch[0])
    assert rg.stop_rule(np.array([math.nan, math.nan, math.nan]), 2) == (2, 0)  # NaN never improves on epoch 0


@pytest.fixture(scope="module")
def overfitting_split():
    X, y = make_dataset("moons", 120, 0.3, 0)
    return train_val_split(X, y, 0.5, 0)


def test_the_rule_is_what_train_does_and_the_kept_weights_are_the_best(overfitting_split):
    """The page reads early stopping off one long run; train(patience=P) must stop and restore identically."""
    net = MLP(2, (16, 16), 1)
    settings = dict(learning_rate=0.05, batch_size=10, epochs=80, seed=0, record_grid=False)
    full = train(net, overfitting_split, "momentum", **settings)
    val = full.history["val_loss"].to_numpy()
    patiences = [1, 2, 5, 10]
    rule = rg.early_stopping(val, patiences)
    assert rule.stopped_at.min() >= 0 and len(set(rule.kept_epoch)) > 1  # the test sees different stops
    for P, stop, kept in zip(patiences, rule.stopped_at, rule.kept_epoch):
        run = train(net, overfitting_split, "momentum", patience=P, **settings)
        assert (run.stopped_at, run.best_epoch) == (stop, kept)
        np.testing.assert_array_equal(run.history["val_loss"], val[: stop + 1])  # stopping only truncates
        # the restored weights give the best validation loss recorded before the stop
        p = run.predict_proba(overfitting_split.X_val)
        loss = binary_cross_entropy(np.log(p / (1 - p)), overfitting_split.y_val)[0]
        assert loss == pytest.approx(val[: stop + 1].min(), rel=1e-9)
        assert loss == pytest.approx(rule.kept_loss[patiences.index(P)], rel=1e-9)


# ---- dropout ---------------------------------------------------------------------------------------------


def test_dropout_expectations_match_test_time_scaling():
    rng = np.random.default_rng(0)
    h = np.abs(rng.standard_normal((200, 6))) + 0.5
    table = rg.dropout_expectations(h, 0.3, 400, seed=1)  # drop probability p = 0.3: kept with 1 − p = 0.7
    test = h.mean(axis=0)
    np.testing.assert_allclose(table["test h"], test)
    np.testing.assert_allclose(table["original: test (1−p)·h"], 0.7 * test)
    # mean over 200 × 400 Bernoulli(0.7) draws: standard error ≈ 0.65·h/√80000 ≈ 0.2% of h
    np.testing.assert_allclose(table["inverted: training m⊙h/(1−p)"], test, rtol=0.01)
    np.testing.assert_allclose(table["original: training m⊙h"], 0.7 * test, rtol=0.01)
    # the unscaled original would be 1/(1 − p) times too large: far outside that tolerance
    assert not np.allclose(table["original: training m⊙h"], test, rtol=0.1)
    exact = rg.dropout_expectations(h, 0.0, 3)  # p = 0 keeps every unit
    np.testing.assert_allclose(exact["inverted: training m⊙h/(1−p)"], test, rtol=1e-12)
    half = rg.dropout_expectations(h, 0.5, 400, seed=1)  # p = ½ drops half: the mean of m⊙h is half of h
    np.testing.assert_allclose(half["original: training m⊙h"], 0.5 * test, rtol=0.01)
    with pytest.raises(ValueError, match="^masks"):
        rg.dropout_expectations(h, 0.5, rg.MAX_MASKS + 1)
    with pytest.raises(ValueError, match="^drop probability p"):
        rg.dropout_expectations(h, 1.0, 3)  # p = 1 would drop every unit


@pytest.mark.parametrize("batch_size", [None, 7])
def test_dropout_masks_are_the_masks_training_draws(batch_size):
    """The first point of each step, pushed through the network by hand with the helper's masks, gives the
    logit that the training-mode forward pass (the "dropout" stream of train) gives."""
    X, y = make_dataset("moons", 20, 0.2, 0)
    drop, seed, widths = 0.4, 5, (6, 5)
    net = MLP(2, widths, 1, keep_prob=1 - drop)
    params, state = net.init(np.random.default_rng(1))
    masks = rg.dropout_masks(seed, 2, len(X), batch_size, widths, drop)
    steps = 1 if batch_size is None else math.ceil(len(X) / 7)
    assert masks.shape == (2 * steps, 2, 6) and not masks[:, 1, 5].any()  # the narrower layer is padded
    assert 0.3 < 1 - masks[:, 0].mean() < 0.5
    step = 0
    for epoch in (1, 2):
        rng = stream(seed, "dropout", epoch)
        for batch in epoch_batches(len(X), batch_size or len(X), seed, epoch):
            logits = net.forward(params, state, X[batch], training=True, rng=rng)[0]
            h = X[batch[0]]
            for layer, m in zip(params[:-1], masks[step]):
                h = np.maximum(h @ layer["W"] + layer["b"], 0) * m[: len(layer["b"])] / (1 - drop)
            assert h @ params[-1]["W"] + params[-1]["b"] == pytest.approx(logits[0], rel=1e-12)
            step += 1
    assert rg.dropout_masks(seed, 2, len(X), None, widths, 0.0).all(axis=(0, 2)).tolist() == [True, False]
    with pytest.raises(ValueError, match="^epochs"):
        rg.dropout_masks(seed, rg.MAX_MASK_STEPS + 1, len(X), None, widths, drop)


def test_dropped_training_loss(overfitting_split):
    plain = train(MLP(2, (8,), 1), overfitting_split, "adam", epochs=5, seed=0, record_grid=False, record_params=True)
    same = rg.dropped_training_loss(plain, overfitting_split.X_train, overfitting_split.y_train, 2)
    np.testing.assert_allclose(same, plain.history["train_loss"], rtol=1e-12)  # nothing to drop: the recorded loss
    drop = train(MLP(2, (32, 32), 1, keep_prob=0.5), overfitting_split, "adam", learning_rate=0.01, epochs=30, seed=0,
                 record_grid=False, record_params=True)
    dropped = rg.dropped_training_loss(drop, overfitting_split.X_train, overfitting_split.y_train, 4)
    assert (dropped[1:] > drop.history["train_loss"].to_numpy()[1:]).mean() > 0.9  # thinned networks predict worse
    no_params = train(MLP(2, (8,), 1), overfitting_split, epochs=2, record_grid=False, record_params=False)
    with pytest.raises(ValueError, match="^result"):
        rg.dropped_training_loss(no_params, overfitting_split.X_train, overfitting_split.y_train)


# ---- augmentation ----------------------------------------------------------------------------------------


def test_augmented_copies_are_the_points_training_sees():
    """One full-batch SGD step on augmented data equals a hand step on the copies drawn here."""
    X, y = make_dataset("circles", 30, 0.1, 0)
    split = Split(X, y, np.empty((0, 2)), np.empty(0, dtype=np.int64))
    net, lr, aug = MLP(2, (8,), 1), 0.5, dict(jitter=0.05, rotation=90.0, reflect="xy")
    run = train(net, split, "sgd", learning_rate=lr, batch_size=None, epochs=1, seed=3, record_grid=False,
                record_params=True, **aug)
    copies = rg.augmented_copies(X, y, 1, seed=3, **aug)
    points, labels = copies[["x", "y"]].to_numpy(), copies["label"].to_numpy()
    params, state = run.initial_params, run.initial_state
    logits, cache, _ = net.forward(params, state, points, training=True)
    _, dlogits = binary_cross_entropy(logits, labels)
    grads = net.backward(params, cache, dlogits)
    step = run.layout.flatten(params) - lr * run.layout.flatten(grads)
    np.testing.assert_allclose(run.param_vectors[1], step, rtol=1e-12, atol=1e-14)
    # and with no augmentation the copies are the shuffled points of each epoch
    plain = rg.augmented_copies(X, y, 2, seed=3)
    order = epoch_batches(len(X), len(X), 3, 2)[0]
    np.testing.assert_array_equal(plain[plain["epoch"] == 2][["x", "y"]].to_numpy(), X[order])
    rotated = rg.augmented_copies(X, y, 3, seed=3, rotation=180.0)  # rotations keep every radius
    np.testing.assert_allclose(np.sort(np.hypot(rotated["x"], rotated["y"])),
                               np.sort(np.tile(np.hypot(X[:, 0], X[:, 1]), 3)))
    with pytest.raises(ValueError, match="^epochs"):
        rg.augmented_copies(X, y, rg.MAX_AUGMENT_EPOCHS + 1)
    with pytest.raises(ValueError, match="^reflect"):
        rg.augmented_copies(X, y, 1, reflect="z")
