"""Double descent: the default view of the lab, the engine against plain per-trial, per-p least squares.

The default curve: a Gaussian linear model with D = 200 inputs, n = 40 samples, σ = 0.5,
50 trials, fitted on the first p inputs for every p = 1 … 200 by the pseudo-inverse.
Contestants on the same data (timed interleaved, best of several repeats after a warm-up):

* engine  optiviz.double_descent.trial_errors: every trial at once, one batched solve of the
          smaller Gram matrix per p (X_pᵀX_p for p ≤ n, X_pX_pᵀ grown by one outer product for p > n);
* svd     one batched SVD per p of the (trials, n, p) stack, ŵ = V diag(1/s) Uᵀy
          (optiviz.double_descent.min_norm_fit), the textbook pseudo-inverse;
* loop    numpy.linalg.lstsq for each trial and each p in a Python loop (10 000 calls).

Also timed: the whole default view as the page computes it on a cache miss (the curve, the
1-D Legendre fits for p = 1 … 60 and the three figures serialised), against the goal of well
under a second. Correctness: the three contestants' per-trial test errors agree (relative 1e-6)
and the known result holds (median test error peaks at p = n, ends below the null model).

Goals: engine ≤ 1/3 of the loop's time and ≤ 1/2 of the SVD's; the default view ≤ 1.5 × the
engine's time (the fits and figures add at most half again to the curve). Its absolute time is
reported too (well under a second on an idle core; on a loaded, shared machine it is not a goal).
Exit code 0 (it is a report) unless --check is given: then 1 on a missed goal or a failed check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Goal, interleaved, machine, parser, ratio_table, report  # noqa: E402

from optiviz import double_descent as dd  # noqa: E402
from optiviz.figures.double_descent import double_descent_curve, fit_explorer, fit_snapshots  # noqa: E402

N_TRAIN, FEATURES, TRIALS, NOISE, SEED = 40, 200, 50, 0.5, 0
FIT_POINTS, FIT_NOISE = 15, 0.1
GOALS = {"loop": 1 / 3, "svd": 1 / 2}  # engine time ≤ factor × the contestant's
GOAL_TEXT = {"loop": "engine ≤ 1/3 of it", "svd": "engine ≤ 1/2 of it"}
VIEW_GOAL = 1.5  # default view time ≤ this × the engine's


def run_engine(X, y, beta):
    return dd.trial_errors(X, y, beta, NOISE).test_mse


def run_svd(X, y, beta):
    trials, _, features = X.shape
    test = np.empty((trials, features))
    for p in range(1, features + 1):
        w = dd.min_norm_fit(X[:, :, :p], y)
        test[:, p - 1] = NOISE**2 + np.sum((beta[:p] - w) ** 2, axis=1) + np.sum(beta[p:] ** 2)
    return test


def run_loop(X, y, beta):
    trials, _, features = X.shape
    test = np.empty((trials, features))
    for t in range(trials):
        for p in range(1, features + 1):
            w = np.linalg.lstsq(X[t, :, :p], y[t])[0]
            test[t, p - 1] = NOISE**2 + np.sum((beta[:p] - w) ** 2) + np.sum(beta[p:] ** 2)
    return test


def default_view():
    """What the page computes on a cache miss at its defaults."""
    curve = dd.double_descent(N_TRAIN, FEATURES, TRIALS, NOISE, 0.0, SEED)
    fits = dd.polynomial_fits(FIT_POINTS, 4 * FIT_POINTS, FIT_NOISE, 0.0, SEED)
    figures = [double_descent_curve(curve, N_TRAIN, dd.null_mse(NOISE)),
               fit_snapshots(fits, (FIT_POINTS // 3, FIT_POINTS, 4 * FIT_POINTS)), fit_explorer(fits, FIT_POINTS)]
    return curve, sum(len(json.dumps(f.to_plotly_json(), default=str)) for f in figures)


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)

    print(f"bench_double_descent: Gaussian linear model, D = {FEATURES} inputs, n = {N_TRAIN} samples, σ = {NOISE}, "
          f"{TRIALS} trials, min-norm least squares on the first p inputs, p = 1 … {FEATURES}")
    print(machine(), flush=True)

    X, y, beta = dd.draw_data(N_TRAIN, FEATURES, TRIALS, NOISE, SEED)
    contestants = {"engine": lambda: run_engine(X, y, beta), "svd": lambda: run_svd(X, y, beta),
                   "loop": lambda: run_loop(X, y, beta), "view": default_view}
    times, results = interleaved(contestants, args.repeat)

    failures, checks = [], []
    engine = results["engine"]
    for name in ("svd", "loop"):
        err = float(np.max(np.abs(results[name] - engine) / engine))
        ok = err <= 1e-6
        checks.append(f"{name} vs engine, test error of all {engine.size} (trial, p): max relative gap {err:.1e}  "
                      f"{'ok' if ok else 'FAIL'} (≤ 1e-6)")
        if not ok:
            failures.append(f"{name} differs from the engine")
    curve, payload = results["view"]
    test = curve["test_mse"].to_numpy()
    peak, null = int(np.argmax(test)) + 1, dd.null_mse(NOISE)
    ok = peak == N_TRAIN and test[-1] < null
    checks.append(f"median test error peaks at p = {peak} (n = {N_TRAIN}) at {test[peak - 1]:.3g}; at p = D it is "
                  f"{test[-1]:.3f} < null model {null:.3f}: {'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append("the known double descent result does not hold")
    checks.append(f"default view: {min(times['view']):.3f} s on a cache miss (best of {args.repeat}), three figures, "
                  f"{payload / 1e3:.0f} kB as JSON")

    labels = {"engine": "engine: batched Gram solves per p", "svd": "svd: batched SVD per p",
              "loop": "loop: lstsq per trial and p", "view": "default view (curve + fits + figures)"}
    goals = {name: Goal(GOAL_TEXT[name], GOALS[name], name, "engine") for name in GOALS}
    goals["view"] = Goal(f"≤ {VIEW_GOAL:g}× engine", VIEW_GOAL, "engine")
    failures += ratio_table(times, "engine", goals, labels)
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
