"""Layer statistics at initialisation against the theory (Glorot & Bengio 2010; He et al. 2015).

Notation: n = width = N_in, σ_W the weights' std, E[a²] = std² + mean² the second moment of a
layer's activations. For z_l = h_{l−1} W_l with independent zero-mean weights,
Var(z_l) = n σ_W² E[h_{l−1}²] (the variance propagation of the lecture). Each test derives its
expected values from this and compares; none copies numbers printed by the code.
"""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.labs.activations_init import statistics as init_stats
from optiviz.nn.activations import ACTIVATIONS
from optiviz.labs.activations_init.statistics import (BINS, MAX_LAYERS, MAX_SAMPLES, MAX_WIDTH, SCHEMES, InitStats, compare_schemes,
                                                      distinct_units, layer_statistics)
from optiviz.nn.initializers import get_initializer

N, SAMPLES, L = 500, 500, 10  # wide enough for the mean-field theory, small enough to be quick


def gauss(g, q):
    """E[g(z)] for z ~ N(0, q), by the trapezoid rule on ±12√q (steps ≤ 0.0015 for q ≤ 500: fine for sech⁴)."""
    s = math.sqrt(q)
    z = np.linspace(-12 * s, 12 * s, 400_001)
    with np.errstate(over="ignore"):
        return float(np.trapezoid(g(z) * np.exp(-z * z / (2 * q)), z) / math.sqrt(2 * math.pi * q))


def sech2(z):
    return 1 / np.cosh(z) ** 2


def backward_factors(stats, sigma_w):
    """Mean-field grad_std_l / grad_std_{l+1} = √(n σ_W² E[f'(z_l)²]), z_l ~ N(0, n σ_W² E[a_{l−1}²]) (tanh)."""
    m2 = np.concatenate([[1.0], second_moment(stats)])
    return np.array([math.sqrt(N * sigma_w**2 * gauss(lambda z: sech2(z) ** 2, N * sigma_w**2 * m2[l]))
                     for l in range(L - 1)])


def second_moment(stats):
    return (stats["std"] ** 2 + stats["mean"] ** 2).to_numpy()


@pytest.fixture(scope="module")
def tanh():
    return compare_schemes("tanh", layers=L, width=N, samples=SAMPLES, seed=1)


@pytest.fixture(scope="module")
def relu():
    return compare_schemes("relu", layers=L, width=N, samples=SAMPLES, seed=2)


# --- tanh ------------------------------------------------------------------------------------------


def test_tanh_small_normal_collapses_towards_zero(tanh):
    """N(0, 0.01²): in the linear regime of tanh each layer multiplies the spread by σ√n = 0.01·√500 ≈ 0.224."""
    stats = tanh["small normal"].stats
    factor = 0.01 * math.sqrt(N)
    std = stats["std"].to_numpy()
    assert std[0] == pytest.approx(math.sqrt(gauss(lambda z: np.tanh(z) ** 2, factor**2)), rel=0.03)
    np.testing.assert_allclose(std[1:] / std[:-1], factor, rtol=0.03)
    assert std[2] < 1.05 * factor**3 < 1.2e-2  # ≈ 0.011 within three layers
    assert std[-1] < 1e-5
    # backward, the same factor (tanh' ≈ 1 near 0) shrinks the gradient towards the first layers
    grad = stats["grad_std"].to_numpy()
    np.testing.assert_allclose(grad[:-1] / grad[1:], backward_factors(stats, 0.01), rtol=0.03)
    np.testing.assert_allclose(grad[1:-1] / grad[2:], factor, rtol=0.03)
    assert grad[0] < 1e-5 * grad[-1]


