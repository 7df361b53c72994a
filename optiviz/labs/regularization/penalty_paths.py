"""Weight paths under L1, L2 and elastic-net penalties, for the regularization lab.

A small linear regression with N points and p standardised features (each column has mean 0
and variance 1, y is centred, so there is no intercept) is fitted by

    J(w) = (1/2N) ‖y − Xw‖² + λ₁ ‖w‖₁ + (λ₂/2) ‖w‖²,     λ₁ = αλ,  λ₂ = (1 − α)λ,

the penalty convention of :mod:`optiviz.nn.penalties` (L1 λΣ|w|, L2 (λ/2)Σw²). α = 1 is the
lasso (L1), α = 0 ridge (L2), anything between the elastic net. With G = XᵀX/N and c = Xᵀy/N,
J(w) = ½ wᵀGw − cᵀw + λ₁‖w‖₁ + (λ₂/2)‖w‖² + const.

* Ridge has a closed form, w(λ₂) = (G + λ₂I)⁻¹ c, evaluated for the whole λ grid at once from
  one eigendecomposition G = V diag(d) Vᵀ: w = V diag(1/(d + λ₂)) Vᵀ c.
* L1 and elastic net: cyclic coordinate descent. Minimising J over w_j alone gives

      w_j ← S(c_j − Σ_{k≠j} G_jk w_k, λ₁) / (G_jj + λ₂),   S(z, λ) = sign(z) · max(|z| − λ, 0),

  the soft-thresholding operator, which returns EXACTLY 0 whenever |z| ≤ λ: this is why L1
  zeroes weights. Above λ_max = max_j |c_j| / α every weight is 0. The path runs down a
  log-spaced λ grid, each λ starting from the previous solution (warm start), and every
  update is vectorised over a leading batch axis of problems that share X (e.g. the L1 and
  elastic-net paths together).
* At a solution the subgradient conditions (KKT) hold: c_j − (Gw)_j − λ₂w_j = λ₁ sign(w_j)
  where w_j ≠ 0 and |c_j − (Gw)_j| ≤ λ₁ where w_j = 0; :func:`kkt_violation` measures them.

Caps (ValueError naming the input): samples ≤ MAX_SAMPLES, features ≤ MAX_FEATURES,
λ values ≤ MAX_LAMBDAS, sweeps per λ ≤ MAX_SWEEPS (a λ that needs more is flagged as
not converged, never looped on).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int, check_number, check_rng, check_table

MAX_SAMPLES = 2000
MAX_FEATURES = 20
MAX_LAMBDAS = 200
MAX_SWEEPS = 5000
MAX_CORRELATION = 0.99
TOLERANCE = 1e-10  # coordinate descent stops when max |Δw| ≤ TOLERANCE · max(1, max |w|) over a sweep

# the true weights of the regression, repeated for more features: some large, some small, some 0
TRUE_WEIGHTS = (3.0, -2.0, 0.0, 1.5, 0.0, 1.0, -0.5, 0.0)


# --- the regression problem ---------------------------------------------------------------------


def make_regression(samples: int = 50, features: int = 6, correlation: float = 0.5, noise: float = 1.0,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, w_true): y = X w_true + noise · ε, features pairwise correlated by ρ = ``correlation``.

    Rows x ~ N(0, Σ) with Σ_jk = ρ for j ≠ k and 1 on the diagonal, drawn as x = √ρ·u·1 + √(1 − ρ)·z
    (one shared factor u and independent z, all N(0, 1)). X is then standardised (columns of
    mean 0 and variance 1) and y centred. w_true cycles through TRUE_WEIGHTS.
    """
    samples = check_int("samples", samples, low=3, high=MAX_SAMPLES)
    features = check_int("features", features, low=1, high=MAX_FEATURES)
    rho = check_number("correlation", correlation, low=0.0, high=MAX_CORRELATION)
    noise = check_number("noise", noise, low=0.0)
    rng = check_rng("seed", seed, allow_seed=True)
    shared = rng.standard_normal((samples, 1))
    X = math.sqrt(rho) * shared + math.sqrt(1.0 - rho) * rng.standard_normal((samples, features))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    w_true = np.resize(np.array(TRUE_WEIGHTS), features)
    y = X @ w_true + noise * rng.standard_normal(samples)
    return X, y - y.mean(), w_true


