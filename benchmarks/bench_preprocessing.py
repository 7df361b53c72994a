"""Data preprocessing lab: the default view's computation, and the batched runs against the same runs looped.

The default view (pages/preprocessing.py at its defaults): 200 points of a cloud centred at (1, 4)
with ρ = 0.6 and x₂ spread 2, the linear model, gradient descent for 100 steps from (−2, 2), each
preprocessing at its own best α of the sweep (``compare`` alone: one shared α = 0.079). Contestants, timed interleaved (best of several repeats, after one warm-up each):

* view        everything the page computes: ``compare`` (four preprocessings, one batched run,
              four 50 × 50 loss grids), ``rate_sweep`` (41 rates × 4 in one batch), ``sensitivity``
              (Figure 5: 31 sizes × 36 directions) and the six Plotly figures;
* compare     ``compare`` alone;
* sweep       ``rate_sweep`` alone: 164 runs in one batched ``descend``;
* looped      the same 164 runs, one ``descend`` call each (a plain Python loop over runs);
* reference   a trivial computation: drawing the data cloud (``make_data``), to scale the others.

Correctness: the batched sweep and the looped runs agree on every run's steps to converge.
Goals: the default view within 0.5 s; the batched sweep at least 3× faster than the loop.
Exit code 0 (it is a report) unless --check is given: then 1 on a missed goal or a failed check.
"""

from __future__ import annotations

import sys

import numpy as np

from timing import Goal, interleaved, machine, parser, ratio_table, report  # noqa: E402

from optiviz.labs import preprocessing as lab  # noqa: E402
from optiviz.core.descent import descend  # noqa: E402
from optiviz.figures import preprocessing as figs  # noqa: E402
from optiviz.core.linear_models import loss_and_grad, optimum  # noqa: E402
from optiviz.core.optimizers import make_optimizer  # noqa: E402

DATA = dict(model="linear", samples=200, seed=0, centre=(1.0, 4.0), correlation=0.6, scale=2.0)
RUN = dict(optimizer="sgd", steps=100, start=(-2.0, 2.0))
LR, DISTANCE, SIZE = 0.079, 6.0, 0.1
GOAL_VIEW = 0.5  # seconds
GOAL_SPEEDUP = 3.0  # looped / batched sweep


def default_view():
    sweep = lab.rate_sweep(**DATA, **RUN)
    c = lab.compare_preprocessings(**DATA, **RUN, learning_rate=tuple(lab.best_rates(sweep)["learning rate"]))  # each its best α
    sens = lab.sensitivity(DATA["samples"], DATA["seed"], DISTANCE)
    paths = c.paths()
    return [figs.data_panels(c.problems), figs.loss_panels(c), figs.excess_curves(paths),
            figs.rate_sweep_curves(sweep, None, RUN["steps"], dict(zip(lab.TRANSFORMS, c.rates))),
            figs.sensitivity_clouds(sens, SIZE),
            figs.sensitivity_curves(sens, SIZE)], sweep


def looped_sweep() -> list[int]:
    """Each (preprocessing, α) run alone: steps to converge, −1 where it did not."""
    problems = list(lab.preprocess(lab.make_data(**DATA)).values())
    rates = lab.sweep_rates(DATA["model"], DATA["samples"], RUN["steps"])
    opt = make_optimizer(RUN["optimizer"])
    out = []
    for p in problems:
        w_opt = optimum(p)
        loss_min = loss_and_grad(p.model, w_opt, p.X, p.y)[0]
        views = lab._views(np.array(RUN["start"]), w_opt[None], np.empty((0, 1, 2)))
        for rate in rates:
            traj = descend(lab._batch_surface([p], views), opt, [RUN["start"]], RUN["steps"], rate)
            out.append(int(lab._steps_to_converge(traj.loss - loss_min, lab.TOLERANCE)[0]))
    return out


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    print(f"bench_preprocessing: {DATA['samples']} points at {DATA['centre']}, ρ {DATA['correlation']}, spread {DATA['scale']}, "
          f"{DATA['model']} model, {RUN['optimizer']} α {LR} for {RUN['steps']} steps; sweep of "
          f"{len(lab.sweep_rates(DATA['model'], DATA['samples'], RUN['steps']))} rates × 4")
    print(machine(), flush=True)

    contestants = {
        "view": default_view,
        "compare": lambda: lab.compare_preprocessings(**DATA, **RUN, learning_rate=LR),
        "sweep": lambda: lab.rate_sweep(**DATA, **RUN),
        "looped": looped_sweep,
        "reference": lambda: lab.make_data(**DATA),
    }
    times, results = interleaved(contestants, args.repeat)

    failures = []
    batched = [int(s) if s == s else -1 for s in results["sweep"]["steps to converge"].to_numpy(dtype=float, na_value=np.nan)]
    same = batched == results["looped"]
    checks = [f"batched sweep == looped runs, steps to converge of all {len(batched)} runs: {'ok' if same else 'FAIL'}"]
    if not same:
        failures.append("the batched sweep differs from the looped runs")
    best = lab.best_rates(results["sweep"])
    checks.append("best α per preprocessing: " + ", ".join(
        f"{n} {a:g} ({s} steps)" for n, a, s in best.itertuples(index=False)))

    labels = {"view": "view: the whole default view (+ figures)", "compare": "compare: 4 preprocessings, batched",
              "sweep": "sweep: 164 runs in one batch", "looped": "looped: the same 164 runs one by one",
              "reference": "reference: draw the data cloud"}
    goals = {"view": Goal(f"≤ {GOAL_VIEW:g} s", GOAL_VIEW),
             "looped": Goal(f"sweep ≥ {GOAL_SPEEDUP:g}× faster", 1 / GOAL_SPEEDUP, "looped", "sweep")}
    bases = {"view": "reference", "compare": "reference", "sweep": "reference", "looped": "sweep"}
    failures += ratio_table(times, bases, goals, labels)
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