def test_tanh_large_normal_saturates_almost_every_unit(tanh):
    """N(0, 1): Var(z_l) = n E[a_{l−1}²] ≈ 500, so |z| ≥ artanh(0.99) ≈ 2.65 for all but ~10% of the units."""
    stats = tanh["large normal"].stats
    m2 = np.concatenate([[1.0], second_moment(stats)])  # E[x²] = 1 for the inputs
    sat = stats["saturated_fraction"].to_numpy()
    for l in range(L):
        sigma_z = math.sqrt(N * 1.0 * m2[l])
        expected = math.erfc(math.atanh(1 - init_stats.SATURATION_MARGIN) / (sigma_z * math.sqrt(2)))
        assert sat[l] == pytest.approx(expected, abs=0.01)
    assert (sat > 0.88).all() and sat[3:].mean() > 0.89
    # backward: tanh' ≈ 0 for most units, but the weights are large: √(n E[tanh'(z)²]) ≈ 3.5 > 1, an explosion
    grad = stats["grad_std"].to_numpy()
    factors = backward_factors(stats, 1.0)
    assert (factors > 3).all()
    np.testing.assert_allclose(grad[:-1] / grad[1:], factors, rtol=0.1)


def test_tanh_xavier_keeps_a_slowly_shrinking_spread(tanh):
    """Var(W) = 1/n: Var(z_l) = E[a_{l−1}²] = q_{l−1}, so q_l = E[tanh²(√q_{l−1} ξ)], q_0 = 1: a slow decline."""
    stats = tanh["xavier"].stats
    m2 = second_moment(stats)
    q, expected = 1.0, []
    for _ in range(L):
        q = gauss(lambda z: np.tanh(z) ** 2, q)
        expected.append(q)
    np.testing.assert_allclose(m2, expected, rtol=0.06)
    grad = stats["grad_std"].to_numpy()
    np.testing.assert_allclose(grad[:-1] / grad[1:], backward_factors(stats, math.sqrt(1 / N)), rtol=0.03)
    std = stats["std"].to_numpy()
    assert (np.diff(std) < 0).all()  # decreasing …
    assert std[-1] > 0.1 and std[-1] > std[0] / 3  # … slowly
    assert (stats["saturated_fraction"] < 0.1).all()


# --- relu ------------------------------------------------------------------------------------------


def seed_average(init):
    """E[h_l²] per layer, averaged over 8 seeds (8 independent networks)."""
    runs = [second_moment(layer_statistics("relu", init, layers=L, width=N, samples=SAMPLES, seed=s).stats)
            for s in range(10, 18)]
    return np.mean(runs, axis=0)


# Finite width: given h_{l−1}, E[h_l²] is E[h_{l−1}²] times a random factor with mean exactly 1 (He) or ½ (Xavier)
# and relative spread up to √(5/n) ≈ 10% (the samples grow correlated with depth, so the batch acts like one
# input), so one network's E[h²] random-walks by ≈ 10%·√l. The tests allow for that walk: per layer, the
# geometric mean of the factors of one network; per layer, the average of 8 networks.


def test_relu_he_keeps_the_second_moment(relu):
    """Var(W) = 2/n: E[h_l²] = ½ Var(z_l) = ½ · n · (2/n) · E[h_{l−1}²] = E[h_{l−1}²] = E[x²] = 1."""
    m2 = second_moment(relu["he"].stats)
    assert m2[-1] ** (1 / L) == pytest.approx(1.0, abs=0.08)  # per layer, on average over the 10
    np.testing.assert_allclose(m2, 1.0, rtol=0.5)
    np.testing.assert_allclose(seed_average("he"), 1.0, rtol=0.25)


def test_relu_xavier_halves_the_second_moment_at_every_layer(relu):
    """Var(W) = 1/n: E[h_l²] = ½ · n · (1/n) · E[h_{l−1}²]: the lecture's "Xavier halves the variance".

    Stated for the second moment E[h²] (= std² + mean²), the quantity the recursion propagates.
    """
    m2 = second_moment(relu["xavier"].stats)
    assert m2[-1] ** (1 / L) == pytest.approx(0.5, abs=0.04)
    averaged = np.concatenate([[1.0], seed_average("xavier")])
    np.testing.assert_allclose(averaged[1:] / averaged[:-1], 0.5, atol=0.1)


