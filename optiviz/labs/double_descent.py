"""Double descent: least squares on the first p features, train and test error as p passes n.

Every model is linear in p features, fitted to n training points by ridge regression

    ŵ = argmin ‖y − X_p w‖² + λ ‖w‖² = (X_pᵀX_p + λI)⁻¹ X_pᵀ y = X_pᵀ (X_p X_pᵀ + λI)⁻¹ y,

and for λ = 0 by the pseudo-inverse, ŵ = X_p⁺ y: the least-squares solution for p < n and,
once p ≥ n and many weight vectors fit the data exactly, the one of smallest norm ‖ŵ‖
(the implicit regularization of the lecture's Generalization section).

Three settings:

* ``double_descent(model="relu")``: the curve, as Belkin et al. (2019) draw it. A network with one
  hidden layer of P ReLU units whose first layer is random and frozen, φ_j(x) = max(0, v_jᵀ(x − c_j)),
  x uniform on [−1, 1]³; only the output weights are fitted, on the FIRST p units for p = 1 … P, to
  y = f(x) + σ ε with f(x) = sin(πx₁) + cos(πx₂). The test error, σ² + mean (f̂ − f)² over
  ``TEST_POINTS`` fresh inputs, is the median over seeded trials (each draws data and units).
* ``double_descent(model="linear")``: a Gaussian linear model y = xᵀβ + σ ε with D inputs
  x ~ N(0, I), ‖β‖ = 1, fitted on its FIRST p inputs for p = 1 … D, median over seeded trials.
  The test error is the expected squared error on a fresh point, exact for Gaussian x:
  E[(y − x_pᵀŵ)²] = σ² + ‖β − ŵ‖² (ŵ padded with zeros).
  For both the null model (predict 0) has test error E[y²] = E[f²] + σ² = 1 + σ².
* ``polynomial_fits``: the picture. n noisy points of sin(πx) on [−1, 1] fitted with the
  scaled Legendre features φ_k(x) = P_k(x)/(k + 1), k = 0 … p − 1. The scaling makes the
  min-norm solution prefer low degrees, so past p = n the interpolant gets smoother.

Caps (each request stays within about two seconds): ``MAX_SAMPLES`` training points,
``MAX_FEATURES`` features, ``MAX_TRIALS`` trials, and ``MAX_WORK`` for their product as
``sweep_work`` counts it; ``MAX_RIDGE``, ``MAX_NOISE``; for the 1-D fits ``MAX_FIT_POINTS``,
``MAX_FIT_FEATURES`` and ``MAX_GRID``; ``MAX_ELEMENTS`` for the arrays given to ``min_norm_fit``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.polynomial import legendre

from optiviz.core.checks import check_int, check_number, check_rng, check_table

MAX_SAMPLES = 200
MAX_FEATURES = 1000
MAX_TRIALS = 100
MAX_WORK = 2.0e9  # sweep_work units; about 2 s on one core
MAX_RIDGE = 1e4
MAX_NOISE = 10.0
MAX_FIT_POINTS = 100
MAX_FIT_FEATURES = 300
MAX_GRID = 2000
MAX_ELEMENTS = 5_000_000  # entries of the feature array min_norm_fit accepts
INPUTS = 3  # inputs d of the random-features model
TEST_POINTS = 200  # fresh inputs per trial on which its test error is measured
CHUNK, BLOCK = 2_000_000, 16  # past the threshold feature_errors holds ≤ CHUNK weights, for ≤ BLOCK values of p

WEIGHTS = {
    "equal": "β_j = 1/√D: many weak features, each input carries the same signal",
    "decaying": "β_j ∝ 1/√j: the first inputs carry most of the signal",
}
MODELS = {
    "relu": "random ReLU features: a network with one hidden layer of p units, the first layer random and frozen",
    "linear": "linear model: the first p of D Gaussian inputs",
}
CURVE_COLUMNS = ("features", "train_mse", "test_mse", "test_mse_q25", "test_mse_q75", "weight_norm")


def true_weights(features: int, weights: str = "equal") -> np.ndarray:
    """The true weight vector β of the Gaussian model, scaled so that ‖β‖ = 1."""
    features = check_int("features", features, low=1, high=MAX_FEATURES)
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(WEIGHTS)}, got {weights!r}")
    beta = np.ones(features) if weights == "equal" else 1.0 / np.sqrt(np.arange(1, features + 1))
    return beta / np.linalg.norm(beta)


def null_mse(noise: float) -> float:
    """Test error of the null model that always predicts 0: E[y²] = E[f(x)²] + σ² = 1 + σ² for either model.

    Linear: E[(xᵀβ)²] = ‖β‖² = 1. ReLU features: E[(sin πx₁ + cos πx₂)²] = ½ + ½ + 2·0·0 = 1.
    """
    return 1.0 + check_number("noise", noise, low=0.0, high=MAX_NOISE) ** 2


def check_model(model: str) -> str:
    """``model`` if it is one of ``MODELS``."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    return model


