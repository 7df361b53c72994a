"""Activations and gradients through a deep plain network at initialisation, layer by layer.

The lab of the lecture's "Vanishing/exploding gradient", "Dead ReLU", "Skip connections" and
"Weight initialization" (Figures 8–9; Glorot & Bengio 2010; He et al. 2015).

The network
-----------
Inputs X ~ N(0, 1), shape (samples, width); biases are zero; L hidden layers, each width × width
with weights W_l drawn by the initializer::

    z_l = h_{l−1} W_l,   a_l = f(z_l),   h_0 = X
    plain:  h_l = a_l
    skip:   h_1 = a_1,  h_l = h_{l−1} + a_l  for l ≥ 2

With ``skip`` the first layer maps the input into the hidden representation and the other L − 1
layers are residual blocks, so h_L = a_1 + a_2 + … + a_L and ∂L/∂h_1 = ∂L/∂h_L + (the paths through
the blocks): the identity path carries the gradient to the first layer undiminished.

The backward pass
-----------------
A fixed, seeded random linear loss L = Σ h_L ⊙ R, R ~ N(0, 1) of shape (samples, width), so
∂L/∂h_L = R, and for l = L, …, 1::

    ∂L/∂z_l = ∂L/∂h_l ⊙ f'(z_l)
    ∂L/∂h_{l−1} = ∂L/∂z_l W_lᵀ  (+ ∂L/∂h_l with a skip around layer l)

Statistics, per hidden layer l (one row of :attr:`InitStats.stats`)
-------------------------------------------------------------------
- ``mean``, ``std``: of the activations a_l = f(z_l) over all samples and units (population std,
  ddof = 0). Without skip a_l = h_l. E[a²] = std² + mean² is the second moment of the theory.
- ``zero_fraction``: share of a_l exactly 0 (dead ReLU units).
- ``saturated_fraction``: share of a_l within 0.01 of a bound of f: tanh ±1, sigmoid 0 and 1,
  elu's lower bound −α; 0 for the unbounded relu, leaky_relu and linear.
- ``grad_std``: std of ∂L/∂z_l over all samples and units.
- ``grad_norm``: ‖∂L/∂z_l‖_F / √samples, the root mean square over samples of each sample's
  gradient norm.

An overflow (large weights with an unbounded activation: the exploding lesson) is computed without
warnings and shows as inf or nan in mean, std and the gradient columns. Histograms use each layer's
own 40 equal bins from the minimum to the maximum of its finite values, as ``np.histogram`` would
with those edges; non-finite values are left out, so the counts then sum to fewer than
samples × width. A layer whose finite values are all equal (zeros init) gets the bins
[v − ½ max(1, |v|), v + ½ max(1, |v|)]; one with no finite values gets [−0.5, 0.5] and zero counts.

Randomness: ``seed`` gives X and R from one stream and the weights from another, the same for every
scheme, so schemes compared with :func:`compare_schemes` share inputs, loss and weight draws (the
normal-based schemes differ only in scale) and each equals its own :func:`layer_statistics` run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int, check_number
from optiviz.nn.activations import DEFAULT_ALPHA, get_activation
from optiviz.nn.initializers import get_initializer

MAX_LAYERS = 20
MAX_WIDTH = 1000
MAX_SAMPLES = 2000
MAX_COMPARE_WORK = 1.5e10  # layers × width² × samples × schemes of one request: the default view, ~2 s here
# layers × width² × schemes: drawing the weights costs this whatever the samples (default 1.5e7)
MAX_COMPARE_WEIGHTS = 2e7
BINS = 40
SATURATION_MARGIN = 0.01  # a value within this of a bound of f counts as saturated
BLOCK = 1 << 15  # elementwise passes run on blocks of this many values (256 kB: they stay in the CPU's cache)

SCHEMES = MappingProxyType(
    {
        "zeros": ("zeros", {}),
        "constant": ("constant", {"c": 0.1}),
        "small normal": ("normal", {"sigma": 0.01}),
        "large normal": ("normal", {"sigma": 1.0}),
        "xavier": ("xavier", {}),
        "he": ("he", {}),
    }
)

_COLUMNS = ("layer", "mean", "std", "zero_fraction", "saturated_fraction", "grad_std", "grad_norm")


class InitStats(NamedTuple):
    """Per-layer statistics and histograms of a deep network at initialisation (L hidden layers)."""

    stats: pd.DataFrame  # one row per hidden layer: layer (1..L), mean, std, zero_fraction, saturated_fraction,
    #                      grad_std, grad_norm
    act_counts: np.ndarray  # (L, BINS) histogram counts of each layer's activations f(z_l)
    act_edges: np.ndarray  # (L, BINS + 1) each layer's own bin edges
    grad_counts: np.ndarray  # (L, BINS) histogram counts of ∂L/∂z_l
    grad_edges: np.ndarray  # (L, BINS + 1)


# --- elementwise helpers ---------------------------------------------------------------------------
# Each writes into a buffer of the workspace: the arrays are large, and fresh ones cost page faults.


class _Workspace(NamedTuple):
    """Buffers of shape (samples, width), reused by every scheme of one call."""

    derivatives: np.ndarray  # (L, samples, width): z_l, then f'(z_l) in place, then ∂L/∂z_l in place
    a: np.ndarray  # a_l = f(z_l)
    h: np.ndarray  # h_l with skip connections
    back: tuple[np.ndarray, np.ndarray]  # ∂L/∂h_{l−1}, alternating
    scratch: np.ndarray  # deviations from the mean; histogram positions
    index: np.ndarray  # histogram bin indices (intp)

    @classmethod
    def allocate(cls, layers: int, samples: int, width: int) -> "_Workspace":
        shape = (samples, width)
        return cls(np.empty((layers, *shape)), np.empty(shape), np.empty(shape), (np.empty(shape), np.empty(shape)),
                   np.empty(shape), np.empty(shape, dtype=np.intp))


def _bounds(name: str, alpha: float | None) -> tuple[float, float]:
    """(lower, upper) bound of the activation's values; ±inf where there is none."""
    if name == "tanh":
        return -1.0, 1.0
    if name == "sigmoid":
        return 0.0, 1.0
    if name == "elu":
        return -(DEFAULT_ALPHA["elu"] if alpha is None else alpha), math.inf
    return -math.inf, math.inf


