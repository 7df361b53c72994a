"""The values a student can pick for a hyperparameter, the same in every lab and on the command line."""

from __future__ import annotations

import numpy as np


def log_options(low_exp: float, high_exp: float, per_decade: int = 10) -> tuple[float, ...]:
    """Log-spaced values 10^low … 10^high, rounded to two significant figures."""
    k = np.arange(round(low_exp * per_decade), round(high_exp * per_decade) + 1)
    return tuple(float(f"{v:.2g}") for v in 10.0 ** (k / per_decade))


LEARNING_RATES = log_options(-5, 0.3)  # 1e-5 … 2
DECAY_RATES = log_options(-4, -1, 4)  # k for the schedules
EPSILONS = tuple(10.0**-k for k in range(12, 0, -1))
BETA2S = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)


def snap(value: float, options: tuple[float, ...]) -> float:
    """The option nearest to ``value`` on a log scale."""
    if value in options:
        return value
    return min(options, key=lambda o: abs(np.log(o) - np.log(value)))
