"""The loss landscape on 2-D slices through a trained network's weights, and the training path on its own plane.

Li, Xu, Taylor, Studer & Goldstein, "Visualizing the Loss Landscape of Neural Nets"
(NeurIPS 2018) plot

    f(α, β) = L(θ* + α d₁ + β d₂)

around trained weights θ* along two random directions d₁, d₂. Raw Gaussian directions
make plots of different networks incomparable (a layer with large weights barely
notices a step that swamps a layer with small ones, and a ReLU network computes the same
function when one layer is scaled by c and the next by 1/c), so each direction is
*filter-normalised* (their §4): every filter of d is rescaled to the norm of the same filter of θ*.
See :func:`random_direction`.

The training path θ₀, θ₁, … projects onto the plane of (d₁, d₂) by least squares
(:func:`project_path`). In many dimensions two random directions are almost orthogonal to
everything the optimizer did, so the path mostly lies *outside* a random plane
(:func:`in_plane_fraction`, :func:`path_share`): its projection is a dot. Li et al. (§7) draw
paths on the plane of the path's two principal directions instead (:func:`pca_directions`),
which holds most of it.

The lab (:func:`skip_landscapes`) is Li et al.'s contrast: a trained network and its twin with
skip connections toggled, each on a random slice (with :func:`slice_shape`: how many local
minima the slice has, and from how much of it walking downhill reaches θ*) and on its path's plane.

Flat vectors: θ in the order of the training records' :class:`~optiviz.nn.records.Layout`
(``Layout.of(params).flatten(tree)``; every W first), the order the training loop records one
vector per epoch in (``TrainingResult.param_vectors``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple, Sequence

import numpy as np

from optiviz.core.checks import check_int, check_number, check_rng, check_table
from optiviz.core.datasets import Split, apply
from optiviz.nn.activations import get_activation
from optiviz.nn.layers import WEIGHT_KEYS
from optiviz.nn import losses
from optiviz.nn.losses import LOSSES, _class_targets, _targets_like
from optiviz.nn.records import Layout, TrainingResult
from optiviz.nn.training import MAX_STEP_WORK, MAX_WORK, OptimizerSetting, step_work, train, work

MAX_GRID = 41                    # n ≤ 41 grid points per axis
MAX_SAMPLES = 2000               # len(X) ≤ 2000 examples
MAX_EVALUATIONS = 1_000_000      # n² · len(X): example-forward passes per surface
MAX_MULTIPLY_ADDS = 2 * 10**9    # n² · len(X) · (number of parameters): the dense layers' work


# --------------------------------------------------------------------------- flat vectors


def _layout(tree) -> Layout:
    """The training records' :class:`~optiviz.nn.records.Layout` of a params (or grads, or direction) tree.

    Flat vectors here are θ in that layout's order: every weight matrix W first (block by block),
    then b, γ, β block by block, each array in C order, so recorded path vectors
    (``TrainingResult.param_vectors``) and ``_flat(tree)`` vectors can be mixed.
    ValueError unless ``tree`` is a list of dicts of arrays.
    """
    if isinstance(tree, (dict, str, bytes)) or not isinstance(tree, Sequence):
        raise ValueError(f"params must be a list of dicts (one per block), got {type(tree).__name__}")
    for i, block in enumerate(tree):
        if not isinstance(block, dict):
            raise ValueError(f"params[{i}] must be a dict of arrays, got {type(block).__name__}")
    return Layout.of(tree, WEIGHT_KEYS)


def _flat(tree) -> np.ndarray:
    """θ: every array of ``tree`` in one new float64 vector, in the order of :func:`_layout`."""
    return _layout(tree).flatten(tree)


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

    Arrays are drawn from ``rng`` in θ order (every W first, block by block), so a seed
    fixes the direction. Call twice with the same ``rng`` for d₁ and d₂.
    """
    rng = check_rng("rng", rng)
    layout = _layout(params)
    direction = [{key: None for key in block} for block in params]
    for i, key, shape, _ in layout.segments():
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
    size = layout.size
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
        v = layout.flatten(d, name)  # in params' order, whatever the order of d's keys
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite (no NaN or ±inf)")
    return v


