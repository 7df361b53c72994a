"""Learning-rate schedules α_t, vectorised over steps and runs."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

SCHEDULES = MappingProxyType(
    {
        "constant": (r"\alpha_t = \alpha_0", "constant"),
        "exp": (r"\alpha_t = \alpha_0\, e^{-kt}", "exponential decay"),
        "inv": (r"\alpha_t = \alpha_0 / (1 + kt)", "1/t decay"),
        "step": (r"\alpha_t = \alpha_0 \cdot 2^{-\lfloor kt \rfloor}", "step decay (halve every 1/k steps)"),
    }
)


def learning_rate(schedule: str, lr0, decay_rate, t) -> np.ndarray:
    """α_t for step t (counting from 0): constant α₀; exp α₀e^(−kt); inv α₀/(1 + kt); step α₀·2^(−⌊kt⌋).

    ``lr0`` and ``decay_rate`` (k ≥ 0) broadcast against ``t``, so ``t`` of shape (T, 1)
    with ``lr0`` of shape (B,) gives a (T, B) table.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    k = np.asarray(decay_rate, dtype=float)
    if np.any(~np.isfinite(k) | (k < 0)):
        raise ValueError(f"decay_rate must be a finite number ≥ 0, got {decay_rate!r}")
    t = np.asarray(t, dtype=float)
    lr0 = np.asarray(lr0, dtype=float)
    if schedule == "constant":
        factor = np.ones_like(t * k)
    elif schedule == "exp":
        factor = np.exp(-k * t)
    elif schedule == "inv":
        factor = 1 / (1 + k * t)
    else:
        factor = 2.0 ** -np.floor(k * t)
    return lr0 * factor
