"""Figures for the training lab: decision boundaries, learning curves, gradient norms, neurons (the loss landscape:
figures.landscape)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import diverging, sequential

from optiviz.figures.palette import CLASS_COLOURS, colour, layer_colours
from optiviz.figures.plain import axes, axis, band, cell, even_scale, grid, unvalidated
from optiviz.nn.seeds import count_below, final_values, spread
from optiviz.core.optimizers import OPTIMIZERS

FLOOR = 1e-12  # values below this are drawn at it on log axes


def base_name(label: str) -> str:
    """The optimizer behind a run label: "adam (2)" → "adam"."""
    return label.split(" (")[0]


def run_title(label: str) -> str:
    """A run label for people: "adam (2)" → "Adam (2)"."""
    name = base_name(label)
    return label.replace(name, OPTIMIZERS[name].label, 1) if name in OPTIMIZERS else label


def _trace(kind: str, **properties) -> dict:
    """A trace as a plain dict, e.g. ``_trace("scatter", x=…, y=…)``."""
    return dict(type=kind, **properties)


def _class_scale(classes: int) -> list:
    """Binary: P(class 1) from class 0's tint through white to class 1's tint."""
    return [[0.0, CLASS_COLOURS[0]], [0.5, "#ffffff"], [1.0, CLASS_COLOURS[1]]]


def _grid_layout(n: int) -> tuple[int, int]:
    return (1, n) if n <= 2 else (2, 2) if n == 4 else (1, n)


def _boundary_title(r, epoch: int) -> str:
    epochs = r.history["epoch"].to_numpy()
    shown = int(np.flatnonzero(epochs == min(epoch, int(epochs[-1])))[0])  # NumPy: a pandas row costs ~1 ms
    val_acc = float(r.history["val_acc"].to_numpy(dtype=float)[shown])
    return (f"{run_title(r.optimizer)}<br>epoch {int(epochs[shown])} · val acc {val_acc:.0%}"
            if np.isfinite(val_acc) else f"{run_title(r.optimizer)}<br>epoch {int(epochs[shown])}")


def _boundary_panel(layout: dict, r, epoch: int, points: dict, k: int, first: bool) -> list[dict]:
    """One run's predicted class over the input plane at ``epoch``, with the data, in panel k of ``layout``
    (whose axes it sets): the panel's traces."""
    on = cell(k)
    grid_ = r.grid_at(min(epoch, r.epochs_run))  # recorded, or drawn now for this epoch only
    if grid_.ndim == 2:  # P(class 1)
        data = [
            _trace("heatmap", x=r.grid_x, y=r.grid_y, z=grid_, zmin=0, zmax=1, colorscale=_class_scale(2),
                   opacity=0.75, showscale=first, colorbar=dict(title="P(class 1)", len=0.6, thickness=12),
                   hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>", **on),
            _trace("contour", x=r.grid_x, y=r.grid_y, z=grid_,
                   contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
                   line=dict(color="#333", width=1.5), showscale=False, showlegend=False, hoverinfo="skip", **on)]
    else:  # the most probable class, shaded
        label = np.argmax(grid_, axis=-1)
        scale = [[i / max(grid_.shape[-1] - 1, 1), CLASS_COLOURS[i]] for i in range(grid_.shape[-1])]
        data = [_trace("heatmap", x=r.grid_x, y=r.grid_y, z=label, colorscale=scale, opacity=0.45, showscale=False,
                       hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>class %{z}<extra></extra>", **on)]
    for split, symbol in (("train", "circle"), ("validation", "circle-open")):
        X, y = points[split]
        if len(X) == 0:
            continue
        data.append(_trace(
            "scatter", x=X[:, 0], y=X[:, 1], mode="markers", name=split, legendgroup=split, showlegend=first,
            marker=dict(symbol=symbol, size=6 if split == "train" else 7, color=[CLASS_COLOURS[int(c)] for c in y],
                        line=dict(width=0.8, color="white") if split == "train" else dict(width=1.6)),
            hovertemplate=f"{split}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>", **on))
    axis(layout, "x", k).update(range=[r.grid_x[0], r.grid_x[-1]], constrain="domain")
    axis(layout, "y", k).update(range=[r.grid_y[0], r.grid_y[-1]], scaleanchor=on["xaxis"], constrain="domain",
                                constraintoward="top")  # a narrow screen shrinks the panel, not the data's view
    return data


def decision_boundaries(results, epoch: int, points: dict) -> go.Figure:
    """One panel per optimizer: the predicted class over the input plane at ``epoch``, with the data.

    ``points`` maps "train"/"validation" to (X, y) in raw input coordinates.
    """
    rows, cols = _grid_layout(len(results))
    layout = grid(rows, cols, [_boundary_title(r, epoch) for r in results], horizontal_spacing=0.06,
                  vertical_spacing=0.1, title_size=13)
    data = [t for k, r in enumerate(results) for t in _boundary_panel(layout, r, epoch, points, k + 1, k == 0)]
    layout.update(height=420 * rows, margin=dict(l=10, r=10, t=60, b=10),
                  legend=dict(orientation="h", y=-0.04, x=0, yanchor="top"))
    return unvalidated(data, layout)


def decision_boundary(run, epoch: int, points: dict) -> go.Figure:
    """One optimizer's decision boundary at ``epoch`` as a figure of its own, with its own title, colour bar and
    legend: a page lays several side by side in columns, which a phone stacks (plotly cannot know the width)."""
    layout = grid(1, 1, [_boundary_title(run, epoch)], title_size=13)
    data = _boundary_panel(layout, run, epoch, points, 1, True)
    layout.update(height=400, margin=dict(l=10, r=10, t=50, b=10),
                  legend=dict(orientation="h", y=-0.06, x=0, yanchor="top"))
    return unvalidated(data, layout)


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values for a log axis over [low, high]: 1, 2, 5 × 10ᵏ, or every 1–9 × 10ᵏ when those give fewer than 3."""
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low <= high):
        return []
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    for mantissas in ((1, 2, 5), tuple(range(1, 10))):
        ticks = [float(f"{m}e{k}") for k in range(first, last + 1) for m in mantissas]  # m·10ᵏ, rounded once
        inside = [t for t in ticks if low <= t <= high]
        if len(inside) >= 3:
            break
    below = [t for t in ticks if t < low][-1:]  # one beyond each end: plotly pads the range a little
    above = [t for t in ticks if t > high][:1]
    return below + inside + above


def _log_axis(values) -> dict:
    """A log y-axis whose ticks (1, 2, 5 × 10ᵏ) label every decade and the parts of one."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    ticks = log_ticks(float(v.min()), float(v.max())) if v.size else []
    return dict(type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks]) if ticks else dict(type="log")


SPLIT_NAMES = {"train": "training", "val": "validation"}


def _main_split(seeds) -> str:
    """The split the bands and counts use: validation when there is one, else training."""
    return "val" if any(np.isfinite(c.val_loss).any() for c in seeds) else "train"


def learning_curves(history, seeds=None) -> go.Figure:
    """Loss and accuracy against the epoch for every optimizer: training dashed, validation solid.

    With ``seeds`` (one SeedCurves per optimizer, from ``optiviz.nn.seeds``) the lines are the
    median over the seeds, the shading their 10–90% band (validation, or training without a
    validation split), and the dots at the right of the loss panel each seed's final loss
    (their ``customdata`` is the seed). Without, one run's curves from ``history``.
    """
    layout = grid(1, 2, ("loss", "accuracy"), horizontal_spacing=0.1)
    data, drawn = [], []
    if seeds:
        main = _main_split(seeds)
        last = max(int(c.epochs[-1]) for c in seeds)
        for k, c in enumerate(seeds):
            colour_, name, n = colour(base_name(c.label)), run_title(c.label), len(c.seeds)
            for split, dash in (("train", "dash"), ("val", "solid")):
                for col, metric in ((1, "loss"), (2, "acc")):
                    median, low, high = spread(getattr(c, f"{split}_{metric}"))
                    if metric == "loss":
                        median, low, high = (np.maximum(v, FLOOR) for v in (median, low, high))
                    seen = np.isfinite(median)
                    if not seen.any():
                        continue
                    epochs = c.epochs[seen]
                    if split == main and n > 1:
                        data.append(band(epochs, low[seen], high[seen], colour_,
                                         f"{name} · {SPLIT_NAMES[split]}: 10–90% of {n} seeds", opacity=0.16,
                                         legendgroup=c.label, showlegend=False, **cell(col)))
                    data.append(_trace(
                        "scatter", x=epochs, y=median[seen], mode="lines", line=dict(color=colour_, dash=dash, width=2),
                        name=f"{name} · {SPLIT_NAMES[split]}" + (" (median)" if n > 1 else ""),
                        legendgroup=c.label, showlegend=col == 1,
                        hovertemplate=f"{name} {SPLIT_NAMES[split]}, median<br>epoch %{{x}}<br>{metric} %{{y:.3g}}"
                                      "<extra></extra>", **cell(col)))
                    if metric == "loss":
                        drawn.append(median[seen])
            finals = final_values(c, f"{main}_loss")
            data.append(_trace(
                "scatter", x=np.full(n, last + (k + 1) * max(1.0, last / 40)), y=np.maximum(finals, FLOOR),
                customdata=c.seeds, mode="markers", marker=dict(color=colour_, size=5, opacity=0.7, line=dict(width=0)),
                name=f"{name}: final {SPLIT_NAMES[main]} loss of each seed", legendgroup=c.label, showlegend=False,
                hovertemplate=f"{name}, seed %{{customdata}}<br>final {SPLIT_NAMES[main]} loss %{{y:.3g}}"
                              "<extra></extra>", **cell(1)))
            drawn.append(finals)
    else:
        for label, run in history.groupby("optimizer", sort=False):
            c = colour(base_name(label))
            for split, dash in (("train", "dash"), ("val", "solid")):
                for col, metric in ((1, "loss"), (2, "acc")):
                    values = run[f"{split}_{metric}"].to_numpy(dtype=float)
                    if metric == "loss":
                        values = np.maximum(values, FLOOR)
                        drawn.append(values)
                    if not np.isfinite(values).any():
                        continue
                    data.append(_trace(
                        "scatter", x=run["epoch"].to_numpy(), y=values, mode="lines",
                        line=dict(color=c, dash=dash, width=2), name=f"{run_title(label)} · {SPLIT_NAMES[split]}",
                        legendgroup=label, showlegend=col == 1,
                        hovertemplate=f"{run_title(label)} {split}<br>epoch %{{x}}<br>{metric} %{{y:.3g}}"
                                      "<extra></extra>", **cell(col)))
    axis(layout, "y", 1).update(_log_axis(np.concatenate(drawn) if drawn else []))
    axis(layout, "y", 2).update(range=[0, 1.02], tickformat=".0%")
    for x in axes(layout, "x"):
        x["title"] = dict(text="epoch")
    layout.update(height=460, margin=dict(l=10, r=10, t=40, b=10),  # the legend clear of "epoch" on a phone
                  legend=dict(font=dict(size=11), orientation="h", x=0, y=-0.3, yanchor="top"))
    return unvalidated(data, layout)


def seed_counts(seeds) -> tuple[str, list[tuple[str, str, int, int]]]:
    """Which optimizer ends lowest, and in how many seeds it ends below each other one.

    Returns (split, [(winner, other, k, S), …]): the winner has the lowest median final loss on
    ``split`` (validation, or training without a validation split); k counts the seeds s with
    L_winner,s < L_other,s (paired: the same seed, so the same data order and dropout masks), a
    diverged run counting as +∞ (``optiviz.nn.seeds.count_below``).
    """
    main = _main_split(seeds)
    finals = {c.label: final_values(c, f"{main}_loss") for c in seeds}
    medians = {label: np.nanmedian(v) if np.isfinite(v).any() else np.inf for label, v in finals.items()}
    winner = min(medians, key=medians.get)
    return main, [(winner, other, count_below(finals[winner], finals[other]), len(finals[winner]))
                  for other in finals if other != winner]


def seed_summary(curves, metric: str = "val_acc") -> tuple[float, float, float, list[float]]:
    """(median, 10th, 90th percentile) of the seeds' final ``metric``, and its median curve (recorded epochs only)."""
    median, low, high = (float(v[0]) for v in spread(final_values(curves, metric)))
    curve = spread(getattr(curves, metric))[0]
    return median, low, high, [round(float(v), 4) for v in curve[np.isfinite(curve)]]


def seed_statement(seeds) -> str:
    """The comparison in words, as counts: "Adam ends below SGD in 17 of 20 seeds, …" (markdown)."""
    main, counts = seed_counts(seeds)
    n = len(seeds[0].seeds)
    diverged = [f"{run_title(c.label)} diverged in {int((c.diverged_at >= 0).sum())} of {n}"
                for c in seeds if (c.diverged_at >= 0).any()]
    if not counts:
        median, low, high = spread(final_values(seeds[0], f"{main}_loss"))
        if not np.isfinite(median[0]):
            return f"{run_title(seeds[0].label)} diverged in all {n} seeds."
        text = (f"Final {SPLIT_NAMES[main]} loss of {run_title(seeds[0].label)} over {n} seeds: "
                f"median {median[0]:.3g}, 10–90% from {low[0]:.3g} to {high[0]:.3g}.")
    else:
        winner = run_title(counts[0][0])
        parts = [f"below {run_title(other)} in **{k} of {total}** seeds" for _, other, k, total in counts]
        text = f"Final {SPLIT_NAMES[main]} loss: **{winner}** ends " + ", ".join(parts) + "."
    return text + (f" ({'; '.join(diverged)}.)" if diverged else "")


def gradient_norms(results) -> go.Figure:
    """‖∂J/∂W_l‖ per layer over the epochs, one panel per optimizer, on a log axis."""
    layout = grid(1, len(results), [run_title(r.optimizer) for r in results], shared_yaxes=True,
                  horizontal_spacing=0.04)
    data = [_norm_trace(r, j, name, showlegend=k == 0, **cell(k + 1))
            for k, r in enumerate(results) for j, name in enumerate(r.layer_names)]
    drawn = [np.maximum(r.grad_norms[1:], FLOOR).ravel() for r in results]
    for y in axes(layout, "y"):
        y.update(_log_axis(np.concatenate(drawn) if drawn else []))
    axis(layout, "y", 1)["title"] = dict(text="gradient norm ‖∂J/∂W‖")
    for x in axes(layout, "x"):
        x["title"] = dict(text="epoch")
    layout.update(height=340, margin=dict(l=10, r=10, t=40, b=10))
    return unvalidated(data, layout)


def _norm_trace(r, j: int, name: str, **properties) -> dict:
    """The gradient norm of layer j of run ``r`` over the epochs (from epoch 1)."""
    colours = layer_colours(len(r.layer_names))
    return _trace("scatter", x=r.history["epoch"].to_numpy()[1:], y=np.maximum(r.grad_norms[1:, j], FLOOR),
                  mode="lines", name=name, legendgroup=name, line=dict(color=colours[j], width=2),
                  hovertemplate=f"{name}<br>epoch %{{x}}<br>‖∂J/∂W‖ %{{y:.3g}}<extra></extra>", **properties)


def gradient_norm_panels(results) -> list[go.Figure]:
    """``gradient_norms`` as one figure per optimizer, on the same log y range, for side-by-side columns that a
    phone stacks: each has its own title and legend, so no title runs into the next panel's."""
    drawn = np.concatenate([np.maximum(r.grad_norms[1:], FLOOR).ravel() for r in results] or [np.array([])])
    drawn = drawn[np.isfinite(drawn)]
    y_axis = _log_axis(drawn)
    if drawn.size:
        low, high = np.log10(drawn.min()), np.log10(drawn.max())
        pad = 0.05 * max(high - low, 0.5)
        y_axis["range"] = [low - pad, high + pad]
    figures = []
    for r in results:
        layout = grid(1, 1, [run_title(r.optimizer)], title_size=13)
        data = [_norm_trace(r, j, name, **cell(1)) for j, name in enumerate(r.layer_names)]
        layout["yaxis"].update(y_axis, title=dict(text="‖∂J/∂W‖"))
        layout["xaxis"]["title"] = dict(text="epoch")
        layout.update(height=340, margin=dict(l=10, r=10, t=40, b=10), showlegend=True,
                      legend=dict(orientation="h", y=-0.3, x=0, yanchor="top", font=dict(size=11)))
        figures.append(unvalidated(data, layout))
    return figures


def neuron_maps(grid_x, grid_y, responses: np.ndarray, activation: str) -> go.Figure:
    """Small heatmaps: what each neuron of one hidden layer outputs across the input plane.

    ``responses`` has shape (units, g, g); x and y share one scale, so a square grid
    (``TrainingResult.neuron_tiles``) gives square tiles. ``activation`` is the colour bar's title.
    """
    units = len(responses)
    cols = min(units, 8)
    rows = -(-units // cols)
    layout = grid(rows, cols, [f"unit {i + 1}" for i in range(units)], horizontal_spacing=0.015,
                  vertical_spacing=0.06 if rows > 1 else 0.1, title_size=10)
    scale = float(np.nanmax(np.abs(responses))) or 1.0
    low = -scale if np.nanmin(responses) < 0 else 0.0
    data = [_trace("heatmap", x=grid_x, y=grid_y, z=z, zmin=low, zmax=scale,
                   colorscale=even_scale(diverging.RdBu[::-1] if low < 0 else sequential.Viridis), showscale=i == 0,
                   colorbar=dict(title=dict(text=activation), thickness=10, len=0.7),
                   hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>output %{z:.3f}<extra></extra>", **cell(i + 1))
            for i, z in enumerate(responses)]
    hidden = dict(showticklabels=False, ticks="", showgrid=False, zeroline=False, constrain="domain")
    for x in axes(layout, "x"):
        x.update(hidden)
    for y in axes(layout, "y"):
        y.update(hidden, constraintoward="top")  # each tile right under its title
    for i in range(units):  # equal units on both axes: with a square grid (neuron_tiles) every tile is a square
        axis(layout, "y", i + 1).update(scaleanchor=cell(i + 1)["xaxis"], scaleratio=1)
    layout.update(height=max(130 * rows, 170) + 40, margin=dict(l=10, r=10, t=30, b=10))
    return unvalidated(data, layout)