# --------------------------------------------------------------------------- many weights at once

# grid points × examples × units in one block of the batched forward pass (512 kB: stays in cache)
BLOCK_VALUES = 1 << 16


def _batched_logits(net, pieces, state, X) -> np.ndarray:
    """The evaluation-mode forward pass for G weight settings at once: logits of shape (G, N, K).

    ``pieces[i][key]`` has a leading axis of G settings (W: (G, n_in, n_out)). Hidden layer i:
    z = x W + b, then batch norm with the running statistics, γ (z − μ_run)/√(σ²_run + ε) + β,
    then f(z); dropout is the identity; with a skip, out = x + f(z). As ``net.forward``.
    """
    f = get_activation(net.activation, net.alpha)
    x = X[None]
    for i, skip in enumerate(net.skips):
        p = pieces[i]
        z = x @ p["W"] + p["b"][:, None, :]
        if net.batch_norm:
            inv_std = 1.0 / np.sqrt(state[i]["running_var"] + net.bn_eps)
            z = p["gamma"][:, None, :] * ((z - state[i]["running_mean"]) * inv_std) + p["beta"][:, None, :]
        a = f.value(z)
        x = x + a if skip else a
    p = pieces[-1]
    return x @ p["W"] + p["b"][:, None, :]


def _batched_loss(loss_name: str, Z: np.ndarray, y) -> np.ndarray:
    """L for each of G logit tables Z (G, N, K), as ``get_loss(loss_name)(Z[g], y)[0]``."""
    if loss_name == "softmax_cross_entropy":
        Y = _class_targets(Z[0], y)
    else:
        Y = _targets_like(Z[0], y)
        if loss_name == "binary_cross_entropy" and np.any((Y < 0) | (Y > 1)):
            raise ValueError("y must hold labels in [0, 1] for binary cross-entropy")
    return np.sum(losses.terms(loss_name, Z, Y), axis=1) / Z.shape[1]


