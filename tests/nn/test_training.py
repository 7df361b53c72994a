"""The training loop: learning, steps and shuffles, schedules, penalties, early stopping,
augmentation, divergence, fair comparisons, caps, and the same path as torch.optim."""

import math
import pickle
import warnings

import numpy as np
import pytest

from optiviz.core.datasets import Split, apply, augment, make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.nn import losses
from optiviz.nn.losses import binary_cross_entropy
from optiviz.nn.penalties import elastic_net, penalize
from optiviz.nn.records import Layout
from optiviz.nn.training import (
                                 MAX_EPOCHS,
                                 MAX_STEP_WORK,
                                 MAX_WORK,
                                 _Loop,
                                 compare,
                                 epoch_batches,
                                 max_epochs,
                                 step_work,
                                 stream,
                                 train,
                                 work,
                                 )
from optiviz.core.schedules import learning_rate

pytestmark = pytest.mark.filterwarnings("error")  # no NumPy (or other) warning may escape


def split_of(name="moons", n=200, noise=0.1, seed=0, classes=2, val=0.25):
    X, y = make_dataset(name, n, noise, seed, classes=classes)
    return train_val_split(X, y, val, seed)


SMALL = MLP(2, (8, 8), 1, activation="tanh", initializer="xavier")


def assert_same_run(a, b):
    """Two results with the same trajectory (the optimizer labels may differ)."""
    cols = [c for c in a.history.columns if c != "optimizer"]
    assert a.history[cols].equals(b.history[cols])
    np.testing.assert_array_equal(a.param_vectors, b.param_vectors)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    np.testing.assert_array_equal(a.grids, b.grids)


# --- the one training path: the network's own unchecked cores, writing into one flat gradient ----

NETS = {
    "relu": MLP(2, (6, 5), 1),
    "tanh+bn+skip+dropout": MLP(2, (5, 5, 5), 3, activation="tanh", batch_norm=True, skip=True, keep_prob=0.7,
                                bn_momentum=0.8),
    "leaky+bn": MLP(3, (4, 6), 2, activation="leaky_relu", alpha=0.2, batch_norm=True),
    "sigmoid+dropout+skip": MLP(2, (4, 4), 1, activation="sigmoid", skip=True, keep_prob=0.5),
    "no hidden layer": MLP(2, (), 1),
}


def moved_params(net, rng):
    params, state = net.init(rng)
    for p in params:  # move b, γ, β off their initial values
        for k in p:
            if k != "W":
                p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    return params, state


