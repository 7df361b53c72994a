"""The lecture's figures that optiviz reproduces: for each, the page and the settings that redraw it.

Settings are URL query values, spelled as the page's controls show them (an optimizer is
"Momentum", a surface "Ravine"); a list is one value per selected option.

A card's link also carries ``figure=<slug>``: the page then lands on the card's figure (its
``focus`` charts, by their keys in ``charts.show``). ``present=1`` adds lecture mode (the figure
alone, large); ``step=k`` walks a card's ``steps``, each a view of its own (optiviz.ui.lecture_mode).
"""

from __future__ import annotations

import re
from typing import NamedTuple

Settings = dict[str, str | list[str]]
FIGURE, PRESENT, STEP = "figure", "present", "step"  # the URL names lecture mode reads (no page control uses them)


class Step(NamedTuple):
    """One step of a card a teacher walks through: the settings that draw it and the sentence that goes with it."""

    label: str  # short: "+ Momentum"
    sentence: str
    settings: Settings


class LectureFigure(NamedTuple):
    """One lecture figure: its number(s), a title, a one-line caption, where to see it and which charts show it."""

    figures: str
    title: str
    caption: str
    page: str  # a script under pages/
    settings: Settings
    focus: tuple[str, ...] = ()  # the chart keys that draw it (charts.show), the first landed on
    name: str = ""  # its URL name where it has no figure number
    controls: tuple[str, ...] = ()  # keys of the page's own controls that lecture mode keeps beside the figure
    steps: tuple[Step, ...] = ()  # views a teacher walks through, each with its own settings

    @property
    def slug(self) -> str:
        """Its ``figure=`` value: the figure number ("12-13") or its name ("annealing")."""
        return self.name or self.figures.replace("–", "-")

    @property
    def url_path(self) -> str:
        """The page's URL path: pages/optimizer_race.py is optimizer-race."""
        return self.page.removeprefix("pages/").removesuffix(".py").replace("_", "-")

    @property
    def label(self) -> str:
        """"Figure 14" or, for what the lecture shows without a number, "Beyond the figures"."""
        return f"Figure {self.figures}" if self.figures != "—" else "Beyond the figures"

    def query(self, present: bool = False, step: int = 0) -> Settings:
        """The link's query values: step ``step``'s settings (1 … len(steps); 0: the card's), then the figure."""
        settings = self.steps[step - 1].settings if step else self.settings
        return (settings | {FIGURE: self.slug} | ({PRESENT: "1"} if present else {})
                | ({STEP: str(step)} if step else {}))


RACE, TRAIN, INIT = "pages/optimizer_race.py", "pages/train_network.py", "pages/activations_init.py"
BATCH, RATE, PREP = "pages/batch_size.py", "pages/learning_rate.py", "pages/preprocessing.py"
DOUBLE, REG = "pages/double_descent.py", "pages/regularization.py"