def plane_losses(net, params, state, X, y, loss_name: str, d1, d2, alphas, betas) -> np.ndarray:
    """Z[i, j] = L(θ* + α_j d₁ + β_i d₂) on any axes ``alphas``, ``betas`` (no caps: see :func:`loss_surface`).

    L is ``get_loss(loss_name)`` on the logits of all of X in evaluation mode (running batch-norm
    statistics from ``state``, no dropout). The grid points are evaluated in blocks, each block
    one batched forward pass with stacked weights (about ``BLOCK_VALUES`` numbers per layer), so
    the work is numerical, not Python. Non-finite losses (overflow far from θ*) come back as NaN.
    """
    if loss_name not in LOSSES:
        raise ValueError(f"loss_name must be one of {', '.join(LOSSES)}, got {loss_name!r}")
    X = check_table("X", X, width=net.input_dim)
    layout = _layout(params)
    net.forward(params, state, X[:1])  # checks that params and state fit the network
    center = layout.flatten(params)
    v1 = _direction_vector(d1, params, layout, "d1")
    v2 = _direction_vector(d2, params, layout, "d2")
    a = np.asarray(alphas, dtype=float).ravel()
    b = np.asarray(betas, dtype=float).ravel()
    bb, aa = (g.ravel() for g in np.meshgrid(b, a, indexing="ij"))  # point k = (β_i, α_j), k = i·len(a) + j
    per_block = max(1, min(BLOCK_VALUES // (len(X) * max(net.hidden + (net.output_dim, net.input_dim))),
                           BLOCK_VALUES // center.size))
    out = np.empty(len(aa))
    with np.errstate(all="ignore"):  # overflow far from θ* is expected: flagged as NaN below
        for start in range(0, len(aa), per_block):
            stop = start + per_block
            block = center + bb[start:stop, None] * v2 + aa[start:stop, None] * v1
            pieces = [{key: None for key in blk} for blk in params]
            for i, key, shape, part in layout.segments():
                pieces[i][key] = block[:, part].reshape((len(block),) + shape)
            out[start:start + len(block)] = _batched_loss(loss_name, _batched_logits(net, pieces, state, X), y)
    out[~np.isfinite(out)] = np.nan
    return out.reshape(len(b), len(a))


# --------------------------------------------------------------------------- the surface


def grid_axis(span: float, n: int) -> np.ndarray:
    """n evenly spaced values from −span to span: span·(2k − (n − 1))/(n − 1), k = 0 … n − 1.

    Exactly symmetric (a[k] = −a[n − 1 − k]); for odd n the middle value is exactly 0,
    so the grid passes through θ* itself.
    """
    k = np.arange(n, dtype=float)
    return span * ((2.0 * k - (n - 1)) / (n - 1))


def affordable_rows(n: int, parameters: int) -> int:
    """The most rows of X one n × n surface may use: n² · rows ≤ MAX_EVALUATIONS and n² · rows · parameters ≤
    MAX_MULTIPLY_ADDS."""
    return max(1, min(MAX_SAMPLES, MAX_EVALUATIONS // (n * n), MAX_MULTIPLY_ADDS // (n * n * max(parameters, 1))))


def loss_surface(net, params, state, X, y, loss_name: str, d1, d2, span: float = 1.0, n: int = 25):
    """The loss on a grid in the plane θ* + α d₁ + β d₂: ``(alphas, betas, Z)``.

        Z[i, j] = L(θ* + α_j d₁ + β_i d₂),  α, β ∈ :func:`grid_axis` (span, n),

    rows follow β and columns α, as a Plotly contour (``x=alphas, y=betas, z=Z``) expects.
    L is ``get_loss(loss_name)`` on the network's logits for all of ``X``, ``y``, in
    evaluation mode: no dropout, batch norm with the running statistics in ``state``
    (which is never changed). With odd n the centre ``Z[n//2, n//2]`` is L(θ*).

    ``d1``, ``d2`` are trees like ``params`` (from :func:`random_direction`) or flat
    vectors (``Layout.of(params).flatten(d)``). ``span`` is in units of the directions: with
    filter-normalised directions, α = 1 moves every neuron's weights by their own norm.

    Work: one forward pass per grid point, vectorised over the samples and over a block of grid
    points at once (:func:`plane_losses`), so the cost
    is about n² · len(X) · (number of parameters) multiply-adds. Capped: n in [3, 41],
    len(X) ≤ 2000, n² · len(X) ≤ 10⁶ and n² · len(X) · P ≤ 2·10⁹ (``MAX_*`` in this
    module); beyond them ValueError names the input to lower. Subsample X (seeded) to fit.

    Non-finite losses: far from θ* (huge spans) the logits can overflow. Such points are
    computed with NumPy's floating-point warnings silenced and come back as **NaN** in
    Z (never ±inf), so ``np.isnan(Z)`` flags them and a contour leaves a gap there.
    """
    if loss_name not in LOSSES:
        raise ValueError(f"loss_name must be one of {', '.join(LOSSES)}, got {loss_name!r}")
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
    center = layout.flatten(params)
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
    return alphas, betas, plane_losses(net, params, state, X, y, loss_name, v1, v2, alphas, betas)


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

    ``path_vectors`` is (T, P), one flat θ per recorded step (``TrainingResult.param_vectors``);
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


# --------------------------------------------------------------------------- the path's own plane


def pca_directions(path_vectors, center_vector) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two principal directions of the path's displacements from θ*, and the share of the path each holds.

    With M the (T, P) matrix of rows θ_t − θ* and M = U S Vᵀ its singular value decomposition,
    d₁, d₂ are the first two rows of Vᵀ (unit vectors; computed from the T × T matrix M Mᵀ) and

        share_k = s_k² / Σ s²,  so share₁ + share₂ = ‖Π M‖²_F / ‖M‖²_F,

    the part of the path's squared length that the plane θ* + span(d₁, d₂) keeps (Π: orthogonal
    projection onto it). This is the plane through θ* closest to the path in least squares, the
    PCA directions Li et al. (2018, §7) draw optimization paths on, taken about θ* rather than
    about the path's mean. Signs are chosen so that the start θ₀ has coordinates ≤ 0: the path
    walks right and up to θ* at (0, 0).

    Non-finite rows are left out. ValueError when fewer than two independent displacements remain.
    """
    center = np.asarray(center_vector, dtype=float)
    if center.ndim != 1 or center.size < 2 or not np.all(np.isfinite(center)):
        raise ValueError("center_vector must be a finite flat vector of length P ≥ 2")
    delta, ok = _displacements(path_vectors, center)
    delta = delta[ok]
    with np.errstate(all="ignore"):
        scale = np.max(np.abs(delta)) if delta.size else 0.0
        if not np.isfinite(scale):
            raise ValueError("path_vectors are too large to take apart (overflow)")
        m = delta / scale if scale > 0 else delta
        # from the small T × T Gram matrix M Mᵀ = U S² Uᵀ (cheaper than the SVD of M for T ≪ P): v_k = Mᵀ u_k / s_k
        squares, u = np.linalg.eigh(m @ m.T) if len(m) else (np.zeros(0), np.zeros((0, 0)))
    squares, u = np.maximum(squares[::-1], 0.0), u[:, ::-1]
    if len(squares) < 2 or squares[1] <= 1e-12 * squares[0] or squares[0] == 0:  # s₂ ≤ 10⁻⁶ s₁: a line
        raise ValueError("the path needs at least two independent displacements θ_t − θ* to span a plane")
    directions = (m.T @ u[:, :2] / np.sqrt(squares[:2])).T
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    start = delta[0] @ directions.T
    for k in range(2):  # start on the negative side; where the start sits on the axis, the largest entry positive
        flip = start[k] > 0 if start[k] != 0 else directions[k, np.argmax(np.abs(directions[k]))] < 0
        if flip:
            directions[k] *= -1
    share = squares[:2] / np.sum(m * m)
    return directions[0], directions[1], share


# --------------------------------------------------------------------------- how far from convex


class SliceShape(NamedTuple):
    """How far a grid of losses is from one convex bowl (see :func:`slice_shape`)."""

    local_minima: int      # interior grid points strictly below their 8 neighbours
    basin_share: float     # share of the grid points from which walking downhill reaches the centre's minimum
    minima_alpha: np.ndarray  # where the local minima are (axis values)
    minima_beta: np.ndarray


def slice_shape(alphas, betas, Z) -> SliceShape:
    """Local minima of a loss grid Z (rows β, columns α) and the share of the grid draining to the centre.

    A convex function on a grid has one dip: at most one interior point lies strictly below all
    of its 8 neighbours, and walking downhill from any point (always to the lowest of the point
    and its 8 neighbours) ends there. A non-convex slice has more dips; ``basin_share`` is the
    share of the grid whose downhill walk ends in the same dip as the centre θ* (the grid point
    (n//2, n//2)), 1 for one bowl. NaN (overflow) counts as +∞. Strict: a point must be lower
    than each neighbour by 10⁻¹² relative, so flat plateaus hold no minima.
    """
    Z = np.asarray(Z, dtype=float)
    alphas, betas = np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float)
    if Z.ndim != 2 or Z.shape != (len(betas), len(alphas)) or min(Z.shape) < 3:
        raise ValueError(f"Z must have shape (len(betas), len(alphas)) with at least 3 × 3 points, got {Z.shape}")
    rows, cols = Z.shape
    W = np.where(np.isfinite(Z), Z, np.inf)
    padded = np.pad(W, 1, constant_values=np.inf)
    offsets = [(0, 0)] + [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj]
    stack = np.stack([padded[1 + di:1 + di + rows, 1 + dj:1 + dj + cols] for di, dj in offsets])
    tol = 1e-12 * np.maximum(np.abs(W), 1e-300)
    with np.errstate(invalid="ignore"):
        strict = np.all(W[None] < stack[1:] - tol[None], axis=0) & np.isfinite(W)
    strict[[0, -1], :] = False
    strict[:, [0, -1]] = False
    # downhill walk: each point points to the lowest of itself and its neighbours (itself on ties)
    best = np.argmin(stack, axis=0)
    di = np.array([o[0] for o in offsets])[best]
    dj = np.array([o[1] for o in offsets])[best]
    ii, jj = np.indices(Z.shape)
    nxt = ((ii + di) * cols + (jj + dj)).ravel()
    for _ in range(int(np.ceil(np.log2(Z.size))) + 2):  # pointer doubling: 2^k steps after k rounds
        nxt = nxt[nxt]
    nxt = nxt[nxt]
    centre = (rows // 2) * cols + cols // 2
    i_min, j_min = np.nonzero(strict)
    return SliceShape(int(strict.sum()), float(np.mean(nxt == nxt[centre])), alphas[j_min], betas[i_min])


# --------------------------------------------------------------------------- the lab: with and without skip connections

PATH_MARGIN = 1.25  # the path plane's square is 1.25 × the path's larger extent
TWIN_WORK_SHARE = 0.125  # the twin's training may use this share of one run's caps (a page's run of four optimizers)
SURFACES = 4  # two random slices and two path planes share the multiply-adds of one surface (MAX_MULTIPLY_ADDS)


class Slice(NamedTuple):
    """One trained network's loss on the plane of two random filter-normalised directions."""

    skip: bool
    alphas: np.ndarray
    betas: np.ndarray
    Z: np.ndarray
    shape: SliceShape
    final_loss: float  # the training loss at θ* (the centre)
    path_share: float  # the part of the path's squared length in this random plane (NaN: path not recorded)


class PathPlane(NamedTuple):
    """One trained network's loss on the plane of its path's two PCA directions, with the path on it.

    The grid is a square in the plane's own units (d₁, d₂ are orthonormal, so distances are true):
    side PATH_MARGIN × the path's larger extent, centred on the path and θ* = (0, 0).
    """

    skip: bool
    alphas: np.ndarray
    betas: np.ndarray
    Z: np.ndarray
    path_alpha: np.ndarray  # θ_t − θ* in the plane's coordinates, t = 0 … epochs
    path_beta: np.ndarray
    share: np.ndarray       # (2,) the part of the path's squared length along d₁ and along d₂
    in_plane: np.ndarray    # per epoch: ‖Π(θ_t − θ*)‖ / ‖θ_t − θ*‖


class Landscape(NamedTuple):
    """The loss landscape lab: random slices and path planes, without skip connections first."""

    slices: tuple[Slice, ...]
    paths: tuple[PathPlane, ...]
    rows: int            # training points the losses are averaged over
    twin: str            # "trained"; "no room" (skip connections change nothing here); "too costly" (over the
                         # twin's budget)


def _twin(result: TrainingResult, net, data: Split) -> TrainingResult:
    """``net`` trained exactly as ``result`` was: the same optimizer, settings, seed and so the same initial weights."""
    s = result.settings
    setting = OptimizerSetting(s["optimizer"], s["learning_rate"], tuple(s["hyperparameters"].items()),
                               result.optimizer)
    return train(net, data, setting, schedule=s["schedule"], decay_rate=s["decay_rate"], batch_size=s["batch_size"],
                 epochs=s["epochs"], loss=s["loss"], l1=s["l1"], l2=s["l2"], patience=s["patience"],
                 jitter=s["jitter"], rotation=s["rotation"], reflect=s["reflect"], preprocessing=s["preprocessing"],
                 seed=s["seed"], record_grid=False, record_params=None)


def _slice(run: TrainingResult, X, y, n: int, span: float, seed: int) -> Slice:
    rng = np.random.default_rng(seed)
    d1, d2 = random_direction(run.params, rng), random_direction(run.params, rng)
    alphas, betas, Z = loss_surface(run.net, run.params, run.state, X, y, run.loss, d1, d2, span, n)
    return Slice(run.net.skip, alphas, betas, Z, slice_shape(alphas, betas, Z), float(Z[n // 2, n // 2]),
                 path_share(run.param_vectors, run.params, d1, d2))


def path_share(path_vectors, params, d1, d2) -> float:
    """‖Π M‖²_F / ‖M‖²_F: the part of the path's squared length (rows θ_t − θ* of M) in the plane of d₁, d₂."""
    if path_vectors is None:
        return float("nan")
    layout = _layout(params)
    center = layout.flatten(params)
    _, q, _, _ = _plane(center, _direction_vector(d1, params, layout, "d1"),
                        _direction_vector(d2, params, layout, "d2"))
    delta, ok = _displacements(path_vectors, center)
    delta = delta[ok]
    with np.errstate(all="ignore"):
        total = float(np.sum(delta * delta))
        inside = float(np.sum((delta @ q) ** 2))
    return inside / total if np.isfinite(total) and total > 0 else float("nan")


def _path_plane(run: TrainingResult, X, y, n: int) -> PathPlane | None:
    if run.param_vectors is None or len(run.param_vectors) < 3:
        return None
    center = _flat(run.params)
    try:
        d1, d2, share = pca_directions(run.param_vectors, center)
    except ValueError:
        return None
    pa, pb = project_path(run.param_vectors, center, d1, d2)  # d₁ ⟂ d₂, unit: plain dot products
    axes = []
    for coords in (pa, pb):  # the path and θ* = (0, 0), with a margin
        lo, hi = min(np.nanmin(coords), 0.0), max(np.nanmax(coords), 0.0)
        axes.append(((lo + hi) / 2, hi - lo))
    side = PATH_MARGIN * max(width for _, width in axes)  # a square: the same length on both axes
    if not np.isfinite(side) or side == 0:
        return None
    alphas, betas = (middle + grid_axis(side / 2, n) for middle, _ in axes)
    Z = plane_losses(run.net, run.params, run.state, X, y, run.loss, d1, d2, alphas, betas)
    return PathPlane(run.net.skip, alphas, betas, Z, pa, pb, share,
                     in_plane_fraction(run.param_vectors, center, d1, d2))


def skip_landscapes(result: TrainingResult, data: Split, n: int = 25, span: float = 1.0, seed: int = 0) -> Landscape:
    """Li et al.'s contrast for one trained network: its loss landscape and that of its twin with skip connections
    toggled.

    The twin is the same network with ``skip`` flipped, trained with the same optimizer, settings
    and seed (so from the same initial weights, on the same batches). For each network:

    * a :class:`Slice`: L(θ* + α d₁ + β d₂) on an n × n grid, α, β ∈ [−span, span], along two
      filter-normalised random directions drawn from ``seed`` (:func:`random_direction`), with
      its :func:`slice_shape` (local minima, basin share);
    * a :class:`PathPlane`: the loss on the plane of the path's two PCA directions
      (:func:`pca_directions`), a square grid around the path and θ* (see :class:`PathPlane`), with the
      recorded path θ₀ … θ_T projected on it (None when the path was not recorded).

    The four surfaces share the work of one: losses are training losses on the first
    :func:`affordable_rows` ÷ SURFACES training points. There is no twin where a skip connection fits
    no hidden layer (one hidden layer, or unequal widths: ``twin`` "no room"), or where its training
    would cost more than :func:`twin_affordable` allows ("too costly").
    """
    n = check_int("n", n, low=3, high=MAX_GRID)
    twin_net = replace(result.net, skip=not result.net.skip)
    runs, twin = [result], "no room"
    if twin_net.skips != result.net.skips:
        twin = "trained" if twin_affordable(twin_net, data, result.settings) else "too costly"
    if twin == "trained":
        runs.append(_twin(result, twin_net, data))
    runs.sort(key=lambda r: r.net.skip)  # without skip connections first
    size = max(_layout(r.params).size for r in runs)
    rows = min(max(1, affordable_rows(n, size) // SURFACES), len(data.X_train))
    X, y = apply(result.preprocessing, data.X_train[:rows]), data.y_train[:rows]
    slices = tuple(_slice(r, X, y, n, span, seed) for r in runs)
    paths = tuple(p for p in (_path_plane(r, X, y, n) for r in runs) if p is not None)
    return Landscape(slices, paths, rows, twin)


def twin_affordable(net, data: Split, settings: dict) -> bool:
    """Whether training ``net`` with ``settings`` stays within TWIN_WORK_SHARE of one run's caps (MAX_WORK,
    MAX_STEP_WORK)."""
    n_train, n_val = len(data.X_train), len(data.X_val)
    epochs, batch = settings["epochs"], settings["batch_size"]
    return (work(net, n_train, n_val, epochs, None) <= TWIN_WORK_SHARE * MAX_WORK
            and step_work(net, n_train, batch, epochs) <= TWIN_WORK_SHARE * MAX_STEP_WORK)