def _problem(X, y) -> tuple[np.ndarray, np.ndarray]:
    """(G, c) = (XᵀX/N, Xᵀy/N) after checking X (N, p) and y (N,) against the caps."""
    X = check_table("X", X)
    n, p = X.shape
    if n > MAX_SAMPLES:
        raise ValueError(f"X must have at most {MAX_SAMPLES} rows (samples cap), got {n}")
    if p > MAX_FEATURES:
        raise ValueError(f"X must have at most {MAX_FEATURES} columns (features cap), got {p}")
    y = np.asarray(y, dtype=float)
    if y.shape != (n,) or not np.isfinite(y).all():
        raise ValueError(f"y must hold {n} finite numbers (shape ({n},)), got shape {y.shape}")
    return X.T @ X / n, X.T @ y / n


def lambda_max(X, y, mix: float = 1.0) -> float:
    """The smallest λ at which every weight is 0: λ_max = max_j |Xᵀy|_j / (N α); inf for α = 0 (ridge)."""
    mix = check_number("mix", mix, low=0.0, high=1.0)
    _, c = _problem(X, y)
    return math.inf if mix == 0 else float(np.max(np.abs(c)) / mix)


def lambda_grid(top: float, count: int = 60, ratio: float = 1e-3) -> np.ndarray:
    """``count`` log-spaced values from ratio·top up to top, ascending (the penalty grows to the right)."""
    top = check_number("top", top, low=0.0, low_open=True)
    count = check_int("count", count, low=2, high=MAX_LAMBDAS)
    ratio = check_number("ratio", ratio, low=0.0, high=1.0, low_open=True, high_open=True)
    return top * np.logspace(math.log10(ratio), 0.0, count)


def _lambdas(lambdas) -> np.ndarray:
    lam = np.asarray(lambdas, dtype=float).reshape(-1)
    if lam.size == 0 or lam.size > MAX_LAMBDAS:
        raise ValueError(f"lambdas must hold 1 to {MAX_LAMBDAS} values (cap), got {lam.size}")
    if not (np.isfinite(lam).all() and (lam >= 0).all()):
        raise ValueError("lambdas must be finite numbers ≥ 0")
    return lam


# --- the solvers ----------------------------------------------------------------------------------


def soft_threshold(z, lam) -> np.ndarray:
    """S(z, λ) = sign(z) · max(|z| − λ, 0): the proximal map of λ|w|, exactly 0 on [−λ, λ]."""
    z = np.asarray(z, dtype=float)
    return np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)


def ridge_path(X, y, lambdas) -> np.ndarray:
    """(L, p) ridge weights w(λ) = (XᵀX/N + λI)⁻¹ Xᵀy/N for every λ, from one eigendecomposition of XᵀX/N."""
    G, c = _problem(X, y)
    lam = _lambdas(lambdas)
    d, V = np.linalg.eigh(G)
    d = np.clip(d, 0.0, None)  # rounding can make a zero eigenvalue slightly negative
    if lam.min() == 0 and d.min() <= 1e-12 * max(d.max(), 1.0):
        raise ValueError("lambdas must be > 0 here: XᵀX is singular, so λ = 0 has no unique ridge solution")
    return ((V.T @ c) / (d + lam[:, None])) @ V.T


class CDResult(NamedTuple):
    """Coordinate descent on a batch of B problems: weights (B, p), sweeps used, converged (B,)."""

    weights: np.ndarray
    sweeps: int
    converged: np.ndarray


def _checked_problem(gram, corr, lam1, lam2):
    """G (p, p), c (p,), λ₁ and λ₂ (B,) as finite float arrays, or ValueError naming the input."""
    G = np.asarray(gram, dtype=float)
    c = np.asarray(corr, dtype=float)
    p = c.shape[-1]
    if G.shape != (p, p) or c.shape != (p,) or not (np.isfinite(G).all() and np.isfinite(c).all()):
        raise ValueError(f"gram must be a finite ({p}, {p}) matrix for corr of shape ({p},)")
    if p > MAX_FEATURES:
        raise ValueError(f"corr must have at most {MAX_FEATURES} features (cap), got {p}")
    lam1, lam2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (lam1, lam2))
    lam1, lam2 = np.broadcast_arrays(lam1, lam2)
    if lam1.ndim != 1 or lam1.size > MAX_LAMBDAS or not (np.isfinite(lam1).all() and np.isfinite(lam2).all()):
        raise ValueError(f"lam1 and lam2 must be finite and hold at most {MAX_LAMBDAS} problems")
    if (lam1 < 0).any() or (lam2 < 0).any():
        raise ValueError("lam1 and lam2 must be ≥ 0")
    diag = np.diag(G)
    if (diag + lam2.min() <= 0).any():
        raise ValueError("gram has a zero diagonal entry (a constant feature): drop it or use lam2 > 0")
    return G, c, lam1, lam2