def test_dead_relu_half_the_units_are_zero(relu):
    """z is symmetric about 0, so relu(z) = 0 for half of the units (the backward pass ignores them).

    Deep layers see correlated samples, so a unit's sign is shared by the batch: per layer the
    share is binomial over n units, spread 0.5/√n ≈ 0.022; allow 4 of those, and 0.02 for the mean.
    """
    for label in ("he", "xavier", "small normal", "large normal"):
        zero = relu[label].stats["zero_fraction"]
        np.testing.assert_allclose(zero, 0.5, atol=4 * 0.5 / math.sqrt(N))
        assert zero.mean() == pytest.approx(0.5, abs=0.02)
    assert (relu["he"].stats["saturated_fraction"] == 0).all()  # relu has no bound above


# --- zeros and constant ----------------------------------------------------------------------------


@pytest.mark.parametrize("activation, value, slope", [("tanh", 0.0, 1.0), ("relu", 0.0, 0.0), ("sigmoid", 0.5, 0.25),
                                                      ("linear", 0.0, 1.0)])
def test_zeros_gives_f0_everywhere_and_no_gradient_below_the_top(activation, value, slope):
    """W = 0: z = 0, a = f(0) everywhere; ∂L/∂z_L = R f'(0) and ∂L/∂z_l = (…) W_{l+1}ᵀ f'(0) = 0 below.

    So every weight gradient ∂L/∂W_l = h_{l−1}ᵀ ∂L/∂z_l is 0 too (h_{l−1} = f(0) = 0 or ∂L/∂z_l = 0),
    except with sigmoid at the top, where f(0) = ½: zeros do not learn.
    """
    result = layer_statistics(activation, "zeros", layers=5, width=200, samples=400)
    stats = result.stats
    assert (stats["mean"] == value).all() and (stats["std"] == 0).all()
    assert (stats["zero_fraction"] == float(value == 0)).all()
    assert (stats["grad_std"][:-1] == 0).all() and (stats["grad_norm"][:-1] == 0).all()
    assert stats["grad_std"].iloc[-1] == pytest.approx(slope * 1.0, rel=0.02)  # std(R) = 1
    assert (result.act_counts.max(axis=1) == 200 * 400).all()  # one bin holds every value


def test_constant_units_stay_identical(tanh):
    """W = c: z_l[i, j] = c Σ_k h_{l−1}[i, k] is the same for every unit j, so every histogram count is a multiple
    of the width (each sample puts all its identical units in one bin); the gradients below the top likewise."""
    result = tanh["constant"]
    assert (result.act_counts % N == 0).all()
    assert (result.grad_counts[:-1] % N == 0).all()
    assert (result.stats["std"] > 0).all()
    rng = np.random.default_rng(0)
    assert distinct_units(get_initializer("constant", c=0.1)((50, 30), rng)) == 1
    assert distinct_units(get_initializer("zeros")((50, 30), rng)) == 1
    assert distinct_units(get_initializer("he")((50, 30), rng)) == 30


def test_distinct_units_counts_columns():
    W = np.array([[1.0, 1.0, 2.0, -0.0], [3.0, 3.0 + 1e-12, 4.0, 0.0]])
    assert distinct_units(W) == 3
    assert distinct_units(W, decimals=14) == 4
    assert distinct_units(np.zeros((3, 0))) == 0
    with pytest.raises(ValueError, match="W must"):
        distinct_units(np.zeros(3))
    with pytest.raises(ValueError, match="decimals"):
        distinct_units(W, decimals=-1)


# --- skip connections ------------------------------------------------------------------------------