def _moments(x: np.ndarray, scratch: np.ndarray) -> tuple[float, float]:
    """(mean, std) of all entries; std two-pass (exact when the mean dwarfs the spread)."""
    mean = float(x.mean())
    if not math.isfinite(mean):
        return mean, math.nan
    d = np.subtract(x, mean, out=scratch)
    return mean, math.sqrt(float(np.vdot(d, d)) / x.size)


def _range(lo: float, hi: float) -> tuple[float, float]:
    """The histogram range for finite values from lo to hi, widened when it is degenerate.

    lo == hi gives [v − ½ max(1, |v|), v + ½ max(1, |v|)]; a range too narrow for BINS distinct
    float64 edges is widened about its middle to a few ulps per bin.
    """
    if lo == hi:
        pad = 0.5 * max(1.0, abs(lo))
        return lo - pad, hi + pad
    least = 4 * BINS * float(np.spacing(max(abs(lo), abs(hi))))
    if hi - lo < least:
        mid = lo / 2 + hi / 2
        return mid - least / 2, mid + least / 2
    return lo, hi


def _histogram(x: np.ndarray, scratch: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges) of the finite values of x in BINS equal bins over their range.

    Bin k holds edges[k] ≤ x < edges[k + 1], the last bin also x = edges[-1], as ``np.histogram``
    (a value within round-off of an inner edge may land on either side of it). Binned by hand,
    ⌊(x − lo) · BINS / (hi − lo)⌋, in fewer passes than ``np.histogram`` takes.
    """
    lo, hi = float(x.min()), float(x.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):  # nan or ±inf somewhere: bin the finite values only
        x = x[np.isfinite(x)]
        if x.size == 0:
            return np.zeros(BINS, dtype=np.int64), np.linspace(-0.5, 0.5, BINS + 1)
        lo, hi = float(x.min()), float(x.max())
        scratch, index = np.empty(x.shape), np.empty(x.shape, dtype=np.intp)
    lo, hi = _range(lo, hi)
    half = hi / 2 - lo / 2  # halves: hi − lo may overflow
    edges = 2 * (lo / 2 + half * (np.arange(BINS + 1) / BINS))
    edges[0], edges[-1] = lo, hi
    counts = np.zeros(BINS + 1, dtype=np.int64)
    x, scratch, index = x.reshape(-1), scratch.reshape(-1), index.reshape(-1)
    for block in _blocks(x.size):  # in cache-sized blocks: the same counts, fewer trips to memory
        counts += np.bincount(_bins(x[block], lo, hi, half, scratch[block], index[block]), minlength=BINS + 1)
    counts[BINS - 1] += counts[BINS:].sum()  # x = hi into the last bin
    return counts[:BINS], edges


def _bins(x: np.ndarray, lo: float, hi: float, half: float, scratch: np.ndarray, index: np.ndarray) -> np.ndarray:
    """⌊(x − lo) · BINS / (hi − lo)⌋ into ``index``, for lo ≤ x ≤ hi: 0 … BINS (x = hi gives BINS or BINS − 1)."""
    width = hi - lo
    if math.isfinite(width):
        t = np.subtract(x, lo, out=scratch)
    else:  # the width overflows float64: position x / 2 in the halved range
        t = np.subtract(x / 2, lo / 2, out=scratch)
        width = half
    if math.isfinite(BINS / width):
        t *= BINS / width
    else:  # a subnormal width: BINS / width overflows, (x − lo) / width does not
        t /= width
        t *= BINS
    np.copyto(index, t, casting="unsafe")  # ⌊t⌋ for t ≥ 0
    return index


def _blocks(size: int) -> list[slice]:
    """Slices of BLOCK consecutive values covering 0 … size − 1."""
    return [slice(start, start + BLOCK) for start in range(0, size, BLOCK)]


# --- the network -----------------------------------------------------------------------------------


def _activate(activation, z: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """a ← f(z), then z ← f'(z) (the activations' own formulas, in place), in cache-sized blocks; returns a."""
    z_flat, a_flat, scratch = z.reshape(-1), a.reshape(-1), scratch.reshape(-1)
    for block in _blocks(z.size):
        activation.value(z_flat[block], out=a_flat[block], scratch=scratch[block])
        activation.derivative(z_flat[block], out=z_flat[block], scratch=scratch[block])
    return a


def _layer_row(a: np.ndarray, bounds: tuple[float, float], scratch: np.ndarray) -> tuple[float, float, float, float]:
    """(mean, std, zero_fraction, saturated_fraction) of one layer's activations."""
    n = a.size
    mean, std = _moments(a, scratch)
    zero = np.count_nonzero(a == 0) / n
    lower, upper = bounds
    saturated = 0
    if math.isfinite(lower):
        saturated += np.count_nonzero(a <= lower + SATURATION_MARGIN)
    if math.isfinite(upper):
        saturated += np.count_nonzero(a >= upper - SATURATION_MARGIN)
    return mean, std, zero, saturated / n


