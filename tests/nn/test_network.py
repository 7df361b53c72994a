"""Tests for optiviz.nn.network: whole-network gradients, state, symmetry and herding at initialisation."""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

from optiviz.nn import MLP
from optiviz.nn.activations import get_activation
from optiviz.nn.losses import binary_cross_entropy, mean_squared_error, softmax_cross_entropy
from optiviz.nn.penalties import elastic_net, penalize
from optiviz.nn.tree import key_of, named_arrays, tree_map

# (network keyword arguments, loss, output width, penalty or None)
CONFIGS = {
    "tanh": (dict(activation="tanh", initializer="xavier"), softmax_cross_entropy, 3, None),
    "sigmoid+bn": (dict(activation="sigmoid", batch_norm=True, initializer="glorot"), softmax_cross_entropy, 3, None),
    "leaky+skip": (dict(activation="leaky_relu", alpha=0.1, skip=True), softmax_cross_entropy, 3, None),
    "tanh+bn+skip+dropout": (
        dict(activation="tanh", batch_norm=True, skip=True, keep_prob=0.7, initializer="xavier"),
        softmax_cross_entropy, 3, None,
    ),
    "elu+bn+skip, bce": (dict(activation="elu", batch_norm=True, skip=True), binary_cross_entropy, 1, None),
    "sigmoid+dropout, mse+penalty": (
        dict(activation="sigmoid", keep_prob=0.6, initializer="normal", init_params={"sigma": 0.8}),
        mean_squared_error, 2, elastic_net(0.01, 0.05),
    ),
}


def make_data(rng, batch, input_dim, loss, classes):
    x = rng.normal(size=(batch, input_dim))
    if loss is softmax_cross_entropy:
        return x, rng.integers(0, classes, size=batch)
    if loss is binary_cross_entropy:
        return x, rng.integers(0, 2, size=batch).astype(float)
    return x, rng.normal(size=(batch, classes))


@pytest.mark.parametrize("config", list(CONFIGS))
def test_network_gradient_matches_central_differences(config, numgrad, rel_error):
    kwargs, loss, outputs, penalty = CONFIGS[config]
    net = MLP(3, [5, 5, 5], outputs, **kwargs)
    rng = np.random.default_rng(11)
    params, state = net.init(rng)
    x, y = make_data(rng, 8, 3, loss, outputs)

    def objective():  # loss (+ penalty) in training mode, the same dropout mask every call
        logits, cache, _ = net.forward(params, state, x, training=True, rng=np.random.default_rng(4))
        value, dlogits = loss(logits, y)
        if penalty is not None:
            value += penalize(penalty, params, net.weight_keys)[0]
        return value, cache, dlogits

    _, cache, dlogits = objective()
    grads = net.backward(params, cache, dlogits)
    if penalty is not None:
        grads = tree_map(np.add, grads, penalize(penalty, params, net.weight_keys)[1])
    analytic = [g for _, g in named_arrays(grads)]
    numeric = [numgrad(lambda: objective()[0], p) for _, p in named_arrays(params)]
    assert rel_error(analytic, numeric) < 1e-6
    floor = 1e-3 * np.linalg.norm(np.concatenate([a.ravel() for a in analytic]))
    for (name, _), a, n in zip(named_arrays(params), analytic, numeric):
        assert rel_error(a, n, floor) < 1e-6, name


def test_trees_and_names():
    net = MLP(2, [3, 3], 1, batch_norm=True, skip=True)
    params, state = net.init(np.random.default_rng(0))
    names = [name for name, _ in named_arrays(params)]
    assert names == ["0.W", "0.b", "0.gamma", "0.beta", "1.W", "1.b", "1.gamma", "1.beta", "2.W", "2.b"]
    assert [key_of(n) for n in names if key_of(n) in net.weight_keys] == ["W", "W", "W"]
    assert [name for name, _ in named_arrays(state)] == [
        "0.running_mean", "0.running_var", "1.running_mean", "1.running_var",
    ]
    assert state[2] == {}
    shapes = {name: a.shape for name, a in named_arrays(params)}
    assert shapes["0.W"] == (2, 3) and shapes["1.W"] == (3, 3) and shapes["2.W"] == (3, 1) and shapes["2.b"] == (1,)
    for name, a in named_arrays(params):
        assert a.dtype == np.float64
        if key_of(name) in ("b", "beta"):
            assert np.all(a == 0)
        if key_of(name) == "gamma":
            assert np.all(a == 1)
    x = np.random.default_rng(1).normal(size=(4, 2))
    logits, cache, _ = net.forward(params, state, x, training=True)
    grads = net.backward(params, cache, np.ones_like(logits))
    assert [n for n, _ in named_arrays(grads)] == names
    assert all(g.shape == p.shape for (_, g), (_, p) in zip(named_arrays(grads), named_arrays(params)))