def coordinate_descent(gram, corr, lam1, lam2, initial=None, tol: float = TOLERANCE,
                       max_sweeps: int = MAX_SWEEPS) -> CDResult:
    """Minimise ½ wᵀGw − cᵀw + λ₁‖w‖₁ + (λ₂/2)‖w‖² for a batch of B (λ₁, λ₂) pairs sharing G and c.

    Cyclic sweeps over j of w_j ← S(c_j − Σ_{k≠j} G_jk w_k, λ₁) / (G_jj + λ₂), each one applied to
    all B problems at once, keeping the residual correlations r = c − Gw up to date. After each
    sweep, a problem jumps to the exact minimiser on the support and signs the sweep found (one
    small linear solve, see below). A problem has converged when that jump satisfies the KKT
    conditions, or when a sweep moves none of its weights by more than tol · max(1, max|w|);
    the loop stops when all have, or after ``max_sweeps`` sweeps (≤ MAX_SWEEPS).
    """
    G, c, lam1, lam2 = _checked_problem(gram, corr, lam1, lam2)
    p, diag = c.size, np.diag(G)
    tol = check_number("tol", tol, low=0.0)
    max_sweeps = check_int("max_sweeps", max_sweeps, low=1, high=MAX_SWEEPS)
    B = lam1.size
    w = np.zeros((B, p)) if initial is None else np.array(initial, dtype=float).reshape(B, p)
    r = c - w @ G  # c − Gw for every problem (G is symmetric)
    scale = diag[None, :] + lam2[:, None]  # (B, p): G_jj + λ₂
    def sweep(columns) -> np.ndarray:
        """One pass of coordinate updates over ``columns``; the largest |Δw_j| of each problem."""
        moved = np.zeros(B)
        for j in columns:
            old = w[:, j].copy()
            new = soft_threshold(r[:, j] + diag[j] * old, lam1) / scale[:, j]
            step = new - old
            if step.any():
                w[:, j] = new
                r[...] -= step[:, None] * G[j][None, :]
                np.maximum(moved, np.abs(step), out=moved)
        return moved

    def still_moving(moved) -> np.ndarray:
        return moved > tol * np.maximum(1.0, np.abs(w).max(axis=1))

    def solve_on_support(b) -> bool:
        """Jump to the minimiser on the support and signs the sweeps found; True if it is THE minimiser.

        With A = {j : w_j ≠ 0} and s = sign(w_A), J restricted to A with those signs is smooth:
        (G_AA + λ₂I) w_A = c_A − λ₁ s. If the solution keeps the signs s it is taken (J cannot rise:
        the current w is in that set too), and it is the minimiser of J itself when every j ∉ A also
        satisfies |c_j − G_jA w_A| ≤ λ₁ (KKT); otherwise the next sweep brings the violators in.
        """
        A = np.flatnonzero(w[b])
        s = np.sign(w[b, A])
        try:
            w_A = np.linalg.solve(G[np.ix_(A, A)] + lam2[b] * np.eye(len(A)), c[A] - lam1[b] * s)
        except np.linalg.LinAlgError:
            return False
        if (np.sign(w_A) != s).any():
            return False
        w[b, A] = w_A
        r[b] = c - w[b] @ G
        outside = np.ones(p, dtype=bool)
        outside[A] = False
        return bool((np.abs(r[b, outside]) <= lam1[b] * (1 + 1e-12)).all())

    # Each round: one full sweep of coordinate updates (it finds which weights are 0 and the signs of
    # the others), then a jump to the exact minimiser on that support. Done when the jump satisfies the
    # KKT conditions, or when a full sweep moves no weight by more than tol (the plain CD criterion).
    sweeps, moving = 0, np.ones(B, dtype=bool)
    while sweeps < max_sweeps and moving.any():
        sweeps += 1
        moving = still_moving(sweep(range(p)))
        for b in np.flatnonzero(moving):
            moving[b] = not solve_on_support(b)
    return CDResult(w, sweeps, ~moving)


