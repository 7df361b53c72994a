"""``python -m optiviz batch-size``: full-batch, mini-batch and stochastic gradient descent on a two-weight model,
as CSV (the batch-size lab)."""

from __future__ import annotations

from optiviz.labs import batch_size as minibatch
from optiviz.cli.common import (add_hyperparameters, engine_errors, frame_lines, given_hyperparameters,
                                hyperparameter_problem, subcommand, write_lines)
from optiviz.core.linear_models import MODELS
from optiviz.core.optimizers import OPTIMIZERS

DATA_TEXT = f"""\
data (--model): two weights w = (w1, w2), no bias; N = --samples inputs x of unit
variance and correlation ρ = --correlation, targets from the true w*:
  {"; ".join(f"{name}: {text}" for name, text in MODELS.items())}
  linear y = x·w* + σ ε;  logistic y = 1[x·w* + σ ε > 0];  σ = --noise, ε ~ N(0, 1)
Every run starts at W⁰ = {minibatch.START}. An epoch is ⌈N/B⌉ steps over batches that hold
every sample once (the last one the remainder), in a fresh order each epoch
drawn from --shuffle-seed (--no-shuffle: the stored order every epoch):
  g^t = 1/|I_t| Σ_(i ∈ I_t) ∇L_i(W^t),   W^(t+1) = W^t + ΔW(g^t, α_t)   (SGD: ΔW = −α_t g^t)
A run whose |w| passes {minibatch.MAX_WEIGHT:g} (or whose loss overflows) has diverged: its rows stop there.
caps: epochs ≤ {minibatch.MAX_EPOCHS}, epochs × ⌈N/B⌉ ≤ {minibatch.MAX_STEPS:,} steps per run."""


def add_data_options(parser, optimizer_help: str) -> None:
    """The two-weight labs' data, shuffling and optimizer (shared with learning-rate): the pages' defaults."""
    add = parser.add_argument
    add("--model", default="linear", choices=MODELS, help="linear or logistic regression (default: linear)")
    add("--samples", type=int, default=200, metavar="N", help="samples N (default: 200)")
    add("--noise", type=float, default=0.5, metavar="S", help="σ of the targets' noise, 0 to 100 (default: 0.5)")
    add("--correlation", type=float, default=0.5, metavar="R", help="correlation ρ of the inputs (default: 0.5)")
    add("--data-seed", type=int, default=0, metavar="N", help="seed of the samples, ≥ 0 (default: 0)")
    add("--no-shuffle", dest="shuffle", action="store_false", help="the same order every epoch (default: shuffle)")
    add("--shuffle-seed", type=int, default=0, metavar="N", help="seed of the epochs' orders, ≥ 0 (default: 0)")
    add("--optimizer", default="sgd", choices=OPTIMIZERS, help=f"{optimizer_help} (default: sgd)")
    add_hyperparameters(parser)


def problem_of(args):
    """The seeded problem (minibatch.lab_problem), refused naming --noise where the classes are separable."""
    if problem := hyperparameter_problem(args):
        args.parser.error(problem)
    with engine_errors(args, seed="data_seed"):
        problem = minibatch.lab_problem((args.model, args.samples, args.data_seed, args.correlation, args.noise))
        minibatch.minimum(problem)  # the page warns and uses another σ; here the message is the answer
    return problem


def run_options(args) -> dict:
    """The keyword arguments every run of the labs shares: the optimizer and the batches."""
    return dict(start=minibatch.START, optimizer=args.optimizer, shuffle=args.shuffle,
                hyperparameters=tuple(sorted(given_hyperparameters(args).items())), seed=args.shuffle_seed)


def add_parser(commands) -> None:
    """The ``batch-size`` subcommand."""
    parser = subcommand(
        commands, "batch-size", command, f"""\
{DATA_TEXT}

output: CSV, one row per run and step (SGD, then mini-batch, then full batch):
  {",".join(minibatch.COLUMNS)}
epoch = t / ⌈N/B⌉ (whole at the end of each epoch); gradient_evaluations counts
the ∇L_i computed so far; loss is the full-data L(W^t); learning_rate the α_t
of the step from that row to the next.

example:
  python -m optiviz batch-size --batch-size 25 --lr 0.05 --epochs 40 > batch-size.csv""",
        help="print SGD, mini-batch and full-batch gradient descent's paths on a two-weight model as CSV",
        description="Run SGD (B = 1), mini-batch (B = --batch-size) and full-batch (B = N) gradient descent from\n"
                    "the same start for the same epochs and print every step as CSV.")
    add_data_options(parser, "update rule fed the mini-batch gradient")
    add = parser.add_argument
    add("--batch-size", type=int, default=10, metavar="B", help="the mini-batch run's B, 1 to N (default: 10)")
    add("--lr", type=float, default=0.1, metavar="LR", help="learning rate α > 0 of all three runs (default: 0.1)")
    add("--epochs", type=int, default=20, metavar="N", help="epochs of every run (default: 20)")


def command(args) -> int:
    """Print the three runs as CSV."""
    problem = problem_of(args)
    sizes = {"SGD": 1, "mini-batch": args.batch_size, "full batch": args.samples}  # the page's order
    with engine_errors(args, learning_rate="lr", seed="shuffle_seed"):
        table = minibatch.compare_batch_sizes(problem, sizes, args.lr, args.epochs, **run_options(args))
    write_lines(frame_lines(table))
    return 0
