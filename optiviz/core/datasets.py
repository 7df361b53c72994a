"""Seeded 2-D toy data for the "train a network" lab: datasets, splits, preprocessing, augmentation.

Points are float64 arrays of shape ``(n, 2)``; labels are int64 in ``0 … classes − 1``.
Every random function takes a ``seed`` (an int ≥ 0) or an ``np.random.Generator``.

Units. All coordinates are in one data unit; with ``noise = 0`` every dataset lies in
``BOUNDS = [−1.5, 1.5]²`` (blobs up to their Gaussian tails). ``noise`` is the standard
deviation σ of isotropic Gaussian jitter, in those same units, added to every point; the
label each point was generated with is kept, so large noise makes the classes overlap.
For a fixed seed the clean points and the unit jitter do not depend on ``noise``, so a
noise slider moves the same points further from their curves rather than redrawing them.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Callable, NamedTuple

import numpy as np

from optiviz.core.checks import check_int, check_number, check_rng, check_table

Bounds = tuple[tuple[float, float], tuple[float, float]]  # ((x_min, x_max), (y_min, y_max))

MIN_SAMPLES, MAX_SAMPLES = 20, 5000
BOUNDS: Bounds = ((-1.5, 1.5), (-1.5, 1.5))
MAX_VAL_FRACTION = 0.9
MAX_ROTATION = 180.0  # degrees
EPS = 1e-8  # ε in the standardise and whiten denominators

CIRCLE_RADII = (0.5, 1.0)  # class 0 inside, class 1 outside
XOR_GAP = 0.1  # |x|, |y| ∈ [0.1, 1]: a gap along the axes at noise 0
SPIRAL_TURNS = 1.5
BLOB_RADIUS, BLOB_STD = 0.75, 0.2


# --- datasets: maker(y, classes, rng) -> clean points (n, 2) for the labels y ----------------


def circles(y, classes, rng):
    """Concentric circles: class 0 on r = 0.5, class 1 on r = 1, angle t ~ U[0, 2π)."""
    r = np.where(y == 0, *CIRCLE_RADII)
    t = rng.uniform(0, 2 * np.pi, y.shape)
    return r[:, None] * np.stack([np.cos(t), np.sin(t)], axis=-1)


def moons(y, classes, rng):
    """Two interleaved half circles of radius 1, t ~ U[0, π]:
    class 0: (cos t − ½, sin t − ¼); class 1 is its point reflection −(cos t − ½, sin t − ¼)."""
    t = rng.uniform(0, np.pi, y.shape)
    sign = np.where(y == 0, 1.0, -1.0)
    return sign[:, None] * np.stack([np.cos(t) - 0.5, np.sin(t) - 0.25], axis=-1)


def xor(y, classes, rng):
    """XOR quadrants: |x|, |y| ~ U[0.1, 1]; label 1 where sign(x)·sign(y) = +1, else 0."""
    mag = rng.uniform(XOR_GAP, 1.0, (len(y), 2))
    sx = rng.choice([-1.0, 1.0], len(y))
    sy = np.where(y == 1, sx, -sx)
    return mag * np.stack([sx, sy], axis=-1)


def spiral(y, classes, rng):
    """K interleaved arms: r ~ U[0, 1], θ = 2π (k/K + 1.5 r), point r (cos θ, sin θ)."""
    r = rng.uniform(0, 1, y.shape)
    theta = 2 * np.pi * (y / classes + SPIRAL_TURNS * r)
    return r[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=-1)


def blob_centres(classes: int) -> np.ndarray:
    """Centres cₖ = 0.75 (cos φₖ, sin φₖ), φₖ = π/4 + 2πk/K, shape (K, 2)."""
    phi = np.pi / 4 + 2 * np.pi * np.arange(classes) / classes
    return BLOB_RADIUS * np.stack([np.cos(phi), np.sin(phi)], axis=-1)


def blobs(y, classes, rng):
    """Gaussian blobs: x ~ N(c_y, 0.2² I) around blob_centres; noise widens them further."""
    return blob_centres(classes)[y] + BLOB_STD * rng.standard_normal((len(y), 2))


class Dataset(NamedTuple):
    label: str
    maker: Callable[[np.ndarray, int, np.random.Generator], np.ndarray]
    classes: tuple[int, ...]  # the allowed numbers of classes; the first is the default


DATASETS = MappingProxyType(
    {
        "circles": Dataset("Circles", circles, (2,)),
        "moons": Dataset("Moons", moons, (2,)),
        "xor": Dataset("XOR", xor, (2,)),
        "spiral": Dataset("Spiral", spiral, (2, 3)),
        "blobs": Dataset("Gaussian blobs", blobs, (2, 3)),
    }
)


def get_dataset(name: str) -> Dataset:
    """The dataset called ``name``; ValueError naming the choices otherwise."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}") from None