def test_skip_connections_carry_the_gradient_to_the_first_layers():
    """tanh + N(0, 0.01²): without skips ∂L/∂z_1 shrinks by ≈ (σ√n)^{L−1} ≈ 0.224⁹ ≈ 1e-6; with them
    ∂L/∂h_{l−1} = ∂L/∂h_l + (…) keeps at least the variance of R, so grad_std stays of order 1."""
    kwargs = dict(init_params={"sigma": 0.01}, layers=L, width=N, samples=SAMPLES, seed=3)
    plain = layer_statistics("tanh", "normal", **kwargs).stats["grad_std"].to_numpy()
    skip = layer_statistics("tanh", "normal", skip=True, **kwargs).stats["grad_std"].to_numpy()
    assert plain[0] < 1e-5
    assert skip[0] > 0.5 and skip[0] > 1e4 * plain[0]
    assert 0.5 < skip[0] / skip[-1] < 2.5
    # the variance adds up backwards: Var(∂L/∂h_{l−1}) ≥ Var(∂L/∂h_l)
    assert (np.diff(skip[1:]) <= 1e-12).all()


def test_skip_leaves_the_first_layer_alone():
    kwargs = dict(layers=4, width=60, samples=80, seed=4)
    plain = layer_statistics("relu", "he", **kwargs).stats
    skip = layer_statistics("relu", "he", skip=True, **kwargs).stats
    pd.testing.assert_series_equal(plain.iloc[0, :5], skip.iloc[0, :5])
    assert not np.allclose(plain["std"].iloc[1:], skip["std"].iloc[1:])


# --- histograms, shapes, sameness ------------------------------------------------------------------


def test_histograms_hold_every_value_in_increasing_bins(tanh, relu):
    for results in (tanh, relu):
        for label, r in results.items():
            assert isinstance(r, InitStats)
            assert r.act_counts.shape == r.grad_counts.shape == (L, BINS)
            assert r.act_edges.shape == r.grad_edges.shape == (L, BINS + 1)
            assert (r.act_counts.sum(axis=1) == SAMPLES * N).all(), label
            assert (r.grad_counts.sum(axis=1) == SAMPLES * N).all(), label
            assert (np.diff(r.act_edges, axis=1) > 0).all() and (np.diff(r.grad_edges, axis=1) > 0).all(), label


def test_histogram_equals_numpys():
    x = np.random.default_rng(5).normal(size=(300, 70)) ** 3
    counts, edges = init_stats._histogram(x, np.empty(x.shape), np.empty(x.shape, dtype=np.intp))
    expected, expected_edges = np.histogram(x, BINS)
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_allclose(edges, expected_edges, rtol=1e-14, atol=1e-14)
    counts, edges = init_stats._histogram(np.full((3, 4), 2.0), np.empty((3, 4)), np.empty((3, 4), dtype=np.intp))
    assert counts.sum() == 12 and edges[0] < 2.0 < edges[-1] and (np.diff(edges) > 0).all()
    tiny = 1.0 + np.array([[0.0, 2.2e-16, 4.4e-16]])
    counts, edges = init_stats._histogram(tiny, np.empty(tiny.shape), np.empty(tiny.shape, dtype=np.intp))
    assert counts.sum() == 3 and (np.diff(edges) > 0).all()
    subnormal = np.array([[-0.0, 0.0, 1e-320, 5.6752837e-317]])  # BINS / (hi − lo) overflows (found by the link fuzzer)
    counts, edges = init_stats._histogram(subnormal, np.empty(subnormal.shape), np.empty(subnormal.shape, dtype=np.intp))
    assert counts.sum() == 4 and counts[0] == 3 and counts[-1] == 1 and (np.diff(edges) >= 0).all()


def test_compare_schemes_shares_inputs_and_equals_single_runs():
    kwargs = dict(layers=3, width=40, samples=50, seed=7)
    results = compare_schemes("tanh", small_sigma=0.05, large_sigma=2.0, constant=-0.2, **kwargs)
    assert list(results) == list(SCHEMES)
    overrides = {"small normal": {"sigma": 0.05}, "large normal": {"sigma": 2.0}, "constant": {"c": -0.2}}
    for label, (name, params) in SCHEMES.items():
        single = layer_statistics("tanh", name, overrides.get(label, params), **kwargs)
        pd.testing.assert_frame_equal(results[label].stats, single.stats)
        for a, b in zip(results[label][1:], single[1:]):
            np.testing.assert_array_equal(a, b)
    some = compare_schemes("relu", ("he", "zeros"), **kwargs)
    assert list(some) == ["he", "zeros"]
    # the same seed gives the same numbers; another seed other ones
    again = layer_statistics("tanh", "xavier", **kwargs).stats
    pd.testing.assert_frame_equal(again, results["xavier"].stats)
    other = layer_statistics("tanh", "xavier", **{**kwargs, "seed": 8}).stats
    assert not np.allclose(other["std"], again["std"])


