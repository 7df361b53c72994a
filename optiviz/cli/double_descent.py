"""``python -m optiviz double-descent``: the median train and test error of min-norm least squares against the
number of features p (the double-descent lab)."""

from __future__ import annotations

from optiviz.labs import double_descent
from optiviz.cli.common import csv_lines, engine_errors, subcommand, write_lines

COLUMNS = ("features", "train_mse", "test_mse")
DEFAULTS = dict(n_train=40, max_features=200, trials=30, noise=0.2, ridge=0.0, weights="equal", model="relu")


def epilog() -> str:
    dd = double_descent
    return f"""\
models (--model):
  relu    (default) a network with one hidden layer of P = --max-features ReLU
          units φ_j(x) = max(0, v_jᵀ(x − c_j)), drawn at random and frozen
          (v_j uniform on the unit sphere, c_j uniform in [−½, ½]³), learning
          f(x) = sin(πx₁) + cos(πx₂) of x uniform on [−1, 1]³ from y = f(x) + σ ε.
  linear  a Gaussian linear model y = xᵀβ + σ ε with D = --max-features inputs
          x ~ N(0, I) and ‖β‖ = 1 (--weights equal: β_j = 1/√D; decaying: β_j ∝ 1/√j).
ε ~ N(0, 1), σ = --noise. Each trial draws n = --n-train training samples (and
fresh units) and fits the output weights on the FIRST p features Φ_p, for
every p = 1 … P, by ridge regression
  ŵ = (Φ_pᵀΦ_p + λI)⁻¹ Φ_pᵀ y,   λ = --ridge
and for λ = 0 by the pseudo-inverse ŵ = Φ_p⁺ y (X_p⁺ y for the linear model):
least squares while p < n, the interpolating solution of smallest norm ‖ŵ‖ once p ≥ n.

output: CSV on stdout, one row per p = 1 … P:
  {",".join(COLUMNS)}
train_mse  (1/n) ‖y − Φ_p ŵ‖², 0 up to rounding once the fit interpolates (p ≥ n, λ = 0)
test_mse   relu: σ² + the mean of (f̂ − f)² over {dd.TEST_POINTS} fresh inputs per trial;
           linear: σ² + ‖β − ŵ‖², the exact expected squared error on a fresh point
each the median over the trials. The null model (predict 0) scores E[y²] = 1 + σ².
With the defaults test_mse falls then rises (the classical U), peaks at p = n,
and falls again: its lowest value past p = 2n is about half the lowest below p = n.

caps: --n-train 1 to {dd.MAX_SAMPLES}, --max-features 1 to {dd.MAX_FEATURES}, --trials 1 to {dd.MAX_TRIALS},
--noise 0 to {dd.MAX_NOISE:g}, --ridge 0 to {dd.MAX_RIDGE:g}; and the work of one sweep
(linear: trials × Σ_p (min(n, p)³/3 + 2np)) at most {dd.MAX_WORK:.0e} (about 2 s): with
--n-train 100 --max-features 400, {dd.affordable_trials(100, 400, dd.MAX_TRIALS)} trials \
(linear: {dd.affordable_trials(100, 400, dd.MAX_TRIALS, "linear")}).

examples:
  python -m optiviz double-descent > double-descent.csv
  python -m optiviz double-descent --model linear --noise 0.5 --trials 50 --seed 0"""


def add_parser(commands) -> None:
    """The ``double-descent`` subcommand."""
    d, dd = DEFAULTS, double_descent
    parser = subcommand(
        commands, "double-descent", command, epilog(),
        help="print the median train and test error of min-norm least squares against the number of features as CSV",
        description="Fit a network's output weights on its first p random ReLU units (or a linear model on its\n"
                    "first p inputs), p = 1 … P, by min-norm least squares (or ridge) over seeded trials, and\n"
                    "print the median train and test error per p as CSV.")
    add = parser.add_argument
    add("--n-train", type=int, default=d["n_train"], metavar="N",
        help=f"training samples n: the interpolation threshold p = n, 1 to {dd.MAX_SAMPLES} (default: {d['n_train']})")
    add("--model", default=d["model"], choices=dd.MODELS,
        help="relu: random ReLU features of a 3-D input; linear: Gaussian inputs (default: relu)")
    add("--max-features", type=int, default=d["max_features"], metavar="P",
        help=f"features P (hidden units or inputs), the largest p, 1 to {dd.MAX_FEATURES} "
             f"(default: {d['max_features']})")
    add("--trials", type=int, default=d["trials"], metavar="T",
        help=f"training sets drawn, 1 to {dd.MAX_TRIALS} (default: {d['trials']})")
    add("--noise", type=float, default=d["noise"], metavar="S",
        help=f"σ of the label noise, 0 to {dd.MAX_NOISE:g} (default: {d['noise']:g})")
    add("--ridge", type=float, default=d["ridge"], metavar="L",
        help=f"ridge λ, 0 to {dd.MAX_RIDGE:g}; 0 is the min-norm pseudo-inverse (default: 0)")
    add("--weights", default=d["weights"], choices=dd.WEIGHTS,
        help="true weights β of the linear model (default: equal)")
    add("--seed", type=int, default=0, metavar="N", help="seed of the training sets, ≥ 0 (default: 0)")


def command(args) -> int:
    """Print the median errors per number of features as CSV."""
    with engine_errors(args):
        curve = double_descent.double_descent(args.n_train, args.max_features, args.trials, args.noise, args.ridge,
                                              args.seed, args.weights, model=args.model)
    write_lines(csv_lines(curve, COLUMNS))
    return 0
