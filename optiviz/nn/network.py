"""A multilayer perceptron built from a spec, as pure functions over lists of dicts.

Hidden layer i is Dense → [BatchNorm] → activation → [Dropout]; with ``skip`` it is
wrapped in a residual connection, out = x + layer(x), whenever its input and output
widths are equal. The output layer is Dense alone: it returns logits, and the loss
(:mod:`optiviz.nn.losses`) applies the sigmoid or softmax.

Trees (see :mod:`optiviz.nn.tree`): ``params[i]``, ``grads[i]`` and ``state[i]`` are
dicts for block i (hidden layers first, the output layer last): params ``W``, ``b``
(and ``gamma``, ``beta`` with batch norm); state ``running_mean``, ``running_var``
with batch norm, else ``{}``. ``forward`` never changes ``state``: it returns the new
one, which the caller keeps for the next step.

``forward``/``backward`` check their input once and run the unchecked cores
``forward_unchecked``/``backward_unchecked``, which call the layer cores of
:mod:`optiviz.nn.layers` block by block. The training loop calls the cores directly, with
inputs it checked once, lets backward write into its flat gradient buffer, and hands both
cores the :class:`Buffers` of its batch size (:meth:`MLP.buffers`), so a step makes no new
arrays for the dense outputs, the activations and the deltas: the same numbers, in place.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, NamedTuple

import numpy as np

from optiviz.core.checks import check_int, check_number, check_rng, check_table
from optiviz.nn.activations import Activation, get_activation
from optiviz.nn.layers import (WEIGHT_KEYS, activation, batch_norm, batch_norm_backward, batch_norm_forward, dense,
                               dense_backward, dense_forward, dropout, dropout_mask, residual, sequential)


class Buffers(NamedTuple):
    """Arrays one forward and backward pass of B points writes into; the next pass overwrites them.

    Per hidden layer i (width n_i): ``z[i]`` the dense output x W + b, ``h[i]`` the activation f(z)
    (its dropout in place), ``slope[i]`` f'(z) and then δ ⊙ f'(z), ``delta[i]`` ∂L/∂(block i's output);
    ``logits`` the output layer's (B, output_dim), and ``scratch`` another of that shape for the loss's gradient.
    Each is (B, n_i). ``None`` entries: a fresh array.
    """

    z: tuple
    h: tuple
    slope: tuple
    delta: tuple
    logits: np.ndarray | None
    scratch: np.ndarray | None = None


class _Hidden(NamedTuple):
    """What the cores need of hidden layer i: dense → [batch norm] → f → [dropout], [+ x]."""

    batch_norm: bool
    f: Activation
    keep_prob: float  # < 1: dropout
    skip: bool


@dataclass(frozen=True)
class MLP:
    """input_dim → hidden[0] → … → hidden[-1] → output_dim, vectorised over a batch, float64.

    Frozen and hashable: the same spec is the same network (useful as a cache key).
    ``init_params`` are the initializer's parameters, e.g. ``{"sigma": 0.1}`` for "normal".
    """

    input_dim: int
    hidden: tuple[int, ...]
    output_dim: int
    activation: str = "relu"
    alpha: float | None = None
    initializer: str = "he"
    init_params: tuple[tuple[str, float], ...] = ()
    skip: bool = False
    batch_norm: bool = False
    keep_prob: float = 1.0
    bn_momentum: float = 0.9
    bn_eps: float = 1e-5
    weight_keys: ClassVar[tuple[str, ...]] = WEIGHT_KEYS  # penalties apply to these keys only

    def __post_init__(self):
        put = object.__setattr__  # normalise the frozen fields once, here; the layers are not fields
        put(self, "input_dim", check_int("input_dim", self.input_dim))
        put(self, "output_dim", check_int("output_dim", self.output_dim))
        if isinstance(self.hidden, (int, np.integer)):
            put(self, "hidden", (self.hidden,))
        put(self, "hidden", tuple(check_int(f"hidden[{i}]", h) for i, h in enumerate(self.hidden)))
        try:
            params = dict(self.init_params)
        except (TypeError, ValueError):
            raise ValueError(f"init_params must be a dict such as {{'sigma': 0.1}}, got {self.init_params!r}") from None
        put(self, "init_params", tuple(sorted(params.items())))
        put(self, "skip", bool(self.skip))
        put(self, "batch_norm", bool(self.batch_norm))
        put(self, "keep_prob", check_number("keep_prob", self.keep_prob, low=0.0, high=1.0, low_open=True))

        blocks, skips, width = [], [], self.input_dim
        for h in self.hidden:
            unit = sequential(
                dense(width, h, self.initializer, **params),
                *([batch_norm(h, self.bn_momentum, self.bn_eps)] if self.batch_norm else []),
                activation(self.activation, self.alpha),
            )
            parts = (unit, dropout(self.keep_prob)) if self.keep_prob < 1 else (unit,)
            skips.append(self.skip and width == h)
            blocks.append(residual(*parts) if skips[-1] else sequential(*parts))
            width = h
        blocks.append(dense(width, self.output_dim, self.initializer, **params))
        # init draws the weights through the public layers, block by block; forward/backward use their cores
        put(self, "_blocks", tuple(blocks))
        put(self, "_skips", tuple(skips))
        f = get_activation(self.activation, self.alpha)
        put(self, "_hidden", tuple(_Hidden(self.batch_norm, f, self.keep_prob, skip) for skip in skips))
        none = (None,) * len(self.hidden)
        put(self, "_fresh", Buffers(none, none, none, none, None))  # no buffers: every array new

    def buffers(self, batch: int) -> Buffers:
        """Fresh :class:`Buffers` for passes of ``batch`` points, to reuse across the steps of that batch size."""
        def arrays():
            return tuple(np.empty((batch, h)) for h in self.hidden)

        return Buffers(arrays(), arrays(), arrays(), arrays(), np.empty((batch, self.output_dim)),
                       np.empty((batch, self.output_dim)))

    def __reduce__(self):  # pickle (and st.cache_data) by the spec alone; the layers are rebuilt
        return MLP, tuple(getattr(self, f.name) for f in fields(self))

    @property
    def skips(self) -> tuple[bool, ...]:
        """For each hidden layer, whether a skip connection goes around it."""
        return self._skips

    def init(self, rng: np.random.Generator) -> tuple[list[dict], list[dict]]:
        """Fresh ``(params, state)``: weights from the initializer (drawn in layer order), biases 0, γ = 1, β = 0."""
        rng = check_rng("rng", rng)
        params, state = [], []
        for block in self._blocks:
            p, s = block.init(rng)
            params.append(p)
            state.append(s)
        return params, state

    def _check_trees(self, params, state) -> None:
        for tree, name, keys in ((params, "params", "param_keys"), (state, "state", "state_keys")):
            if len(tree) != len(self._blocks) or any(
                set(t) != set(getattr(b, keys)) for t, b in zip(tree, self._blocks)
            ):
                raise ValueError(f"{name} does not fit this network; build it with init(rng)")

    def _check_call(self, params, state, x, training, rng) -> np.ndarray:
        """x as a checked (B, input_dim) float table, after checking params, state and rng for this call."""
        x = check_table("x", x, width=self.input_dim, finite=False)
        self._check_trees(params, state)
        if training and self.keep_prob < 1:
            check_rng("rng", rng)
        if training and self.batch_norm and x.shape[0] < 2:
            raise ValueError("batch norm in training needs a batch of at least 2 examples")
        return x

    def forward(self, params, state, x, training: bool = False, rng: np.random.Generator | None = None):
        """``(logits, cache, new_state)`` for a batch ``x`` of shape (B, input_dim).

        ``training`` uses batch statistics (and updates the running ones in ``new_state``)
        and draws dropout masks from ``rng``; evaluation is deterministic and returns ``state``.
        """
        x = self._check_call(params, state, x, training, rng)
        return self.forward_unchecked(params, state, x, training, rng)

    def forward_unchecked(self, params, state, x, training: bool = False, rng=None, buffers: Buffers | None = None):
        """:meth:`forward` without the checks: x (B, input_dim) float, trees from :meth:`init`.

        Hidden layer i: z = BN(x W + b) (BN if any), h = f(z) ⊙ mask (dropout in training), x ← x + h
        with a skip, else h; logits = x W + b of the output layer. ``cache`` holds per hidden layer
        (its input, the BN cache, z, the mask) and finally the output layer's input. With ``buffers``
        (:meth:`buffers` of B) the arrays are written there: the logits and cache last until the next pass.
        """
        caches, new_state = [], []
        work = self._fresh if buffers is None else buffers
        for (bn, f, keep, skip), p, s, z_out, h_out in zip(self._hidden, params, state, work.z, work.h):
            x_in = x
            z = dense_forward(p["W"], p["b"], x, z_out)
            c_bn = mask = None
            if bn:
                z, c_bn, s = batch_norm_forward(p["gamma"], p["beta"], s, z, training, self.bn_momentum, self.bn_eps)
            h = f.value(z, out=h_out)
            if keep < 1 and training:
                mask = dropout_mask(rng, h.shape, keep)
                h *= mask
            x = x_in + h if skip else h
            caches.append((x_in, c_bn, z, mask))
            new_state.append(s)
        out = params[-1]
        caches.append(x)
        new_state.append(state[-1])
        return dense_forward(out["W"], out["b"], x, work.logits), caches, new_state

    def backward(self, params, cache, dlogits) -> list[dict]:
        """∂L/∂params by backpropagation from ``dlogits`` = ∂L/∂logits, shaped like ``params``."""
        delta = check_table("dlogits", dlogits, width=self.output_dim, finite=False)
        grads = [{k: np.empty(np.shape(v)) for k, v in p.items()} for p in params]
        return self.backward_unchecked(params, cache, delta, grads)

    def backward_unchecked(self, params, cache, dlogits: np.ndarray, grads: list[dict],
                           buffers: Buffers | None = None) -> list[dict]:
        """:meth:`backward` without the checks, writing ∂L/∂params into ``grads`` (a tree of arrays shaped
        like ``params``, e.g. ``Layout.views`` of a flat buffer) and returning it.

        From the output layer back, with δ = ∂L/∂(layer output): dense ∂L/∂W = xᵀδ, ∂L/∂b = Σ δ,
        δ ← δ Wᵀ; dropout δ ⊙ mask; f: δ ⊙ f'(z); batch norm (see :mod:`optiviz.nn.layers`); a skip
        adds the highway, δ_in = δ + ∂F/∂xᵀ δ. ∂L/∂x of the first layer is not computed. ``buffers``:
        those of the forward pass that made ``cache`` (its slope and delta arrays), or None.
        """
        work = self._fresh if buffers is None else buffers
        i = len(self._hidden)
        out, g = params[i], grads[i]
        delta = dense_backward(out["W"], cache[i], dlogits, g["W"], g["b"], i > 0, work.delta[i - 1] if i else None)
        while i:
            i -= 1
            bn, f, keep, skip = self._hidden[i]
            x_in, c_bn, z, mask = cache[i]
            p, g = params[i], grads[i]
            d = delta if mask is None else delta * mask
            slope = f.derivative(z, out=work.slope[i])  # δ ⊙ f'(z) overwrites it
            d = np.multiply(d, slope, out=slope)
            if bn:
                d = batch_norm_backward(p["gamma"], c_bn, d, g["gamma"], g["beta"])
            dx = dense_backward(p["W"], x_in, d, g["W"], g["b"], i > 0, work.delta[i - 1] if i else None)
            if i:
                delta = delta + dx if skip else dx
        return grads

    def hidden_activations(self, params, state, x, training: bool = False,
                           rng: np.random.Generator | None = None) -> list[np.ndarray]:
        """Each hidden layer's activation f(z), shape (B, width), before dropout and before the skip is added.

        Evaluation mode by default (running statistics, no dropout); ``training=True``
        normalises with batch statistics, as ``forward`` does in training.
        """
        x = self._check_call(params, state, x, training, rng)
        _, caches, _ = self.forward_unchecked(params, state, x, training, rng)
        return [layer.f.value(z) for layer, (_, _, z, _) in zip(self._hidden, caches)]
