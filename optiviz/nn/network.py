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
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from ..checks import check_int, check_number, check_rng, check_table
from .layers import WEIGHT_KEYS, activation, batch_norm, dense, dropout, residual, sequential


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

        blocks, units, skips, width = [], [], [], self.input_dim
        for h in self.hidden:
            unit = sequential(
                dense(width, h, self.initializer, **params),
                *([batch_norm(h, self.bn_momentum, self.bn_eps)] if self.batch_norm else []),
                activation(self.activation, self.alpha),
            )
            parts = (unit, dropout(self.keep_prob)) if self.keep_prob < 1 else (unit,)
            skips.append(self.skip and width == h)
            blocks.append(residual(*parts) if skips[-1] else sequential(*parts))
            units.append(unit)
            width = h
        blocks.append(dense(width, self.output_dim, self.initializer, **params))
        put(self, "_blocks", tuple(blocks))
        put(self, "_units", tuple(units))
        put(self, "_skips", tuple(skips))

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

    def forward(self, params, state, x, training: bool = False, rng: np.random.Generator | None = None):
        """``(logits, cache, new_state)`` for a batch ``x`` of shape (B, input_dim).

        ``training`` uses batch statistics (and updates the running ones in ``new_state``)
        and draws dropout masks from ``rng``; evaluation is deterministic and returns ``state``.
        """
        x = check_table("x", x, width=self.input_dim, finite=False)
        self._check_trees(params, state)
        if training and self.keep_prob < 1:
            check_rng("rng", rng)
        caches, new_state = [], []
        for block, p, s in zip(self._blocks, params, state):
            x, cache, s = block.forward(p, s, x, training, rng)
            caches.append(cache)
            new_state.append(s)
        return x, caches, new_state

    def backward(self, params, cache, dlogits) -> list[dict]:
        """∂L/∂params by backpropagation from ``dlogits`` = ∂L/∂logits, shaped like ``params``."""
        delta = check_table("dlogits", dlogits, width=self.output_dim, finite=False)
        grads = [{} for _ in self._blocks]
        for i in reversed(range(len(self._blocks))):
            block = self._blocks[i]
            delta, g = block.backward(params[i], cache[i], delta)
            grads[i] = {k: g[k] for k in block.param_keys}
        return grads

    def hidden_activations(self, params, state, x, training: bool = False,
                           rng: np.random.Generator | None = None) -> list[np.ndarray]:
        """Each hidden layer's activation f(z), shape (B, width), before dropout and before the skip is added.

        Evaluation mode by default (running statistics, no dropout); ``training=True``
        normalises with batch statistics, as ``forward`` does in training.
        """
        x = check_table("x", x, width=self.input_dim, finite=False)
        self._check_trees(params, state)
        values = []
        for unit, block, p, s in zip(self._units, self._blocks, params, state):
            values.append(unit.forward(p, s, x, training, rng)[0])
            x = block.forward(p, s, x, training, rng)[0]
        return values
