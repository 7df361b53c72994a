"""Losses on a batch of logits: ``loss(logits, y) -> (L, ∂L/∂logits)``.

L is summed over the outputs of one example and averaged over the batch of B examples,
so every gradient carries a factor 1/B. For one output per example this equals
PyTorch's ``reduction="mean"``.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from optiviz.nn.activations import sigmoid


def _logits(logits) -> np.ndarray:
    z = np.asarray(logits, dtype=float)
    if z.ndim not in (1, 2) or z.shape[0] < 1:
        raise ValueError(f"logits must have shape (B,) or (B, K) with B ≥ 1, got shape {z.shape}")
    return z


def _targets_like(z: np.ndarray, y, name: str = "y") -> np.ndarray:
    """``y`` as float64 with the shape of ``z``; a (B,) target is accepted for (B, 1) logits."""
    y = np.asarray(y, dtype=float)
    if z.ndim == 2 and z.shape[1] == 1 and y.shape == z.shape[:1]:
        y = y[:, None]
    if y.shape != z.shape:
        raise ValueError(f"{name} must have the shape of logits {z.shape}, got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} must be finite")
    return y


def terms(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each example's term of L, summed over the last (output) axis: z, y (…, outputs) -> (…).

    L = the mean of the terms over the batch. Binary cross-entropy log(1 + e^z) − y z, as
    max(z, 0) + log(1 + e^−|z|) (finite for any finite z); softmax cross-entropy
    log Σ_c e^{z_c} − Σ_c y_c z_c, as max z + log Σ e^{z − max z}; squared error Σ_k (z_k − y_k)².
    The unchecked core of every loss here, of training and of the loss landscape.
    """
    if name == "binary_cross_entropy":
        return np.sum(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z, axis=-1)
    if name == "softmax_cross_entropy":
        m = np.max(z, axis=-1, keepdims=True)
        log_sum_exp = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
        return np.sum(y * (log_sum_exp - z), axis=-1)
    r = z - y
    return np.sum(r * r, axis=-1)


def gradient(name: str, z: np.ndarray, y: np.ndarray, out: np.ndarray | None = None,
             scratch: np.ndarray | None = None) -> np.ndarray:
    """∂L/∂z for batches z, y (…, B, outputs), L the mean of ``terms`` over B: (σ(z) − y)/B,
    (softmax(z) − y)/B or 2(z − y)/B. Unchecked.

    Written into ``out`` (z's shape; it may be z itself) when given, else into a new array; ``scratch`` (z's
    shape, neither z nor ``out``) spares the sigmoid one.
    """
    batch = z.shape[-2]
    if name == "mean_squared_error":
        d = np.subtract(z, y, out=out)
        d *= 2.0
    else:
        p = sigmoid.value(z, out=out, scratch=scratch) if name == "binary_cross_entropy" else softmax(z, out=out)
        d = np.subtract(p, y, out=p if out is not None or np.shape(y) == p.shape else None)
    d /= batch
    return d


def mean(name: str, z: np.ndarray, y: np.ndarray) -> float:
    """L = (1/B) Σ_i terms_i for one batch z, y (B, outputs). Unchecked."""
    return float(np.sum(terms(name, z, y)) / z.shape[0])


def _value_and_gradient(name: str, z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(L, ∂L/∂z) of checked logits z (B,) or (B, K) and targets y of z's shape."""
    z2, y2 = (z[:, None], y[:, None]) if z.ndim == 1 else (z, y)
    return mean(name, z2, y2), gradient(name, z2, y2).reshape(z.shape)


def binary_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on logits z, labels y ∈ [0, 1]:

    L = (1/B) Σ [log(1 + e^z) − y z],  ∂L/∂z = (σ(z) − y)/B.
    """
    z = _logits(logits)
    y = _targets_like(z, y)
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y must hold labels in [0, 1] for binary cross-entropy")
    return _value_and_gradient("binary_cross_entropy", z, y)


def softmax(logits, axis: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    """softmax(z)_c = e^{z_c − max z} / Σ_k e^{z_k − max z} (the shift avoids overflow); into ``out`` when given."""
    z = np.asarray(logits, dtype=float)
    e = np.subtract(z, np.max(z, axis=axis, keepdims=True), out=out)
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _class_targets(z: np.ndarray, y) -> np.ndarray:
    """``y`` as a (B, C) matrix of probabilities: class indices (B,) become one-hot rows."""
    y = np.asarray(y)
    batch, classes = z.shape
    if y.shape == (batch,):
        if not (np.all(np.isfinite(y)) and np.all(y == np.round(y)) and np.all((y >= 0) & (y < classes))):
            raise ValueError(f"y must hold class indices 0..{classes - 1}, got {y!r}")
        return np.eye(classes)[y.astype(int)]
    y = _targets_like(z, y)
    if np.any(y < 0) or not np.allclose(y.sum(axis=1), 1.0):
        raise ValueError("y must hold one probability row per example (non-negative, summing to 1)")
    return y


def softmax_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy on logits z (B, C), labels y as class indices (B,) or rows (B, C):

    L = (1/B) Σ_i [log Σ_c e^{z_ic} − Σ_c y_ic z_ic],  ∂L/∂z = (softmax(z) − y)/B.
    """
    z = _logits(logits)
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(f"logits must have shape (B, C) with C ≥ 2 classes, got shape {z.shape}")
    return _value_and_gradient("softmax_cross_entropy", z, _class_targets(z, y))


def mean_squared_error(predictions, y) -> tuple[float, np.ndarray]:
    """Squared error summed over outputs, averaged over the batch:

    L = (1/B) Σ_i Σ_k (ŷ_ik − y_ik)²,  ∂L/∂ŷ = 2(ŷ − y)/B  (no ½ in front).
    """
    z = _logits(predictions)
    return _value_and_gradient("mean_squared_error", z, _targets_like(z, y))


LOSSES = MappingProxyType(
    {
        "binary_cross_entropy": binary_cross_entropy,
        "softmax_cross_entropy": softmax_cross_entropy,
        "mean_squared_error": mean_squared_error,
    }
)


def get_loss(name: str):
    """The loss called ``name``: ``loss(logits, y) -> (L, ∂L/∂logits)``."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return LOSSES[name]
