"""Layers as pure functions over plain dicts of arrays, each forward beside its backward.

A layer is a :class:`Layer` of three functions (the optax pattern):

* ``init(rng) -> (params, state)``: ``params`` are learned (dict name → array);
  ``state`` is remembered but not learned (BatchNorm's running mean and variance).
* ``forward(params, state, x, training, rng) -> (out, cache, new_state)``: ``x`` has
  shape (B, n_in). ``cache`` holds what backward needs. ``state`` is never changed in
  place: the updated state comes back as ``new_state`` (the same dict when nothing
  changed), for the caller to pass to the next call. ``rng`` is only drawn from by
  dropout in training.
* ``backward(params, cache, dout) -> (dx, grads)``: given δ = ∂L/∂out, returns ∂L/∂x and
  ``grads`` with the keys of ``params``.

Layers compose with :func:`sequential` (the parts' params merged into one dict, so
their keys must differ: one dense layer per stack) and :func:`residual` (out = x + F(x)).

Each formula is written once, in an unchecked core (``dense_forward``, ``dense_backward``,
``batch_norm_forward``, ``batch_norm_backward``, ``dropout_mask``): the layers' ``forward``
check their input and call it, and :class:`optiviz.nn.MLP` calls the cores directly after
checking its input once. The backward cores write the parameter gradients into arrays the
caller supplies (views into one flat gradient vector, in training).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from optiviz.core.checks import check_int, check_number, check_rng, check_table
from optiviz.nn.activations import get_activation
from optiviz.nn.initializers import get_initializer

WEIGHT_KEYS = ("W",)  # the arrays penalties apply to; biases and γ, β are not penalised


# --- the unchecked cores: each formula once ---------------------------------------------------


def dense_forward(W: np.ndarray, b: np.ndarray, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """out = x W + b, into ``out`` (B, n_out) when given. Unchecked."""
    out = np.matmul(x, W, out=out)
    out += b  # in place: one array fewer, the same numbers
    return out


def dense_backward(W: np.ndarray, x: np.ndarray, d: np.ndarray, gW: np.ndarray, gb: np.ndarray,
                   need_dx: bool = True, out: np.ndarray | None = None) -> np.ndarray | None:
    """∂L/∂W = xᵀ δ into ``gW``, ∂L/∂b = Σ_batch δ into ``gb``; returns ∂L/∂x = δ Wᵀ (None unless ``need_dx``),
    into ``out`` (B, n_in) when given.

    Unchecked; δ = ``d`` = ∂L/∂out.
    """
    np.matmul(x.T, d, out=gW)
    np.add.reduce(d, axis=0, out=gb)  # d.sum(axis=0) without its Python wrapper
    if not need_dx:
        return None
    if W.shape[1] == 1:  # one output: δWᵀ is an outer product (the same numbers)
        return np.multiply(d, W.T, out=out)
    return np.matmul(d, W.T, out=out)


def batch_norm_forward(gamma, beta, state: dict, x: np.ndarray, training: bool, momentum: float, eps: float):
    """(out, cache, new_state) of batch norm (see :func:`batch_norm` for the formulas). Unchecked; B ≥ 2 in training."""
    m = momentum
    if training:
        batch = x.shape[0]
        mu, var = x.mean(axis=0), x.var(axis=0)
        state = {
            "running_mean": m * state["running_mean"] + (1 - m) * mu,
            "running_var": m * state["running_var"] + (1 - m) * var * batch / (batch - 1),
        }
    else:
        mu, var = state["running_mean"], state["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, training), state


def batch_norm_backward(gamma, cache, d: np.ndarray, g_gamma: np.ndarray, g_beta: np.ndarray) -> np.ndarray:
    """∂L/∂γ = Σ δ x̂ into ``g_gamma``, ∂L/∂β = Σ δ into ``g_beta``; returns ∂L/∂x (:func:`batch_norm`). Unchecked."""
    x_hat, inv_std, training = cache
    d_hat = d * gamma
    (d * x_hat).sum(axis=0, out=g_gamma)
    d.sum(axis=0, out=g_beta)
    if training:  # μ and σ² depend on x too
        return inv_std * (d_hat - d_hat.mean(axis=0) - x_hat * (d_hat * x_hat).mean(axis=0))
    return d_hat * inv_std


def dropout_mask(rng: np.random.Generator, shape: tuple[int, ...], keep_prob: float) -> np.ndarray:
    """mask_ij = Bernoulli(p)/p, p = ``keep_prob``: one uniform draw u_ij per entry, kept where u < p. Unchecked."""
    return (rng.random(shape) < keep_prob) / keep_prob


def _gradient_buffers(params: dict) -> dict:
    """Fresh float arrays shaped like ``params``, for a backward core to write into."""
    return {k: np.empty(np.shape(v)) for k, v in params.items()}


# --- the layers: checked forward, then the core ----------------------------------------------


class Layer(NamedTuple):
    """A layer as pure functions; ``n_in``/``n_out`` are None for layers that keep any width."""

    name: str
    n_in: int | None
    n_out: int | None
    param_keys: tuple[str, ...]
    state_keys: tuple[str, ...]
    init: Callable[[np.random.Generator], tuple[dict, dict]]
    forward: Callable[..., tuple[np.ndarray, object, dict]]
    backward: Callable[[dict, object, np.ndarray], tuple[np.ndarray, dict]]


def dense(n_in: int, n_out: int, initializer: str = "xavier", **init_params) -> Layer:
    """Fully connected layer: out = x W + b, with W (n_in, n_out) drawn by ``initializer`` and b = 0.

    Backward, with δ = ∂L/∂out: ∂L/∂x = δ Wᵀ, ∂L/∂W = xᵀ δ, ∂L/∂b = Σ_batch δ.
    """
    n_in, n_out = check_int("n_in", n_in), check_int("n_out", n_out)
    draw = get_initializer(initializer, **init_params)

    def init(rng):
        return {"W": draw((n_in, n_out), rng), "b": np.zeros(n_out)}, {}

    def forward(params, state, x, training=False, rng=None):
        x = check_table("x", x, width=n_in, finite=False)
        return dense_forward(params["W"], params["b"], x), x, state

    def backward(params, cache, dout):
        grads = _gradient_buffers(params)
        return dense_backward(params["W"], cache, dout, grads["W"], grads["b"]), grads

    return Layer("dense", n_in, n_out, ("W", "b"), (), init, forward, backward)


def activation(name: str = "relu", alpha: float | None = None) -> Layer:
    """Elementwise activation: out = f(z);  ∂L/∂z = δ ⊙ f'(z)."""
    f = get_activation(name, alpha)

    def init(rng=None):
        return {}, {}

    def forward(params, state, x, training=False, rng=None):
        z = check_table("x", x, finite=False)
        return f.value(z), z, state

    def backward(params, cache, dout):
        return dout * f.derivative(cache), {}

    return Layer(f.name, None, None, (), (), init, forward, backward)


