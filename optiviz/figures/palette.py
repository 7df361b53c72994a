"""One colour per optimizer on every figure (Okabe–Ito, colour-blind safe)."""

from types import MappingProxyType

import numpy as np

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


def shade(values, scale=SURFACE_COLOURSCALE) -> np.ndarray:
    """RGB bytes (..., 3) of ``values`` in [0, 1] on a colourscale [[position, "#rrggbb"], …]: each channel
    linear between the stops, as plotly colours a heatmap."""
    positions = [p for p, _ in scale]
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in scale], dtype=float)
    v = np.clip(values, 0.0, 1.0)
    return np.stack([np.interp(v, positions, stops[:, k]) for k in range(3)], axis=-1).round().astype(np.uint8)


def colour(name: str) -> str:
    """The colour of an optimizer (grey for names without one)."""
    return OPTIMIZER_COLOURS.get(name, "#666666")

# Classes of the toy data: purple, orange, teal (distinct from white decision regions).
CLASS_COLOURS = ("#6a51a3", "#e6550d", "#1b9e77")


def layer_colours(n: int) -> list[str]:
    """One colour per layer, from the first (light) to the output layer (dark)."""
    ramp = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b", "#041e42"]
    picks = np.linspace(0, len(ramp) - 1, n).round().astype(int) if n > 1 else [len(ramp) - 1]
    return [ramp[i] for i in picks]

# Initialisation schemes (Okabe–Ito again, in an order that keeps neighbours apart).
SCHEME_COLOURS = MappingProxyType(
    {
        "zeros": "#999999",
        "constant": "#8c564b",
        "small normal": "#56B4E9",
        "large normal": "#D55E00",
        "xavier": "#009E73",
        "he": "#CC79A7",
    }
)

# Data preprocessings, from raw to whitened (Paul Tol's muted scheme: colour-blind safe, none an optimizer's colour).
TRANSFORM_COLOURS = MappingProxyType({"none": "#882255", "centre": "#999933", "standardise": "#44AA99", "whiten": "#332288"})
