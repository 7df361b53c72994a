"""Decision boundaries for the epoch shown: train without recording a grid, draw the one epoch asked for.

``compare(..., record_grid=True)`` evaluates the network on a G × G grid after EVERY epoch: with the
default 60² grid and 700 + 300 points that is G² / (4 N_train + N_val + G²) ≈ 54 % of a run's
counted work (``training.work``), for frames of which a page shows one at a time. Here the runs keep
θ after every epoch instead (``record_params``) and ``TrainingResult.grid_at(e)`` draws frame e on
demand, one forward pass over the grid in evaluation mode, from θ_e:

    P_e(x) = σ(f(x; θ_e))  (softmax for C ≥ 3 classes),   x on the grid over ``view_bounds`` of all points,

which is what the training loop computes for its recorded frame e (tested to float32).

Not possible, so the grids are recorded as before (``on_demand`` is False):

* with batch norm: evaluation uses the running statistics after epoch e, which ``train`` does not keep
  per epoch (only θ);
* when θ after every epoch would not fit MAX_PARAM_VALUES ((epochs + 1) × |θ|);
* for inputs that are not 2-D (no grid at all).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optiviz.core.datasets import Split, grid_points, view_bounds
from optiviz.nn.network import MLP
from optiviz.nn.records import Comparison, Layout, ProgressCallback
from optiviz.nn.training import DEFAULT_GRID_SIZE, MAX_PARAM_VALUES, check_network, compare


def parameter_count(net: MLP) -> int:
    """|θ|: every learned array of ``net`` (W, b, and γ, β with batch norm)."""
    params, _ = net.init(np.random.default_rng(0))
    return Layout.of(params, net.weight_keys).size


def on_demand(net: MLP, epochs: int) -> bool:
    """Whether the grid of any epoch can be drawn later from θ alone (see the module docstring)."""
    return (net.input_dim == 2 and not net.batch_norm
            and (int(epochs) + 1) * parameter_count(net) <= MAX_PARAM_VALUES)


def grid_axes(data: Split, grid_size: int = DEFAULT_GRID_SIZE, bounds=None) -> tuple[np.ndarray, np.ndarray]:
    """(grid_x, grid_y) as ``train`` lays its grid: ``grid_size`` points per side over ``view_bounds`` of all points."""
    if bounds is None:
        X_val = data.X_val if data.X_val is not None and len(data.X_val) else np.empty((0, 2))
        bounds = view_bounds(np.concatenate([np.asarray(data.X_train, dtype=float), np.asarray(X_val, dtype=float)]))
    grid_x, grid_y, _ = grid_points(bounds, grid_size)
    return grid_x, grid_y


def compare_drawn_on_demand(net: MLP, data: Split, optimizers, *, seed: int = 0,
                            progress: ProgressCallback | None = None, grid_size: int = DEFAULT_GRID_SIZE,
                            **settings) -> Comparison:
    """``compare(net, data, optimizers, seed=seed, **settings)`` whose grids are drawn when a figure asks.

    The runs are those of ``compare`` (the same arithmetic: recording a grid never changes θ); where
    ``on_demand`` allows it they record θ every epoch and no grid, and carry the grid's axes so that
    ``grid_at(e)`` draws epoch e. Otherwise this is ``compare`` with its recorded grids.
    """
    net = check_network(net)
    for key in ("record_grid", "record_params", "grid_every", "bounds"):
        if key in settings:
            raise ValueError(f"{key} is chosen by compare_drawn_on_demand itself")
    if not on_demand(net, settings.get("epochs", 50)):
        return compare(net, data, optimizers, seed=seed, progress=progress, grid_size=grid_size, **settings)
    result = compare(net, data, optimizers, seed=seed, progress=progress, record_grid=False, record_params=True,
                     **settings)
    grid_x, grid_y = grid_axes(data, grid_size)
    return Comparison(tuple(replace(r, grid_x=grid_x, grid_y=grid_y,
                                    settings=r.settings | dict(grid_size=grid_size, grid_every=None))
                            for r in result), result.seeds)
