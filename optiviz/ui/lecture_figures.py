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
    LectureFigure("3", "A loss landscape: not convex",
                  "A deep, narrow network's loss on a random 2-D slice through its trained weights is full of dips; "
                  "the same network with skip connections is a smoother bowl (Li et al. 2018). Below it, the training "
                  "path on its own plane.",
                  TRAIN, {"train_tab": "Loss landscape", "depth": "5", "width": "4", "optimizers": ["Adam"]}),
    LectureFigure("4", "Candidate activation functions",
                  "Sigmoid, tanh, ReLU, leaky ReLU and ELU with their derivatives; shaded where the gradient vanishes.",
                  INIT, {}),
    LectureFigure("5", "Data far from the origin makes the classifier touchy",
                  "The same small weight change flips many more points of a cloud far from the origin than near it.",
                  PREP, {"pp_distance": "10"}),
    LectureFigure("6–7", "Zero-centring, normalising and whitening",
                  "A correlated cloud far from the origin, raw and after each transform: the loss surface grows "
                  "rounder (κ falls), and gradient descent, each at its own best α, converges slowest on raw data "
                  "and fastest on whitened.", PREP, {}),
    LectureFigure("8", "Normal initialisation: activations collapse or saturate",
                  "Ten tanh layers of 500 units: with σ = 0.01 the activations shrink to a spike at 0, with σ = 2 they "
                  "pile up at ±1; trained (Training tab), both stall.",
                  INIT, {"init_schemes": ["small normal", "large normal"]}),
    LectureFigure("9", "Xavier initialisation keeps the activations alive",
                  "The same ten tanh layers with Xavier's N(0, 1/N_in): no spike at 0 and under 1% saturated (layer "
                  "1's humps near ±1 are tanh of unit-variance inputs); the spread shrinks only slowly, under 3× in ten "
                  "layers. Trained (Training tab), it learns.",
                  INIT, {"init_schemes": ["Xavier"]}),
    LectureFigure("10", "Batch, mini-batch and stochastic gradient descent",
                  "Full batch, mini-batches and single samples head for the same minimum: smooth but costly steps "
                  "against cheap, noisy ones.", BATCH, {}),
    LectureFigure("11", "The choice of learning rate is critical",
                  "Very high, high, good and low learning rates on the same problem: explode, stall high, converge, "
                  "creep; beside it, a range test places the four on one curve.",
                  RATE, {}),
    LectureFigure("—", "Annealing the learning rate",
                  "Exponential, 1/t and step decay of α: a decaying rate lets SGD settle instead of bouncing around "
                  "the minimum (its distance to w* on a log axis, and a zoom on the minimum).", RATE, {"lr_x": "steps"}),
    LectureFigure("12–13", "Gradient descent in a ravine",
                  "Plain gradient descent bounces between the steep walls and crawls along the floor.",
                  RACE, {"surface": "Ravine", "optimizers": ["SGD"]}),
    LectureFigure("14", "Momentum in the ravine",
                  "Momentum cancels the bouncing across the ravine and builds up speed along it.",
                  RACE, {"surface": "Ravine", "optimizers": ["SGD", "Momentum"]}),
    LectureFigure("15", "Optimizers on Beale's function",
                  "Radford's race: momentum shoots far past the valley and loops back; RMSProp follows the valley and "
                  "hovers a few α from the minimum; Adam arrives; SGD is still on its way.",
                  RACE, {"surface": "Beale"}),
    LectureFigure("16", "Optimizers in a long valley",
                  "Radford's second race: SGD barely moves along the flat floor, adaptive methods do.",
                  RACE, {"surface": "Long valley"}),
    LectureFigure("—", "A saddle point",
                  "Gradient descent slides into the saddle and lingers there; adaptive steps roll off at once, and "
                  "gradient noise σ (sidebar) lets SGD roll off sooner.",
                  RACE, {"surface": "Saddle point"}),
    LectureFigure("17", "Double descent",
                  "A network's test error against its number of random ReLU units p: a classical U, a peak at the "
                  "interpolation threshold p = n, then a second descent past p = 2n to well below the best small "
                  "model and the null model.", DOUBLE, {}),
    LectureFigure("18", "A polynomial before and after the interpolation threshold",
                  "The min-norm fit is wild at p = n and smooth again well beyond it; press play to sweep p.",
                  DOUBLE, {}),
    LectureFigure("19", "Dropout networks",
                  "Units dropped afresh each training step; on a case built to overfit (60 noisy XOR points), dropout "
                  "keeps the validation loss down over many seeds and data draws, and it lies below the training loss "
                  "measured with units dropped.", REG,
                  {"reg_tab": "Dropout and batch norm"}),
    LectureFigure("20", "Data augmentation",
                  "Twenty points, rotated, reflected and jittered every epoch: the augmented set, and the validation "
                  "loss with and without it over many seeds.", REG, {"reg_tab": "Data augmentation"}),
    LectureFigure("—", "Weight penalties: L1, L2 and elastic net",
                  "As λ grows, L1 sets weights to exactly zero one by one while L2 shrinks them all.", REG, {}),
    LectureFigure("—", "Early stopping",
                  "Training and validation loss with the patience window; which weights are kept, and what stopping "
                  "too early costs.", REG, {"reg_tab": "Early stopping"}),
)