def batch_norm(width: int, momentum: float = 0.9, eps: float = 1e-5) -> Layer:
    """Batch normalisation (Ioffe & Szegedy 2015) with learned scale γ and shift β:

    x̂ = (x − μ) / √(σ² + ε),  out = γ x̂ + β,  γ = 1 and β = 0 at the start.

    Training: μ, σ² are the batch mean and (biased) variance per feature, and the state
    moves towards them: μ_run ← m μ_run + (1 − m) μ, σ²_run ← m σ²_run + (1 − m) σ²·B/(B − 1)
    (unbiased, as PyTorch). Evaluation: μ_run, σ²_run are used, so the output is fixed.

    ``momentum`` m is the fraction of the running statistics *kept* (like γ in momentum
    and Keras); PyTorch's ``momentum`` is the fraction replaced, 1 − m.

    Backward in training (δ̂ = γ δ, means over the batch):
    ∂L/∂x = (δ̂ − mean δ̂ − x̂ · mean(δ̂ x̂)) / √(σ² + ε);  ∂L/∂γ = Σ δ x̂;  ∂L/∂β = Σ δ.
    """
    width = check_int("width", width)
    m = check_number("momentum", momentum, low=0.0, high=1.0)
    eps = check_number("eps", eps, low=0.0, low_open=True)

    def init(rng=None):
        params = {"gamma": np.ones(width), "beta": np.zeros(width)}
        return params, {"running_mean": np.zeros(width), "running_var": np.ones(width)}

    def forward(params, state, x, training=False, rng=None):
        x = check_table("x", x, width=width, finite=False)
        if training and x.shape[0] < 2:
            raise ValueError("batch norm in training needs a batch of at least 2 examples")
        return batch_norm_forward(params["gamma"], params["beta"], state, x, training, m, eps)

    def backward(params, cache, dout):
        grads = _gradient_buffers(params)
        return batch_norm_backward(params["gamma"], cache, dout, grads["gamma"], grads["beta"]), grads

    keys = ("gamma", "beta"), ("running_mean", "running_var")
    return Layer("batch_norm", width, width, *keys, init, forward, backward)


