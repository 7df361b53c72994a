"""PyTorch parity (skipped without torch; under CI=true a missing torch fails): the same weights and
batch give the same logits, loss, gradients and batch-norm running statistics, in float64."""

import numpy as np
import pytest

from optiviz.nn import MLP
from optiviz.nn.activations import ACTIVATIONS, elu, leaky_relu
from optiviz.nn.losses import binary_cross_entropy, mean_squared_error, softmax_cross_entropy
from tests.torch_reference import require_torch

torch = require_torch()
F = torch.nn.functional


def torch_activation(name, alpha):
    return {
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": F.relu,
        "linear": lambda z: z,
        "leaky_relu": lambda z: F.leaky_relu(z, alpha),
        "elu": lambda z: F.elu(z, alpha),
    }[name]


def torch_forward(net, params, state, x):
    """The same network written with torch.nn.functional; batch norm in training mode.

    Returns logits, the leaf tensors (same tree as params) and the running statistics,
    which F.batch_norm updates in place with PyTorch's momentum = 1 − ours.
    """
    leaves = [{k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in p.items()} for p in params]
    running = [{k: torch.tensor(v, dtype=torch.float64) for k, v in s.items()} for s in state]
    alpha = net.alpha if net.alpha is not None else {"leaky_relu": 0.01, "elu": 1.0}.get(net.activation)
    f = torch_activation(net.activation, alpha)
    h = torch.tensor(x, dtype=torch.float64)
    for leaf, run, skip in zip(leaves, running, net.skips):
        z = F.linear(h, leaf["W"].T, leaf["b"])
        if net.batch_norm:
            z = F.batch_norm(z, run["running_mean"], run["running_var"], leaf["gamma"], leaf["beta"],
                             training=True, momentum=1 - net.bn_momentum, eps=net.bn_eps)
        h = h + f(z) if skip else f(z)
    out = leaves[-1]
    return F.linear(h, out["W"].T, out["b"]), leaves, running


CASES = {
    "tanh+bn+skip, softmax CE": (
        MLP(4, [5, 5], 3, activation="tanh", batch_norm=True, skip=True, initializer="xavier", bn_momentum=0.8),
        "ce",
    ),
    "elu+skip, BCE": (MLP(3, [6, 6, 6], 1, activation="elu", alpha=0.5, skip=True, initializer="he"), "bce"),
    "leaky+bn, MSE": (MLP(3, [4, 6], 2, activation="leaky_relu", alpha=0.2, batch_norm=True), "mse"),
    "sigmoid, softmax CE": (MLP(2, [8], 4, activation="sigmoid", initializer="glorot"), "ce"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_forward_loss_gradients_and_running_statistics_match_torch(case):
    net, loss_name = CASES[case]
    rng = np.random.default_rng(0)
    params, state = net.init(rng)
    for p in params:  # move γ, β and b off their initial values
        for k in p:
            if k != "W":
                p[k] = p[k] + rng.normal(0, 0.3, size=p[k].shape)
    batch = 9
    x = rng.normal(0.5, 1.5, size=(batch, net.input_dim))
    if loss_name == "ce":
        y = rng.integers(0, net.output_dim, size=batch)
    elif loss_name == "bce":
        y = rng.integers(0, 2, size=(batch, 1)).astype(float)
    else:
        y = rng.normal(size=(batch, net.output_dim))

    logits, cache, new_state = net.forward(params, state, x, training=True)
    loss_fn = {"ce": softmax_cross_entropy, "bce": binary_cross_entropy, "mse": mean_squared_error}[loss_name]
    loss, dlogits = loss_fn(logits, y)
    grads = net.backward(params, cache, dlogits)

    t_logits, leaves, running = torch_forward(net, params, state, x)
    ty = torch.tensor(y)
    if loss_name == "ce":
        t_loss = F.cross_entropy(t_logits, ty)
    elif loss_name == "bce":
        t_loss = F.binary_cross_entropy_with_logits(t_logits, ty)
    else:  # ours sums over outputs and averages over the batch
        t_loss = F.mse_loss(t_logits, ty, reduction="sum") / batch
    t_loss.backward()

    np.testing.assert_allclose(logits, t_logits.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for g, leaf in zip(grads, leaves):
        for k in g:
            np.testing.assert_allclose(g[k], leaf[k].grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
    for s, run in zip(new_state, running):
        for k in s:
            np.testing.assert_allclose(s[k], run[k].numpy(), rtol=1e-12, err_msg=k)


def test_evaluation_with_running_statistics_matches_torch():
    torch_net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4, momentum=0.1), torch.nn.Tanh(),
                                    torch.nn.Linear(4, 2)).double()
    net = MLP(3, [4], 2, activation="tanh", batch_norm=True, bn_momentum=0.9)
    lin1, bn, _, lin2 = torch_net
    params = [
        {"W": lin1.weight.detach().numpy().T.copy(), "b": lin1.bias.detach().numpy().copy(),
         "gamma": np.array([1.0, 0.5, 2.0, 1.5]), "beta": np.array([0.1, -0.2, 0.3, 0.0])},
        {"W": lin2.weight.detach().numpy().T.copy(), "b": lin2.bias.detach().numpy().copy()},
    ]
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(params[0]["gamma"]))
        bn.bias.copy_(torch.tensor(params[0]["beta"]))
    _, state = net.init(np.random.default_rng(0))
    rng = np.random.default_rng(1)
    torch_net.train()
    for _ in range(3):  # three training batches move the running statistics
        xb = rng.normal(2.0, 3.0, size=(10, 3))
        _, _, state = net.forward(params, state, xb, training=True)
        torch_net(torch.tensor(xb))
    x = rng.normal(size=(5, 3))
    torch_net.eval()
    ours, _, _ = net.forward(params, state, x, training=False)
    np.testing.assert_allclose(ours, torch_net(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("key", ["sigmoid", "tanh", "relu", "linear", "leaky_relu(0.2)", "elu(0.5)"])
def test_activation_derivatives_match_autograd(key):
    ours = {"leaky_relu(0.2)": leaky_relu(0.2), "elu(0.5)": elu(0.5)}.get(key) or ACTIVATIONS[key]
    theirs = {"leaky_relu(0.2)": lambda z: F.leaky_relu(z, 0.2), "elu(0.5)": lambda z: F.elu(z, 0.5)}.get(key) \
        or torch_activation(key, None)
    z = np.concatenate([np.random.default_rng(0).normal(0, 4, size=50), [0.0, -30.0, 30.0, -800.0, 800.0]])
    tz = torch.tensor(z, requires_grad=True)
    out = theirs(tz)
    out.sum().backward()
    np.testing.assert_allclose(ours.value(z), out.detach().numpy(), rtol=1e-13, atol=1e-300)
    # torch's 1 − tanh² loses digits where tanh ≈ ±1 (ours does not), hence the small atol
    np.testing.assert_allclose(ours.derivative(z), tz.grad.numpy(), rtol=1e-12, atol=1e-15)
