"""What the ratio benchmarks share: the command line, the machine line, interleaved timing, the ratio table, the report."""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time
from typing import Callable, Mapping, NamedTuple

import numpy as np

BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")  # they move NumPy's times


def at_least_one(text: str) -> int:
    """argparse type: a whole number ≥ 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {value}")
    return value


def parser(doc: str, repeat: int = 5, what: str = "each contestant") -> argparse.ArgumentParser:
    """An ArgumentParser described by the first line of ``doc``, with --repeat (≥ 1, default ``repeat``) and --check."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    p.add_argument("--repeat", type=at_least_one, default=repeat,
                   help=f"timed repeats of {what}; best is reported (default {repeat})")
    p.add_argument("--check", action="store_true", help="exit 1 on a missed goal or failed correctness check")
    return p


def machine(*notes: str) -> str:
    """One line: python and numpy versions, ``notes``, the BLAS variables set, the CPUs and the load average now."""
    parts = [f"python {platform.python_version()}", f"numpy {np.__version__}", *notes]
    parts += [f"{var}={os.environ[var]}" for var in BLAS_VARIABLES if var in os.environ]
    return ", ".join(parts) + f"; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"


def torch_flags(p: argparse.ArgumentParser, what: str = "contestant") -> None:
    """Add --torch-threads and --no-torch, for a benchmark with torch as an optional reference (never a dependency)."""
    p.add_argument("--torch-threads", type=at_least_one, default=1,
                   help="torch intra-op threads (default 1, like NumPy's elementwise ops)")
    p.add_argument("--no-torch", action="store_true", help=f"skip the torch {what} even if torch is installed")


def torch_setup(torch, args: argparse.Namespace) -> tuple[bool, str]:
    """(whether torch runs, a note on it for :func:`machine`); sets its threads when it runs. ``torch``: None if not installed."""
    if torch is None or args.no_torch:
        return False, "torch not installed, skipped" if torch is None else "torch skipped (--no-torch)"
    torch.set_num_threads(args.torch_threads)
    threads = torch.get_num_threads()
    return True, f"torch {torch.__version__} ({threads} thread{'s' if threads > 1 else ''})"


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


def interleaved(contestants: Mapping[str, Callable[[], object]], repeat: int | Mapping[str, int],
                warm_up: bool = True, keep_all: bool = False) -> tuple[dict[str, list[float]], dict[str, object]]:
    """(times, results): each contestant timed ``repeat`` times (or ``repeat[name]`` times), interleaved.

    After one untimed warm-up call each (unless ``warm_up`` is False), round r runs the contestants
    in their order rotated by r, so drift in the machine's speed hits all alike. ``times[name]``
    lists the seconds of each call; ``results[name]`` is the last call's result (with ``keep_all``,
    the list of every call's). Prints the load average at the end.
    """
    counts = dict.fromkeys(contestants, repeat) if isinstance(repeat, int) else dict(repeat)
    if warm_up:
        for fn in contestants.values():
            fn()
    times = {name: [] for name in contestants}
    results = {name: [] for name in contestants} if keep_all else {}
    names = list(contestants)
    for r in range(max(counts.values())):
        for name in names[r % len(names):] + names[: r % len(names)]:
            if len(times[name]) < counts[name]:
                seconds, result = timed(contestants[name])
                times[name].append(seconds)
                if keep_all:
                    results[name].append(result)
                else:
                    results[name] = result
    print(f"load average {os.getloadavg()[0]:.2f} at end", flush=True)
    return times, results


class Goal(NamedTuple):
    """Met when best[subject] ≤ factor × best[against], or ≤ factor seconds when ``against`` is None.

    ``subject`` is the row the goal stands on unless named; ``text`` is what the table shows.
    """

    text: str
    factor: float
    against: str | None = None
    subject: str | None = None


def ratio_table(times: Mapping[str, list[float]], base: str | Mapping[str, str],
                goals: Mapping[str, Goal | str] | None = None, labels: Mapping[str, str] | None = None) -> list[str]:
    """Print a row per contestant (best and median seconds, best / best[base], goal, PASS or FAIL); the failure lines.

    ``base`` names the contestant every row is divided by, or maps a row to its own (rows not in it
    show no ratio). ``goals`` holds per row a :class:`Goal`, or a note such as "(information)";
    ``labels`` what a row is called (its name by default).
    """
    goals, labels = goals or {}, labels or {}
    best = {name: min(ts) for name, ts in times.items()}
    median = {name: statistics.median(ts) for name, ts in times.items()}
    rows, failures = [], []
    for name in times:
        against = base if isinstance(base, str) else base.get(name)
        ratio = "" if against is None else f"{best[name] / best[against]:.2f}"
        if ratio and not isinstance(base, str):
            ratio += f"× {against}"
        goal, result = goals.get(name, ""), ""
        if isinstance(goal, Goal):
            subject = goal.subject or name
            limit = goal.factor * (best[goal.against] if goal.against else 1.0)
            result = "PASS" if best[subject] <= limit else "FAIL"
            if result == "FAIL":
                took = (f"{best[subject] / best[goal.against]:.2f}× {goal.against}'s time" if goal.against
                        else f"{best[subject]:.3f} s")
                failures.append(f"{subject} takes {took} (goal: {goal.text})")
            goal = goal.text
        rows.append((labels.get(name, name), f"{best[name]:.4f}", f"{median[name]:.4f}", ratio, goal, result))
    head = ("contestant", "best s", "median s", f"× {base}" if isinstance(base, str) else "ratio", "goal", "result")
    width = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    print()
    for row in [head, *rows]:
        print(f"{row[0]:{width[0]}s} {row[1]:>{width[1]}s} {row[2]:>{width[2]}s} {row[3]:>{width[3]}s}  "
              f"{row[4]:{width[4]}s} {row[5]}".rstrip())
    counts = {name: len(ts) for name, ts in times.items()}
    most = max(counts.values())
    fewer = ", ".join(f"{name}: {n}" for name, n in counts.items() if n < most)
    print(f"best of {most}{f' ({fewer})' if fewer else ''}, interleaved. "
          "Ratios are what to compare: the machine is shared and noisy.", flush=True)
    return failures


def report(checks: list[str], failures: list[str], check: bool) -> int:
    """Print the correctness lines and the summary; the exit status is 1 only with --check and a missed goal."""
    print()
    print("correctness:")
    for line in checks:
        print("  " + line)
    print()
    print("summary: " + ("all goals met" if not failures else "; ".join(failures)), flush=True)
    return 1 if check and failures else 0
