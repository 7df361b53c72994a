"""Initialisation lab (issue 4): compare_schemes at the page's default view.

The default view: 10 hidden layers × 500 units × 1000 samples × 6 schemes (zeros, constant,
small normal, large normal, xavier, he), forward and backward, with per-layer statistics and
40-bin histograms of activations and gradients, for tanh and for relu. Contestants, timed
interleaved (best of several repeats, after one warm-up each):

* engine   optiviz.labs.activations_init.statistics.compare_schemes(activation) at its defaults;
* matmuls  the yardstick: the plain float64 matmul chain the same view needs and nothing else,
           6 × (10 forward h @ W + 9 backward g @ Wᵀ) products of (1000, 500) by (500, 500),
           on weights drawn once. No activation, statistics, histograms or weight draws.

The ratio engine / matmuls says what the statistics, histograms, activations and weight draws
cost on top of the unavoidable products. Correctness: every layer's histogram counts sum to
samples × width, and the engine's result is the same on every repeat (bit for bit).

The Training tab (issue 13), after Train is pressed:

* training      optiviz.labs.activations_init.training.scheme_trainings() at its defaults: 6 schemes, 10 seeds of
                the random ones batched (optiviz.nn.seeds), 6 tanh layers of 16, 100 moons, 30 epochs;
* one seed      the tab before issue 13, kept here as the yardstick: one seed per scheme, 4 tanh
                layers of 16, 300 moons, Adam with batches of 32 for 40 epochs.

Goals: the default view (engine, tanh) ≤ 2 s; the training of 10 seeds ≤ 1.25 × the one seed it
replaced (a class presses Train at once). Exit code 0 unless --check is given and a goal is missed.
"""

from __future__ import annotations

import sys

import numpy as np

from timing import Goal, interleaved, machine, parser, ratio_table, report  # noqa: E402

from optiviz.core.datasets import make_dataset, train_val_split  # noqa: E402
from optiviz.nn import MLP  # noqa: E402
from optiviz.labs.activations_init.statistics import SCHEMES, compare_schemes  # noqa: E402
from optiviz.labs.activations_init.training import scheme_trainings  # noqa: E402
from optiviz.nn.training import train  # noqa: E402

LAYERS, WIDTH, SAMPLES = 10, 500, 1000
GOAL_SECONDS = 2.0
TRAINING_FACTOR = 1.25


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


def one_seed_training():
    """The Training tab before issue 13: one Adam run per scheme, seed 0."""
    X, y = make_dataset("moons", 300, 0.1, 0, 2)
    split = train_val_split(X, y, 0.0, 0)
    for initializer, params in SCHEMES.values():
        net = MLP(2, (16,) * 4, 1, activation="tanh", initializer=initializer, init_params=params)
        train(net, split, "adam", learning_rate=0.01, batch_size=32, epochs=40, seed=0, record_grid=False,
              record_params=False)


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
        "training": scheme_trainings,
        "one seed": one_seed_training,
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
    goals = {"engine tanh": Goal(f"≤ {GOAL_SECONDS:g} s", GOAL_SECONDS), "engine relu": "(information)",
             "training": Goal(f"≤ {TRAINING_FACTOR:g} × one seed", TRAINING_FACTOR, "one seed"),
             "one seed": "(yardstick: the tab before)"}
    failures += ratio_table(times, "matmuls", goals)
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
