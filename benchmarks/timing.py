"""What the ratio benchmarks share: one timed call, and the closing report."""

from __future__ import annotations

import gc
import time


def timed(fn, *args):
    """(seconds, result) of one call, with the garbage collector held off while it runs."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        result = fn(*args)
        return time.perf_counter() - t0, result
    finally:
        gc.enable()


def report(checks: list[str], failures: list[str], check: bool) -> int:
    """Print the correctness lines and the summary; the exit status is 1 only with --check and a missed goal."""
    print()
    print("correctness:")
    for line in checks:
        print("  " + line)
    print()
    print("summary: " + ("all goals met" if not failures else "; ".join(failures)), flush=True)
    return 1 if check and failures else 0
