"""Small regularization-lab examples the figure tests share."""

import numpy as np

from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.labs.regularization import penalty_paths as pp


def example_paths():
    """Elastic-net paths (mix 0.5) of a 50 × 4 regression over 40 λ from 10⁻³ to 10^1.5 λ_max, and λ_max."""
    X, y, _ = pp.make_regression(50, 4, 0.3, 1.0, 0)
    lam_max = pp.lambda_max(X, y)
    return pp.penalty_paths(X, y, lam_max * np.logspace(-3, 1.5, 40), 0.5), lam_max


def example_moons():
    """80 noisy moons (σ 0.2), half of them held out: the small split the figure tests train on."""
    X, y = make_dataset("moons", 80, 0.2, 0)
    return train_val_split(X, y, 0.5, 0)