class PenaltyPath(NamedTuple):
    """The weights along a λ grid for one mix α: weights (L, p), sweeps (L,) and converged (L,) per λ."""

    lambdas: np.ndarray
    weights: np.ndarray
    sweeps: np.ndarray
    converged: np.ndarray


def elastic_net_path(X, y, lambdas, mix=1.0, warm_start: bool = True) -> list[PenaltyPath]:
    """The elastic-net path, λ₁ = αλ, λ₂ = (1 − α)λ, for each mix α in ``mix`` (one or several).

    Coordinate descent from the LARGEST λ down, each λ warm-started from the solution at the
    previous one (``warm_start=False``: from w = 0, for comparison); all mixes solved together
    as one batch. α = 1 is the lasso; α = 0 is ridge (use :func:`ridge_path`, exact and faster).
    """
    G, c = _problem(X, y)
    lam = _lambdas(lambdas)
    mixes = np.atleast_1d(np.asarray(mix, dtype=float))
    if mixes.ndim != 1 or not mixes.size or not (np.isfinite(mixes).all() and ((mixes >= 0) & (mixes <= 1)).all()):
        raise ValueError(f"mix must be one or more numbers in [0, 1], got {mix!r}")
    order = np.argsort(lam)[::-1]
    L, M, p = lam.size, mixes.size, c.size
    weights, sweeps, converged = np.zeros((M, L, p)), np.zeros((M, L), dtype=np.int64), np.zeros((M, L), dtype=bool)
    w = np.zeros((M, p))
    for i in order:
        cd = coordinate_descent(G, c, mixes * lam[i], (1 - mixes) * lam[i], w if warm_start else None)
        w = cd.weights
        weights[:, i], sweeps[:, i], converged[:, i] = w, cd.sweeps, cd.converged
    return [PenaltyPath(lam, weights[m], sweeps[m], converged[m]) for m in range(M)]


def kkt_violation(X, y, weights, lam1: float, lam2: float = 0.0) -> float:
    """The largest violation of the subgradient (KKT) conditions of J at ``weights`` (0 at the exact minimum).

    With g = c − Gw − λ₂w (minus the gradient of the smooth part): |g_j − λ₁ sign(w_j)| where w_j ≠ 0,
    max(|g_j| − λ₁, 0) where w_j = 0.
    """
    G, c = _problem(X, y)
    w = np.asarray(weights, dtype=float)
    lam1, lam2 = check_number("lam1", lam1, low=0.0), check_number("lam2", lam2, low=0.0)
    g = c - G @ w - lam2 * w
    return float(np.max(np.where(w != 0, np.abs(g - lam1 * np.sign(w)), np.maximum(np.abs(g) - lam1, 0.0))))


PENALTY_NAMES = ("L1", "L2", "elastic net")


def penalty_paths(X, y, lambdas, mix: float = 0.5) -> pd.DataFrame:
    """Tidy table of the three paths on one λ grid: penalty, lambda, feature, weight, nonzero, converged.

    L1 (α = 1) and the elastic net (α = ``mix``) by warm-started coordinate descent, L2 by the closed form.
    """
    mix = check_number("mix", mix, low=0.0, high=1.0, low_open=True, high_open=True)
    lam = _lambdas(lambdas)
    lasso, net = elastic_net_path(X, y, lam, (1.0, mix))
    ridge = PenaltyPath(lam, ridge_path(X, y, lam), np.zeros(lam.size, dtype=np.int64), np.ones(lam.size, dtype=bool))
    frames = []
    for name, path in zip(PENALTY_NAMES, (lasso, ridge, net)):
        L, p = path.weights.shape
        frames.append(pd.DataFrame({
            "penalty": name,
            "lambda": np.repeat(lam, p),
            "feature": np.tile(np.arange(1, p + 1), L),
            "weight": path.weights.ravel(),
            "nonzero": path.weights.ravel() != 0,
            "converged": np.repeat(path.converged, p),
        }))
    return pd.concat(frames, ignore_index=True)
