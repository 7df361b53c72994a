"""Figures for the training lab: decision boundaries, learning curves, gradient norms, neurons, landscape."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optiviz.figures.palette import CLASS_COLOURS, colour, layer_colours
from optiviz.optimizers import OPTIMIZERS

FLOOR = 1e-12  # values below this are drawn at it on log axes


def base_name(label: str) -> str:
    """The optimizer behind a run label: "adam (2)" → "adam"."""
    return label.split(" (")[0]


def run_title(label: str) -> str:
    """A run label for people: "adam (2)" → "Adam (2)"."""
    name = base_name(label)
    return label.replace(name, OPTIMIZERS[name].label, 1) if name in OPTIMIZERS else label


def _class_scale(classes: int) -> list:
    """Binary: P(class 1) from class 0's tint through white to class 1's tint."""
    return [[0.0, CLASS_COLOURS[0]], [0.5, "#ffffff"], [1.0, CLASS_COLOURS[1]]]


def _grid_layout(n: int) -> tuple[int, int]:
    return (1, n) if n <= 2 else (2, 2) if n == 4 else (1, n)


def decision_boundaries(results, epoch: int, points: dict) -> go.Figure:
    """One panel per optimizer: the predicted class over the input plane at ``epoch``, with the data.

    ``points`` maps "train"/"validation" to (X, y) in raw input coordinates.
    """
    rows, cols = _grid_layout(len(results))
    titles = []
    for r in results:
        row = r.history[r.history["epoch"] == min(epoch, r.epochs_run)].iloc[0]
        titles.append(f"{run_title(r.optimizer)} · epoch {int(row['epoch'])} · val acc {row['val_acc']:.0%}"
                      if np.isfinite(row["val_acc"]) else f"{run_title(r.optimizer)} · epoch {int(row['epoch'])}")
    fig = make_subplots(rows, cols, subplot_titles=titles, horizontal_spacing=0.06, vertical_spacing=0.1)
    for k, r in enumerate(results):
        row, col = k // cols + 1, k % cols + 1
        frame = int(np.searchsorted(r.grid_epochs, min(epoch, r.epochs_run), side="right") - 1)
        grid = r.grids[max(frame, 0)]
        if grid.ndim == 2:  # P(class 1)
            fig.add_trace(go.Heatmap(x=r.grid_x, y=r.grid_y, z=grid, zmin=0, zmax=1, colorscale=_class_scale(2),
                                     opacity=0.75, showscale=k == 0, colorbar=dict(title="P(class 1)", len=0.6, thickness=12),
                                     hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>"), row, col)
            fig.add_trace(go.Contour(x=r.grid_x, y=r.grid_y, z=grid, contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
                                     line=dict(color="#333", width=1.5), showscale=False, showlegend=False, hoverinfo="skip"), row, col)
        else:  # the most probable class, shaded
            label = np.argmax(grid, axis=-1)
            scale = [[i / max(grid.shape[-1] - 1, 1), CLASS_COLOURS[i]] for i in range(grid.shape[-1])]
            fig.add_trace(go.Heatmap(x=r.grid_x, y=r.grid_y, z=label, colorscale=scale, opacity=0.45, showscale=False,
                                     hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>class %{z}<extra></extra>"), row, col)
        for split, symbol in (("train", "circle"), ("validation", "circle-open")):
            X, y = points[split]
            if len(X) == 0:
                continue
            fig.add_trace(go.Scatter(
                x=X[:, 0], y=X[:, 1], mode="markers", name=split, legendgroup=split, showlegend=k == 0,
                marker=dict(symbol=symbol, size=6 if split == "train" else 7, color=[CLASS_COLOURS[int(c)] for c in y],
                            line=dict(width=0.8 if split == "train" else 1.6, color="white" if split == "train" else None)),
                hovertemplate=f"{split}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"), row, col)
        fig.update_xaxes(range=[r.grid_x[0], r.grid_x[-1]], constrain="domain", row=row, col=col)
        fig.update_yaxes(range=[r.grid_y[0], r.grid_y[-1]], scaleanchor=f"x{k + 1 if k else ''}", row=row, col=col)
    fig.update_layout(height=420 * rows, margin=dict(l=10, r=10, t=50, b=10),
                      legend=dict(orientation="h", y=-0.04, x=0, yanchor="top"))
    return fig


def learning_curves(history) -> go.Figure:
    """Loss and accuracy against the epoch for every optimizer: training dashed, validation solid."""
    fig = make_subplots(1, 2, subplot_titles=("loss", "accuracy"), horizontal_spacing=0.1)
    for label, run in history.groupby("optimizer", sort=False):
        c = colour(base_name(label))
        for split, dash in (("train", "dash"), ("val", "solid")):
            for col, metric in ((1, "loss"), (2, "acc")):
                values = run[f"{split}_{metric}"].to_numpy(dtype=float)
                if metric == "loss":
                    values = np.maximum(values, FLOOR)
                if not np.isfinite(values).any():
                    continue
                fig.add_trace(go.Scatter(
                    x=run["epoch"].to_numpy(), y=values, mode="lines", line=dict(color=c, dash=dash, width=2),
                    name=f"{run_title(label)} · {'training' if split == 'train' else 'validation'}",
                    legendgroup=label, showlegend=col == 1,
                    hovertemplate=f"{run_title(label)} {split}<br>epoch %{{x}}<br>{metric} %{{y:.3g}}<extra></extra>"), 1, col)
    fig.update_yaxes(type="log", exponentformat="power", minorloglabels="none", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=10), legend=dict(font=dict(size=11)))
    return fig


def gradient_norms(results) -> go.Figure:
    """‖∂J/∂W_l‖ per layer over the epochs, one panel per optimizer, on a log axis."""
    fig = make_subplots(1, len(results), subplot_titles=[run_title(r.optimizer) for r in results], shared_yaxes=True,
                        horizontal_spacing=0.04)
    for k, r in enumerate(results):
        colours = layer_colours(len(r.layer_names))
        epochs = r.history["epoch"].to_numpy()
        for j, name in enumerate(r.layer_names):
            fig.add_trace(go.Scatter(
                x=epochs[1:], y=np.maximum(r.grad_norms[1:, j], FLOOR), mode="lines", name=name, legendgroup=name,
                showlegend=k == 0, line=dict(color=colours[j], width=2),
                hovertemplate=f"{name}<br>epoch %{{x}}<br>‖∂J/∂W‖ %{{y:.3g}}<extra></extra>"), 1, k + 1)
    fig.update_yaxes(type="log", exponentformat="power", minorloglabels="none")
    fig.update_yaxes(title_text="gradient norm ‖∂J/∂W‖", row=1, col=1)
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def neuron_maps(grid_x, grid_y, responses: np.ndarray, activation: str) -> go.Figure:
    """Small heatmaps: what each neuron of one hidden layer outputs across the input plane.

    ``responses`` has shape (units, g, g).
    """
    units = len(responses)
    cols = min(units, 8)
    rows = -(-units // cols)
    fig = make_subplots(rows, cols, subplot_titles=[f"unit {i + 1}" for i in range(units)],
                        horizontal_spacing=0.015, vertical_spacing=0.06 if rows > 1 else 0.1)
    scale = float(np.nanmax(np.abs(responses))) or 1.0
    low = -scale if np.nanmin(responses) < 0 else 0.0
    for i, z in enumerate(responses):
        fig.add_trace(go.Heatmap(x=grid_x, y=grid_y, z=z, zmin=low, zmax=scale, colorscale="RdBu_r" if low < 0 else "Viridis",
                                 showscale=i == 0, colorbar=dict(title=activation, thickness=10, len=0.7),
                                 hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>output %{z:.3f}<extra></extra>"),
                      i // cols + 1, i % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_annotations(font_size=10)
    fig.update_layout(height=max(150 * rows, 190) + 40, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def landscape(alphas, betas, Z, path_alpha, path_beta, label: str) -> go.Figure:
    """The loss on a 2-D slice through the trained weights, with the training path's shadow on it."""
    z = np.log10(np.maximum(np.where(np.isfinite(Z), Z, np.nan), 1e-6))
    fig = go.Figure(go.Contour(x=alphas, y=betas, z=z, colorscale="Viridis", ncontours=25,
                               colorbar=dict(title="log₁₀ loss", thickness=12),
                               hovertemplate="α=%{x:.2f}<br>β=%{y:.2f}<br>log₁₀ loss=%{z:.2f}<extra></extra>"))
    c = colour(base_name(label))
    fig.add_trace(go.Scatter(x=path_alpha, y=path_beta, mode="lines+markers", name=f"{run_title(label)}: training path (projected)",
                             line=dict(color="white", width=4), marker=dict(size=5, color=c), showlegend=True))
    fig.add_trace(go.Scatter(x=path_alpha[:1], y=path_beta[:1], mode="markers", name="start (epoch 0)",
                             marker=dict(symbol="circle-open", size=14, color="white", line=dict(width=3))))
    fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name="trained weights θ*",
                             marker=dict(symbol="star", size=16, color="white", line=dict(color="black", width=1))))
    fig.update_layout(xaxis_title="α (direction d₁)", yaxis_title="β (direction d₂)", height=480,
                      margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig
