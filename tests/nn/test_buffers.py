"""The cores' buffers (``MLP.buffers``, ``out=`` of the dense layer, the losses and softmax): the same bits
as the allocating forms, written where asked, and the evaluation's blocks each written to their own rows."""

import numpy as np
import pytest

from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.nn import MLP, losses
from optiviz.nn.layers import dense_backward, dense_forward
from optiviz.nn.records import Layout
from optiviz.nn.training import EVAL_ROWS, _Loop, train

pytestmark = pytest.mark.filterwarnings("error")

NETS = {
    "relu": MLP(2, (6, 5), 1),
    "tanh+bn+skip+dropout": MLP(2, (5, 5, 5), 3, activation="tanh", batch_norm=True, skip=True, keep_prob=0.7),
    "sigmoid": MLP(3, (4, 6), 2, activation="sigmoid"),
    "elu+skip": MLP(2, (4, 4), 1, activation="elu", skip=True),
    "no hidden layer": MLP(2, (), 1),
}


def bits(a):
    return np.ascontiguousarray(a, dtype=float).view(np.int64)


@pytest.mark.parametrize("name", list(NETS))
@pytest.mark.parametrize("training", [True, False])
def test_buffered_pass_gives_the_bits_of_the_fresh_one(name, training):
    net = NETS[name]
    rng = np.random.default_rng(4)
    params, state = net.init(rng)
    layout = Layout.of(params)
    x = rng.normal(size=(9, net.input_dim))
    dlogits = rng.normal(size=(9, net.output_dim))
    fresh, buffered = _Loop.of(layout, layout.flatten(params)), _Loop.of(layout, layout.flatten(params), net, [(0, 9)])
    work = buffered.buffers[9]
    for buf in (*work.z, *work.h, *work.slope, *work.delta, work.logits):
        buf[...] = np.nan  # what a buffer held before must not leak into the pass
    ours, caches, our_state = net.forward_unchecked(buffered.params, state, x, training, np.random.default_rng(5), work)
    theirs, cache, their_state = net.forward_unchecked(fresh.params, state, x, training, np.random.default_rng(5))
    assert ours is work.logits
    np.testing.assert_array_equal(bits(ours), bits(theirs))
    for s, t in zip(our_state, their_state):
        assert all(np.array_equal(s[k], t[k]) for k in s)
    net.backward_unchecked(buffered.params, caches, dlogits, buffered.grads, work)
    net.backward_unchecked(fresh.params, cache, dlogits, fresh.grads)
    np.testing.assert_array_equal(bits(buffered.grad), bits(fresh.grad))


def test_buffers_hold_the_layers_arrays():
    net = MLP(2, (3, 4), 2)
    work = net.buffers(5)
    assert [z.shape for z in work.z] == [h.shape for h in work.h] == [(5, 3), (5, 4)]
    assert [d.shape for d in work.delta] == [s.shape for s in work.slope] == [(5, 3), (5, 4)]
    assert work.logits.shape == (5, 2)
    params, state = net.init(np.random.default_rng(0))
    _, caches, _ = net.forward_unchecked(params, state, np.ones((5, 2)), buffers=work)
    assert caches[0][2] is work.z[0] and caches[1][0] is work.h[0]  # z of layer 1, input of layer 2


@pytest.mark.parametrize("name", ["binary_cross_entropy", "softmax_cross_entropy", "mean_squared_error"])
def test_loss_gradient_out_gives_the_same_bits(name):
    rng = np.random.default_rng(1)
    outputs = 1 if name == "binary_cross_entropy" else 3
    z = rng.normal(scale=30.0, size=(7, outputs))
    y = rng.integers(0, 2, size=(7, outputs)).astype(float)
    expected = losses.gradient(name, z, y)
    out = np.full_like(z, np.nan)
    assert losses.gradient(name, z, y, out=out) is out
    np.testing.assert_array_equal(bits(out), bits(expected))
    over = z.copy()  # the training loop writes the gradient over the logits
    assert losses.gradient(name, over, y, out=over) is over
    np.testing.assert_array_equal(bits(over), bits(expected))
    # targets broadcast over leading axes (many runs at once): a fresh array
    stacked = np.stack([z, 2 * z])
    np.testing.assert_array_equal(bits(losses.gradient(name, stacked, y)[0]), bits(expected))


def test_softmax_out_and_dense_out_give_the_same_bits():
    rng = np.random.default_rng(2)
    z = rng.normal(scale=50.0, size=(6, 4))
    out = np.empty_like(z)
    assert losses.softmax(z, out=out) is out
    np.testing.assert_array_equal(bits(out), bits(losses.softmax(z)))
    W, b, x, d = rng.normal(size=(4, 1)), rng.normal(size=1), rng.normal(size=(6, 4)), rng.normal(size=(6, 1))
    into = np.empty((6, 1))
    assert dense_forward(W, b, x, into) is into
    np.testing.assert_array_equal(bits(into), bits(x @ W + b))
    gW, gb, dx = np.empty((4, 1)), np.empty(1), np.empty((6, 4))
    assert dense_backward(W, x, d, gW, gb, True, dx) is dx
    np.testing.assert_array_equal(bits(dx), bits(d @ W.T))
    np.testing.assert_array_equal(bits(gb), bits(d.sum(axis=0)))


def test_evaluation_blocks_each_keep_their_own_logits():
    """More points than 2 evaluation blocks (and a ragged last one): the recorded loss and accuracy are those of
    one forward pass over all the points (a shared buffer would repeat the last block's logits)."""
    X, y = make_dataset("moons", 2 * EVAL_ROWS + 77, 0.2, 0)
    data = train_val_split(X, y, 0.2, 0)
    net = MLP(2, (8,), 1)
    result = train(net, data, "sgd", epochs=2, seed=0, record_grid=False)
    for row, theta in zip(result.history.itertuples(), result.param_vectors):
        params = result.layout.unflatten(theta)
        for points, labels, loss, acc in ((data.X_train, data.y_train, row.train_loss, row.train_acc),
                                          (data.X_val, data.y_val, row.val_loss, row.val_acc)):
            z = net.forward(params, result.state, points)[0]
            assert loss == pytest.approx(losses.binary_cross_entropy(z, labels)[0], rel=1e-12)
            assert acc == np.mean((z[:, 0] > 0) == labels)