def test_stats_columns_and_types():
    stats = layer_statistics("elu", "he", layers=2, width=30, samples=20, alpha=0.5).stats
    assert list(stats.columns) == ["layer", "mean", "std", "zero_fraction", "saturated_fraction", "grad_std",
                                   "grad_norm"]
    assert stats["layer"].tolist() == [1, 2] and stats["layer"].dtype.kind == "i"
    assert ((stats["saturated_fraction"] >= 0) & (stats["saturated_fraction"] <= 1)).all()


def test_saturated_fraction_counts_near_the_bounds():
    """sigmoid with huge weights: σ(z) within 0.01 of 0 or 1 for nearly every unit; leaky_relu never saturates."""
    sig = layer_statistics("sigmoid", "normal", {"sigma": 10.0}, layers=3, width=100, samples=100).stats
    assert (sig["saturated_fraction"] > 0.9).all()
    leaky = layer_statistics("leaky_relu", "normal", {"sigma": 10.0}, layers=3, width=100, samples=100).stats
    assert (leaky["saturated_fraction"] == 0).all() and (leaky["zero_fraction"] == 0).all()


def test_grad_norm_is_the_per_sample_rms_norm():
    """The top layer with linear f: ∂L/∂z_L = R, so grad_norm = ‖R‖_F / √samples ≈ √width."""
    stats = layer_statistics("linear", "xavier", layers=2, width=400, samples=300).stats
    assert stats["grad_norm"].iloc[-1] == pytest.approx(math.sqrt(400), rel=0.01)
    assert stats["grad_std"].iloc[-1] == pytest.approx(1.0, rel=0.01)


# --- overflow, validation --------------------------------------------------------------------------


def test_overflow_shows_as_inf_or_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = layer_statistics("linear", "normal", {"sigma": 1e100}, layers=MAX_LAYERS, width=50, samples=40)
        compare_schemes("sigmoid", layers=4, width=50, samples=40, large_sigma=1e6)
        compare_schemes("tanh", layers=4, width=50, samples=40, large_sigma=1e200)
    stats = result.stats
    assert np.isfinite(stats["std"].iloc[0]) and not np.isfinite(stats["std"].iloc[-1])
    assert result.act_counts[0].sum() == 50 * 40 and result.act_counts[-1].sum() < 50 * 40
    assert (np.diff(result.act_edges, axis=1) > 0).all() and np.isfinite(result.act_edges).all()


@settings(max_examples=25, deadline=None)
@given(activation=st.sampled_from(list(ACTIVATIONS)), scheme=st.sampled_from(list(SCHEMES)),
       layers=st.integers(1, 4), width=st.integers(1, 12), samples=st.integers(1, 12), skip=st.booleans(),
       seed=st.integers(0, 2**32))
def test_any_small_network_gives_full_histograms(activation, scheme, layers, width, samples, skip, seed):
    name, params = SCHEMES[scheme]
    r = layer_statistics(activation, name, params, layers=layers, width=width, samples=samples, skip=skip, seed=seed)
    assert len(r.stats) == layers
    assert (r.act_counts.sum(axis=1) == samples * width).all() and (r.grad_counts.sum(axis=1) == samples * width).all()
    assert (np.diff(r.act_edges, axis=1) > 0).all() and (np.diff(r.grad_edges, axis=1) > 0).all()
    assert np.isfinite(r.stats.to_numpy()).all()


