"""``python -m optiviz preprocessing``: one optimizer on the raw, zero-centred, standardised and whitened data, or
Figure 5's sensitivity far from the origin, as CSV (the data pre-processing lab)."""

from __future__ import annotations

from optiviz.labs import preprocessing as lab
from optiviz.core.checks import check_number
from optiviz.cli.common import (add_experiment_option, add_hyperparameters, engine_errors, experiment_settings,
                                frame_lines, given_hyperparameters, hyperparameter_problem, subcommand, write_lines)
from optiviz.core.datasets import PREPROCESSINGS
from optiviz.core.linear_models import MODELS
from optiviz.core.optimizers import OPTIMIZERS

USES = {"comparison": {"lr": None}, "paths": {"lr": None}, "sweep": {}, "sensitivity": {"distance": 6.0}}
RENAMES = dict(learning_rate="lr", start="start")


def comparison(args, own) -> lab.PreprocessingRuns:
    """The page's comparison: each preprocessing at its own best α of the sweep (the registry's α where none
    converged), or all at --lr."""
    data, run = data_of(args), run_of(args)
    if own["lr"] is not None:  # the engine takes one α or four: named here as one
        rate = check_number("learning_rate", own["lr"], low=0.0, low_open=True)
        return lab.compare_preprocessings(*data, learning_rate=rate, **run)
    fallback = OPTIMIZERS[args.optimizer].learning_rate(f"preprocessing_{args.model}")
    rates = lab.own_best_rates(lab.rate_sweep(*data, **run), fallback)
    return lab.compare_preprocessings(*data, learning_rate=rates, **run)


EXPERIMENTS = {
    "comparison": lambda args, own: comparison(args, own).summary(),
    "paths": lambda args, own: comparison(args, own).paths(),
    "sweep": lambda args, own: lab.rate_sweep(*data_of(args), **run_of(args)),
    "sensitivity": lambda args, own: lab.sensitivity(args.samples, args.seed, own["distance"]).table(),
}


def data_of(args) -> tuple:
    return args.model, args.samples, args.seed, tuple(args.centre), args.correlation, args.scale


def run_of(args) -> dict:
    hyper = tuple(sorted(given_hyperparameters(args).items()))
    return dict(optimizer=args.optimizer, steps=args.steps, start=tuple(args.start), hyperparameters=hyper)


def add_parser(commands) -> None:
    """The ``preprocessing`` subcommand."""
    transforms = "\n".join(f"  {name:<12}{p.formula}" for name, p in PREPROCESSINGS.items())
    parser = subcommand(commands, "preprocessing", command, f"""\
experiments (--experiment):
  comparison   per preprocessing: α, κ(XᵀX/N), L*, the final loss, steps to converge
               (L − L* ≤ {lab.TOLERANCE:g} (L(w₀) − L*)) and the step it diverged at
  paths        the same runs, one row per preprocessing and step: w1, w2, loss, loss − L*
  sweep        steps to converge against α for each preprocessing (α = 0.001 … 10)
  sensitivity  Figure 5: a logistic classifier on a round cloud at the origin and the same
               cloud --distance away, under weight changes |Δw|/|w| = ε; it reads
               --samples, --seed and --distance only
Without --lr every preprocessing runs at its own best α of the sweep (the fairest
comparison, the page's default); with --lr all four run at that α.

preprocessings (fitted on the data, LaTeX):
{transforms}

data: N = --samples points x = (x₁, x₂) around --centre, correlation ρ, std σ₂ = --scale
(σ₁ = 1); {"; ".join(f"{m}: {t}" for m, t in MODELS.items())}; targets noise σ = {lab.NOISE:g}.

output: CSV, the engine's table of the experiment (column names as the page's downloads).

example:
  python -m optiviz preprocessing --experiment paths --optimizer momentum > preprocessing.csv""",
        help="print one optimizer's runs on raw, centred, standardised and whitened data (or Figure 5) as CSV",
        description="Run the same optimizer from the same start on the raw, zero-centred, standardised and\n"
                    "whitened data and print the comparison, the paths, the α sweep or Figure 5's measure.")
    add = parser.add_argument
    add_experiment_option(add, USES, "comparison")
    add("--model", default="linear", choices=MODELS, help="linear or logistic regression (default: linear)")
    add("--samples", type=int, default=200, metavar="N", help=f"samples N, up to {lab.MAX_SAMPLES} (default: 200)")
    add("--seed", type=int, default=0, metavar="N", help="seed of the cloud and the targets' noise (default: 0)")
    add("--centre", type=float, nargs=2, default=[1.0, 4.0], metavar=("X1", "X2"), help="the cloud's centre "
        "(default: 1 4)")
    add("--correlation", type=float, default=0.6, metavar="R", help="correlation ρ of x₁ and x₂ (default: 0.6)")
    add("--scale", type=float, default=2.0, metavar="S", help="std σ₂ of x₂, σ₁ = 1 (default: 2)")
    add("--optimizer", default="sgd", choices=OPTIMIZERS, help="update rule, full batch (default: sgd)")
    add_hyperparameters(parser)
    add("--lr", type=float, metavar="LR", help="comparison, paths: one α > 0 for all (default: each its best)")
    add("--steps", type=int, default=100, metavar="N", help=f"steps, 1 to {lab.MAX_STEPS} (default: 100)")
    add("--start", type=float, nargs=2, default=[-2.0, 2.0], metavar=("W1", "W2"), help="w₀ (default: -2 2)")
    add("--distance", type=float, metavar="D", help="sensitivity: |μ| of the far cloud (default: 6)")


def command(args) -> int:
    """Print the chosen experiment as CSV."""
    own = experiment_settings(args, USES)
    if problem := hyperparameter_problem(args):
        args.parser.error(problem)
    with engine_errors(args, **RENAMES):
        table = EXPERIMENTS[args.experiment](args, own)
    write_lines(frame_lines(table))
    return 0