def _run(X: np.ndarray, R: np.ndarray, activation, bounds, init, weight_seed: np.random.SeedSequence,
         layers: int, skip: bool, work: _Workspace) -> InitStats:
    """Forward and backward through the network of the module docstring; the statistics of every layer."""
    samples, width = X.shape
    rng = np.random.default_rng(weight_seed)
    act_counts = np.zeros((layers, BINS), dtype=np.int64)
    grad_counts = np.zeros((layers, BINS), dtype=np.int64)
    act_edges = np.zeros((layers, BINS + 1))
    grad_edges = np.zeros((layers, BINS + 1))
    rows = np.zeros((layers, len(_COLUMNS)))
    rows[:, 0] = np.arange(1, layers + 1)
    weights = []
    with np.errstate(all="ignore"):  # overflow is one of the lessons: it shows as inf/nan, never as a warning
        h = X
        for l in range(layers):
            W = init((width, width), rng)
            weights.append(W)
            z = np.matmul(h, W, out=work.derivatives[l])
            a = _activate(activation, z, work.a, work.scratch)  # a_l = f(z_l); z_l ← f'(z_l)
            rows[l, 1:5] = _layer_row(a, bounds, work.scratch)
            act_counts[l], act_edges[l] = _histogram(a, work.scratch, work.index)
            if not skip:
                h = a
            elif l == 0:
                np.copyto(work.h, a)
                h = work.h
            else:
                h = np.add(h, a, out=work.h)
        g_h = R  # ∂L/∂h_L for L = Σ h_L ⊙ R
        for l in reversed(range(layers)):
            g_z = np.multiply(g_h, work.derivatives[l], out=work.derivatives[l])
            grad_std = _moments(g_z, work.scratch)[1]
            rows[l, 5:7] = grad_std, math.sqrt(float(np.vdot(g_z, g_z)) / samples)
            grad_counts[l], grad_edges[l] = _histogram(g_z, work.scratch, work.index)
            if l > 0:
                back = np.matmul(g_z, weights[l].T, out=work.back[l % 2])
                g_h = np.add(back, g_h, out=back) if skip else back  # a skip passes ∂L/∂h_l on unchanged
    stats = pd.DataFrame(rows, columns=list(_COLUMNS))
    stats["layer"] = stats["layer"].astype(int)
    return InitStats(stats, act_counts, act_edges, grad_counts, grad_edges)