def make_dataset(name: str, samples: int, noise: float, seed, classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """X (samples, 2) float64 and y (samples,) int64: x = clean(y) + noise · z, z ~ N(0, I).

    Classes are balanced (counts differ by at most 1) and rows come in random order.
    ``noise`` is σ in data units (see the module docstring); MIN_SAMPLES ≤ samples ≤ MAX_SAMPLES.
    """
    data = get_dataset(name)
    samples = check_int("samples", samples, low=MIN_SAMPLES, high=MAX_SAMPLES)
    noise = check_number("noise", noise, low=0.0)
    try:
        allowed = check_int("classes", classes) in data.classes
    except ValueError:
        allowed = False
    if not allowed:
        raise ValueError(f"classes={classes!r} is not allowed for {name}; choose {' or '.join(map(str, data.classes))}")
    classes = int(classes)
    rng = check_rng("seed", seed, allow_seed=True)
    y = rng.permutation(np.arange(samples, dtype=np.int64) % classes)
    X = data.maker(y, classes, rng)
    X = X + noise * rng.standard_normal(X.shape)  # drawn even at noise 0: a slider rescales it
    return X.astype(np.float64), y


def view_bounds(X, margin: float = 0.1) -> Bounds:
    """((x_min, x_max), (y_min, y_max)) around the points, padded by margin × the wider span.

    Use it for the decision-boundary grid of the raw inputs (``grid_points``).
    """
    X = check_table("X", X, width=2)
    margin = check_number("margin", margin, low=0.0)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = float((hi - lo).max()) or 1.0
    pad = margin * span
    return ((float(lo[0] - pad), float(hi[0] + pad)), (float(lo[1] - pad), float(hi[1] + pad)))


def grid_points(bounds: Bounds, n: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (n,), y (n,) and points (n, n, 2) with points[i, j] = (x[j], y[i]), as Surface.grid."""
    n = check_int("n", n, low=2, high=1000)
    (x0, x1), (y0, y1) = bounds
    x, y = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    xx, yy = np.meshgrid(x, y)
    return x, y, np.stack([xx, yy], axis=-1)


# --- train / validation split ----------------------------------------------------------------


class Split(NamedTuple):
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


def train_val_split(X, y, val_fraction: float, seed) -> Split:
    """Stratified, shuffled split: each class k sends round(f · nₖ) points (halves up) to validation.

    0 ≤ val_fraction ≤ 0.9; both parts come back in random order.
    """
    X = check_table("X", X)
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X, got shape {y.shape}")
    f = check_number("val_fraction", val_fraction, low=0.0, high=MAX_VAL_FRACTION)
    rng = check_rng("seed", seed, allow_seed=True)
    train, val = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = int(math.floor(f * len(idx) + 0.5))
        val.append(idx[:k])
        train.append(idx[k:])
    train_idx = rng.permutation(np.concatenate(train))
    val_idx = rng.permutation(np.concatenate(val))
    if len(train_idx) == 0:
        raise ValueError(f"val_fraction={val_fraction!r} leaves no training points")
    return Split(X[train_idx], y[train_idx], X[val_idx], y[val_idx])


# --- preprocessing, fitted on the training split only ----------------------------------------


class PreprocessingInfo(NamedTuple):
    label: str
    formula: str  # LaTeX


PREPROCESSINGS = MappingProxyType(
    {
        "none": PreprocessingInfo("none", r"x"),
        "centre": PreprocessingInfo("zero-centre", r"x - \mu"),
        "standardise": PreprocessingInfo("standardise", r"(x - \mu) / \sqrt{\sigma^2 + \varepsilon}"),
        "whiten": PreprocessingInfo("whiten (ZCA)", r"\Sigma^{-1/2}(x - \mu),\ "
                                                    r"\Sigma^{-1/2} = U(\Lambda + \varepsilon I)^{-1/2}U^\top"),
    }
)


class Preprocessing(NamedTuple):
    """x ↦ W (x − μ), with μ and W fitted on the training split."""

    name: str
    mean: np.ndarray  # μ, shape (d,)
    matrix: np.ndarray  # W, shape (d, d)


def fit_preprocessing(name: str, X_train, eps: float = EPS) -> Preprocessing:
    """μ and W from the training points only (population statistics, divide by n):

    none W = I, μ = 0; centre W = I; standardise W = diag(1/√(σ² + ε));
    whiten (ZCA) W = Σ^(−1/2) = U (Λ + εI)^(−1/2) Uᵀ for Σ = U Λ Uᵀ. PCA whitening,
    (Λ + εI)^(−1/2) Uᵀ, differs only by the rotation U; ZCA keeps the picture's orientation.
    Apply the result to validation points and the prediction grid, never refit on them.
    """
    if name not in PREPROCESSINGS:
        raise ValueError(f"unknown preprocessing {name!r}; choose one of {', '.join(PREPROCESSINGS)}")
    X = check_table("X_train", X_train)
    eps = check_number("eps", eps, low=0.0, low_open=True)
    d = X.shape[1]
    if name == "none":
        return Preprocessing(name, np.zeros(d), np.eye(d))
    mu = X.mean(axis=0)
    if name == "centre":
        return Preprocessing(name, mu, np.eye(d))
    Xc = X - mu
    if name == "standardise":
        return Preprocessing(name, mu, np.diag(1 / np.sqrt((Xc * Xc).mean(axis=0) + eps)))
    lam, U = np.linalg.eigh(Xc.T @ Xc / len(X))
    lam = np.clip(lam, 0.0, None)  # rounding can make a zero eigenvalue slightly negative
    return Preprocessing(name, mu, (U / np.sqrt(lam + eps)) @ U.T)


def apply(prep: Preprocessing, X) -> np.ndarray:
    """W (x − μ) for points of shape (..., d), e.g. a (n, n, 2) prediction grid."""
    X = np.asarray(X, dtype=float)
    d = len(prep.mean)
    if X.shape[-1:] != (d,):
        raise ValueError(f"X must have a last axis of length {d}, got shape {X.shape}")
    return (X - prep.mean) @ prep.matrix.T


# --- augmentation of training batches --------------------------------------------------------

REFLECTIONS = MappingProxyType(
    {
        "none": "no reflection (reflect=False)",
        "x": "across the x-axis: (x, y) → (x, −y) with probability ½",
        "y": "across the y-axis: (x, y) → (−x, y) with probability ½",
        "xy": "across each axis independently with probability ½: four mirror images (reflect=True)",
    }
)


def augment(X, rng, jitter: float = 0.0, rotation: float = 0.0, reflect=False) -> np.ndarray:
    """A randomly transformed copy of the training batch X (n, 2); labels stay as they are.

    Per point, in this order: reflect (see REFLECTIONS), rotate about the origin by
    φ ~ U[−θ, θ] with θ = ``rotation`` in degrees (0–180), x ↦ (x cos φ − y sin φ,
    x sin φ + y cos φ), then add jitter · z, z ~ N(0, I). Zero settings return X unchanged.

    Rotation and reflection assume the classes are symmetric under them, as circles are.
    For other data they can change what a point means: moons and 2-class XOR are not
    rotation-invariant, and reflecting a moon across both axes lands it on the other moon.
    Augment training batches only, never the validation data.
    """
    X = check_table("X", X, width=2).copy()
    rng = check_rng("rng", rng, allow_seed=True)
    jitter = check_number("jitter", jitter, low=0.0)
    theta = check_number("rotation", rotation, low=0.0, high=MAX_ROTATION)
    if isinstance(reflect, (bool, np.bool_)):
        reflect = "xy" if reflect else "none"
    if not isinstance(reflect, str) or reflect not in REFLECTIONS:
        raise ValueError(f"reflect must be False, True or one of {', '.join(REFLECTIONS)}, got {reflect!r}")
    n = len(X)
    if reflect in ("x", "xy"):
        X[:, 1] *= rng.choice([-1.0, 1.0], n)
    if reflect in ("y", "xy"):
        X[:, 0] *= rng.choice([-1.0, 1.0], n)
    if theta > 0:
        phi = np.deg2rad(rng.uniform(-theta, theta, n))
        c, s = np.cos(phi), np.sin(phi)
        X = np.stack([c * X[:, 0] - s * X[:, 1], s * X[:, 0] + c * X[:, 1]], axis=-1)
    if jitter > 0:
        X = X + jitter * rng.standard_normal(X.shape)
    return X
