"""Mini-batch labs: the default view of the batch-size and learning-rate pages, and what batching buys.

Contestants, timed interleaved (best of several repeats, after one warm-up each):

* batch page     the batch-size lab's default view without Streamlit: the problem (linear,
                 N = 200, ρ = 0.5, σ = 0.5), its minimum, the map's loss grid and contours, the
                 race of SGD (4000 steps), mini-batch B = 10 (400) and full batch (20) over 20
                 epochs at α = 0.1, and the map and loss figures;
* lr page        the learning-rate lab's default view: the same problem, its curvature, Figure
                 11's four SGD rates and your α over 30 epochs of B = 10 (600 steps), the range
                 test (41 rates, 30 epochs as Figure 11 and 1 epoch, two batched calls), annealing
                 (4 schedules, 600 steps, one batched call), the zoomed maps' loss grid and all
                 eight figures;
* range batched  the range test alone: 41 rates in one batched ``descend`` call;
* range looped   the same 41 runs, one ``descend`` call each (goal: batched ≥ 3× faster; the
                 run is short, 20 steps, so the calls' fixed costs weigh on both);
* engine SGD     ``descend`` for the SGD run of the batch page (B = 1, 4000 steps, loss recorded);
* numpy SGD      a minimal hand-written NumPy loop for the same run (same shuffles), with the
                 loss recorded the same way (goal: engine ≤ 4× it). Each step of B = 1 is a few
                 µs of arithmetic, so the engine's general parts (any optimizer through its
                 update rule, per-run schedules, R runs at once, batches sliced from the
                 epoch's order) are what this ratio measures.

Correctness: the batched range test equals the looped one, and the numpy loop's path equals
the engine's, to 1e-12.

Goals: each page's default view well under a second (≤ 0.5 s here), the two ratios above.
Exit code 0 (it is a report) unless --check is given: then 1 on a missed goal or a failed check.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from timing import Goal, interleaved, machine, parser, ratio_table, report  # noqa: E402

from optiviz.labs import batch_size as minibatch  # noqa: E402
from optiviz.labs import learning_rate as lr_lab  # noqa: E402
from optiviz.figures.batch_size import RUN_COLOURS, loss_curves, map_bounds, map_layers, map_panels, weight_map  # noqa: E402
from optiviz.figures.learning_rate import (RATE_COLOURS, SCHEDULE_COLOURS, distances, range_test,  # noqa: E402
                                           schedule_curves, settle_curves, zoom_bounds)
from optiviz.core.linear_models import loss_grid, make_problem  # noqa: E402
from optiviz.nn.training import stream  # noqa: E402

DATA = dict(model="linear", samples=200, seed=0, correlation=0.5, noise=0.5)
START = (-1.0, 2.0)
SWEEP = 10.0 ** np.linspace(-4, np.log10(20), 41)  # × 1/L, as the learning-rate page
PAGE_GOAL = 0.5  # seconds
RANGE_GOAL, NUMPY_GOAL = 3.0, 4.0  # batched ≥ 3× faster than looped; engine ≤ 4× the numpy loop


def problem():
    return make_problem(DATA["model"], DATA["samples"], DATA["seed"], correlation=DATA["correlation"],
                        noise=DATA["noise"])


def background(p, w_star, loss_star):
    bounds = map_bounds(START, w_star)
    w1, w2 = (np.linspace(lo, hi, 90) for lo, hi in bounds)
    return map_layers(w1, w2, loss_grid(p, w1, w2), loss_star), bounds


def batch_page():
    p = problem()
    w_star, loss_star = minibatch.minimum(p)
    layers, bounds = background(p, w_star, loss_star)
    paths = minibatch.compare_batch_sizes(p, {"SGD": 1, "mini-batch": 10, "full batch": 200}, 0.1, 20, START)
    return [weight_map(layers, paths, RUN_COLOURS, w_star, START, bounds), loss_curves(paths, "epoch", RUN_COLOURS, loss_star)]


def lr_page():
    p = problem()
    w_star, loss_star = minibatch.minimum(p)
    L = minibatch.curvature(p)
    rates = lr_lab.lecture_rates(p)
    fig11 = minibatch.table(minibatch.descend_in_batches(p, 10, list(rates.values()), 30, START), list(rates))
    mine = minibatch.table(minibatch.descend_in_batches(p, 10, 0.05, 30, START), ["your α"])
    long = lr_lab.range_test(p, 10, SWEEP / L, 30, START, last=5)  # as long as Figure 11's runs
    short = lr_lab.range_test(p, 10, SWEEP / L, 1, START, last=5)
    runs = ("constant", "exp", "inv", "step")
    anneal = minibatch.table(minibatch.descend_in_batches(p, 10, 0.5, 30, START, schedule=runs, decay_rate=0.0056), runs)
    both = pd.concat([fig11, mine], ignore_index=True)
    late = lr_lab.late_loss(both, 30) - loss_star
    points = {label: (rate, float(late[label]), RATE_COLOURS[label]) for label, rate in rates.items()}
    dist = distances(anneal, w_star, 20)
    zoom = zoom_bounds(dist, w_star, 20.0)
    w1, w2 = (np.linspace(lo, hi, 90) for lo, hi in zoom)
    layers = map_layers(w1, w2, loss_grid(p, w1, w2), loss_star)
    shown = anneal[anneal["epoch"] >= 20.0]
    return [loss_curves(both, "epoch", RATE_COLOURS, loss_star, log=True, every_epoch=True),
            range_test(long, loss_star, points, short),
            schedule_curves(anneal, "epoch", SCHEDULE_COLOURS, {}),
            settle_curves(dist, "epoch", SCHEDULE_COLOURS, {}),
            *[map_panels(layers, path, SCHEDULE_COLOURS, w_star, START, zoom, height=250, star=10)
              for _, path in shown.groupby("run", sort=False)]]


def range_batched(p, rates):
    return minibatch.descend_in_batches(p, 10, rates, 1, START).weights[:, :, :]


def range_looped(p, rates):
    return np.stack([minibatch.descend_in_batches(p, 10, r, 1, START).weights[:, 0] for r in rates], axis=1)


def engine_sgd(p):
    runs = minibatch.descend_in_batches(p, 1, 0.1, 20, START)
    return runs.weights[:, 0], runs.loss[:, 0]


def numpy_sgd(p):
    """The minimal loop: per epoch a fresh permutation; per sample g = (x·w − y) x; w ← w − α g; loss after."""
    X, y, n = p.X, p.y, len(p.X)
    w = np.array(START, dtype=float)
    path = np.empty((20 * n + 1, 2))
    path[0] = w
    t = 0
    for epoch in range(1, 21):
        order = stream(0, "shuffle", epoch).permutation(n)
        for i in order:
            x = X[i]
            w = w - 0.1 * (x @ w - y[i]) * x
            t += 1
            path[t] = w
    residual = path @ X.T - y
    return path, 0.5 * np.mean(residual * residual, axis=1)


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    p = problem()
    rates = SWEEP / minibatch.curvature(p)
    print("bench_minibatch: the batch-size and learning-rate labs' default views; batched vs looped; engine vs numpy")
    print(machine(), flush=True)

    contestants = {
        "batch page": batch_page,
        "lr page": lr_page,
        "range batched": lambda: range_batched(p, rates),
        "range looped": lambda: range_looped(p, rates),
        "engine SGD": lambda: engine_sgd(p),
        "numpy SGD": lambda: numpy_sgd(p),
    }
    times, results = interleaved(contestants, args.repeat)

    failures, checks = [], []
    same = np.allclose(results["range batched"], results["range looped"], rtol=1e-12, atol=1e-12, equal_nan=True)
    checks.append(f"range test: 41 rates batched == looped (weights, 1e-12): {'ok' if same else 'FAIL'}")
    (ew, el), (nw, nl) = results["engine SGD"], results["numpy SGD"]
    close = np.allclose(ew, nw, rtol=1e-12, atol=1e-12) and np.allclose(el, nl, rtol=1e-12)
    checks.append(f"SGD path and losses, engine == numpy loop (1e-12): {'ok' if close else 'FAIL'} "
                  f"(final w {ew[-1].round(6)} vs {nw[-1].round(6)})")
    failures += [] if same else ["batched range test differs from the looped one"]
    failures += [] if close else ["the engine's SGD path differs from the numpy loop's"]

    goals = {"batch page": Goal(f"≤ {PAGE_GOAL} s", PAGE_GOAL), "lr page": Goal(f"≤ {PAGE_GOAL} s", PAGE_GOAL),
             "range looped": Goal(f"batched ≥ {RANGE_GOAL:g}× faster", 1 / RANGE_GOAL, "range looped", "range batched"),
             "engine SGD": Goal(f"≤ {NUMPY_GOAL:g}× numpy SGD", NUMPY_GOAL, "numpy SGD")}
    failures += ratio_table(times, {"range looped": "range batched", "engine SGD": "numpy SGD"}, goals)
    print(f"engine SGD {min(times['engine SGD']) / 4000 * 1e6:.0f} µs per step")
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