@pytest.mark.parametrize("name", list(NETS))
def test_training_gradient_is_the_networks_backward_written_into_the_flat_buffer(name):
    """The loop's step (unchecked cores, gradient written in place in Layout order) equals MLP.forward/backward."""
    net = NETS[name]
    rng = np.random.default_rng(1)
    params, state = moved_params(net, rng)
    layout = Layout.of(params)
    loop = _Loop.of(layout, layout.flatten(params))
    loop.grad[:] = np.nan  # every entry must be written
    x = rng.normal(size=(7, net.input_dim))
    dlogits = rng.normal(size=(7, net.output_dim))

    ours, caches, our_state = net.forward_unchecked(loop.params, state, x, True, np.random.default_rng(5))
    theirs, cache, their_state = net.forward(params, state, x, training=True, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(ours, theirs)
    for s, t in zip(our_state, their_state):
        assert s.keys() == t.keys() and all(np.array_equal(s[k], t[k]) for k in s)
    assert net.backward_unchecked(loop.params, caches, dlogits, loop.grads) is loop.grads
    np.testing.assert_array_equal(loop.grad, layout.flatten(net.backward(params, cache, dlogits)))


@pytest.mark.parametrize("name", list(NETS))
def test_training_gradient_matches_central_differences_of_the_flat_parameters(name, numgrad, rel_error):
    """∂L/∂θ of the loop's step against central differences of L(θ), θ the flat vector the optimizer moves."""
    net = NETS[name]
    rng = np.random.default_rng(2)
    params, state = moved_params(net, rng)
    layout = Layout.of(params)
    loop = _Loop.of(layout, layout.flatten(params))
    x = rng.normal(size=(6, net.input_dim))
    loss = "mean_squared_error" if net.output_dim > 1 else "binary_cross_entropy"
    y = rng.normal(size=(6, net.output_dim)) if net.output_dim > 1 else rng.integers(0, 2, (6, 1)).astype(float)

    def objective():  # training mode, the same dropout mask every call
        logits, caches, _ = net.forward_unchecked(loop.params, state, x, True, np.random.default_rng(7))
        return losses.mean(loss, logits, y), logits, caches

    _, logits, caches = objective()
    net.backward_unchecked(loop.params, caches, losses.gradient(loss, logits, y), loop.grads)
    numeric = numgrad(lambda: objective()[0], loop.theta)
    floor = 1e-3 * np.linalg.norm(loop.grad)
    assert rel_error(loop.grad, numeric, floor) < 1e-6


def test_layout_puts_weights_first_and_round_trips():
    params, _ = MLP(2, (3, 4), 2, batch_norm=True).init(np.random.default_rng(0))
    layout = Layout.of(params)
    assert layout.names[:3] == ("0.W", "1.W", "2.W")
    assert layout.n_weights == 2 * 3 + 3 * 4 + 4 * 2
    theta = layout.flatten(params)
    back = layout.unflatten(theta)
    assert all(np.array_equal(back[i][k], params[i][k]) for i in range(3) for k in params[i])
    views = layout.views(theta)
    theta += 1.0
    assert np.array_equal(views[1]["gamma"], params[1]["gamma"] + 1.0)


# --- learning -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["moons", "circles", "xor"])
def test_learns_two_class_datasets(name):
    result = train(MLP(2, (16, 16), 1, activation="tanh", initializer="xavier"), split_of(name, 400),
                   "adam", learning_rate=0.02, batch_size=32, epochs=60, record_grid=False)
    h = result.history
    assert h.val_acc.iloc[-1] >= 0.95 and h.train_acc.iloc[-1] >= 0.95
    assert h.train_loss.iloc[-1] < 0.2 * h.train_loss.iloc[0]
    assert h.train_loss.iloc[-10:].mean() < h.train_loss.iloc[:10].mean()
    # the returned network predicts as recorded
    data = split_of(name, 400)
    assert np.mean(result.predict(data.X_val) == data.y_val) == pytest.approx(h.val_acc.iloc[-1])


def test_learns_three_class_spiral_and_records_class_probabilities():
    result = train(MLP(2, (32, 32), 3), split_of("spiral", 450, 0.05, classes=3), "adam", learning_rate=0.01,
                   batch_size=32, epochs=100, grid_size=20, preprocessing="standardise")
    assert result.history.val_acc.iloc[-1] >= 0.85
    assert result.grids.shape == (101, 20, 20, 3) and result.grids.dtype == np.float32
    np.testing.assert_allclose(result.grids.sum(axis=-1), 1.0, atol=1e-5)


# --- steps, shuffles and schedules ---------------------------------------------------------------


def test_full_batch_gradient_descent_equals_a_hand_written_loop():
    """W ← W − α_t (∂L/∂W + λW) with the network's own forward/backward, α_t per epoch (= per step here)."""
    net, data = SMALL, split_of(n=60)
    result = train(net, data, "sgd", learning_rate=0.5, schedule="exp", decay_rate=0.3, batch_size=None,
                   epochs=4, l2=0.01)
    params, state = result.initial_params, result.initial_state
    penalty = elastic_net(0.0, 0.01)
    layout = result.layout
    for t in range(4):
        logits, cache, state = net.forward(params, state, data.X_train, training=True)
        _, dlogits = binary_cross_entropy(logits, data.y_train)
        grads = net.backward(params, cache, dlogits)
        _, pgrads = penalize(penalty, params)
        alpha = learning_rate("exp", 0.5, 0.3, t)
        params = [{k: p[k] - alpha * (g[k] + q[k]) for k in p} for p, g, q in zip(params, grads, pgrads)]
        np.testing.assert_allclose(result.param_vectors[t + 1], layout.flatten(params), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.history.lr[1:], learning_rate("exp", 0.5, 0.3, np.arange(4)), rtol=1e-15)


def test_mini_batches_follow_the_seeded_shuffles_and_the_schedule_counts_epochs():
    """Mini-batch momentum (γ = 0.5) equals a hand loop over epoch_batches(...), with α constant
    within an epoch: α_e = learning_rate("inv", α₀, k, e − 1)."""
    net, data = SMALL, split_of(n=60)
    result = train(net, data, {"name": "momentum", "momentum": 0.5}, learning_rate=0.3, schedule="inv",
                   decay_rate=0.5, batch_size=8, epochs=3, seed=4)
    params, state = result.initial_params, result.initial_state
    velocity = [{k: np.zeros_like(v) for k, v in p.items()} for p in params]
    for epoch in (1, 2, 3):
        alpha = learning_rate("inv", 0.3, 0.5, epoch - 1)
        assert result.history.lr[epoch] == alpha
        for idx in epoch_batches(len(data.X_train), 8, seed=4, epoch=epoch):
            logits, cache, state = net.forward(params, state, data.X_train[idx], training=True)
            grads = net.backward(params, cache, binary_cross_entropy(logits, data.y_train[idx])[1])
            velocity = [{k: 0.5 * v[k] - alpha * g[k] for k in v} for v, g in zip(velocity, grads)]
            params = [{k: p[k] + v[k] for k in p} for p, v in zip(params, velocity)]
        np.testing.assert_allclose(result.param_vectors[epoch], result.layout.flatten(params), rtol=1e-12,
                                   atol=1e-14)


def test_shuffles_differ_per_epoch_but_are_seeded():
    first, second = epoch_batches(50, 50, seed=1, epoch=1)[0], epoch_batches(50, 50, seed=1, epoch=2)[0]
    assert sorted(first) == list(range(50)) and not np.array_equal(first, second)
    assert np.array_equal(first, epoch_batches(50, 50, seed=1, epoch=1)[0])
    assert not np.array_equal(first, epoch_batches(50, 50, seed=2, epoch=1)[0])
    # and the run uses them: same seed, same run; another seed, another run
    data = split_of(n=60)
    a, b = (train(SMALL, data, "sgd", learning_rate=0.2, batch_size=10, epochs=3, seed=s) for s in (7, 7))
    assert_same_run(a, b)
    c = train(SMALL, data, "sgd", learning_rate=0.2, batch_size=10, epochs=3, seed=8, initial=(a.initial_params,
                                                                                                a.initial_state))
    assert not np.array_equal(a.param_vectors[-1], c.param_vectors[-1])


@pytest.mark.parametrize("batch_size", [None, "n", 1, 10, 1000])
def test_steps_per_epoch(batch_size):
    data = split_of(n=60)
    n = len(data.X_train)
    batch_size = n if batch_size == "n" else batch_size
    per_epoch = {None: 1, n: 1, 1: n, 10: math.ceil(n / 10), 1000: 1}[batch_size]
    result = train(SMALL, data, "sgd", batch_size=batch_size, epochs=2, record_grid=False)
    assert list(result.history.steps) == [0, per_epoch, 2 * per_epoch]


def test_batch_norm_merges_a_last_batch_of_one():
    data = split_of(n=60)
    n = len(data.X_train)
    plain, normed = MLP(2, (4,), 1), MLP(2, (4,), 1, batch_norm=True)
    assert list(train(plain, data, "sgd", batch_size=n - 1, epochs=1, record_grid=False).history.steps) == [0, 2]
    assert list(train(normed, data, "sgd", batch_size=n - 1, epochs=1, record_grid=False).history.steps) == [0, 1]
    with pytest.raises(ValueError, match="^batch_size"):
        train(normed, data, "sgd", batch_size=1, epochs=1)


# --- penalties -------------------------------------------------------------------------------------


@pytest.mark.parametrize("l1, l2", [(0.1, 0.0), (0.0, 0.3), (0.1, 0.3)])
def test_penalties_add_their_gradient_to_the_weights_only(l1, l2):
    """After one full-batch SGD step, θ_penalised − θ_plain = −α ∂Ω/∂θ,
    which is λ₁ sign(W) + λ₂ W on the weights and 0 on the biases."""
    data, alpha = split_of(n=60), 0.5
    plain = train(SMALL, data, "sgd", learning_rate=alpha, batch_size=None, epochs=1)
    pen = train(SMALL, data, "sgd", learning_rate=alpha, batch_size=None, epochs=1, l1=l1, l2=l2)
    theta0 = plain.param_vectors[0]
    n_w = plain.layout.n_weights
    expected = np.zeros_like(theta0)
    expected[:n_w] = -alpha * (l1 * np.sign(theta0[:n_w]) + l2 * theta0[:n_w])
    np.testing.assert_allclose(pen.param_vectors[1] - plain.param_vectors[1], expected, atol=1e-12)
    omega, _ = penalize(elastic_net(l1, l2), pen.layout.unflatten(pen.param_vectors[1]))
    assert pen.history.penalty.iloc[1] == pytest.approx(omega, rel=1e-12)
    assert plain.history.penalty.eq(0).all()


def test_l2_shrinks_the_weights():
    data = split_of(n=200)
    kw = dict(learning_rate=0.05, batch_size=32, epochs=40, record_grid=False)
    free = train(MLP(2, (16, 16), 1), data, "adam", **kw)
    shrunk = train(MLP(2, (16, 16), 1), data, "adam", l2=0.05, **kw)
    assert (shrunk.weight_norms[-1] < free.weight_norms[-1]).all()
    norms = np.linalg.norm(shrunk.param_vectors[-1][:shrunk.layout.n_weights])
    assert norms < np.linalg.norm(free.param_vectors[-1][:free.layout.n_weights])


# --- early stopping ---------------------------------------------------------------------------------


def test_early_stopping_restores_the_best_validation_weights_and_batch_norm_state():
    net = MLP(2, (64, 64), 1, batch_norm=True)
    data = split_of("moons", 80, noise=0.35)
    result = train(net, data, "adam", learning_rate=0.02, batch_size=16, epochs=300, patience=10, record_grid=False)
    h = result.history
    assert result.stopped_at is not None and result.stopped_at < 300
    assert result.stopped_at == h.epoch.iloc[-1] == result.best_epoch + 10
    assert result.best_epoch == h.epoch[h.val_loss.idxmin()]
    np.testing.assert_array_equal(result.layout.flatten(result.params), result.param_vectors[result.best_epoch])
    # the restored network (weights and running statistics) has the best validation loss
    x = apply(result.preprocessing, data.X_val)
    logits, _, _ = net.forward(result.params, result.state, x)
    assert binary_cross_entropy(logits, data.y_val)[0] == pytest.approx(h.val_loss.min(), rel=1e-12)
    assert not np.array_equal(result.state[0]["running_mean"], result.initial_state[0]["running_mean"])


def test_early_stopping_needs_validation_points():
    X, y = make_dataset("moons", 40, 0.1, 0)
    with pytest.raises(ValueError, match="^patience"):
        train(SMALL, Split(X, y, np.empty((0, 2)), np.empty(0)), patience=3)


# --- augmentation and preprocessing -------------------------------------------------------------------


def test_augmentation_applies_to_training_batches_only():
    data = split_of("circles", n=60)
    kw = dict(learning_rate=0.5, batch_size=None, epochs=2, preprocessing="standardise", seed=3)
    plain = train(SMALL, data, "sgd", **kw)
    aug = train(SMALL, data, "sgd", jitter=0.1, rotation=30.0, reflect=True, **kw)
    assert plain.history.iloc[0].equals(aug.history.iloc[0])  # epoch 0 is evaluated on clean points
    assert not np.array_equal(plain.param_vectors[1], aug.param_vectors[1])
    # the steps used augmented training points (raw, transformed, then preprocessed) …
    params, state = aug.initial_params, aug.initial_state
    prep = aug.preprocessing
    for epoch in (1, 2):
        order = epoch_batches(len(data.X_train), len(data.X_train), 3, epoch)[0]
        x = apply(prep, augment(data.X_train[order], stream(3, "augment", epoch), 0.1, 30.0, True))
        logits, cache, state = SMALL.forward(params, state, x, training=True)
        grads = SMALL.backward(params, cache, binary_cross_entropy(logits, data.y_train[order])[1])
        params = [{k: p[k] - 0.5 * g[k] for k in p} for p, g in zip(params, grads)]
        np.testing.assert_allclose(aug.param_vectors[epoch], aug.layout.flatten(params), rtol=1e-12, atol=1e-14)
    # … while the recorded losses are those of the clean training and validation points
    for epoch in (1, 2):
        ps = aug.layout.unflatten(aug.param_vectors[epoch])
        for X, y, column in ((data.X_train, data.y_train, "train_loss"), (data.X_val, data.y_val, "val_loss")):
            logits, _, _ = SMALL.forward(ps, state, apply(prep, X))
            assert binary_cross_entropy(logits, y)[0] == pytest.approx(aug.history[column][epoch], rel=1e-12)


def test_preprocessing_is_fitted_on_the_training_split_only():
    data = split_of(n=100)
    result = train(SMALL, data, "sgd", epochs=1, preprocessing="standardise", record_grid=False)
    np.testing.assert_allclose(result.preprocessing.mean, data.X_train.mean(axis=0))
    assert not np.allclose(result.preprocessing.mean, np.concatenate([data.X_train, data.X_val]).mean(axis=0))


# --- divergence ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation, loss, lr", [("linear", "mean_squared_error", 10.0),
                                                  ("tanh", "mean_squared_error", 1e6),
                                                  ("relu", None, 1e6)])
