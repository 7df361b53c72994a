"""Every colour a figure gives meaning to, one palette per concept, and the checks they pass.

Two rules hold every colour here (``tests/test_palette.py``):

- **Light and dark.** A mark's colour has a contrast of at least 3:1 (WCAG's ratio for graphics)
  against Streamlit's light background (#ffffff) and its dark one (#0e1117): a relative luminance
  between about 0.12 and 0.29. Text is left to the theme (Streamlit's plotly template colours it).
- **Colour-blind safe.** The series of one figure differ by a CIE76 ΔE of at least 20 under a
  simulated deuteranopia (Machado et al. 2009, severity 1), or else by their dash or marker symbol.

Under deuteranopia a colour of that luminance band keeps mostly its lightness L* (about 43 to 62) and
its blue-yellow axis b*: six places in that plane are about 20 apart (dark blue, light blue, dark
neutral, light green-neutral, dark yellow-red, light yellow-orange). Each concept below uses at most
one ink of each place; a concept with more members adds dashes.

An optimizer, an initialisation scheme and a data transform keep their colour on every page; a
colour keeps one meaning on a page (on the learning-rate page blue is no longer both "low α" and
"exponential decay", on the regularization page w₁ no longer shares L1's colour).
"""

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from optiviz.core.optimizers import OPTIMIZERS

LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#0e1117"  # Streamlit's two themes
MIN_CONTRAST, MIN_DELTA_E = 3.0, 20.0

# The inks: each passes 3:1 on both backgrounds. Comments give the place under deuteranopia (L*, b*).
INK = MappingProxyType({
    "blue": "#0072B2",  # dark blue (44, -44)
    "sky": "#5D96BE",  # light blue (58, -28)
    "plum": "#9A4D7D",  # dark neutral (46, -9)
    "green": "#20A279",  # light neutral (58, 8)
    "rust": "#AA452D",  # dark yellow (46, 38)
    "ochre": "#C28200",  # light yellow (62, 64)
    "indigo": "#5A5AC8",  # dark blue (43, -58)
    "violet": "#7E57C2",  # dark blue (46, -49)
    "purple": "#8E44AD",  # dark blue (44, -40)
    "cyan": "#1A8FA8",  # light blue (53, -25)
    "teal": "#00898A",  # dark neutral (50, -12)
    "magenta": "#C2419A",  # dark neutral (52, -16)
    "grey": "#777777",  # neutral (50, 0)
    "crimson": "#C0304A",  # dark yellow (48, 26)
    "brown": "#9A6324",  # dark yellow (49, 44)
    "forest": "#3A7D2A",  # dark yellow (46, 34)
    "vermillion": "#D55E00",  # light yellow (58, 62)
    "olive": "#878700",  # light yellow (55, 56)
    "gold": "#A89000",  # light yellow (61, 62)
})
NEUTRAL = "#6B6B6B"  # reference marks (the minimum's outline, the start): a grey that reads on both themes


class _OptimizerColours(Mapping):
    """Each optimizer's colour, read from its registry entry (``OptimizerSpec.colour``, an ink's name) when asked:
    an optimizer added to the registry has its colour here at once."""

    def __getitem__(self, name: str) -> str:
        return INK[OPTIMIZERS[name].colour]

    def __iter__(self):
        return iter(OPTIMIZERS)

    def __len__(self) -> int:
        return len(OPTIMIZERS)


OPTIMIZER_COLOURS = _OptimizerColours()
SURFACE_COLOURSCALE = [[0.0, "#fffdf2"], [0.4, "#eef2f7"], [0.75, "#d5deea"], [1.0, "#b9c6d8"]]
MINIMUM_COLOUR = NEUTRAL


def shade(values, scale=SURFACE_COLOURSCALE) -> np.ndarray:
    """RGB bytes (..., 3) of ``values`` in [0, 1] on a colourscale [[position, "#rrggbb"], …]: each channel
    linear between the stops, as plotly colours a heatmap."""
    positions = [p for p, _ in scale]
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in scale], dtype=float)
    v = np.clip(values, 0.0, 1.0)
    return np.stack([np.interp(v, positions, stops[:, k]) for k in range(3)], axis=-1).round().astype(np.uint8)


def colour(name: str) -> str:
    """The colour of an optimizer (grey for names without one)."""
    return OPTIMIZER_COLOURS[name] if name in OPTIMIZERS else INK["grey"]


# Classes of the toy data (also the decision regions' shades).
CLASS_COLOURS = (INK["violet"], INK["vermillion"], INK["green"])

# Initialisation schemes. Zeros and constant (one run: nothing random) are drawn dotted, so they may
# share places with the four random schemes, which differ by colour alone.
SCHEME_COLOURS = MappingProxyType({
    "zeros": INK["grey"],
    "constant": INK["brown"],
    "small normal": INK["sky"],
    "large normal": INK["vermillion"],
    "xavier": INK["green"],
    "he": INK["violet"],
})
SCHEME_DASHES = MappingProxyType({"zeros": "dot", "constant": "dot"})

# Data preprocessings, from raw to whitened: none is an optimizer's colour.
TRANSFORM_COLOURS = MappingProxyType({"none": INK["grey"], "centre": INK["gold"], "standardise": INK["cyan"],
                                      "whiten": INK["violet"]})