LECTURE_FIGURES = (
    LectureFigure("3", "A loss landscape: not convex",
                  "A deep, narrow network's loss on a random 2-D slice through its trained weights is full of dips; "
                  "the same network with skip connections is a smoother bowl (Li et al. 2018). Below it, the training "
                  "path on its own plane.",
                  TRAIN, {"train_tab": "Loss landscape", "depth": "5", "width": "4", "optimizers": ["Adam"]},
                  focus=("landscape_False", "landscape_True")),
    LectureFigure("4", "Candidate activation functions",
                  "Sigmoid, tanh, ReLU, leaky ReLU and ELU with their derivatives; shaded where the gradient vanishes.",
                  INIT, {}, focus=("activations",)),
    LectureFigure("5", "Data far from the origin makes the classifier touchy",
                  "The same small weight change flips many more points of a cloud far from the origin than near it.",
                  PREP, {"pp_distance": "10"}, focus=("pp_fig5",), controls=("pp_distance", "pp_size")),
    LectureFigure("6–7", "Zero-centring, normalising and whitening",
                  "A correlated cloud far from the origin, raw and after each transform: the loss surface grows "
                  "rounder (κ falls), and gradient descent, each at its own best α, converges slowest on raw data "
                  "and fastest on whitened.", PREP, {},
                  focus=("pp_data", "pp_surfaces")),
    LectureFigure("8", "Normal initialisation: activations collapse or saturate",
                  "Ten tanh layers of 500 units: with σ = 0.01 the activations shrink to a spike at 0, with σ = 2 they "
                  "pile up at ±1; trained (Training tab), both stall.",
                  INIT, {"init_schemes": ["small normal", "large normal"]}, focus=("act_hist",), steps=(
                      Step("σ = 0.01", "Ten tanh layers of 500 units, weights drawn from N(0, 0.01²): each layer "
                           "shrinks the activations, and by the last layers they are a spike at 0.",
                           {"init_schemes": ["small normal"]}),
                      Step("σ = 2", "The same layers with σ = 2: the inputs to tanh are huge, and the activations "
                           "pile up at ±1, where its gradient vanishes.", {"init_schemes": ["large normal"]}),
                      Step("Xavier", "Xavier's N(0, 1/N_in) (Figure 9): no spike at 0 and hardly any saturated "
                           "units; the spread shrinks only slowly from layer to layer.", {"init_schemes": ["Xavier"]}),
                  )),
    LectureFigure("9", "Xavier initialisation keeps the activations alive",
                  "The same ten tanh layers with Xavier's N(0, 1/N_in): no spike at 0 and under 1% saturated (layer "
                  "1's humps near ±1 are tanh of unit-variance inputs); the spread shrinks only slowly, under 3× "
                  "in ten layers. Trained (Training tab), it learns.",
                  INIT, {"init_schemes": ["Xavier"]}, focus=("act_hist",)),
    LectureFigure("10", "Batch, mini-batch and stochastic gradient descent",
                  "Full batch, mini-batches and single samples head for the same minimum: smooth but costly steps "
                  "against cheap, noisy ones.", BATCH, {},
                  focus=("bs_map", "bs_loss")),
    LectureFigure("11", "The choice of learning rate is critical",
                  "Very high, high, good and low learning rates on the same problem: explode, stall high, converge, "
                  "creep; beside it, a range test places the four on one curve.",
                  RATE, {}, focus=("lr_fig11", "lr_range")),
    LectureFigure("—", "Annealing the learning rate",
                  "Exponential, 1/t and step decay of α: a decaying rate lets SGD settle instead of bouncing around "
                  "the minimum (its distance to w* on a log axis, and a zoom on the minimum).", RATE, {"lr_x": "steps"},
                  focus=("lr_anneal_loss", "lr_schedule",
                         *(f"lr_anneal_map_{s}" for s in ("constant", "exp", "inv", "step"))),
                  name="annealing"),
    LectureFigure("12–13", "Gradient descent in a ravine",
                  "Plain gradient descent bounces between the steep walls and crawls along the floor.",
                  RACE, {"surface": "Ravine", "optimizers": ["SGD"]}, focus=("race_map",), steps=(
                      Step("SGD", "Plain gradient descent: the ravine is 100× steeper across than along, so each "
                           "step overshoots the floor and it zig-zags between the walls while it crawls along.",
                           {"surface": "Ravine", "optimizers": ["SGD"]}),
                      Step("+ Momentum", "Momentum adds half of its last step (γ = 0.5): the steps across the "
                           "ravine, opposite in sign, cancel; the steps along it add up. It arrives in about half "
                           "SGD's steps.", {"surface": "Ravine", "optimizers": ["SGD", "Momentum"]}),
                      Step("+ RMSProp", "RMSProp divides each coordinate's step by the size of its recent "
                           "gradients: across and along the ravine its steps are about the same size, so the wide "
                           "zig-zag is gone (near the floor it still rocks a little).",
                           {"surface": "Ravine", "optimizers": ["SGD", "Momentum", "RMSProp"]}),
                      Step("+ Adam", "Adam does both: momentum's running mean of the gradient, scaled like "
                           "RMSProp. Here it heads for the minimum without a zig-zag and ends closest to it.",
                           {"surface": "Ravine", "optimizers": ["SGD", "Momentum", "RMSProp", "Adam"]}),
                  )),
    LectureFigure("14", "Momentum in the ravine",
                  "Momentum cancels the bouncing across the ravine and builds up speed along it.",
                  RACE, {"surface": "Ravine", "optimizers": ["SGD", "Momentum"]}, focus=("race_map",)),
    LectureFigure("15", "Optimizers on Beale's function",
                  "Radford's race: momentum shoots far past the valley and loops back; RMSProp follows the valley and "
                  "hovers a few α from the minimum; Adam arrives; SGD is still on its way.",
                  RACE, {"surface": "Beale"}, focus=("race_map",)),
    LectureFigure("16", "Optimizers in a long valley",
                  "Radford's second race: SGD barely moves along the flat floor, adaptive methods do.",
                  RACE, {"surface": "Long valley"}, focus=("race_map",)),
    LectureFigure("—", "A saddle point",
                  "Gradient descent slides into the saddle and lingers there; adaptive steps roll off at once, and "
                  "gradient noise σ (sidebar) lets SGD roll off sooner.",
                  RACE, {"surface": "Saddle point"}, focus=("race_map",), name="saddle"),
    LectureFigure("17", "Double descent",
                  "A network's test error against its number of random ReLU units p: a classical U, a peak at the "
                  "interpolation threshold p = n, then a second descent past p = 2n to well below the best small "
                  "model and the null model.", DOUBLE, {}, focus=("dd_curve",)),
    LectureFigure("18", "A polynomial before and after the interpolation threshold",
                  "The min-norm fit is wild at p = n and smooth again well beyond it; press play to sweep p.",
                  DOUBLE, {}, focus=("dd_explorer",)),
    LectureFigure("19", "Dropout networks",
                  "Units dropped afresh each training step; on a case built to overfit (60 noisy XOR points), dropout "
                  "keeps the validation loss down over many seeds and data draws, and it lies below the training loss "
                  "measured with units dropped.", REG,
                  {"reg_tab": "Dropout and batch norm"}, focus=("reg_drop_network", "reg_drop_seeds_fig")),
    LectureFigure("20", "Data augmentation",
                  "Twenty points, rotated, reflected and jittered every epoch: the augmented set, and the validation "
                  "loss with and without it over many seeds.", REG, {"reg_tab": "Data augmentation"},
                  focus=("reg_aug_points_fig", "reg_aug_curves")),
    LectureFigure("—", "Weight penalties: L1, L2 and elastic net",
                  "As λ grows, L1 sets weights to exactly zero one by one while L2 shrinks them all.", REG, {},
                  focus=("reg_paths_fig",), name="penalties"),
    LectureFigure("—", "Early stopping",
                  "Training and validation loss with the patience window; which weights are kept, and what stopping "
                  "too early costs.", REG, {"reg_tab": "Early stopping"},
                  focus=("reg_es_curves", "reg_es_risk"), name="early-stopping"),
)

SLUG = re.compile(r"[a-z0-9-]+")
KEY = re.compile(r"[A-Za-z0-9_]+")  # chart and control keys: safe in a CSS class and a JS string as they are