def test_a_non_finite_loss_stops_training_cleanly(activation, loss, lr):
    calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):  # even a caller's strict error state does not leak into the loop
            result = train(MLP(2, (8,), 1, activation=activation), split_of(), "sgd", learning_rate=lr, loss=loss,
                           epochs=50, progress=lambda e, total: calls.append(e))
    assert result.diverged_at is not None and 1 <= result.diverged_at < 50
    h = result.history
    assert list(h.epoch) == list(range(result.diverged_at)) == calls
    assert np.isfinite(h[["train_loss", "val_loss"]].to_numpy()).all()
    assert np.isfinite(result.param_vectors).all() and len(result.param_vectors) == len(h)
    assert len(result.grids) == len(h)
    assert result.best_epoch == result.diverged_at - 1
    np.testing.assert_array_equal(result.layout.flatten(result.params), result.param_vectors[-1])
    assert np.isfinite(result.predict_proba(split_of().X_val)).all()


# --- fair comparisons -------------------------------------------------------------------------------------


def test_identical_optimizers_give_identical_runs():
    net = MLP(2, (8, 8), 1, batch_norm=True, keep_prob=0.8)
    result = compare(net, split_of(n=80), ["adam", "adam"], learning_rate=0.01, batch_size=16, epochs=5,
                     jitter=0.05, rotation=10.0, grid_size=10)
    assert result.labels == ("adam", "adam (2)")
    assert_same_run(result[0], result[1])


