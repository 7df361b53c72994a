"""The loss landscape on a 2-D slice through a trained network's weights, with the training path's shadow.

Li, Xu, Taylor, Studer & Goldstein, "Visualizing the Loss Landscape of Neural Nets"
(NeurIPS 2018) plot

    f(α, β) = L(θ* + α d₁ + β d₂)

around trained weights θ* along two random directions d₁, d₂. Raw Gaussian directions
make plots of different networks incomparable (a layer with large weights barely
notices a step that swamps a layer with small ones, and a ReLU network computes the same
function when one layer is scaled by c and the next by 1/c), so each direction is *filter-normalised* (their §4): every filter of
d is rescaled to the norm of the same filter of θ*. See :func:`random_direction`.

The training path θ₀, θ₁, … is drawn on the slice by projecting θ_t − θ* onto the plane
of (d₁, d₂) (:func:`project_path`). In thousands of dimensions two random directions are
almost orthogonal to everything the optimizer did, so the path mostly lies *outside* the
plane: its projection is a shadow, and not a walk on the drawn surface (Li et al. make
the same point in their section on optimisation paths and project onto PCA directions of
the path instead; :func:`in_plane_fraction` measures how much of each displacement the
plane captures).

Flat vectors: the training loop records one vector per epoch with
:func:`flatten_params`; the order is fixed and documented there.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..checks import check_int, check_number, check_rng, check_table
from .layers import WEIGHT_KEYS
from .losses import LOSSES, get_loss

MAX_GRID = 41                    # n ≤ 41 grid points per axis
MAX_SAMPLES = 2000               # len(X) ≤ 2000 examples
MAX_EVALUATIONS = 1_000_000      # n² · len(X): example-forward passes per surface
MAX_MULTIPLY_ADDS = 2 * 10**9    # n² · len(X) · (number of parameters): the dense layers' work


# --------------------------------------------------------------------------- flat vectors


def _layout(tree) -> list[tuple[int, str, tuple[int, ...], slice]]:
    """``(block, key, shape, slice)`` of every array in flattening order (see :func:`flat_layout`)."""
    if isinstance(tree, (dict, str, bytes)) or not isinstance(tree, Sequence):
        raise ValueError(f"params must be a list of dicts (one per block), got {type(tree).__name__}")
    for i, block in enumerate(tree):
        if not isinstance(block, dict):
            raise ValueError(f"params[{i}] must be a dict of arrays, got {type(block).__name__}")
    order = [(i, key) for i, block in enumerate(tree) for key in block if key in WEIGHT_KEYS]
    order += [(i, key) for i, block in enumerate(tree) for key in block if key not in WEIGHT_KEYS]
    layout, start = [], 0
    for i, key in order:
        shape = np.shape(tree[i][key])
        size = int(np.prod(shape, dtype=np.int64))
        layout.append((i, key, shape, slice(start, start + size)))
        start += size
    return layout


def flat_layout(tree: Sequence[dict]) -> list[tuple[str, tuple[int, ...], slice]]:
    """``(name, shape, slice)`` of every array of ``tree`` in the flat vector, in flattening order.

    Order: first every weight matrix W (the keys in ``WEIGHT_KEYS``), block by block;
    then the other arrays (b, γ, β), block by block, each block's keys in the dict's
    insertion order (as ``MLP.init`` and ``tree_map`` build them: W, b, gamma, beta);
    each array in C (row-major) order, so W's (n_in, n_out) entries run along a row
    first; the leading entries are therefore every weight and nothing else. This is the order of the
    training records' ``Layout`` (:mod:`optiviz.nn.records`), so recorded path vectors
    and :func:`flatten_params` vectors can be mixed. Names are ``"i.key"`` as in
    :func:`optiviz.nn.tree.named_arrays`.
    """
    return [(f"{i}.{key}", shape, part) for i, key, shape, part in _layout(tree)]


def _size(layout) -> int:
    return layout[-1][-1].stop if layout else 0


def flatten_params(params: Sequence[dict]) -> np.ndarray:
    """All arrays of a params (or grads, or direction) tree as one float64 vector θ of length P.

    Order as in :func:`flat_layout`: every W first (block by block), then b, γ, β block by
    block, arrays in C order. The result is a new array (never a view of ``params``).
    Inverse: :func:`unflatten_params`.
    """
    layout = _layout(params)
    out = np.empty(_size(layout))
    for i, key, _, part in layout:
        out[part] = np.ravel(np.asarray(params[i][key], dtype=float))
    return out


def _split(vector: np.ndarray, like: Sequence[dict], layout) -> list[dict]:
    """Views into ``vector`` shaped like ``like`` (keys in ``like``'s own order)."""
    pieces = {(i, key): vector[part].reshape(shape) for i, key, shape, part in layout}
    return [{key: pieces[i, key] for key in block} for i, block in enumerate(like)]


def unflatten_params(vector, like: Sequence[dict]) -> list[dict]:
    """A tree shaped like ``like`` holding the entries of ``vector`` (inverse of :func:`flatten_params`).

    Each dict keeps ``like``'s key order; the arrays are float64 copies, so changing
    ``vector`` later leaves the tree alone.
    """
    layout = _layout(like)
    size = _size(layout)
    v = np.asarray(vector, dtype=float)
    if v.shape != (size,):
        raise ValueError(f"vector must have shape ({size},) to fill params with {size} entries, got shape {v.shape}")
    return _split(v.copy(), like, layout)


# --------------------------------------------------------------------------- directions


def random_direction(params: Sequence[dict], rng: np.random.Generator) -> list[dict]:
    """A filter-normalised Gaussian direction d shaped like ``params`` (Li et al. 2018, §4).

    For every weight matrix W of shape (n_in, n_out) a Gaussian d_W ~ N(0, 1) of the same
    shape is drawn, and each filter, one output neuron's incoming weights (a column
    ``[:, k]``; PyTorch's ``Linear`` stores the same filter as a row), is rescaled to the
    norm of θ's filter:

        d[:, k] ← d[:, k] · ‖θ[:, k]‖ / ‖d[:, k]‖.

    So a step α along d changes every neuron by the same *relative* amount α, whatever the
    scale of its weights. A neuron whose weights are all zero gets a zero filter.

    Biases and batch-norm γ, β (every array with fewer than 2 dimensions) get d = 0, as
    Li et al. do ("ignore biasbn" in their code): the slice moves the weights only, and
    the biases, γ and β stay at their trained values.

    Arrays are drawn from ``rng`` in flattening order (:func:`flat_layout`), so a seed
    fixes the direction. Call twice with the same ``rng`` for d₁ and d₂.
    """
    rng = check_rng("rng", rng)
    layout = _layout(params)
    direction = [{key: None for key in block} for block in params]
    for i, key, shape, _ in layout:
        theta = np.asarray(params[i][key], dtype=float)
        if theta.ndim < 2:
            direction[i][key] = np.zeros(shape)
            continue
        if not np.all(np.isfinite(theta)):
            raise ValueError(f"params must be finite; {i}.{key} is not")
        d = rng.standard_normal(shape)
        axes = tuple(range(theta.ndim - 1))  # a filter is everything but the last (output) axis
        d_norm = np.sqrt(np.sum(d * d, axis=axes, keepdims=True))
        theta_norm = np.sqrt(np.sum(theta * theta, axis=axes, keepdims=True))
        scale = np.divide(theta_norm, d_norm, out=np.zeros_like(d_norm), where=d_norm > 0)
        direction[i][key] = d * scale
    return direction


def _direction_vector(d, params, layout, name: str) -> np.ndarray:
    """A direction (tree like ``params`` or flat vector of length P) as a finite flat vector."""
    size = _size(layout)
    if isinstance(d, np.ndarray) and d.ndim == 1:
        v = d.astype(float)
        if v.shape != (size,):
            raise ValueError(f"{name} must be a tree like params or a vector of length {size}, got shape {v.shape}")
    else:
        try:
            same = len(d) == len(params) and all(
                isinstance(a, dict) and set(a) == set(b) and all(np.shape(a[k]) == np.shape(b[k]) for k in b)
                for a, b in zip(d, params))
        except TypeError:
            same = False
        if not same:
            raise ValueError(f"{name} must have the structure of params (same blocks, keys and shapes) "
                             f"or be a vector of length {size}")
        v = flatten_params(d)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite (no NaN or ±inf)")
    return v


# --------------------------------------------------------------------------- the surface


def grid_axis(span: float, n: int) -> np.ndarray:
    """n evenly spaced values from −span to span: span·(2k − (n − 1))/(n − 1), k = 0 … n − 1.

    Exactly symmetric (a[k] = −a[n − 1 − k]); for odd n the middle value is exactly 0,
    so the grid passes through θ* itself.
    """
    k = np.arange(n, dtype=float)
    return span * ((2.0 * k - (n - 1)) / (n - 1))


def affordable_rows(n: int, parameters: int) -> int:
    """The most rows of X one n × n surface may use: n² · rows ≤ MAX_EVALUATIONS and n² · rows · parameters ≤ MAX_MULTIPLY_ADDS."""
    return max(1, min(MAX_SAMPLES, MAX_EVALUATIONS // (n * n), MAX_MULTIPLY_ADDS // (n * n * max(parameters, 1))))


def loss_surface(net, params, state, X, y, loss_name: str, d1, d2, span: float = 1.0, n: int = 25):
    """The loss on a grid in the plane θ* + α d₁ + β d₂: ``(alphas, betas, Z)``.

        Z[i, j] = L(θ* + α_j d₁ + β_i d₂),  α, β ∈ :func:`grid_axis` (span, n),

    rows follow β and columns α, as a Plotly contour (``x=alphas, y=betas, z=Z``) expects.
    L is ``get_loss(loss_name)`` on the network's logits for all of ``X``, ``y``, in
    evaluation mode: no dropout, batch norm with the running statistics in ``state``
    (which is never changed). With odd n the centre ``Z[n//2, n//2]`` is L(θ*).

    ``d1``, ``d2`` are trees like ``params`` (from :func:`random_direction`) or flat
    vectors (:func:`flatten_params`). ``span`` is in units of the directions: with
    filter-normalised directions, α = 1 moves every neuron's weights by their own norm.

    Work: one forward pass per grid point, each vectorised over the samples, so the cost
    is about n² · len(X) · (number of parameters) multiply-adds. Capped: n in [3, 41],
    len(X) ≤ 2000, n² · len(X) ≤ 10⁶ and n² · len(X) · P ≤ 2·10⁹ (``MAX_*`` in this
    module); beyond them ValueError names the input to lower. Subsample X (seeded) to fit.

    Non-finite losses: far from θ* (huge spans) the logits can overflow. Such points are
    computed with NumPy's floating-point warnings silenced and come back as **NaN** in
    Z (never ±inf), so ``np.isnan(Z)`` flags them and a contour leaves a gap there.
    """
    if loss_name not in LOSSES:
        raise ValueError(f"loss_name must be one of {', '.join(LOSSES)}, got {loss_name!r}")
    loss = get_loss(loss_name)
    n = check_int("n", n, low=3, high=MAX_GRID)
    span = check_number("span", span, low=0.0, low_open=True)
    X = check_table("X", X, width=net.input_dim)
    if len(X) > MAX_SAMPLES:
        raise ValueError(f"X has {len(X)} examples, more than the {MAX_SAMPLES} a loss surface may use; "
                         f"pass a (seeded) subsample of X")
    targets = np.shape(y)[:1]
    if targets != (len(X),):
        raise ValueError(f"y must have one target per row of X ({len(X)}), got shape {np.shape(y)}")
    layout = _layout(params)
    center = flatten_params(params)
    if not np.all(np.isfinite(center)):
        raise ValueError("params must be finite (training diverged?)")
    v1 = _direction_vector(d1, params, layout, "d1")
    v2 = _direction_vector(d2, params, layout, "d2")
    evaluations = n * n * len(X)
    if evaluations > MAX_EVALUATIONS:
        raise ValueError(f"n² · len(X) = {n}² · {len(X)} = {evaluations:,} forward passes of one example "
                         f"exceeds {MAX_EVALUATIONS:,}; lower n or pass fewer rows of X")
    if evaluations * center.size > MAX_MULTIPLY_ADDS:
        raise ValueError(f"n² · len(X) · (parameters) = {n}² · {len(X)} · {center.size} = "
                         f"{evaluations * center.size:,} exceeds {MAX_MULTIPLY_ADDS:,}; "
                         f"lower n or pass fewer rows of X (or use a smaller network)")

    alphas, betas = grid_axis(span, n), grid_axis(span, n)
    Z = np.empty((n, n))
    with np.errstate(all="ignore"):  # overflow far from θ* is expected: flagged as NaN below
        for i, beta in enumerate(betas):
            row = center + beta * v2  # θ* + β_i d₂, the start of row i
            for j, alpha in enumerate(alphas):  # the first pass also checks that params, state and y fit
                theta = _split(row + alpha * v1, params, layout)
                Z[i, j] = loss(net.forward(theta, state, X)[0], y)[0]
    Z[~np.isfinite(Z)] = np.nan
    return alphas, betas, Z


# --------------------------------------------------------------------------- the path's shadow


def _plane(center_vector, d1_flat, d2_flat):
    """θ*, an orthonormal basis Q (P, 2) of span(d₁, d₂) and R, s with [d₁ d₂] = s · Q R."""
    vectors, size = [], None
    for name, v in (("center_vector", center_vector), ("d1_flat", d1_flat), ("d2_flat", d2_flat)):
        a = np.asarray(v, dtype=float)
        if a.ndim != 1 or a.size == 0 or (size is not None and a.size != size):
            want = f"({size},)" if size is not None else "(P,)"
            raise ValueError(f"{name} must be a flat vector of shape {want}, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite (no NaN or ±inf)")
        size = a.size
        vectors.append(a)
    center, d1, d2 = vectors
    scale = max(np.max(np.abs(d1)), np.max(np.abs(d2)))  # rescale so huge or tiny entries cannot overflow
    if scale == 0:
        raise ValueError("d1_flat and d2_flat must not be zero")
    q, r = np.linalg.qr(np.column_stack([d1, d2]) / scale)
    s = np.linalg.svd(r, compute_uv=False)
    if s[1] <= 1e-10 * s[0]:
        raise ValueError("d1_flat and d2_flat must be linearly independent (neither zero nor parallel)")
    return center, q, r, scale


def _displacements(path_vectors, center):
    path = check_table("path_vectors", path_vectors, finite=False)
    if path.shape[1] != center.size:
        raise ValueError(f"path_vectors must have shape (T, {center.size}) like center_vector, got shape {path.shape}")
    ok = np.all(np.isfinite(path), axis=1)
    with np.errstate(all="ignore"):  # θ_t − θ* may overflow for huge entries: NaN coordinates later
        return path - center, ok


def project_path(path_vectors, center_vector, d1_flat, d2_flat) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (α_t, β_t) of each θ_t − θ* in the plane of d₁, d₂, by least squares.

        (α_t, β_t) = argmin ‖θ_t − θ* − α d₁ − β d₂‖²,

    the orthogonal projection onto span(d₁, d₂) written in the (not orthogonal) basis
    d₁, d₂: with [d₁ d₂] = QR, (α_t, β_t) = R⁻¹ Qᵀ(θ_t − θ*). As with Li et al.'s PCA
    directions, but here the plane is random: the path mostly lies outside it, so the
    projected path is its shadow on the slice, not a walk on the drawn surface.

    ``path_vectors`` is (T, P), one :func:`flatten_params` vector per recorded step;
    ``center_vector`` θ* and ``d1_flat``, ``d2_flat`` are (P,). Rows that are not finite
    (a diverged run), or whose coordinates overflow, give NaN. ValueError if d₁ and d₂ are
    parallel or zero.
    """
    center, q, r, scale = _plane(center_vector, d1_flat, d2_flat)
    delta, ok = _displacements(path_vectors, center)
    coords = np.full((2, len(delta)), np.nan)
    with np.errstate(all="ignore"):
        coords[:, ok] = np.linalg.solve(r, q.T @ delta[ok].T) / scale
    coords[~np.isfinite(coords)] = np.nan
    return coords[0], coords[1]


def in_plane_fraction(path_vectors, center_vector, d1_flat, d2_flat) -> np.ndarray:
    """How much of each displacement the plane captures: ‖Π(θ_t − θ*)‖ / ‖θ_t − θ*‖ ∈ [0, 1].

    Π is the orthogonal projection onto span(d₁, d₂), so this is the cosine of the angle
    between θ_t − θ* and the plane: 1 in the plane, near √(2/P) for a random plane in P
    dimensions. 1 where θ_t = θ* (the centre lies in the plane); NaN for non-finite rows.
    """
    center, q, _, _ = _plane(center_vector, d1_flat, d2_flat)
    delta, ok = _displacements(path_vectors, center)
    out = np.full(len(delta), np.nan)
    with np.errstate(all="ignore"):
        d = delta[ok]
        scale = np.max(np.abs(d), axis=1, keepdims=True) if d.size else np.zeros((0, 1))
        d = np.divide(d, scale, out=np.zeros_like(d), where=scale > 0)  # scale-free: no overflow in the norms
        full = np.linalg.norm(d, axis=1)
        inside = np.linalg.norm(d @ q, axis=1)
        out[ok] = np.divide(inside, full, out=np.ones_like(full), where=full > 0)
    out[~np.isfinite(out)] = np.nan
    return np.minimum(out, 1.0)
