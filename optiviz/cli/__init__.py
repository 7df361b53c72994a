"""Command line, one module per subcommand (each lab's experiment, as CSV on stdout; the defaults are the page's):

``python -m optiviz path ...``            one optimizer's path on a 2-D surface (optiviz.cli.path);
``python -m optiviz race ...``            several optimizers' paths from one start, the optimizer race
                                          (optiviz.cli.race);
``python -m optiviz sweep ...``           each racer's final loss against the learning rate, the race's sensitivity
                                          tab (optiviz.cli.sweep);
``python -m optiviz batch-size ...``      SGD, mini-batch and full-batch gradient descent on a two-weight model, the
                                          batch-size lab (optiviz.cli.batch_size);
``python -m optiviz learning-rate ...``   Figure 11, the learning-rate range test or the annealing schedules, the
                                          learning-rate lab (optiviz.cli.learning_rate);
``python -m optiviz preprocessing ...``   one optimizer on raw, centred, standardised and whitened data, its α sweep,
                                          or Figure 5's sensitivity, the pre-processing lab (optiviz.cli.preprocessing);
``python -m optiviz regularization ...``  weight paths under L1/L2/elastic net, or early stopping, dropout and
                                          augmentation over many seeds, the regularization lab
                                          (optiviz.cli.regularization);
``python -m optiviz train ...``           train a small network on 2-D data, one row per epoch (optiviz.cli.train);
``python -m optiviz init-stats ...``      each layer's activation and gradient statistics at initialisation
                                          (optiviz.cli.init_stats);
``python -m optiviz init-training ...``   a deep network trained from each initialisation scheme over many seeds, the
                                          activations lab's Training tab (optiviz.cli.init_training);
``python -m optiviz double-descent ...``  the median train and test error of min-norm least squares against the
                                          number of features p (optiviz.cli.double_descent).

The engine validates every input; a ValueError it raises is reported as one line naming the flag, exit status 2
(optiviz.cli.common.engine_errors).
"""

from __future__ import annotations

import argparse

import numpy as np

from optiviz.cli import (batch_size, double_descent, init_stats, init_training, learning_rate, path, preprocessing,
                         race, regularization, sweep, train)
from optiviz.cli.common import Parser

SUBCOMMANDS = (path, race, sweep, batch_size, learning_rate, preprocessing, regularization, train, init_stats,
               init_training, double_descent)  # each has add_parser(commands) and command(args)
DESCRIPTION = """\
Watch gradient-based optimizers walk down 2-D loss surfaces f(x, y) (path, race,
sweep), or train a small network on 2-D toy data with them (train): each lab's
experiment, printed as CSV with the page's defaults. Each step is
W ← W + ΔW, where ΔW depends on the gradient g = ∇f(W), the learning rate α
and the optimizer's memory of earlier steps."""


def build_parser() -> Parser:
    """The top-level parser with every subcommand (built afresh: the registries may have grown)."""
    parser = Parser(prog="optiviz", description=DESCRIPTION,
                    epilog="Run `python -m optiviz COMMAND --help` for the options of each.",
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def main(argv=None) -> int:
    """Run the command line; return the exit status (2 for bad input)."""
    try:
        args = build_parser().parse_args(argv)
        # An overflow is a divergence (reported as "diverged at ..."), not a RuntimeWarning with a source line.
        with np.errstate(all="ignore"):
            return args.handler(args)
    except SystemExit as stop:  # argparse exits for --help and errors
        return stop.code if isinstance(stop.code, int) else 1


__all__ = ["build_parser", "main"]