def sweep_work(n_train: int, max_features: int, trials: int, model: str = "relu") -> float:
    """Work units of one sweep, the solves plus the products.

    linear: trials × Σ_p (min(n, p)³ / 3 + 2 n p). relu, with k = min(n, P) and m = ``TEST_POINTS``:
    trials × (k²(n + m) + k n² + (P − k)(n³/3 + n² + P(2n + m))).
    """
    n, width = float(n_train), float(max_features)
    if check_model(model) == "linear":
        p = np.arange(1, max_features + 1, dtype=float)
        return float(trials * np.sum(np.minimum(n, p) ** 3 / 3 + 2 * n * p))
    k, m = min(n, width), float(TEST_POINTS)
    return float(trials * (k * k * (n + m) + k * n * n + (width - k) * (n**3 / 3 + n * n + width * (2 * n + m))))


def affordable_trials(n_train: int, max_features: int, trials: int, model: str = "relu") -> int:
    """The most trials, up to ``trials``, that keep one sweep within ``MAX_WORK`` (0 if even one is too many)."""
    one = sweep_work(n_train, max_features, 1, model)
    return int(min(trials, MAX_WORK // one))


def check_work(n_train: int, max_features: int, trials: int, model: str = "relu") -> None:
    """Raise ValueError (naming max_features or trials) if one sweep would exceed ``MAX_WORK``."""
    if sweep_work(n_train, max_features, trials, model) <= MAX_WORK:
        return
    most = affordable_trials(n_train, max_features, trials, model)
    if most == 0:
        raise ValueError(f"max_features {max_features} with n_train {n_train} exceeds the work cap even for one trial")
    raise ValueError(f"trials must be at most {most} for n_train {n_train} and max_features {max_features} "
                     f"(work cap), got {trials}")


def min_norm_fit(features, targets, ridge: float = 0.0) -> np.ndarray:
    """Ridge weights ŵ = V diag(s / (s² + λ)) Uᵀ y from the SVD Φ = U diag(s) Vᵀ, batched over leading axes.

    For λ = 0 this is the pseudo-inverse ŵ = Φ⁺ y (singular values below max(n, p) · eps · s_max
    count as zero, as in numpy.linalg.lstsq): the least-squares solution of smallest norm.
    ``features`` has shape (..., n, p), ``targets`` (..., n); the result (..., p).
    """
    phi, y = np.asarray(features, dtype=float), np.asarray(targets, dtype=float)
    if phi.ndim < 2 or phi.size == 0 or y.shape != phi.shape[:-1]:
        raise ValueError(f"features must have shape (..., n, p) with n, p ≥ 1 and targets (..., n), "
                         f"got {phi.shape} and {y.shape}")
    if phi.size > MAX_ELEMENTS:
        raise ValueError(f"features must have at most {MAX_ELEMENTS} entries, got {phi.size}")
    if not (np.isfinite(phi).all() and np.isfinite(y).all()):
        raise ValueError("features and targets must be finite (no NaN or ±inf)")
    ridge = check_number("ridge", ridge, low=0.0, high=MAX_RIDGE)
    u, s, vt = np.linalg.svd(phi, full_matrices=False)
    if ridge > 0:
        gain = s / (s * s + ridge)
    else:
        kept = s > s[..., :1] * max(phi.shape[-2:]) * np.finfo(float).eps
        gain = np.where(kept, 1.0 / np.where(kept, s, 1.0), 0.0)
    return np.einsum("...kp,...k->...p", vt, gain * np.einsum("...nk,...n->...k", u, y))


def _solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """G⁻¹ r for a batch of symmetric G; the pseudo-inverse G⁺ r where some G is singular."""
    try:
        return np.linalg.solve(gram, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.einsum("...ij,...j->...i", np.linalg.pinv(gram, hermitian=True), rhs)


class TrialErrors(NamedTuple):
    """Per trial (rows) and number of features p = 1 … D (columns)."""

    train_mse: np.ndarray  # (1/n) ‖y − X_p ŵ‖²
    test_mse: np.ndarray  # σ² + ‖β − ŵ‖², the expected error on a fresh Gaussian point
    weight_norm: np.ndarray  # ‖ŵ‖


def trial_errors(X, y, beta, noise: float, ridge: float = 0.0, progress=None) -> TrialErrors:
    """Fit the first p columns of each trial's X (shape (T, n, D)) to its y (T, n) for every p = 1 … D.

    Each p costs one batched solve of the smaller Gram matrix: (X_pᵀX_p + λI) ŵ = X_pᵀy for
    p ≤ n (its leading p × p block of XᵀX), and ŵ = X_pᵀ α with (X_pX_pᵀ + λI) α = y for p > n
    (X_pX_pᵀ grows by x_p x_pᵀ with each feature). For λ = 0 both are the pseudo-inverse X_p⁺ y
    whenever X_p has full rank min(n, p), as Gaussian X has with probability 1.
    ``progress(done, total)``, if given, is called about 20 times along the way.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3 or min(X.shape) < 1:
        raise ValueError(f"X must have shape (trials, n, D), got {X.shape}")
    trials, n, features = X.shape
    if not np.isfinite(X).all():
        raise ValueError("X must be finite (no NaN or ±inf)")
    y = check_table("y", y, width=n)
    beta = check_table("beta", np.reshape(beta, (1, -1)), width=features)[0]
    if y.shape[0] != trials:
        raise ValueError(f"y must have one row per trial ({trials}), got {y.shape[0]}")
    noise = check_number("noise", noise, low=0.0, high=MAX_NOISE)
    ridge = check_number("ridge", ridge, low=0.0, high=MAX_RIDGE)
    check_work(n, features, trials, "linear")

    m = min(n, features)
    gram_features = np.einsum("tni,tnj->tij", X[:, :, :m], X[:, :, :m])  # XᵀX, its leading m × m block
    moment = np.einsum("tni,tn->ti", X[:, :, :m], y)  # Xᵀy
    gram_points = np.zeros((trials, n, n))  # X_p X_pᵀ
    tail = np.concatenate([np.cumsum(beta[::-1] ** 2)[::-1][1:], [0.0]])  # ‖β_(p+1…D)‖², left out by ŵ
    train, test, norm = (np.empty((trials, features)) for _ in range(3))
    columns = np.ascontiguousarray(X.transpose(0, 2, 1))  # (T, D, n): the first p features are one block
    for p in range(1, features + 1):
        Xp_T = columns[:, :p]  # X_pᵀ
        gram_points += Xp_T[:, -1, :, None] * Xp_T[:, -1, None, :]
        if p <= n:
            w = _solve(gram_features[:, :p, :p] + ridge * np.eye(p), moment[:, :p])
        else:
            w = (Xp_T @ _solve(gram_points + ridge * np.eye(n), y)[..., None])[..., 0]
        residual = y - (w[:, None, :] @ Xp_T)[:, 0]
        train[:, p - 1] = np.mean(residual**2, axis=1)
        test[:, p - 1] = noise**2 + np.sum((beta[:p] - w) ** 2, axis=1) + tail[p - 1]
        norm[:, p - 1] = np.linalg.norm(w, axis=1)
        if progress is not None and (p % max(features // 20, 1) == 0 or p == features):
            progress(p, features)
    return TrialErrors(train, test, norm)


def draw_data(n_train: int, max_features: int, trials: int, noise: float, seed, weights: str = "equal"):
    """(X, y, β): X ~ N(0, 1) of shape (trials, n, D) and y = Xβ + σ ε, from one seeded generator."""
    beta = true_weights(max_features, weights)
    rng = check_rng("seed", seed, allow_seed=True)
    X = rng.standard_normal((trials, n_train, max_features))
    y = X @ beta + noise * rng.standard_normal((trials, n_train))
    return X, y, beta


def double_descent(n_train: int = 40, max_features: int = 200, trials: int = 30, noise: float = 0.2,
                   ridge: float = 0.0, seed=0, weights: str = "equal", progress=None,
                   model: str = "relu") -> pd.DataFrame:
    """Median train and test error against the number of features p = 1 … P over seeded trials.

    ``model`` "relu": P = ``max_features`` random ReLU units (``draw_features``, ``feature_errors``);
    "linear": the Gaussian linear model with D = ``max_features`` inputs and true weights
    ``weights`` (``draw_data``, ``trial_errors``). Either is fitted on n = ``n_train`` samples
    with its first p features by ridge (λ = ``ridge``; λ = 0: the min-norm pseudo-inverse).
    One row per p: ``CURVE_COLUMNS``, the medians of train error, test error and ‖ŵ‖ over the
    trials and the quartiles of the test error. ``progress(done, total)`` reports along the way.
    """
    model = check_model(model)
    n_train = check_int("n_train", n_train, low=1, high=MAX_SAMPLES)
    max_features = check_int("max_features", max_features, low=1, high=MAX_FEATURES)
    trials = check_int("trials", trials, low=1, high=MAX_TRIALS)
    noise = check_number("noise", noise, low=0.0, high=MAX_NOISE)
    ridge = check_number("ridge", ridge, low=0.0, high=MAX_RIDGE)
    check_work(n_train, max_features, trials, model)
    if model == "linear":
        X, y, beta = draw_data(n_train, max_features, trials, noise, seed, weights)
        errors = trial_errors(X, y, beta, noise, ridge, progress)
    else:
        if weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {', '.join(WEIGHTS)}, got {weights!r}")
        errors = feature_errors(*draw_features(n_train, max_features, trials, noise, seed), noise, ridge, progress)
    q25, median, q75 = np.quantile(errors.test_mse, [0.25, 0.5, 0.75], axis=0)
    return pd.DataFrame({
        "features": np.arange(1, max_features + 1),
        "train_mse": np.median(errors.train_mse, axis=0),
        "test_mse": median,
        "test_mse_q25": q25,
        "test_mse_q75": q75,
        "weight_norm": np.median(errors.weight_norm, axis=0),
    })


class BestModels(NamedTuple):
    """The lowest median test error of the small models (p < n) and of the big ones (p > ``big_from``)."""

    small_p: int
    small: float
    big_p: int  # 0 when no p > big_from was fitted
    big: float  # nan then
    big_from: int  # 2n, or n when the sweep stops at or before 2n


def best_models(curve: pd.DataFrame, n_train: int) -> BestModels | None:
    """The best small and big models of a curve: argmin of the median test error over p < n and over p > 2n.

    Belkin et al. (2019) compare the two regimes this way: past the threshold the test error falls
    below the bottom of the classical U. Big means p > 2n (p > n if the curve stops before 2n).
    None when no p < n was fitted.
    """
    p, test = curve["features"].to_numpy(), curve["test_mse"].to_numpy()
    small = p < n_train
    if not small.any():
        return None
    big_from = 2 * n_train if p[-1] > 2 * n_train else n_train
    big = p > big_from
    i = int(np.argmin(np.where(small, test, np.inf)))
    if not big.any():
        return BestModels(int(p[i]), float(test[i]), 0, float("nan"), big_from)
    j = int(np.argmin(np.where(big, test, np.inf)))
    return BestModels(int(p[i]), float(test[i]), int(p[j]), float(test[j]), big_from)


def classical_u(curve: pd.DataFrame, n_train: int, margin: float = 1.2) -> bool:
    """Whether the classical regime draws a U: the best small model is ``margin``× below both p = 1 and p = n − 1."""
    best, test = best_models(curve, n_train), curve["test_mse"].to_numpy()
    return best is not None and test[0] > margin * best.small < test[min(n_train - 2, len(test) - 1)] / margin


# ---- the curve with random ReLU features: a network whose hidden layer is random and frozen ------------------------


def relu_target(x: np.ndarray) -> np.ndarray:
    """The nonlinear target of the random-features model, f(x) = sin(πx₁) + cos(πx₂) (E f² = 1 for x uniform)."""
    x = np.asarray(x, dtype=float)
    return np.sin(np.pi * x[..., 0]) + np.cos(np.pi * x[..., 1])


class FeatureData(NamedTuple):
    """One seeded draw of the random-features model: T trials, n training and m test points, P features."""

    features: np.ndarray  # (T, n, P) φ_j(x_i) at the training inputs
    y: np.ndarray  # (T, n) y = f(x) + σ ε
    test_features: np.ndarray  # (T, m, P) φ_j at fresh inputs
    test_target: np.ndarray  # (T, m) f at those inputs (no noise: σ² is added exactly)


def relu_features(x: np.ndarray, directions: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Hidden units φ_j(x) = max(0, v_jᵀ(x − c_j)) for inputs (..., k, d), directions and centres (..., d, P)."""
    return np.maximum(np.asarray(x) @ directions - np.sum(directions * centres, axis=-2)[..., None, :], 0.0)


def draw_features(n_train: int, max_features: int, trials: int, noise: float, seed,
                  test_points: int = TEST_POINTS) -> FeatureData:
    """Inputs x uniform on [−1, 1]^d (d = ``INPUTS``), P random ReLU units, y = f(x) + σ ε, from one generator.

    Each unit's direction v_j is uniform on the unit sphere and its kink (the plane v_jᵀ(x − c_j) = 0)
    passes through a point c_j uniform in [−½, ½]^d, so every unit bends somewhere inside the data.
    """
    rng = check_rng("seed", seed, allow_seed=True)
    x = rng.uniform(-1.0, 1.0, (trials, n_train, INPUTS))
    x_test = rng.uniform(-1.0, 1.0, (trials, test_points, INPUTS))
    directions = rng.standard_normal((trials, INPUTS, max_features))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    centres = rng.uniform(-0.5, 0.5, (trials, INPUTS, max_features))
    y = relu_target(x) + noise * rng.standard_normal((trials, n_train))
    return FeatureData(relu_features(x, directions, centres), y, relu_features(x_test, directions, centres),
                       relu_target(x_test))


def _prefix_least_squares(phi: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray | None:
    """Ridge weights on the first p columns for every p = 1 … k (k = phi's columns ≤ n),
    shape (T, k, k), row p − 1 = ŵ_p.

    One QR of [Φ; √λ I] = QR serves every p: the first p columns are Q_p R_p, so
    ŵ_p = R_p⁻¹ (Qᵀy)_(1…p), and with S = R⁻¹ (upper triangular, S_p = R_p⁻¹) the weights of
    every p are the running sums ŵ_p = Σ_(k<p) S_(:,k) (Qᵀy)_k. None when some R_p is singular.
    """
    trials, n, k = phi.shape
    if ridge > 0:
        phi = np.concatenate([phi, np.broadcast_to(np.sqrt(ridge) * np.eye(k), (trials, k, k))], axis=1)
        y = np.concatenate([y, np.zeros((trials, k))], axis=1)
    q, r = np.linalg.qr(phi)
    diagonal = np.abs(np.diagonal(r, axis1=1, axis2=2))
    if np.any(diagonal <= diagonal.max(axis=1, keepdims=True) * max(phi.shape[1:]) * np.finfo(float).eps):
        return None
    z = np.einsum("tnk,tn->tk", q, y)
    s = np.linalg.inv(r)
    return np.cumsum(s.transpose(0, 2, 1) * z[:, :, None], axis=1)  # row p − 1: Σ_(k<p) z_k S_(:,k)


def feature_errors(features, y, test_features, test_target, noise: float, ridge: float = 0.0,
                   progress=None) -> TrialErrors:
    """Fit the first p features of each trial for every p = 1 … P and measure the errors (rows: trials).

    p ≤ n: ridge least squares ŵ_p = (Φ_pᵀΦ_p + λI)⁻¹Φ_pᵀy from one QR for all p (see
    ``_prefix_least_squares``; the leading-block solve of ``trial_errors`` if some Φ_p has lower rank).
    p > n: ŵ_p = Φ_pᵀ α_p with (K_p + λI) α_p = y, K_p = Φ_pΦ_pᵀ grown by φ_p φ_pᵀ; for λ = 0 the
    min-norm interpolant Φ_p⁺y. Predictions at the test inputs are Φ_test,p ŵ_p. Test error:
    σ² + mean over the m test inputs of (f̂ − f)², the expected squared error on a fresh point.
    """
    phi = np.asarray(features, dtype=float)
    phi_test = np.asarray(test_features, dtype=float)
    if phi.ndim != 3 or min(phi.shape) < 1:
        raise ValueError(f"features must have shape (trials, n, P), got {phi.shape}")
    trials, n, width = phi.shape
    if phi_test.ndim != 3 or phi_test.shape[0] != trials or phi_test.shape[2] != width or phi_test.shape[1] < 1:
        raise ValueError(f"test_features must have shape ({trials}, m, {width}), got {phi_test.shape}")
    if not (np.isfinite(phi).all() and np.isfinite(phi_test).all()):
        raise ValueError("features must be finite (no NaN or ±inf)")
    y = check_table("y", y, width=n)
    target_values = check_table("test_target", test_target, width=phi_test.shape[1])
    if y.shape[0] != trials or target_values.shape[0] != trials:
        raise ValueError(f"y and test_target must have one row per trial ({trials})")
    noise = check_number("noise", noise, low=0.0, high=MAX_NOISE)
    ridge = check_number("ridge", ridge, low=0.0, high=MAX_RIDGE)
    check_work(n, width, trials, "relu")

    under = min(n, width)
    weights = _prefix_least_squares(phi[:, :, :under], y, ridge)
    if weights is None:  # a rank-deficient Φ_p: the pseudo-inverse of the Gram blocks, one p at a time
        gram = np.einsum("tni,tnj->tij", phi[:, :, :under], phi[:, :, :under])
        moment = np.einsum("tni,tn->ti", phi[:, :, :under], y)
        weights = np.zeros((trials, under, under))
        for p in range(1, under + 1):
            weights[:, p - 1, :p] = _solve(gram[:, :p, :p] + ridge * np.eye(p), moment[:, :p])
    fitted = weights @ phi[:, :, :under].transpose(0, 2, 1)
    predicted = weights @ phi_test[:, :, :under].transpose(0, 2, 1)
    norms = np.sum(weights**2, axis=2)
    if progress is not None:
        progress(under, width)

    over = width - under
    if over:
        alphas, fitted_over = np.empty((trials, over, n)), np.empty((trials, over, n))
        columns = np.ascontiguousarray(phi.transpose(0, 2, 1))  # (T, P, n)
        gram = np.einsum("tpi,tpj->tij", columns[:, :under], columns[:, :under])  # K_n = Φ_nΦ_nᵀ
        for q, p in enumerate(range(under + 1, width + 1)):
            gram += columns[:, p - 1, :, None] * columns[:, p - 1, None, :]
            alphas[:, q] = _solve(gram + ridge * np.eye(n), y)
            fitted_over[:, q] = np.einsum("tij,tj->ti", gram, alphas[:, q])  # Φ_p ŵ_p = K_p α_p
            if progress is not None and (p % max(width // 20, 1) == 0 or p == width):
                progress(p, width)
        norms_over = np.maximum(np.einsum("tqi,tqi->tq", fitted_over, alphas), 0.0)  # ‖ŵ_p‖² = α_pᵀ K_p α_p
        # Φ_test,p ŵ_p with ŵ_p = Φ_pᵀα_p: a block of p at a time, each block using only its first p_max units
        block = max(min(BLOCK, CHUNK // (trials * width)), 1)
        predicted_over = []
        for first in range(0, over, block):
            ps = np.arange(under + 1 + first, under + 1 + min(first + block, over))
            top = int(ps[-1])
            w = (alphas[:, first : first + len(ps)] @ phi[:, :, :top]) * (np.arange(top) < ps[:, None])
            predicted_over.append(w @ phi_test[:, :, :top].transpose(0, 2, 1))
        fitted = np.concatenate([fitted, fitted_over], axis=1)
        predicted = np.concatenate([predicted, *predicted_over], axis=1)
        norms = np.concatenate([norms, norms_over], axis=1)

    train = np.mean((y[:, None, :] - fitted) ** 2, axis=2)
    test = noise**2 + np.mean((target_values[:, None, :] - predicted) ** 2, axis=2)
    return TrialErrors(train, test, np.sqrt(norms))


# ---- the picture: 1-D polynomial fits --------------------------------------------------------------


def target(x: np.ndarray) -> np.ndarray:
    """The true 1-D function f(x) = sin(πx)."""
    return np.sin(np.pi * x)


def legendre_features(x, p: int) -> np.ndarray:
    """Scaled Legendre features φ_k(x) = P_k(x) / (k + 1), k = 0 … p − 1, shape (len(x), p)."""
    p = check_int("features", p, low=1, high=MAX_FIT_FEATURES)
    return legendre.legvander(np.asarray(x, dtype=float), p - 1) / np.arange(1, p + 1)


class PolynomialFits(NamedTuple):
    """The training points, and for every p = 1 … P the fitted curve on the grid and its errors."""

    x: np.ndarray  # (n,) training inputs in [−1, 1]
    y: np.ndarray  # (n,) noisy targets f(x) + σ ε
    grid: np.ndarray  # (G,) points on [−1, 1]
    truth: np.ndarray  # (G,) f on the grid
    curves: np.ndarray  # (P, G) the fit with the first p features, row p − 1
    at_points: np.ndarray  # (P, n) the same fits at the training inputs
    train_mse: np.ndarray  # (P,)
    test_mse: np.ndarray  # (P,) σ² + mean over the grid of (f̂ − f)²: the error on fresh points
    weight_norm: np.ndarray  # (P,) ‖ŵ‖
    ridge: float  # λ of the fits (0: min-norm)

    def table(self, p: int) -> pd.DataFrame:
        """The fit with p features as a table: the training points (kind "point") and the grid (kind "grid")."""
        p = check_int("features", p, low=1, high=len(self.curves))
        nan = np.full(len(self.grid), np.nan)
        return pd.DataFrame({
            "features": p,
            "kind": ["point"] * len(self.x) + ["grid"] * len(self.grid),
            "x": np.concatenate([self.x, self.grid]),
            "y": np.concatenate([self.y, nan]),
            "true_f": np.concatenate([target(self.x), self.truth]),
            "fit": np.concatenate([self.at_points[p - 1], self.curves[p - 1]]),
        })

    def every_fit(self) -> pd.DataFrame:
        """Every fit as one table: the training points (kind "point") and the grid (kind "grid") as rows,
        one column ``fit_p<p>`` per p = 1 … P."""
        nan = np.full(len(self.grid), np.nan)
        table = pd.DataFrame({
            "kind": ["point"] * len(self.x) + ["grid"] * len(self.grid),
            "x": np.concatenate([self.x, self.grid]),
            "y": np.concatenate([self.y, nan]),
            "true_f": np.concatenate([target(self.x), self.truth]),
        })
        fits = np.concatenate([self.at_points, self.curves], axis=1)  # (P, n + G)
        return pd.concat([table, pd.DataFrame(fits.T, columns=[f"fit_p{p}" for p in range(1, len(fits) + 1)])], axis=1)


def polynomial_fits(n_points: int = 15, max_features: int = 60, noise: float = 0.1, ridge: float = 0.0, seed=0,
                    grid: int = 241) -> PolynomialFits:
    """Min-norm (or ridge) fits of n noisy points of sin(πx) with the first p scaled Legendre features, p = 1 … P.

    The inputs are spread out: one point drawn in the middle 60 % of each of n equal cells of
    [−1, 1], so no two points nearly coincide (such pairs would make every interpolant spike).
    """
    n_points = check_int("n_points", n_points, low=1, high=MAX_FIT_POINTS)
    max_features = check_int("max_features", max_features, low=1, high=MAX_FIT_FEATURES)
    noise = check_number("noise", noise, low=0.0, high=MAX_NOISE)
    ridge = check_number("ridge", ridge, low=0.0, high=MAX_RIDGE)
    grid = check_int("grid", grid, low=2, high=MAX_GRID)
    rng = check_rng("seed", seed, allow_seed=True)
    x = -1.0 + (np.arange(n_points) + rng.uniform(0.2, 0.8, n_points)) * 2.0 / n_points
    y = target(x) + noise * rng.standard_normal(n_points)
    g = np.linspace(-1.0, 1.0, grid)
    phi, phi_grid = legendre_features(x, max_features), legendre_features(g, max_features)
    curves, at_points = np.empty((max_features, grid)), np.empty((max_features, n_points))
    norm = np.empty(max_features)
    for p in range(1, max_features + 1):
        w = min_norm_fit(phi[:, :p], y, ridge)
        curves[p - 1], at_points[p - 1] = phi_grid[:, :p] @ w, phi[:, :p] @ w
        norm[p - 1] = np.linalg.norm(w)
    truth = target(g)
    train = np.mean((y - at_points) ** 2, axis=1)
    test = noise**2 + np.mean((curves - truth) ** 2, axis=1)
    return PolynomialFits(x, y, g, truth, curves, at_points, train, test, norm, ridge)