def test_compared_runs_differ_only_by_their_update_rule():
    """SGD and momentum with γ = 0 are the same rule: with dropout, batch norm and augmentation on,
    identical runs prove the same initial weights, batches, masks and augmented points."""
    net = MLP(2, (8, 8), 1, batch_norm=True, keep_prob=0.8, skip=True)
    kw = dict(learning_rate=0.1, batch_size=16, epochs=4, jitter=0.05, reflect="x", grid_size=10, seed=5)
    c = compare(net, split_of(n=80), ["sgd", {"name": "momentum", "momentum": 0.0},
                                      {"name": "momentum", "momentum": 0.9}], **kw)
    assert_same_run(c["sgd"], c["momentum"])
    assert not np.array_equal(c["sgd"].param_vectors[-1], c["momentum (2)"].param_vectors[-1])
    for r in c:
        np.testing.assert_array_equal(r.param_vectors[0], c[0].param_vectors[0])
    # each run is the run train() makes alone with the same seed
    alone = train(net, split_of(n=80), {"name": "momentum", "momentum": 0.9}, **kw)
    assert_same_run(alone, c["momentum (2)"])
    assert set(c.history.optimizer) == {"sgd", "momentum", "momentum (2)"}


def test_per_optimizer_learning_rates_and_progress():
    seen = []
    c = compare(SMALL, split_of(n=60), ["sgd", {"name": "adam", "learning_rate": 0.01}], learning_rate=0.3,
                epochs=3, progress=lambda done, total: seen.append((done, total)))
    assert c["sgd"].history.lr.iloc[-1] == 0.3 and c["adam"].history.lr.iloc[-1] == 0.01
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1] == (6, 6) and {t for _, t in seen} == {6}


