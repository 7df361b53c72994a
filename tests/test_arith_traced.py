"""optiviz.core.arith.traced: a formula traced once and replayed as in-place NumPy calls gives the bits of the formula
run on arrays, writes its results into the arrays given, makes no array per call, and refuses what it cannot
replay (so that the walk falls back to the formula as it is)."""

import math

import numpy as np
import pytest

from optiviz.core.arith import sqrt, traced
from optiviz.core.surfaces import SURFACES

pytestmark = pytest.mark.filterwarnings("error")


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


def awkward_points(n=400, seed=4):
    """Normal points, the minima, zeros of both signs, inf, NaN and overflowing ones."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n) * 4, rng.normal(size=n) * 4
    x[:8] = [3.0, 0.0, -0.0, np.inf, np.nan, 1e200, -1e308, 1.0]
    y[:8] = [0.5, -0.0, 1.0, 1.0, 1.0, 1e100, 2.0, np.inf]
    return x, y


@pytest.mark.parametrize("name", list(SURFACES))
@pytest.mark.parametrize("value", [True, False])
def test_a_traced_formula_has_the_bits_of_the_formula_on_arrays(name, value):
    """Every surface's formula, with and without f, step after step on inputs changed in place: the same bits as
    the formula called on the arrays (signs of zeros and NaN included), ∇f in the arrays given."""
    formula = SURFACES[name].pointwise
    x, y = awkward_points()
    gx, gy = np.empty_like(x), np.empty_like(x)
    run = traced(formula, (x, y), (None, gx, gy), value)
    with np.errstate(all="ignore"):
        for step in range(3):
            got = run()
            want = formula(x.copy(), y.copy(), value)
            assert got[1] is gx and got[2] is gy
            assert (got[0] is None) == (not value)
            for g, w in zip(got, want):
                if w is not None:
                    assert same_bits(g, w), (name, step)
            x *= 0.7  # the inputs change in place between calls, as the walk's points do
            y += 0.1


def test_run_returns_the_same_arrays_and_leaves_its_inputs_alone():
    formula = SURFACES["beale"].pointwise
    x, y = awkward_points(64)
    x0, y0 = x.copy(), y.copy()
    run = traced(formula, (x, y))
    with np.errstate(all="ignore"):
        first = run()
        again = run()
    assert all(a is b for a, b in zip(first, again))
    assert same_bits(x, x0) and same_bits(y, y0)


def test_most_calls_run_in_place_in_few_buffers():
    """Beale's 30 calls use a handful of buffers besides the inputs and the results' arrays, most written in place."""
    from optiviz.core import arith

    calls = []
    x, y = np.ones(16), np.ones(16)
    tape = [2]
    results = SURFACES["beale"].pointwise(arith._Traced(tape, 0), arith._Traced(tape, 1))
    arrays = arith._storage(tape, (x, y), results)
    calls = tape[1:]
    buffers = {id(a) for a in arrays[2:]}
    in_place = sum(any(isinstance(o, arith._Traced) and arrays[o.node] is arrays[2 + k] for o in operands)
                   for k, (_, operands, _) in enumerate(calls))
    assert len(calls) == 30 and len(buffers) <= 8 and in_place >= 20


def numbers_and_inputs(x, y):
    """Results that are an input, a number and the same value twice."""
    s = x * 2
    return x, 1.5, s, s


def test_results_that_are_inputs_numbers_or_repeated_are_copied_into_their_outs():
    x, y = np.arange(4.0), np.ones(4)
    outs = tuple(np.full(4, -1.0) for _ in range(4))
    got = traced(numbers_and_inputs, (x, y), outs)()
    assert all(g is o for g, o in zip(got, outs))
    np.testing.assert_array_equal(np.stack(got), [x, np.full(4, 1.5), 2 * x, 2 * x])


def writes_over_its_input(x, y):
    x += y
    return (x,)


def compares(x, y):
    return (x * (x > 0),)


def branches(x, y):
    return (x if x > 0 else y,)


def another_shape(x, y):
    return (x * np.ones((3, 1)),)


@pytest.mark.parametrize("formula, error", [(writes_over_its_input, ValueError), (compares, TypeError),
                                            (branches, TypeError), (another_shape, ValueError)])
def test_what_cannot_be_replayed_is_refused_when_traced(formula, error):
    with pytest.raises(error):
        traced(formula, (np.ones(4), np.ones(4)))


def test_sqrt_into_out_on_arrays_and_floats():
    v = np.array([4.0, 2.0, 0.0, -0.0])
    want = np.sqrt(v)
    assert sqrt(v, out=v) is v and same_bits(v, want)
    assert sqrt(2.0, out=v) == math.sqrt(2.0)
