"""Double descent: the default view of the lab, the engine against plain per-trial, per-p least squares.

The default curve (issue 13): a network with one hidden layer of P = 200 random, frozen ReLU units,
n = 40 samples of f(x) = sin(πx₁) + cos(πx₂) on [−1, 1]³ with σ = 0.2, 30 trials; the output weights
fitted on the first p units for every p = 1 … 200 by the pseudo-inverse, the test error measured on
200 fresh inputs per trial. Contestants on the same data (timed interleaved, best of several repeats
after a warm-up):

* engine  optiviz.labs.double_descent.feature_errors: every trial at once; one QR of Φ_n serves every
          p ≤ n, then one batched solve of K_p = Φ_pΦ_pᵀ (grown by one outer product) per p > n;
* svd     one batched SVD per p of the (trials, n, p) stack, ŵ = V diag(1/s) Uᵀy
          (optiviz.labs.double_descent.min_norm_fit), the textbook pseudo-inverse;
* loop    numpy.linalg.lstsq for each trial and each p in a Python loop (6 000 calls);
* linear  the OLD default curve (before issue 13): the Gaussian linear model, D = 200 inputs,
          n = 40, σ = 0.5, 50 trials, by optiviz.labs.double_descent.trial_errors. The old default view
          cost 1.05× it (0.154 s against 0.146 s, measured before the change), so it stands for
          "today's CPU cost of the default view".

Also timed: the whole default view as the page computes it on a cache miss (the curve, the 1-D
Legendre fits for p = 1 … 60 and the three figures serialised). Correctness: the three
contestants' per-trial test errors agree (relative 1e-6), and the lecture's claim holds (median
test error peaks at p = n, falls then rises below it, and its best past p = 2n is at most 0.75×
its best below p = n).

Goals: engine ≤ 1/3 of the loop's time and ≤ 1/2 of the SVD's; the default view ≤ 1.5 × the
engine's time, and ≤ 1.1 × the old default curve's (the default view costs no more CPU than before).
Exit code 0 (it is a report) unless --check is given: then 1 on a missed goal or a failed check.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from timing import Goal, interleaved, machine, parser, ratio_table, report  # noqa: E402

from optiviz.labs import double_descent as dd  # noqa: E402
from optiviz.figures.double_descent import double_descent_curve, fit_explorer, fit_snapshots  # noqa: E402

N_TRAIN, FEATURES, TRIALS, NOISE, SEED = 40, 200, 30, 0.2, 0
OLD_TRIALS, OLD_NOISE = 50, 0.5  # the linear model's default before issue 13
FIT_POINTS, FIT_NOISE = 15, 0.1
GOALS = {"loop": 1 / 3, "svd": 1 / 2}  # engine time ≤ factor × the contestant's
GOAL_TEXT = {"loop": "engine ≤ 1/3 of it", "svd": "engine ≤ 1/2 of it"}
VIEW_GOAL, OLD_VIEW_GOAL = 1.5, 1.1  # default view time ≤ this × the engine's, ≤ that × the old default curve's


def run_engine(data):
    return dd.feature_errors(*data, NOISE).test_mse


def run_svd(data):
    phi, y, phi_test, f_test = data
    trials, _, features = phi.shape
    test = np.empty((trials, features))
    for p in range(1, features + 1):
        w = dd.min_norm_fit(phi[:, :, :p], y)
        test[:, p - 1] = NOISE**2 + np.mean((f_test - np.einsum("tmp,tp->tm", phi_test[:, :, :p], w)) ** 2, axis=1)
    return test


def run_loop(data):
    phi, y, phi_test, f_test = data
    trials, _, features = phi.shape
    test = np.empty((trials, features))
    for t in range(trials):
        for p in range(1, features + 1):
            w = np.linalg.lstsq(phi[t, :, :p], y[t])[0]
            test[t, p - 1] = NOISE**2 + np.mean((f_test[t] - phi_test[t, :, :p] @ w) ** 2)
    return test


def run_linear(X, y, beta):
    return dd.trial_errors(X, y, beta, OLD_NOISE).test_mse


def default_view():
    """What the page computes on a cache miss at its defaults."""
    curve = dd.double_descent(N_TRAIN, FEATURES, TRIALS, NOISE, 0.0, SEED)
    fits = dd.polynomial_fits(FIT_POINTS, 4 * FIT_POINTS, FIT_NOISE, 0.0, SEED)
    figures = [double_descent_curve(curve, N_TRAIN, dd.null_mse(NOISE), dd.best_models(curve, N_TRAIN)),
               fit_snapshots(fits, (FIT_POINTS // 3, FIT_POINTS, 4 * FIT_POINTS)), fit_explorer(fits, FIT_POINTS)]
    return curve, sum(len(json.dumps(f.to_plotly_json(), default=str)) for f in figures)


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)

    print(f"bench_double_descent: random ReLU network, P = {FEATURES} units, n = {N_TRAIN} samples, σ = {NOISE}, "
          f"{TRIALS} trials, min-norm least squares on the first p units, p = 1 … {FEATURES}")
    print(machine(), flush=True)

    data = dd.draw_features(N_TRAIN, FEATURES, TRIALS, NOISE, SEED)
    X, y, beta = dd.draw_data(N_TRAIN, FEATURES, OLD_TRIALS, OLD_NOISE, SEED)
    contestants = {"engine": lambda: run_engine(data), "svd": lambda: run_svd(data), "loop": lambda: run_loop(data),
                   "linear": lambda: run_linear(X, y, beta), "view": default_view}
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
    peak, best = int(np.argmax(test)) + 1, dd.best_models(curve, N_TRAIN)
    u = test[0] > best.small < test[N_TRAIN - 2]
    ok = peak == N_TRAIN and best.big <= 0.75 * best.small and u
    checks.append(f"median test error: peak at p = {peak} (n = {N_TRAIN}) at {test[peak - 1]:.3g}; best p < n "
                  f"{best.small:.3f} at p = {best.small_p} (p = 1: {test[0]:.3f}, p = n − 1: {test[N_TRAIN - 2]:.3f}); "
                  f"best p > 2n {best.big:.3f} at p = {best.big_p}, {best.big / best.small:.2f}× (≤ 0.75): "
                  f"{'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append("the lecture's double descent claim does not hold")
    checks.append(f"default view: {min(times['view']):.3f} s on a cache miss (best of {args.repeat}), three figures, "
                  f"{payload / 1e3:.0f} kB as JSON")

    labels = {"engine": "engine: QR for p ≤ n, Gram solves past it", "svd": "svd: batched SVD per p",
              "loop": "loop: lstsq per trial and p", "linear": "old default curve (linear, 50 trials)",
              "view": "default view (curve + fits + figures)"}
    goals = {name: Goal(GOAL_TEXT[name], GOALS[name], name, "engine") for name in GOALS}
    goals["view"] = Goal(f"≤ {VIEW_GOAL:g}× engine", VIEW_GOAL, "engine")
    goals["linear"] = Goal(f"view ≤ {OLD_VIEW_GOAL:g}× it", OLD_VIEW_GOAL, "linear", "view")
    failures += ratio_table(times, "engine", goals, labels)
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
