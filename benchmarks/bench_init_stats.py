"""Initialisation lab (issue 4): compare_schemes at the page's default view.

The default view: 10 hidden layers × 500 units × 1000 samples × 6 schemes (zeros, constant,
small normal, large normal, xavier, he), forward and backward, with per-layer statistics and
40-bin histograms of activations and gradients, for tanh and for relu. Contestants, timed
interleaved (best of several repeats, after one warm-up each):

* engine   optiviz.nn.init_stats.compare_schemes(activation) at its defaults;
* matmuls  the yardstick: the plain float64 matmul chain the same view needs and nothing else,
           6 × (10 forward h @ W + 9 backward g @ Wᵀ) products of (1000, 500) by (500, 500),
           on weights drawn once. No activation, statistics, histograms or weight draws.

The ratio engine / matmuls says what the statistics, histograms, activations and weight draws
cost on top of the unavoidable products. Correctness: every layer's histogram counts sum to
samples × width, and the engine's result is the same on every repeat (bit for bit).

Goal: the default view (engine, tanh) ≤ 2 s. Exit code 0 unless --check is given and a goal
is missed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Goal, interleaved, machine, parser, ratio_table, report  # noqa: E402

from optiviz.nn.init_stats import SCHEMES, compare_schemes  # noqa: E402

LAYERS, WIDTH, SAMPLES = 10, 500, 1000
GOAL_SECONDS = 2.0


def matmul_chain(X, weights, schemes):
    """The products of the default view: forward h W and backward g Wᵀ for every scheme."""
    for _ in range(schemes):
        h = X
        for W in weights:
            h = h @ W
        g = h
        for W in weights[:0:-1]:
            g = g @ W.T
    return g


def main(argv=None) -> int:
    args = parser(__doc__, repeat=3).parse_args(argv)
    print(machine(), flush=True)

    rng = np.random.default_rng(0)
    X = rng.standard_normal((SAMPLES, WIDTH))
    weights = [rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH) for _ in range(LAYERS)]
    contestants = {
        "engine tanh": lambda: compare_schemes("tanh"),
        "engine relu": lambda: compare_schemes("relu"),
        "matmuls": lambda: matmul_chain(X, weights, len(SCHEMES)),
    }
    times, results = interleaved(contestants, args.repeat, keep_all=True)

    checks, failures = [], []
    for name in ("engine tanh", "engine relu"):
        first = results[name][0]
        full = all((r.act_counts.sum(axis=1) == SAMPLES * WIDTH).all() and
                   (r.grad_counts.sum(axis=1) == SAMPLES * WIDTH).all() for r in first.values())
        same = all(np.array_equal(a[label].stats.to_numpy(), first[label].stats.to_numpy())
                   for a in results[name][1:] for label in first)
        checks.append(f"{name}: histogram counts sum to samples × width: {'ok' if full else 'FAIL'}; "
                      f"repeats equal bit for bit: {'ok' if same else 'FAIL'}")
        if not (full and same):
            failures.append(f"{name} correctness")

    print(f"default view: {LAYERS} layers × {WIDTH} units × {SAMPLES} samples × {len(SCHEMES)} schemes, "
          "forward and backward")
    goals = {"engine tanh": Goal(f"≤ {GOAL_SECONDS:g} s", GOAL_SECONDS), "engine relu": "(information)"}
    failures += ratio_table(times, "matmuls", goals)
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
