"""The lecture's figures that optiviz reproduces: for each, the page and the settings that redraw it.

Settings are URL query values, spelled as the page's controls show them (an optimizer is
"Momentum", a surface "Ravine"); a list is one value per selected option.
"""

from __future__ import annotations

from typing import NamedTuple


class LectureFigure(NamedTuple):
    """One lecture figure: its number(s), a title, a one-line caption, and where to see it."""

    figures: str
    title: str
    caption: str
    page: str  # a script under pages/
    settings: dict[str, str | list[str]]


RACE, TRAIN, INIT = "pages/optimizer_race.py", "pages/train_network.py", "pages/activations_init.py"
BATCH, RATE, PREP = "pages/batch_size.py", "pages/learning_rate.py", "pages/preprocessing.py"
DOUBLE, REG = "pages/double_descent.py", "pages/regularization.py"

LECTURE_FIGURES = (
    LectureFigure("3", "A loss landscape",
                  "The loss of a trained network on a random 2-D slice through its weights, with the training path.",
                  TRAIN, {"train_tab": "Loss landscape"}),
    LectureFigure("4", "Candidate activation functions",
                  "Sigmoid, tanh, ReLU, leaky ReLU and ELU with their derivatives; shaded where the gradient vanishes.",
                  INIT, {}),
    LectureFigure("5", "Data far from the origin makes the classifier touchy",
                  "The same small weight change flips many more points of a cloud far from the origin than near it.",
                  PREP, {"pp_distance": "10"}),
    LectureFigure("6–7", "Zero-centring, normalising and whitening",
                  "A correlated cloud far from the origin, raw and after each transform, with the loss surface each "
                  "gives in weight space and the same optimizer's path on it.", PREP, {}),
    LectureFigure("8", "Normal initialisation: activations collapse or saturate",
                  "Ten tanh layers of 500 units: with σ = 0.01 the activations shrink to 0, with σ = 1 they pile up at ±1.",
                  INIT, {"init_schemes": ["small normal", "large normal"]}),
    LectureFigure("9", "Xavier initialisation keeps the activations alive",
                  "The same ten tanh layers with Xavier's N(0, 1/N_in): the spread stays the same in every layer.",
                  INIT, {"init_schemes": ["xavier"]}),
    LectureFigure("10", "Batch, mini-batch and stochastic gradient descent",
                  "Full batch, mini-batches and single samples race to the same minimum: smooth but costly steps "
                  "against cheap, noisy ones.", BATCH, {}),
    LectureFigure("11", "The choice of learning rate is critical",
                  "Very high, high, good and low learning rates on the same problem: explode, stall high, converge, creep.",
                  RATE, {}),
    LectureFigure("—", "Annealing the learning rate",
                  "Exponential, 1/t and step decay of α: a decaying rate lets SGD settle instead of bouncing around "
                  "the minimum.", RATE, {"lr_x": "steps"}),
    LectureFigure("12–13", "Gradient descent in a ravine",
                  "Plain gradient descent bounces between the steep walls and crawls along the floor.",
                  RACE, {"surface": "Ravine", "optimizers": ["SGD"]}),
    LectureFigure("14", "Momentum in the ravine",
                  "Momentum cancels the bouncing across the ravine and builds up speed along it.",
                  RACE, {"surface": "Ravine", "optimizers": ["SGD", "Momentum"]}),
    LectureFigure("15", "Optimizers on Beale's function",
                  "Radford's race: momentum shoots past the valley, RMSProp and Adam head for the minimum.",
                  RACE, {"surface": "Beale"}),
    LectureFigure("16", "Optimizers in a long valley",
                  "Radford's second race: SGD barely moves along the flat floor, adaptive methods do.",
                  RACE, {"surface": "Long valley"}),
    LectureFigure("—", "A saddle point",
                  "Gradient descent stalls near the saddle; noise or adaptive steps let it roll off.",
                  RACE, {"surface": "Saddle point"}),
    LectureFigure("17", "Double descent",
                  "Test error against the number of features p: it peaks at the interpolation threshold p = n, then "
                  "falls again, below the null model.", DOUBLE, {}),
    LectureFigure("18", "A polynomial before and after the interpolation threshold",
                  "The min-norm fit is wild at p = n and smooth again well beyond it; press play to sweep p.",
                  DOUBLE, {"dd_fit_features": "40"}),
    LectureFigure("19", "Dropout networks",
                  "Training with and without dropout on the same batches: validation loss below the training loss "
                  "measured with units dropped, and the scaling at test time.", REG, {"reg_tab": "Dropout and batch norm"}),
    LectureFigure("20", "Data augmentation",
                  "Twenty points, rotated, reflected and jittered every epoch: the augmented set and the validation "
                  "curves with and without it.", REG, {"reg_tab": "Data augmentation"}),
    LectureFigure("—", "Weight penalties: L1, L2 and elastic net",
                  "As λ grows, L1 sets weights to exactly zero one by one while L2 shrinks them all.", REG, {}),
    LectureFigure("—", "Early stopping",
                  "Training and validation loss with the patience window; which weights are kept, and what stopping "
                  "too early costs.", REG, {"reg_tab": "Early stopping"}),
)