def test_same_seed_same_network():
    net = MLP(3, [4], 2)
    a, _ = net.init(np.random.default_rng(3))
    b, _ = net.init(np.random.default_rng(3))
    c, _ = net.init(np.random.default_rng(4))
    assert all(np.array_equal(p, q) for (_, p), (_, q) in zip(named_arrays(a), named_arrays(b)))
    assert not np.array_equal(a[0]["W"], c[0]["W"])


def test_skips_only_where_widths_match():
    assert MLP(3, [4, 4, 5, 5], 2, skip=True).skips == (False, True, False, True)
    assert MLP(3, [4, 4], 2, skip=False).skips == (False, False)


def test_forward_keeps_state_and_training_differs_from_evaluation():
    net = MLP(3, [6, 6], 2, activation="tanh", batch_norm=True, keep_prob=0.5, initializer="xavier")
    rng = np.random.default_rng(0)
    params, state = net.init(rng)
    saved = copy.deepcopy(state)
    x = rng.normal(1.0, 2.0, size=(16, 3))
    train, _, new_state = net.forward(params, state, x, training=True, rng=np.random.default_rng(1))
    for (_, a), (_, b) in zip(named_arrays(state), named_arrays(saved)):
        np.testing.assert_array_equal(a, b)  # not mutated
    assert not np.allclose(new_state[0]["running_mean"], saved[0]["running_mean"])
    ev1, _, same = net.forward(params, new_state, x, training=False)
    ev2, _, _ = net.forward(params, new_state, x, training=False, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(ev1, ev2)
    for (_, a), (_, b) in zip(named_arrays(same), named_arrays(new_state)):
        np.testing.assert_array_equal(a, b)  # evaluation leaves the running statistics alone
    assert not np.allclose(train, ev1)


def test_batched_equals_looped_in_evaluation():
    net = MLP(3, [5, 5], 2, activation="elu", batch_norm=True, skip=True, keep_prob=0.8)
    rng = np.random.default_rng(0)
    params, state = net.init(rng)
    x = rng.normal(size=(7, 3))
    _, _, state = net.forward(params, state, x, training=True, rng=rng)  # non-trivial running statistics
    batched, _, _ = net.forward(params, state, x)
    looped = np.vstack([net.forward(params, state, x[i : i + 1])[0] for i in range(len(x))])
    np.testing.assert_allclose(batched, looped, rtol=1e-13, atol=1e-15)


def test_hidden_activations():
    net = MLP(3, [4, 4], 2, activation="sigmoid", skip=True, initializer="xavier")
    rng = np.random.default_rng(0)
    params, state = net.init(rng)
    x = rng.normal(size=(6, 3))
    a0, a1 = net.hidden_activations(params, state, x)
    sig = get_activation("sigmoid").value
    np.testing.assert_allclose(a0, sig(x @ params[0]["W"] + params[0]["b"]))
    np.testing.assert_allclose(a1, sig(a0 @ params[1]["W"] + params[1]["b"]))  # before the skip is added
    logits, _, _ = net.forward(params, state, x)
    np.testing.assert_allclose(logits, (a0 + a1) @ params[2]["W"] + params[2]["b"])  # skip around layer 1 only
    assert MLP(3, [], 2).hidden_activations(*MLP(3, [], 2).init(rng), x) == []


def test_hidden_activations_in_training_use_batch_statistics():
    net = MLP(2, [3], 1, activation="linear", batch_norm=True)
    params, state = net.init(np.random.default_rng(0))
    x = np.random.default_rng(1).normal(5.0, 2.0, size=(50, 2))
    (train,) = net.hidden_activations(params, state, x, training=True)
    (evaluation,) = net.hidden_activations(params, state, x)
    np.testing.assert_allclose(train.mean(axis=0), 0.0, atol=1e-12)  # β = 0
    np.testing.assert_allclose(train.std(axis=0), 1.0, rtol=1e-4)  # γ = 1 (ε aside)
    assert not np.allclose(evaluation.mean(axis=0), 0.0, atol=0.1)


def descend(net, params, state, x, y, steps=8, learning_rate=0.5):
    """Plain gradient descent W ← W − α g with the network's own forward and backward."""
    losses = []
    for _ in range(steps):
        logits, cache, state = net.forward(params, state, x, training=True)
        value, dlogits = binary_cross_entropy(logits, y)
        grads = net.backward(params, cache, dlogits)
        params = tree_map(lambda p, g: p - learning_rate * g, params, grads)
        losses.append(value)
    return params, losses


def identical_columns(w):
    return np.allclose(w, w[:, :1], rtol=1e-12, atol=1e-15)


@pytest.fixture
def xor_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 2))
    return x, (x[:, 0] * x[:, 1] > 0).astype(float)