# --- records ---------------------------------------------------------------------------------------------


def test_records_per_epoch():
    data = split_of(n=80)
    result = train(SMALL, data, "momentum", learning_rate=0.1, epochs=6, grid_size=12, grid_every=4)
    h = result.history
    assert list(h.columns[:7]) == ["optimizer", "epoch", "steps", "lr", "train_loss", "val_loss", "train_acc"]
    assert list(h.epoch) == list(range(7)) and math.isnan(h.lr[0])
    assert result.weight_norms.shape == result.grad_norms.shape == (7, 3)
    assert np.isnan(result.grad_norms[0]).all() and (result.grad_norms[1:] > 0).all()
    np.testing.assert_allclose(result.weight_norms[0], [np.linalg.norm(p["W"]) for p in result.initial_params])
    assert list(result.grid_epochs) == [0, 4, 6]  # every 4 epochs, and the last one
    assert result.grids.shape == (3, 12, 12) and ((result.grids >= 0) & (result.grids <= 1)).all()
    assert result.grid_x.shape == result.grid_y.shape == (12,)
    # the last frame is the final network's P(class 1) on the grid
    xx, yy = np.meshgrid(result.grid_x, result.grid_y)
    p = result.predict_proba(np.stack([xx, yy], axis=-1).reshape(-1, 2)).reshape(12, 12)
    np.testing.assert_allclose(result.grids[-1], p, rtol=1e-6, atol=1e-7)
    assert result.param_vectors.shape == (7, result.layout.size)