def _check_common(layers, width, samples, seed, skip) -> tuple[int, int, int, int, bool]:
    layers = check_int("layers", layers, low=1, high=MAX_LAYERS)
    width = check_int("width", width, low=1, high=MAX_WIDTH)
    samples = check_int("samples", samples, low=1, high=MAX_SAMPLES)
    seed = check_int("seed", seed, low=0)
    if not isinstance(skip, (bool, np.bool_)):
        raise ValueError(f"skip must be True or False, got {skip!r}")
    return layers, width, samples, seed, bool(skip)


def _data(samples: int, width: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.random.SeedSequence]:
    """Inputs X ~ N(0, 1), the loss weights R ~ N(0, 1), and the seed of the weights, all from ``seed``."""
    data_seed, weight_seed = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(data_seed)
    X = rng.standard_normal((samples, width))
    R = rng.standard_normal((samples, width))
    return X, R, weight_seed


def layer_statistics(activation: str, initializer: str, init_params: dict | None = None, *, layers: int = 10,
                     width: int = 500, samples: int = 1000, seed: int = 0, skip: bool = False,
                     alpha: float | None = None) -> InitStats:
    """Per-layer activation and gradient statistics of a deep plain network at initialisation.

    z_l = h_{l−1} W_l, a_l = f(z_l); h_l = a_l (with ``skip``: h_l = h_{l−1} + a_l for l ≥ 2);
    X = h_0 ~ N(0, 1) of shape (samples, width); loss L = Σ h_L ⊙ R, R ~ N(0, 1). See the module
    docstring for every column and the histograms.

    Parameters
    ----------
    activation : a name of ``ACTIVATIONS`` (sigmoid, tanh, relu, leaky_relu, linear, elu).
    initializer, init_params : a name of ``INITIALIZERS`` and its parameters, e.g. "normal", {"sigma": 0.01}.
    layers, width, samples : L ≤ MAX_LAYERS hidden layers of width ≤ MAX_WIDTH units; samples ≤ MAX_SAMPLES.
    seed : seeds X, R and the weights.
    skip : residual connections around layers 2..L.
    alpha : α of leaky_relu or elu (ignored by the others).
    """
    act = get_activation(activation, alpha)
    if init_params is None:
        init_params = {}
    if not isinstance(init_params, Mapping):
        raise ValueError(f"init_params must be a dict of initializer parameters, got {init_params!r}")
    init = get_initializer(initializer, **init_params)
    layers, width, samples, seed, skip = _check_common(layers, width, samples, seed, skip)
    X, R, weight_seed = _data(samples, width, seed)
    work = _Workspace.allocate(layers, samples, width)
    return _run(X, R, act, _bounds(activation, alpha), init, weight_seed, layers, skip, work)


