"""One BLAS thread per product, in every optiviz process: a shared, busy machine gains nothing from OpenBLAS's threads.

OpenBLAS hands a matrix product of more than about 262,144 multiply-adds to its worker threads
(``optiviz.nn.training.EVAL_ROWS`` explains the bound). On the server, every core is already busy with
other sessions' scripts, and the workers spin while they wait for one: the training page's full-batch
link with batch norm (1000 points, 5 × 64 units, 3 classes) took 9.7 s of CPU and 25 s on the clock at
load 7 with the workers, and 0.44 s of CPU and 1.5 s on the clock with one thread (benchmarks/
bench_train_page.py, docs/load.md). One thread also makes the results independent of the machine's
core count: a threaded product splits its sums differently (up to 3e-11 in that link's losses).

``OPENBLAS_NUM_THREADS=1`` in the environment before NumPy loads does the same; :func:`one_blas_thread`
sets it in a running process, through OpenBLAS's own ``openblas_set_num_threads`` (under the names NumPy's
wheels give it), found among the libraries the process has loaded. Linux only; elsewhere it does nothing.
``import optiviz`` calls :func:`from_environment`, so the page, the CLI, the tests and the benchmarks all
compute with the same bits.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
           "openblas_set_num_threads")


def loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries this process has loaded (from /proc/self/maps; [] elsewhere)."""
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return []
    return sorted({line.split()[-1] for line in maps.read_text().splitlines()
                   if "openblas" in line.lower() and line.split()[-1].startswith("/")})


GETTERS = tuple(name.replace("_set_", "_get_") for name in SETTERS)


def _libraries() -> list[ctypes.CDLL]:
    import numpy  # noqa: F401  (loads NumPy's OpenBLAS, if not yet loaded)

    found = []
    for path in loaded_openblas():
        try:
            found.append(ctypes.CDLL(path))
        except OSError:
            continue
    return found


def _function(library: ctypes.CDLL, names: tuple[str, ...]):
    return next((getattr(library, name) for name in names if hasattr(library, name)), None)


def blas_threads() -> list[int]:
    """The thread count of every loaded OpenBLAS that tells it."""
    return [int(get()) for get in (_function(lib, GETTERS) for lib in _libraries()) if get is not None]


def set_blas_threads(count: int) -> int:
    """Set every loaded OpenBLAS to ``count`` threads; returns how many libraries were set (0: none found)."""
    done = 0
    for library in _libraries():
        setter = _function(library, SETTERS)
        if setter is not None:
            setter(int(count))
            done += 1
    return done


def one_blas_thread() -> int:
    """Set every loaded OpenBLAS to one thread; returns how many libraries were set (0: none found)."""
    return set_blas_threads(1)


def from_environment() -> int:
    """``OPTIVIZ_BLAS_THREADS`` threads (default 1; 0 leaves OpenBLAS's own count, as before issue 16 §4)."""
    text = os.environ.get("OPTIVIZ_BLAS_THREADS", "1").strip()
    count = int(text) if text.isdigit() else 1
    return set_blas_threads(count) if count > 0 else 0
