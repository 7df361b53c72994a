"""A toy optimizer added the way a new one is: its rule, and one registry entry (tests only).

signSGD (Bernstein et al. 2018): W ← W − α sign(g). Elementwise, and written in arithmetic that runs on one
Python float as on an array, as the registry asks.
"""

from types import MappingProxyType

from optiviz.core import optimizers
from optiviz.core.optimizers import Optimizer, OptimizerSpec


def signsgd() -> Optimizer:
    """W ← W − α sign(g), sign(0) = 0."""

    def init(params):
        return ()

    def update(g, state, lr):
        sign = (g > 0) * 1.0 - (g < 0) * 1.0
        return -optimizers._per_run(lr, g) * sign, state

    return Optimizer("signsgd", init, update)


SPEC = OptimizerSpec(
    "signsgd", "signSGD", signsgd, (),
    colour="crimson",
    latex=lambda n, lr: [rf"W_{{t+1}} = W_t - {lr}\, \operatorname{{sign}}(g_t)"],
    text=("W ← W − α sign(g)",), note="(sign(0) = 0)",
    rates=MappingProxyType({"beale": 0.02, "ravine": 0.05, "train_network": 0.005, "preprocessing_linear": 0.032,
                            "preprocessing_logistic": 0.063}),
    rate=0.01,  # every other surface
)


def register(monkeypatch) -> OptimizerSpec:
    """Add signSGD to the registry for one test: monkeypatch puts the registry back afterwards."""
    monkeypatch.setitem(optimizers._REGISTRY, SPEC.name, SPEC)
    return SPEC
