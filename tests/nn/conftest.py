"""Central differences for the nn tests: numerical gradients and the relative error."""

import numpy as np
import pytest


def numerical_gradient(f, array, h=1e-5):
    """∂f/∂array by central differences (f() − f()) / 2h, nudging ``array`` in place one entry at a time."""
    grad = np.zeros_like(array, dtype=float)
    for idx in np.ndindex(*array.shape):
        old = array[idx]
        array[idx] = old + h
        up = f()
        array[idx] = old - h
        down = f()
        array[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


def relative_error(analytic, numeric, floor=0.0):
    """‖a − n‖ / max(‖a‖, ‖n‖, floor) over all entries (0 when all vanish).

    ``floor`` keeps an array whose true gradient is 0 (a bias before batch norm) from
    dividing round-off by round-off; pass a small fraction of the whole gradient's norm.
    """
    a = np.concatenate([np.ravel(v) for v in analytic]) if isinstance(analytic, list) else np.ravel(analytic)
    n = np.concatenate([np.ravel(v) for v in numeric]) if isinstance(numeric, list) else np.ravel(numeric)
    scale = max(np.linalg.norm(a), np.linalg.norm(n), floor)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - n) / scale)


@pytest.fixture(scope="session")  # session scope: usable inside hypothesis tests
def numgrad():
    return numerical_gradient


@pytest.fixture(scope="session")  # session scope: usable inside hypothesis tests
def rel_error():
    return relative_error