def test_results_pickle_for_caching():
    data = split_of("blobs", 90, classes=3)
    result = compare(MLP(2, (6,), 3), data, ["sgd", "adam"], epochs=3, grid_size=8)
    back = pickle.loads(pickle.dumps(result))
    assert back.history.equals(result.history)
    np.testing.assert_array_equal(back[1].predict_proba(data.X_val), result[1].predict_proba(data.X_val))


def test_gradient_norms_are_the_rms_over_the_epochs_steps():
    data = split_of(n=60)
    result = train(SMALL, data, "sgd", learning_rate=0.2, batch_size=15, epochs=1)
    params, state, squares = result.initial_params, result.initial_state, 0.0
    for idx in epoch_batches(len(data.X_train), 15, 0, 1):
        logits, cache, state = SMALL.forward(params, state, data.X_train[idx], training=True)
        grads = SMALL.backward(params, cache, binary_cross_entropy(logits, data.y_train[idx])[1])
        squares = squares + np.array([np.sum(g["W"] ** 2) for g in grads])
        params = [{k: p[k] - 0.2 * g[k] for k in p} for p, g in zip(params, grads)]
    np.testing.assert_allclose(result.grad_norms[1], np.sqrt(squares / 3), rtol=1e-12)


def test_regression_and_inputs_of_other_widths():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1
    data = Split(X[:60], y[:60], X[60:], y[60:])
    result = train(MLP(3, (8,), 1, activation="tanh"), data, "adam", learning_rate=0.05, epochs=40,
                   loss="mean_squared_error")
    assert result.grids is None and result.history.val_acc.isna().all()
    assert result.history.val_loss.iloc[-1] < 0.05 * result.history.val_loss.iloc[0]