def test_zero_init_never_breaks_symmetry(xor_data):
    x, y = xor_data
    net = MLP(2, [4, 4], 1, activation="sigmoid", initializer="zeros")
    params, state = net.init(np.random.default_rng(0))
    trained, losses = descend(net, params, state, x, y)
    assert np.linalg.norm(trained[0]["W"]) > 1e-6 and np.linalg.norm(trained[1]["W"]) > 1e-6  # they did move
    for i in (0, 1):
        assert identical_columns(trained[i]["W"]) and np.allclose(trained[i]["b"], trained[i]["b"][0])
    for a in net.hidden_activations(trained, state, x):
        assert identical_columns(a)  # every hidden unit computes the same function


def test_constant_init_herds_the_units(xor_data):
    x, y = xor_data
    net = MLP(2, [5], 1, activation="tanh", initializer="constant", init_params={"c": 0.3})
    params, state = net.init(np.random.default_rng(0))
    trained, losses = descend(net, params, state, x, y)
    assert not np.allclose(trained[0]["W"], 0.3)  # the units moved ...
    assert identical_columns(trained[0]["W"])  # ... all in the same direction
    assert identical_columns(net.hidden_activations(trained, state, x)[0])


def test_random_init_breaks_symmetry(xor_data):
    x, y = xor_data
    net = MLP(2, [4], 1, activation="tanh", initializer="xavier")
    params, state = net.init(np.random.default_rng(0))
    trained, _ = descend(net, params, state, x, y)
    assert not identical_columns(trained[0]["W"])


def test_spec_is_hashable_and_normalised():
    a = MLP(2, [3, 4], 1, initializer="normal", init_params={"sigma": 0.1})
    b = MLP(2, (3, 4), 1, initializer="normal", init_params=(("sigma", 0.1),))
    assert a == b and hash(a) == hash(b)
    assert a.hidden == (3, 4) and a.init_params == (("sigma", 0.1),)
    assert MLP(2, 3, 1).hidden == (3,)
    assert dataclasses.asdict(a) == dict(  # what st.cache_data hashes: the spec, not the layers
        input_dim=2, hidden=(3, 4), output_dim=1, activation="relu", alpha=None, initializer="normal",
        init_params=(("sigma", 0.1),), skip=False, batch_norm=False, keep_prob=1.0, bn_momentum=0.9, bn_eps=1e-5,
    )


