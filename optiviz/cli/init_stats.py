"""``python -m optiviz init-stats``: each layer's activation and gradient statistics at initialisation
(the initialisation lab)."""

from __future__ import annotations

from optiviz.cli.common import (add_unit_options, csv_lines, engine_errors, init_flag_lines, init_param_renames,
                                init_params, subcommand, unit_problem, write_lines)
from optiviz.labs.activations_init import statistics as init_stats

COLUMNS = ("layer", "mean", "std", "zero_fraction", "saturated_fraction", "grad_std", "grad_norm")
DEFAULTS = dict(activation="tanh", init="xavier", layers=10, width=500, samples=1000)


def epilog() -> str:
    return f"""\
network: inputs X ~ N(0, 1) of shape (samples, width), biases 0, L = --layers
hidden layers of width × width weights W_l from the initialiser:
  z_l = h_(l−1) W_l,  a_l = f(z_l),  h_0 = X
  h_l = a_l;  with --skip  h_1 = a_1 and h_l = h_(l−1) + a_l for l ≥ 2
backward: a fixed, seeded random linear loss L = Σ h_L ⊙ R, R ~ N(0, 1), so
∂L/∂h_L = R and ∂L/∂z_l = ∂L/∂h_l ⊙ f'(z_l), ∂L/∂h_(l−1) = ∂L/∂z_l W_lᵀ (+ ∂L/∂h_l with --skip).
--seed draws X and R from one stream and the weights from another.

initialisers:
{init_flag_lines()}

output: CSV on stdout, one row per hidden layer l = 1..L:
  {",".join(COLUMNS)}
mean, std        of the activations a_l = f(z_l) over all samples and units
                 (population std; without --skip a_l = h_l)
zero_fraction    share of a_l exactly 0 (dead ReLUs)
saturated_fraction  share within {init_stats.SATURATION_MARGIN:g} of a bound of f (tanh ±1, sigmoid 0
                 and 1, elu −α); 0 for relu, leaky_relu and linear
grad_std         std of ∂L/∂z_l over all samples and units: watch it vanish or explode
grad_norm        ‖∂L/∂z_l‖_F / √samples, the root mean square of each sample's gradient norm
An overflow shows as inf or nan (no error).

caps: --layers 1 to {init_stats.MAX_LAYERS}, --width 1 to {init_stats.MAX_WIDTH}, \
--samples 1 to {init_stats.MAX_SAMPLES}.

example:
  python -m optiviz init-stats --activation tanh --init normal --std 0.01 --layers 10 > tanh-small.csv"""


def add_parser(commands) -> None:
    """The ``init-stats`` subcommand."""
    d = DEFAULTS
    parser = subcommand(
        commands, "init-stats", command, epilog(),
        help="print each layer's activation and gradient statistics of a deep network at initialisation as CSV",
        description="Push N(0, 1) inputs through a deep plain network at initialisation and back, and print\n"
                    "each hidden layer's activation and gradient statistics as CSV.")
    add = parser.add_argument
    add_unit_options(add, d)
    add("--layers", type=int, default=d["layers"], metavar="L",
        help=f"hidden layers, 1 to {init_stats.MAX_LAYERS} (default: {d['layers']})")
    add("--width", type=int, default=d["width"], metavar="N",
        help=f"units per layer (and inputs), 1 to {init_stats.MAX_WIDTH} (default: {d['width']})")
    add("--samples", type=int, default=d["samples"], metavar="N",
        help=f"input samples, 1 to {init_stats.MAX_SAMPLES} (default: {d['samples']})")
    add("--seed", type=int, default=0, metavar="N",
        help="seed of the inputs, the loss and the weights, ≥ 0 (default: 0)")
    add("--skip", action="store_true", help="skip connections h_l = h_(l−1) + f(z_l) around layers 2..L")


def command(args) -> int:
    """Print the per-layer statistics as CSV."""
    if problem := unit_problem(args):
        args.parser.error(problem)
    with engine_errors(args, **init_param_renames()):
        result = init_stats.layer_statistics(args.activation, args.init, init_params(args), layers=args.layers,
                                             width=args.width, samples=args.samples, seed=args.seed, skip=args.skip,
                                             alpha=args.alpha)
    write_lines(csv_lines(result.stats, COLUMNS))
    return 0