def compare_schemes(activation: str, schemes=tuple(SCHEMES), *, layers: int = 10, width: int = 500,
                    samples: int = 1000, seed: int = 0, skip: bool = False, alpha: float | None = None,
                    small_sigma: float = 0.01, large_sigma: float = 1.0, constant: float = 0.1) -> dict[str, InitStats]:
    """:func:`layer_statistics` for each scheme of ``SCHEMES`` named in ``schemes``, on the same inputs.

    Every scheme sees the same X, R and weight draws (each result equals its own layer_statistics
    call); ``small_sigma``, ``large_sigma`` and ``constant`` replace the σ of "small normal" and
    "large normal" and the c of "constant". Returns {label: InitStats} in the order of ``schemes``.
    """
    if isinstance(schemes, str) or not hasattr(schemes, "__iter__"):
        raise ValueError(f"schemes must be a sequence of labels from {', '.join(SCHEMES)}, got {schemes!r}")
    schemes = tuple(schemes)
    unknown = [s for s in schemes if s not in SCHEMES]
    if not schemes or unknown:
        raise ValueError(f"schemes must be labels from {', '.join(SCHEMES)}, got {list(schemes)!r}")
    if len(set(schemes)) != len(schemes):
        raise ValueError(f"schemes must not repeat a label, got {list(schemes)!r}")
    params = {"small normal": {"sigma": check_number("small_sigma", small_sigma, low=0.0)},
              "large normal": {"sigma": check_number("large_sigma", large_sigma, low=0.0)},
              "constant": {"c": check_number("constant", constant)}}
    act = get_activation(activation, alpha)
    layers, width, samples, seed, skip = _check_common(layers, width, samples, seed, skip)
    if layers * width * width * len(schemes) > MAX_COMPARE_WEIGHTS:
        raise ValueError(f"layers must be at most {affordable_layers(width, layers, len(schemes))} for {len(schemes)} "
                         f"schemes of width {width} (cap: layers × width² × schemes ≤ {MAX_COMPARE_WEIGHTS:.0e}), "
                         f"got {layers}")
    if layers * width * width * samples * len(schemes) > MAX_COMPARE_WORK:
        raise ValueError(f"samples must be at most {affordable_samples(layers, width, samples, len(schemes))} here "
                         f"(cap: layers × width² × samples × schemes ≤ {MAX_COMPARE_WORK:.0e}), got {samples}")
    X, R, weight_seed = _data(samples, width, seed)
    bounds = _bounds(activation, alpha)
    work = _Workspace.allocate(layers, samples, width)
    results = {}
    for label in schemes:
        name, default = SCHEMES[label]
        init = get_initializer(name, **params.get(label, default))
        results[label] = _run(X, R, act, bounds, init, weight_seed, layers, skip, work)
    return results


def affordable_layers(width: int, layers: int, schemes: int) -> int:
    """The layers a compare_schemes call may use within MAX_COMPARE_WEIGHTS: at most ``layers``, at least 1."""
    return min(layers, max(1, int(MAX_COMPARE_WEIGHTS // (width * width * max(schemes, 1)))))


def affordable_samples(layers: int, width: int, samples: int, schemes: int) -> int:
    """The samples a compare_schemes call may use within MAX_COMPARE_WORK: at most ``samples``, at least 1."""
    budget = int(MAX_COMPARE_WORK // (layers * width * width * max(schemes, 1)))
    return min(samples, max(1, budget))


def distinct_units(W: np.ndarray, decimals: int = 8) -> int:
    """The number of distinct columns (units) of a weight matrix W (N_in, N_out), rounded to ``decimals``.

    1 after constant (or zero) initialisation: every unit computes the same function.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D weight matrix (N_in, N_out), got shape {W.shape}")
    decimals = check_int("decimals", decimals, low=0)
    if W.shape[1] == 0:
        return 0
    with np.errstate(all="ignore"):
        return int(np.unique(np.round(W, decimals) + 0.0, axis=1).shape[1])  # + 0.0: −0 equals 0