def test_network_pickles_by_its_spec():
    net = MLP(3, [4, 4], 2, activation="elu", skip=True, batch_norm=True, keep_prob=0.9)
    copy_ = pickle.loads(pickle.dumps(net))
    assert copy_ == net and copy_.skips == net.skips
    params, state = net.init(np.random.default_rng(0))
    x = np.ones((3, 3))
    np.testing.assert_array_equal(copy_.forward(params, state, x)[0], net.forward(params, state, x)[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(hidden=[4, 0]), "hidden\\[1\\]"),
        (dict(hidden=[4.5]), "hidden\\[0\\]"),
        (dict(input_dim=0), "input_dim"),
        (dict(output_dim=-1), "output_dim"),
        (dict(keep_prob=0.0), "keep_prob"),
        (dict(activation="softplus"), "unknown activation"),
        (dict(activation="leaky_relu", alpha=-1.0), "alpha"),
        (dict(initializer="orthogonal"), "unknown initializer"),
        (dict(initializer="normal", init_params={"sigma": -1.0}), "sigma"),
        (dict(initializer="he", init_params={"sigma": 1.0}), "no parameter 'sigma'"),
        (dict(batch_norm=True, bn_momentum=2.0), "momentum"),
        (dict(init_params="sigma"), "init_params"),
    ],
)
def test_bad_spec_is_named(kwargs, match):
    spec = dict(input_dim=2, hidden=[4], output_dim=1) | kwargs
    with pytest.raises(ValueError, match=match):
        MLP(**spec)


def test_bad_calls_are_named():
    net = MLP(2, [3], 1, keep_prob=0.5)
    params, state = net.init(np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        net.init(0)
    with pytest.raises(ValueError, match="x must have shape \\(n, 2\\)"):
        net.forward(params, state, np.ones((4, 3)))
    with pytest.raises(ValueError, match="rng"):
        net.forward(params, state, np.ones((4, 2)), training=True)
    with pytest.raises(ValueError, match="params does not fit"):
        net.forward(MLP(2, [3, 3], 1).init(np.random.default_rng(0))[0], state, np.ones((4, 2)))
    with pytest.raises(ValueError, match="state does not fit"):
        net.forward(params, [{"running_mean": 0}, {}], np.ones((4, 2)))
    logits, cache, _ = net.forward(params, state, np.ones((4, 2)))
    with pytest.raises(ValueError, match="dlogits"):
        net.backward(params, cache, np.ones((4, 2)))


@pytest.mark.parametrize("config", list(CONFIGS))
def test_network_cores_compose_the_public_layers(config):
    """MLP's forward/backward (the layer cores, block by block) equal the same blocks built from the
    public layers with sequential and residual, bit for bit."""
    from optiviz.nn.layers import activation, batch_norm, dense, dropout, residual, sequential

    kwargs, _, outputs, _ = CONFIGS[config]
    net = MLP(3, [5, 5, 4], outputs, bn_momentum=0.7, **kwargs)
    rng = np.random.default_rng(8)
    params, state = net.init(rng)
    params = [{k: v + rng.normal(0, 0.3, v.shape) for k, v in p.items()} for p in params]
    blocks, width = [], 3
    for h in net.hidden:
        unit = sequential(dense(width, h), *([batch_norm(h, 0.7)] if net.batch_norm else []),
                          activation(net.activation, net.alpha))
        parts = (unit, dropout(net.keep_prob)) if net.keep_prob < 1 else (unit,)
        blocks.append(residual(*parts) if net.skip and width == h else sequential(*parts))
        width = h
    blocks.append(dense(width, outputs))
    x, dlogits = rng.normal(size=(6, 3)), rng.normal(size=(6, outputs))
    for training in (True, False):
        logits, cache, new_state = net.forward(params, state, x, training, np.random.default_rng(3))
        z, caches, layer_rng = x, [], np.random.default_rng(3)
        for block, p, s, ns in zip(blocks, params, state, new_state):
            z, c, s = block.forward(p, s, z, training, layer_rng)
            caches.append(c)
            assert all(np.array_equal(s[k], ns[k]) for k in s)
        np.testing.assert_array_equal(logits, z)
        grads, delta = net.backward(params, cache, dlogits), dlogits
        for i in reversed(range(len(blocks))):
            delta, g = blocks[i].backward(params[i], caches[i], delta)
            for k in g:
                np.testing.assert_array_equal(grads[i][k], g[k])