# The batch-size runs. "SGD" there is batch size 1 (a run of plain gradient descent), not the optimizer:
# it does not borrow an optimizer's colour.
BATCH_COLOURS = MappingProxyType({"full batch": INK["indigo"], "mini-batch": INK["teal"], "SGD": INK["crimson"]})

# Learning rates (hot: too high) and schedules: one page, so no colour is shared between them.
RATE_COLOURS = MappingProxyType({"very high": INK["crimson"], "high": INK["vermillion"], "good": INK["green"],
                                 "low": INK["cyan"], "your α": INK["grey"]})  # your α is dashed
RANGE_TEST_COLOUR = INK["indigo"]  # the range test's curves (after the whole run solid, after 1 epoch dashed)
SCHEDULE_COLOURS = MappingProxyType({"constant": INK["brown"], "exp": INK["teal"], "inv": INK["gold"],
                                     "step": INK["purple"]})

# Regularization: the penalties, and (on the same page) the weights w₁, w₂, … in other colours.
PENALTY_COLOURS = MappingProxyType({"no penalty": INK["grey"], "L1": INK["crimson"], "L2": INK["violet"],
                                    "elastic net": INK["gold"]})
FEATURE_COLOURS = (INK["blue"], INK["vermillion"], INK["sky"], INK["brown"], INK["green"], INK["plum"])
# The other regularizers: a run without one is grey; train and validation of a run share its colour
# and differ by dash.
REGULARIZER_COLOURS = MappingProxyType({"dropout": INK["cyan"], "batch norm": INK["olive"],
                                        "with augmentation": INK["forest"], "early stopping": INK["indigo"]})
STOP_COLOUR = INK["magenta"]  # where early stopping stops, and the weights it keeps

# Double descent: train and test error, the min-norm fit (and its norm), the truth, the points, the best models.
TRAIN_COLOUR, TEST_COLOUR, FIT_COLOUR = INK["indigo"], INK["vermillion"], INK["green"]
NULL_COLOUR, TRUTH_COLOUR, POINT_COLOUR, BEST_COLOUR = INK["grey"], INK["brown"], INK["cyan"], INK["crimson"]
THRESHOLD_COLOUR = INK["magenta"]


# The layers of a network, first to output: five places apart under deuteranopia, none an optimizer's colour
# (the training page shows both). Deeper networks repeat them.
LAYER_COLOURS = (INK["cyan"], INK["gold"], INK["violet"], INK["crimson"], INK["grey"])


def layer_colours(n: int) -> list[str]:
    """One colour per layer, from the first to the output layer."""
    return [LAYER_COLOURS[k % len(LAYER_COLOURS)] for k in range(n)]


# --- colour science: contrast (WCAG 2) and ΔE under a deuteranopia simulation -------------------------------

# Machado, Oliveira & Fernandes (2009), deuteranomaly at severity 1.0, on linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                 [0.2126729, 0.7151522, 0.0721750],
                 [0.0193339, 0.1191920, 0.9503041]])
_D65 = np.array([0.95047, 1.0, 1.08883])
_NAMED = {"white": "#ffffff", "black": "#000000"}


def parse(c: str) -> tuple[np.ndarray, float]:
    """sRGB in [0, 1] and alpha of "#rgb", "#rrggbb", "rgb(…)", "rgba(…)", "white" or "black"."""
    c = _NAMED.get(c.strip().lower(), c.strip().lower())
    if c.startswith("#"):
        h = c[1:] if len(c) > 4 else "".join(2 * ch for ch in c[1:])
        return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)]) / 255.0, 1.0
    if c.startswith("rgb"):
        parts = [float(p) for p in c[c.index("(") + 1 : c.index(")")].split(",")]
        return np.array(parts[:3]) / 255.0, parts[3] if len(parts) > 3 else 1.0
    raise ValueError(f"colour {c!r} is not #rrggbb, rgb(…), rgba(…), white or black")


def _rgb(c: str) -> np.ndarray:
    return parse(c)[0]


def _linear(s: np.ndarray) -> np.ndarray:
    return np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)


def luminance(c: str) -> float:
    """WCAG relative luminance Y = 0.2126 R + 0.7152 G + 0.0722 B of the linear channels."""
    return float(_XYZ[1] @ _linear(_rgb(c)))


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio (L₁ + 0.05) / (L₂ + 0.05), from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of linear sRGB."""
    xyz = _XYZ @ linear_rgb / _D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lab(c: str, deuteranopia: bool = False) -> np.ndarray:
    """L*a*b* of a colour as seen, or as a deuteranope sees it (Machado 2009 on linear RGB, clipped)."""
    v = _linear(_rgb(c))
    return _lab(np.clip(DEUTERANOPIA @ v, 0.0, 1.0) if deuteranopia else v)


def delta_e(a: str, b: str, deuteranopia: bool = True) -> float:
    """CIE76 ΔE between two colours (under deuteranopia by default)."""
    return float(np.linalg.norm(lab(a, deuteranopia) - lab(b, deuteranopia)))


def reads_on_both(c: str) -> bool:
    """Whether a mark of colour ``c`` has 3:1 contrast on the light and on the dark background."""
    return min(contrast(c, LIGHT_BACKGROUND), contrast(c, DARK_BACKGROUND)) >= MIN_CONTRAST
