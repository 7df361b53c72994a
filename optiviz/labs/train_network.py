"""The training lab's experiment: every optimizer trained from the same initial weights on the same batches."""

from __future__ import annotations

from optiviz.core.datasets import Split
from optiviz.nn import MLP
from optiviz.nn.boundary import compare_drawn_on_demand
from optiviz.nn.records import Comparison, ProgressCallback
from optiviz.nn.seeds import compare_with_seeds
from optiviz.nn.training import OptimizerSetting


def comparison(net: MLP, data: Split, runs: list[OptimizerSetting], *, seed: int = 0, seeds: int = 1,
               progress: ProgressCallback | None = None, **settings) -> Comparison:
    """Each optimizer in ``runs`` trained on ``data``, as the page shows them.

    seeds = S > 1: every optimizer from the seeds seed … seed + S − 1 at once (``optiviz.nn.seeds``); the runs
    are seed ``seed``'s, ``.seeds`` the curves of all, and seed ``seed``'s grids are drawn on demand.
    seeds = 1: one seed, its grids drawn on demand where θ alone is enough (``optiviz.nn.boundary``).
    """
    if seeds > 1:
        return compare_with_seeds(net, data, runs, seed=seed, seeds=seeds, progress=progress, **settings)
    return compare_drawn_on_demand(net, data, runs, seed=seed, progress=progress, **settings)
