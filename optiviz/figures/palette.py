"""One colour per optimizer on every figure (Okabe–Ito, colour-blind safe)."""

from types import MappingProxyType

OPTIMIZER_COLOURS = MappingProxyType(
    {
        "sgd": "#0072B2",  # blue
        "momentum": "#E69F00",  # orange
        "nesterov": "#CC79A7",  # reddish purple
        "rmsprop": "#009E73",  # bluish green
        "adagrad": "#56B4E9",  # sky blue
        "adam": "#D55E00",  # vermillion
    }
)
SURFACE_COLOURSCALE = [[0.0, "#fffdf2"], [0.4, "#eef2f7"], [0.75, "#d5deea"], [1.0, "#b9c6d8"]]
MINIMUM_COLOUR = "#111111"


def colour(name: str) -> str:
    """The colour of an optimizer (grey for names without one)."""
    return OPTIMIZER_COLOURS.get(name, "#666666")