BAD = [
    (dict(layers=0), "layers"), (dict(layers=MAX_LAYERS + 1), "layers"), (dict(layers=2.0), "layers"),
    (dict(layers=True), "layers"), (dict(width=0), "width"), (dict(width=MAX_WIDTH + 1), "width"),
    (dict(samples=0), "samples"), (dict(samples=MAX_SAMPLES + 1), "samples"), (dict(seed=-1), "seed"),
    (dict(skip="yes"), "skip"), (dict(alpha=2.0, activation="leaky_relu"), "alpha"),
    (dict(activation="swish"), "activation"), (dict(initializer="orthogonal"), "initializer"),
    (dict(initializer="normal", init_params={"sigma": -1.0}), "sigma"),
    (dict(initializer="xavier", init_params={"sigma": 1.0}), "sigma"), (dict(init_params=[0.1]), "init_params"),
]


@pytest.mark.parametrize("kwargs, name", BAD)
def test_bad_input_raises_value_error_naming_it(kwargs, name):
    kwargs = {"activation": "tanh", "initializer": "he", "layers": 2, "width": 5, "samples": 5, **kwargs}
    with pytest.raises(ValueError, match=name):
        layer_statistics(kwargs.pop("activation"), kwargs.pop("initializer"), kwargs.pop("init_params", None),
                         **kwargs)


@pytest.mark.parametrize("kwargs, name", [
    (dict(schemes=("he", "orthogonal")), "schemes"), (dict(schemes="he"), "schemes"), (dict(schemes=()), "schemes"),
    (dict(schemes=("he", "he")), "schemes"), (dict(small_sigma=-1.0), "small_sigma"),
    (dict(large_sigma=math.inf), "large_sigma"), (dict(constant=math.nan), "constant"),
    (dict(width=MAX_WIDTH + 1), "width"), (dict(activation="swish"), "activation"),
])
def test_compare_schemes_bad_input(kwargs, name):
    kwargs = {"activation": "tanh", "layers": 2, "width": 5, "samples": 5, **kwargs}
    with pytest.raises(ValueError, match=name):
        compare_schemes(kwargs.pop("activation"), **kwargs)


def test_schemes_are_read_only_and_as_documented():
    assert dict(SCHEMES) == {"zeros": ("zeros", {}), "constant": ("constant", {"c": 0.1}),
                             "small normal": ("normal", {"sigma": 0.01}), "large normal": ("normal", {"sigma": 1.0}),
                             "xavier": ("xavier", {}), "he": ("he", {})}
    with pytest.raises(TypeError):
        SCHEMES["new"] = ("he", {})


def test_affordable_samples_keeps_a_request_within_the_work_cap():
    from optiviz.labs.activations_init.statistics import MAX_COMPARE_WORK, affordable_samples

    assert affordable_samples(10, 500, 1000, 6) == 1000  # the default view fits
    s = affordable_samples(20, 1000, 2000, 6)
    assert 20 * 1000**2 * s * 6 <= MAX_COMPARE_WORK < 20 * 1000**2 * (s + 1) * 6
    assert affordable_samples(20, 1000, 5, 6) == 5


def test_affordable_layers_bound_the_weights_drawn():
    from optiviz.labs.activations_init.statistics import MAX_COMPARE_WEIGHTS, affordable_layers

    assert affordable_layers(500, 10, 6) == 10  # the default view fits
    most = affordable_layers(1000, 20, 6)
    assert most * 1000**2 * 6 <= MAX_COMPARE_WEIGHTS < (most + 1) * 1000**2 * 6
    assert affordable_layers(10, 20, 6) == 20


@pytest.mark.parametrize("kwargs, name", [
    (dict(layers=20, width=1000, samples=10), "layers"),  # 1.2e8 weights to draw
    (dict(layers=3, width=1000, samples=2000), "samples"),  # 3.6e10 multiply-adds
])
def test_compare_schemes_refuses_work_over_its_caps(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must be at most"):
        init_stats.compare_schemes("tanh", **kwargs)
