"""The activations' in-place forms (``out=``, ``scratch=``) and their use by the initialisation lab.

``f.value(z, out=...)`` and ``f.derivative(z, out=...)`` must give the bits of ``f.value(z)`` and
``f.derivative(z)``: one formula, two ways to store it. init_stats writes its buffers this way; its
statistics must equal a plain forward and backward written here with the allocating forms.
"""

import math

import numpy as np
import pytest

from optiviz.labs.activations_init import statistics as init_stats
from optiviz.nn.activations import ACTIVATIONS, get_activation
from optiviz.nn.initializers import get_initializer

Z = np.concatenate([np.linspace(-800, 800, 4001), np.linspace(-3, 3, 601),
                    [0.0, -0.0, 1e-300, -1e-300, 5e-324, -5e-324, 355.0, -355.0, 710.0, -710.0, np.nan],
                    np.random.default_rng(3).normal(scale=20.0, size=391)])  # 5,004 values

CASES = [(name, None) for name in ACTIVATIONS] + [("leaky_relu", 0.3), ("leaky_relu", 0.0), ("elu", 0.5), ("elu", 3.0)]


def bits(x):
    return np.asarray(x, dtype=float).view(np.int64)


@pytest.mark.parametrize("part", ["value", "derivative"])
@pytest.mark.parametrize("name, alpha", CASES)
def test_out_gives_the_bits_of_the_allocating_form(name, alpha, part):
    f = getattr(get_activation(name, alpha), part)
    with np.errstate(all="ignore"):
        expected = f(Z)
        out = np.full_like(Z, 7.0)
        assert f(Z, out=out, scratch=np.empty_like(Z)) is out
        z = Z.copy()
        in_place = f(z, out=z)  # z ← f(z), scratch allocated
        grid = Z.reshape(4, -1)[:, ::3]  # strided view: a non-contiguous input
        strided = f(grid, out=np.empty(grid.shape))
    assert in_place is z
    np.testing.assert_array_equal(bits(out), bits(expected))
    np.testing.assert_array_equal(bits(in_place), bits(expected))
    np.testing.assert_array_equal(bits(strided), bits(expected.reshape(4, -1)[:, ::3]))
    assert out.dtype == np.float64 and out.shape == Z.shape


@pytest.mark.parametrize("name, alpha", CASES)
def test_out_leaves_the_input_alone_and_lists_still_work(name, alpha):
    act = get_activation(name, alpha)
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    before = z.copy()
    for part in (act.value, act.derivative):
        part(z, out=np.empty_like(z), scratch=np.empty_like(z))
        np.testing.assert_array_equal(z, before)
        np.testing.assert_array_equal(part(list(z)), part(z))


def test_init_stats_keeps_no_copy_of_the_formulas():
    assert not hasattr(init_stats, "_value") and not hasattr(init_stats, "_derivative_in_place")


@pytest.mark.parametrize("name, skip", [("tanh", False), ("sigmoid", True), ("relu", False), ("elu", True),
                                        ("leaky_relu", False), ("linear", False)])
def test_layer_statistics_equal_a_plain_forward_and_backward(name, skip):
    """mean, std and the gradient columns from the module docstring's formulas, with allocating activations."""
    layers, width, samples, seed = 4, 30, 40, 5
    result = init_stats.layer_statistics(name, "xavier", layers=layers, width=width, samples=samples, seed=seed,
                                         skip=skip).stats
    f = get_activation(name)
    X, R, weight_seed = init_stats._data(samples, width, seed)
    rng = np.random.default_rng(weight_seed)
    init = get_initializer("xavier")
    weights, zs, h = [], [], X
    for l in range(layers):
        weights.append(init((width, width), rng))
        zs.append(h @ weights[-1])
        a = f.value(zs[-1])
        assert result["mean"][l] == pytest.approx(a.mean(), rel=1e-12, abs=1e-15)
        assert result["std"][l] == pytest.approx(a.std(), rel=1e-12, abs=1e-15)
        h = h + a if skip and l > 0 else a
    g_h = R
    for l in reversed(range(layers)):
        g_z = g_h * f.derivative(zs[l])
        assert result["grad_std"][l] == pytest.approx(g_z.std(), rel=1e-12, abs=1e-15)
        assert result["grad_norm"][l] == pytest.approx(math.sqrt((g_z**2).sum() / samples), rel=1e-12)
        back = g_z @ weights[l].T
        g_h = back + g_h if skip else back


def test_histogram_over_several_blocks_equals_numpys():
    x = np.random.default_rng(8).standard_normal((3 * init_stats.BLOCK + 17,)) ** 3
    counts, edges = init_stats._histogram(x, np.empty(x.shape), np.empty(x.shape, dtype=np.intp))
    expected, expected_edges = np.histogram(x, init_stats.BINS)
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_allclose(edges, expected_edges, rtol=1e-14, atol=1e-14)
    assert counts[-1] >= 1  # the maximum lands in the last bin


@pytest.mark.parametrize("name", ["tanh", "elu"])
def test_statistics_over_several_blocks_equal_a_plain_pass(name):
    """Wide enough that the blockwise activation and histogram run over more than one block."""
    layers, width, samples, seed = 2, 200, 400, 9
    assert width * samples > 2 * init_stats.BLOCK
    result = init_stats.layer_statistics(name, "he", layers=layers, width=width, samples=samples, seed=seed)
    f = get_activation(name)
    X, R, weight_seed = init_stats._data(samples, width, seed)
    rng = np.random.default_rng(weight_seed)
    init = get_initializer("he")
    W1, W2 = init((width, width), rng), init((width, width), rng)
    z1 = X @ W1
    a1 = f.value(z1)
    z2 = a1 @ W2
    a2 = f.value(z2)
    for l, a in enumerate((a1, a2)):
        expected, _ = np.histogram(a, init_stats.BINS)
        assert abs(result.act_counts[l] - expected).sum() <= 2  # values within round-off of an edge may move
        assert result.act_counts[l].sum() == a.size
        assert result.stats["zero_fraction"][l] == np.mean(a == 0)
    g2 = R * f.derivative(z2)
    g1 = (g2 @ W2.T) * f.derivative(z1)
    for l, g in enumerate((g1, g2)):
        assert result.stats["grad_std"][l] == pytest.approx(g.std(), rel=1e-12)