# --- caps and input checks -------------------------------------------------------------------------------


@pytest.mark.parametrize("net, kwargs, name", [
    (SMALL, dict(epochs=MAX_EPOCHS + 1), "epochs"),
    (SMALL, dict(epochs=0), "epochs"),
    (MLP(2, (4,) * 7, 1), {}, "hidden"),
    (MLP(2, (129,), 1), {}, "hidden"),
    (SMALL, dict(learning_rate=-1.0), "learning_rate"),
    (SMALL, dict(batch_size=0), "batch_size"),
    (SMALL, dict(optimizer="newton"), "unknown optimizer"),
    (SMALL, dict(optimizer={"name": "adam", "beta1": 1.5}), "beta1"),
    (SMALL, dict(grid_size=1), "grid_size"),
    (SMALL, dict(l2=-0.1), "l2"),
    (SMALL, dict(rotation=200.0), "rotation"),
    (SMALL, dict(seed=-1), "seed"),
    (SMALL, dict(schedule="cosine"), "unknown schedule"),
    (SMALL, dict(loss="softmax_cross_entropy"), "loss"),
    (SMALL, dict(preprocessing="pca"), "unknown preprocessing"),
])
def test_bad_input_raises_value_error_naming_it(net, kwargs, name):
    optimizer = kwargs.pop("optimizer", "sgd")
    with pytest.raises(ValueError, match=f"^{name}"):
        train(net, split_of(n=40), optimizer, **kwargs)


def test_work_caps_name_their_input_and_max_epochs_respects_them():
    X, y = make_dataset("moons", 5000, 0.1, 0)
    with pytest.raises(ValueError, match="^samples"):
        train(SMALL, Split(X, y, X[:1], y[:1]))
    wide = MLP(2, (128,) * 6, 1)
    data = Split(X[:1000], y[:1000], X[1000:1200], y[1000:1200])
    most = max_epochs(wide, 1000, 200, 32)
    assert 1 <= most < MAX_EPOCHS and work(wide, 1000, 200, most) <= MAX_WORK < work(wide, 1000, 200, most + 1)
    with pytest.raises(ValueError, match=f"^epochs must be at most {most}"):
        train(wide, data, epochs=most + 1)
    assert step_work(SMALL, 1000, 1, MAX_EPOCHS) > MAX_STEP_WORK
    with pytest.raises(ValueError, match="^batch_size must be at least"):
        train(SMALL, data, batch_size=1, epochs=MAX_EPOCHS)
    with pytest.raises(ValueError, match="^optimizers"):
        compare(SMALL, split_of(n=40), ["sgd"] * 5)


def test_bad_labels_and_initial_weights_are_rejected():
    data = split_of(n=40)
    with pytest.raises(ValueError, match="^y_train"):
        train(SMALL, data._replace(y_train=data.y_train + 1))
    with pytest.raises(ValueError, match="^y_val"):
        train(MLP(2, (4,), 3), data._replace(y_val=np.full(len(data.y_val), 3)))
    params, state = MLP(2, (4,), 1).init(np.random.default_rng(0))
    with pytest.raises(ValueError, match="^initial"):
        train(SMALL, data, initial=(params, state))
    params, state = SMALL.init(np.random.default_rng(0))
    params[1]["W"] = params[1]["W"][:, :3]
    with pytest.raises(ValueError, match=r"^initial params\[1\]\['W'\] must have shape \(8, 8\)"):
        train(SMALL, data, initial=(params, state))


