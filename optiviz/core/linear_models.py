"""Models with two weights, so their whole loss surface can be drawn in the (w₁, w₂) plane.

    linear    ŷ = x·w          L(w) = 1/(2N) Σᵢ (xᵢ·w − yᵢ)²
    logistic  p = σ(x·w)       L(w) = 1/N Σᵢ [log(1 + e^{xᵢ·w}) − yᵢ xᵢ·w]

There is no bias: the data cloud's centre is part of the lesson (zero-centring removes it).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from optiviz.core.checks import check_int, check_number, check_rng, check_table

MODELS = MappingProxyType({"linear": "Linear regression (squared error)",
                           "logistic": "Logistic regression (cross-entropy)"})
TRUE_WEIGHTS = (1.0, -0.5)  # w* that generates the targets
MAX_SAMPLES = 10_000
MAX_CENTRE = 100.0
MAX_GRID_WORK = 4_000_000  # grid points × samples evaluated at once by loss_grid
NEWTON_STEPS = 50


class Problem(NamedTuple):
    """N samples of a two-weight model: inputs X (N, 2) and targets y (N,)."""

    model: str
    X: np.ndarray
    y: np.ndarray


def check_model(model: str) -> str:
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    return model


def data_cloud(samples: int, seed, centre=(0.0, 0.0), correlation: float = 0.0, scale=(1.0, 1.0)) -> np.ndarray:
    """N points x ~ N(μ, Σ), μ = centre, Σ = [[s₁², ρs₁s₂], [ρs₁s₂, s₂²]], ρ = correlation."""
    samples = check_int("samples", samples, low=1, high=MAX_SAMPLES)
    mu = np.array([check_number("centre", c, low=-MAX_CENTRE, high=MAX_CENTRE) for c in centre], dtype=float)
    rho = check_number("correlation", correlation, low=-0.99, high=0.99)
    s1, s2 = (check_number("scale", s, low=1e-3, high=100.0) for s in scale)
    cov = np.array([[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]])
    z = check_rng("seed", seed, allow_seed=True).standard_normal((samples, 2))
    return mu + z @ np.linalg.cholesky(cov).T


def make_problem(model: str, samples: int, seed, centre=(0.0, 0.0), correlation: float = 0.0, noise: float = 0.5,
                 weights=TRUE_WEIGHTS) -> Problem:
    """Targets from w*: y = x·w* + σε (linear) or y = 1[x·w* + σε > 0] (logistic), ε ~ N(0, 1)."""
    check_model(model)
    rng = check_rng("seed", seed, allow_seed=True)
    X = data_cloud(samples, rng, centre, correlation)
    noise = check_number("noise", noise, low=0.0, high=100.0)
    signal = X @ np.asarray(weights, dtype=float) + noise * rng.standard_normal(len(X))
    return Problem(model, X, signal if model == "linear" else (signal > 0).astype(float))


def residual(model: str, z, y):
    """ŷ − y for scores z = x·w: z − y (linear), or σ(z) − y with σ(z) = e^{−log(1 + e^{−z})}, without overflow."""
    return z - y if model == "linear" else np.exp(-np.logaddexp(0.0, -z)) - y


def sample_losses(model: str, z, y):
    """Each sample's loss term: ½(z − y)² (linear) or log(1 + e^z) − y z (logistic); L is their mean."""
    if model == "linear":
        r = z - y
        return 0.5 * (r * r)
    return np.logaddexp(0.0, z) - y * z


def loss_and_grad(model: str, W, X, y) -> tuple[np.ndarray, np.ndarray]:
    """L(w) and ∇L(w) = 1/N Xᵀ(ŷ − y) for weights W (..., 2) on samples X (..., N, 2), y (..., N)."""
    W, X, y = np.asarray(W, dtype=float), np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    z = (X @ W[..., None])[..., 0]
    model = check_model(model)
    loss = np.mean(sample_losses(model, z, y), axis=-1)
    grad = (residual(model, z, y)[..., None, :] @ X)[..., 0, :] / X.shape[-2]
    return loss, grad


def loss_only(model: str, W, X, y) -> np.ndarray:
    """L(w) without its gradient for weights W (..., 2) on one data set X (N, 2), y (N,).

    Linear: the quadratic L(w) = ½ wᵀ(XᵀX/N)w − w·(Xᵀy/N) + ½ mean y², a few flops per w whatever N.
    Logistic: z = x·w as one 2-D matrix product per chunk of MAX_GRID_WORK terms, then mean [log(1 + e^z) − y z].
    The tests check it against loss_and_grad.
    """
    W, X, y = np.asarray(W, dtype=float), np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    flat = W.reshape(-1, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        if check_model(model) == "linear":
            S, b, c = X.T @ X / len(X), X.T @ y / len(X), 0.5 * float(y @ y) / len(X)
            out = 0.5 * np.einsum("ri,ij,rj->r", flat, S, flat) - flat @ b + c
        else:
            out = np.empty(len(flat))
            rows = max(1, MAX_GRID_WORK // max(len(X), 1))
            for i in range(0, len(flat), rows):
                z = np.dot(flat[i:i + rows], X.T)
                out[i:i + rows] = np.mean(sample_losses("logistic", z, y), axis=-1)
    return out.reshape(W.shape[:-1])


def loss_grid(problem: Problem, w1, w2) -> np.ndarray:
    """L on the grid w1 × w2: Z[j, i] = L((w1[i], w2[j])) (``loss_only``)."""
    w1, w2 = (check_table(name, np.reshape(w, (-1, 1)))[:, 0] for name, w in (("w1", w1), ("w2", w2)))
    return loss_only(problem.model, np.stack(np.meshgrid(w1, w2), axis=-1), problem.X, problem.y)


def optimum(problem: Problem) -> np.ndarray:
    """The minimiser w*: the normal equations for linear; damped Newton from 0 for logistic."""
    X, y = problem.X, problem.y
    if problem.model == "linear":
        return np.linalg.lstsq(X, y, rcond=None)[0]
    w = np.zeros(2)
    for _ in range(NEWTON_STEPS):
        p = np.exp(-np.logaddexp(0.0, -(X @ w)))
        hessian = (X * (p * (1 - p))[:, None]).T @ X / len(X) + 1e-12 * np.eye(2)
        step = np.linalg.solve(hessian, X.T @ (p - y) / len(X))
        w = w - step
        if np.abs(step).max() < 1e-12:
            break
    return w