def dropout(keep_prob: float) -> Layer:
    """Inverted dropout with keep probability p: out = x ⊙ mask, mask_ij = Bernoulli(p)/p.

    Training draws a new mask from ``rng`` at every call, so E[out] = x; evaluation is
    the identity. (The lecture scales by p at test time instead; scaling by 1/p while
    training gives the same expectations and leaves the test-time network untouched.)
    Backward: ∂L/∂x = δ ⊙ mask.
    """
    p = check_number("keep_prob", keep_prob, low=0.0, high=1.0, low_open=True)

    def init(rng=None):
        return {}, {}

    def forward(params, state, x, training=False, rng=None):
        x = check_table("x", x, finite=False)
        if not training or p == 1.0:
            return x, None, state
        mask = dropout_mask(check_rng("rng", rng), x.shape, p)
        return x * mask, mask, state

    def backward(params, cache, dout):
        return (dout if cache is None else dout * cache), {}

    return Layer("dropout", None, None, (), (), init, forward, backward)


def sequential(*layers: Layer) -> Layer:
    """Layers applied in order, out = f_k(… f_1(x)); one params dict and one state dict for all.

    Backward runs the layers in reverse, passing ∂L/∂x of each as δ to the one before.
    """
    if not layers:
        raise ValueError("sequential needs at least one layer")
    seen: set[str] = set()
    n_in = width = None
    for layer in layers:
        keys = set(layer.param_keys) | set(layer.state_keys)
        if keys & seen:
            raise ValueError(f"layers in one sequential stack must have distinct keys; {sorted(keys & seen)} repeat")
        seen |= keys
        if layer.n_in is not None:
            if width is not None and layer.n_in != width:
                raise ValueError(f"{layer.name} takes width {layer.n_in} but the layer before gives {width}")
            if n_in is None and width is None:  # the first width any layer asks for
                n_in = layer.n_in
        if layer.n_out is not None:
            width = layer.n_out

    def parts(tree, keys):
        return {k: tree[k] for k in keys}

    def init(rng):
        params, state = {}, {}
        for layer in layers:
            p, s = layer.init(rng)
            params.update(p)
            state.update(s)
        return params, state

    def forward(params, state, x, training=False, rng=None):
        caches, new_state = [], {}
        for layer in layers:
            p, s = parts(params, layer.param_keys), parts(state, layer.state_keys)
            x, cache, s = layer.forward(p, s, x, training, rng)
            caches.append(cache)
            new_state.update(s)
        return x, caches, new_state

    def backward(params, cache, dout):
        grads = {}
        for layer, c in zip(reversed(layers), reversed(cache)):
            dout, g = layer.backward(parts(params, layer.param_keys), c, dout)
            grads.update(g)
        return dout, grads

    param_keys = tuple(k for layer in layers for k in layer.param_keys)
    state_keys = tuple(k for layer in layers for k in layer.state_keys)
    name = " → ".join(layer.name for layer in layers)
    return Layer(name, n_in, width, param_keys, state_keys, init, forward, backward)


def residual(*layers: Layer) -> Layer:
    """Skip connection around the stack F of ``layers``: out = x + F(x);  ∂L/∂x = δ + ∂F/∂xᵀ δ.

    The "+ δ" is the highway: the gradient reaches x even where F's gradient vanishes.
    F must keep the width (ValueError otherwise).
    """
    inner = sequential(*layers)
    if inner.n_in != inner.n_out:
        raise ValueError(f"a residual block needs equal input and output widths, got {inner.n_in} → {inner.n_out}")

    def forward(params, state, x, training=False, rng=None):
        x = check_table("x", x, width=inner.n_in, finite=False)
        fx, cache, state = inner.forward(params, state, x, training, rng)
        if fx.shape != x.shape:
            raise ValueError(f"a residual block needs equal input and output widths, got {x.shape[1]} → {fx.shape[1]}")
        return x + fx, cache, state

    def backward(params, cache, dout):
        dx, grads = inner.backward(params, cache, dout)
        return dout + dx, grads

    return Layer(f"residual({inner.name})", inner.n_in, inner.n_out, inner.param_keys, inner.state_keys,
                 inner.init, forward, backward)