# --- the same path as torch.optim -----------------------------------------------------------------------


@pytest.mark.parametrize("optimizer, torch_name, hyper", [
    ({"name": "momentum", "momentum": 0.9, "learning_rate": 0.1}, "SGD", dict(lr=0.1, momentum=0.9)),
    ({"name": "nesterov", "momentum": 0.8, "learning_rate": 0.1}, "SGD", dict(lr=0.1, momentum=0.8, nesterov=True)),
    ({"name": "adam", "learning_rate": 0.01}, "Adam", dict(lr=0.01)),
    ({"name": "rmsprop", "decay": 0.9, "learning_rate": 0.005}, "RMSprop", dict(lr=0.005, alpha=0.9)),
])
def test_training_follows_the_same_path_as_torch(optimizer, torch_name, hyper):
    """Same network, initial weights and batches, 3 epochs: θ after every epoch matches torch (float64).

    Conventions agree for a constant α: our v ← γv − αg, W ← W + v is torch's b ← γb + g, W ← W − αb
    with v = −αb; Adam's and RMSProp's ε sit outside the root in both.
    """
    from tests.torch_reference import require_torch

    torch = require_torch()  # skipped without torch, fails under CI=true
    net = MLP(2, (8, 8), 3, activation="tanh", initializer="xavier")
    data = split_of("spiral", 120, 0.05, classes=3)
    result = train(net, data, optimizer, batch_size=16, epochs=3, l2=0.01, seed=2, record_grid=False)

    params = result.initial_params
    linears = [torch.nn.Linear(p["W"].shape[0], p["W"].shape[1]).double() for p in params]
    with torch.no_grad():
        for lin, p in zip(linears, params):
            lin.weight.copy_(torch.tensor(p["W"].T))
            lin.bias.copy_(torch.tensor(p["b"]))
    model = torch.nn.Sequential(linears[0], torch.nn.Tanh(), linears[1], torch.nn.Tanh(), linears[2])
    opt = getattr(torch.optim, torch_name)(model.parameters(), **hyper)
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    for epoch in (1, 2, 3):
        for idx in epoch_batches(len(data.X_train), 16, seed=2, epoch=epoch):
            idx = torch.tensor(idx)
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
            loss = loss + 0.005 * sum((lin.weight ** 2).sum() for lin in linears)  # (λ/2) ΣW², weights only
            loss.backward()
            opt.step()
        theirs = [{"W": lin.weight.detach().numpy().T, "b": lin.bias.detach().numpy()} for lin in linears]
        np.testing.assert_allclose(result.param_vectors[epoch], result.layout.flatten(theirs), rtol=1e-9, atol=1e-12)


def test_neuron_responses_are_the_hidden_activations_on_the_grid():
    X, y = make_dataset("moons", 60, 0.1, 0)
    net = MLP(2, (5, 3), 1, activation="tanh", initializer="xavier")
    result = train(net, train_val_split(X, y, 0.2, 0), "sgd", learning_rate=0.1, epochs=2, grid_size=7,
                   preprocessing="standardise")
    maps = result.neuron_responses(1)
    assert maps.shape == (3, 7, 7)
    i, j = 2, 5  # row i is grid_y[i], column j is grid_x[j]
    point = np.array([[result.grid_x[j], result.grid_y[i]]])
    expected = net.hidden_activations(result.params, result.state, apply(result.preprocessing, point))[1][0]
    np.testing.assert_allclose(maps[:, i, j], expected, rtol=1e-12)
    assert np.all(np.abs(maps) <= 1)  # tanh
    with pytest.raises(ValueError, match="layer"):
        result.neuron_responses(2)
