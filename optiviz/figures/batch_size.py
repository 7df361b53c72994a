"""Figures for the batch-size lab: paths over the loss contours in weight space, and loss curves.

The learning-rate lab draws its maps and curves with the same builders.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optiviz.figures.isolines import isolines
from optiviz.figures.palette import BATCH_COLOURS, INK, MINIMUM_COLOUR, SURFACE_COLOURSCALE
from optiviz.figures.plain import unvalidated

# Full batch, mini-batch and SGD (batch size 1): none borrows an optimizer's colour (figures/palette.py).
RUN_COLOURS = BATCH_COLOURS
X_AXES = MappingProxyType({  # column → axis title; the controls show the words before " ("
    "step": "steps (t)",
    "epoch": "epochs (N/B steps each)",
    "gradient_evaluations": "gradient evaluations (∇Lᵢ computed: samples seen)",
})


def axis_word(x: str) -> str:
    """The short name of an x axis: "epochs" for "epochs (N/B steps each)"."""
    return X_AXES[x].split(" (")[0]


FLOOR = 1e-8  # L − L* below this is drawn at it on the log axis
LEVELS = 14


def map_bounds(start, w_star, pad: float = 0.3) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square view holding the start and the minimum, with room around them."""
    pts = np.array([start, w_star], dtype=float)
    centre = pts.mean(axis=0)
    half = (np.abs(pts[1] - pts[0]).max() / 2) * (1 + 2 * pad) + 0.25
    return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)


def contour_levels(Z: np.ndarray, minimum_loss: float, n: int = LEVELS) -> np.ndarray:
    """Levels L* + (L_max − L*) s² for evenly spaced s: evenly spaced ellipses on a quadratic bowl."""
    top = float(np.quantile(Z, 0.9))
    return minimum_loss + (top - minimum_loss) * np.linspace(0.0, 1.0, n + 1)[1:] ** 2


def map_layers(w1: np.ndarray, w2: np.ndarray, Z: np.ndarray, minimum_loss: float) -> list[dict]:
    """A shaded heatmap of the loss over (w₁, w₂) and its contour lines (Z[j, i] = L(w1[i], w2[j]))."""
    levels = contour_levels(Z, minimum_loss)
    lx, ly, _ = isolines(w1, w2, Z, levels)
    return [
        dict(type="heatmap", x=w1.astype(np.float32), y=w2.astype(np.float32),
             z=np.minimum(Z, levels[-1]).astype(np.float32), colorscale=SURFACE_COLOURSCALE, showscale=False,
             name="loss", hovertemplate="w₁=%{x:.2f}<br>w₂=%{y:.2f}<br>L=%{z:.3g}<extra></extra>"),
        dict(type="scatter", x=lx.astype(np.float32), y=ly.astype(np.float32), mode="lines", name="contours",
             showlegend=False, hoverinfo="skip", line=dict(width=0.8, color="rgba(70,85,110,0.55)")),
    ]


def _markers(w_star, start, legend: bool, star: int = 16) -> list[dict]:
    return [
        dict(type="scatter", x=[w_star[0]], y=[w_star[1]], mode="markers", name="minimum w*", showlegend=legend,
             marker=dict(symbol="star", size=star, color="white", line=dict(color=MINIMUM_COLOUR, width=1.5)),
             hovertemplate="w* = (%{x:.3f}, %{y:.3f})<extra></extra>"),
        dict(type="scatter", x=[start[0]], y=[start[1]], mode="markers", name="start W⁰", showlegend=legend,
             marker=dict(symbol="circle-open", size=13, color=MINIMUM_COLOUR, line=dict(width=2)),
             hovertemplate="start (%{x:.3g}, %{y:.3g})<extra></extra>"),
    ]


def _path_traces(group: pd.DataFrame, name: str, colour: str, legend: bool, epoch_marks: bool) -> list[dict]:
    """One run's path, and a dot at the end of each epoch."""
    traces = [dict(type="scatter", x=group["w1"].to_numpy(np.float32), y=group["w2"].to_numpy(np.float32),
                   mode="lines", name=name, legendgroup=name, showlegend=legend,
                   line=dict(color=colour, width=1.8), customdata=group["step"].to_numpy(),
                   hovertemplate=f"{name}<br>step %{{customdata}}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>")]
    if epoch_marks:
        ends = group[(group["epoch"] > 0) & np.isclose(group["epoch"], np.round(group["epoch"]))]
        traces.append(dict(type="scatter", x=ends["w1"].to_numpy(np.float32), y=ends["w2"].to_numpy(np.float32),
                           mode="markers", name=f"{name}: end of each epoch", legendgroup=name, showlegend=False,
                           marker=dict(size=6, color=colour, line=dict(color="white", width=1)),
                           customdata=ends["epoch"].round().to_numpy(),
                           hovertemplate=f"{name}<br>end of epoch %{{customdata}}<extra></extra>"))
    return traces


def weight_map(layers: list[dict], paths: pd.DataFrame, colours: dict[str, str], w_star, start, bounds,
               names: dict[str, str] | None = None, epoch_marks: bool = True, height: int = 560) -> go.Figure:
    """Every run's path W⁰, W¹, … over the loss contours in weight space, a dot at each epoch's end."""
    names = names or {}
    data = list(layers)
    for run, group in paths.groupby("run", sort=False):
        data += _path_traces(group, names.get(run, run), colours.get(run, INK["grey"]), True, epoch_marks)
    data += _markers(w_star, start, True)
    layout = dict(
        xaxis=dict(range=list(bounds[0]), title=dict(text="w₁"), constrain="domain"),
        yaxis=dict(range=list(bounds[1]), title=dict(text="w₂"), scaleanchor="x"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(l=10, r=10, t=40, b=10),
        height=height,
    )
    return unvalidated(data, layout)


def map_panels(layers: list[dict], paths: pd.DataFrame, colours: dict[str, str], w_star, start, bounds,
               names: dict[str, str] | None = None, height: int = 380, gap: float = 0.03, star: int = 16) -> go.Figure:
    """One small weight-space map per run, side by side, over the same contours; the paths on top of the markers
    (★ of size ``star``), so a path that settles on w* stays visible.

    Built as plain data (no make_subplots, whose validation costs ~0.3 s for four panels).
    """
    names = names or {}
    groups = list(paths.groupby("run", sort=False))
    n = max(len(groups), 1)
    width = (1 - gap * (n - 1)) / n
    data, layout = [], dict(height=height, margin=dict(l=10, r=10, t=40, b=10), showlegend=False, annotations=[])
    for k, (run, group) in enumerate(groups):
        suffix = str(k + 1) if k else ""
        traces = [*layers, *_markers(w_star, start, False, star),
                  *_path_traces(group, names.get(run, run), colours.get(run, INK["grey"]), False, False)]
        data += [t | dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}") for t in traces]
        left = k * (width + gap)
        layout[f"xaxis{suffix}"] = dict(domain=[left, left + width], range=list(bounds[0]), constrain="domain",
                                        title=dict(text="w₁"), anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = dict(range=list(bounds[1]), scaleanchor=f"x{suffix}", showticklabels=k == 0,
                                        constrain="domain",
                                        anchor=f"x{suffix}", title=dict(text="w₂" if k == 0 else ""))
        layout["annotations"].append(dict(text=names.get(run, run), x=0.5, xref=f"x{suffix} domain", y=1.0,
                                          yref=f"y{suffix} domain", yanchor="bottom", xanchor="center", showarrow=False,
                                          font=dict(size=14)))
    return unvalidated(data, layout)


def loss_curves(paths: pd.DataFrame, x: str, colours: dict[str, str], minimum_loss: float,
                names: dict[str, str] | None = None, diverged: tuple[str, ...] = (), log: bool = False,
                dashed: tuple[str, ...] = (), every_epoch: bool = False, log_x: bool = False,
                height: int = 420) -> go.Figure:
    """The full-data loss L(Wᵗ) against the step, the epoch or the gradient evaluations (``x``).

    With ``log`` the height above the minimum, L(Wᵗ) − L(w*), on a log axis; otherwise L itself from
    L(w*) to a little above the start, so a run that blows up leaves the top. A cross marks the last
    point of each run in ``diverged``; runs in ``dashed`` are drawn dashed. With ``every_epoch`` only
    the loss at the end of each epoch is drawn (a learning curve as usually plotted); ``log_x`` puts
    x on a log axis (without its 0).
    """
    if x not in X_AXES:
        raise ValueError(f"x must be one of {', '.join(X_AXES)}, got {x!r}")
    names = names or {}
    data, start = [], float(paths["loss"].iloc[0]) if len(paths) else 1.0
    for run, group in paths.groupby("run", sort=False):
        name, colour = names.get(run, run), colours.get(run, INK["grey"])
        if every_epoch:
            group = group[np.isclose(group["epoch"], np.round(group["epoch"])) | (group.index == group.index[-1])]
        loss = group["loss"].to_numpy()
        y = np.maximum(loss - minimum_loss, FLOOR) if log else np.minimum(loss, 10 * start + 1)
        data.append(dict(type="scatter", x=group[x].to_numpy(), y=y.astype(np.float32), mode="lines", name=name,
                         legendgroup=name,
                         line=dict(color=colour, width=1.6, dash="dash" if run in dashed else "solid"),
                         customdata=loss.astype(np.float32),
                         hovertemplate=f"{name}<br>{axis_word(x)} %{{x:.4g}}<br>L = %{{customdata:.4g}}"
                                       "<extra></extra>"))
        if run in diverged and len(y):
            ceiling = 50 * max(start - minimum_loss, FLOOR) if log else 1.05 * start
            data.append(dict(type="scatter", x=[group[x].iloc[-1]], y=[float(min(y[-1], ceiling))],
                             mode="markers+text", text=["diverged"], textposition="middle left", legendgroup=name,
                             showlegend=False, marker=dict(symbol="x", size=12, color=colour),
                             hovertemplate=f"{name} diverged<extra></extra>"))
    if log:  # up to 100 × the start's height: a run that blows up leaves the top
        top = np.log10(max(start - minimum_loss, FLOOR) * 100)
        low = min((np.log10(float(np.min(t["y"]))) for t in data if len(t["y"])), default=top - 4)
        yaxis = dict(type="log", title=dict(text="L(Wᵗ) − L(w*)"), exponentformat="power", minorloglabels="none",
                     range=[low - 0.2, top])
    else:
        span = start - minimum_loss
        yaxis = dict(title=dict(text="loss L(Wᵗ)"), range=[minimum_loss - 0.04 * span, start + 0.1 * span])
    shapes = [] if log else [dict(type="line", xref="paper", x0=0, x1=1, y0=minimum_loss, y1=minimum_loss,
                                  line=dict(color=MINIMUM_COLOUR, width=1, dash="dot"))]
    annotations = [] if log else [dict(xref="paper", x=1, xanchor="right", y=minimum_loss, yanchor="bottom",
                                       text="L(w*)", showarrow=False, font=dict(size=11))]
    layout = dict(
        xaxis=dict(title=dict(text=X_AXES[x]), type="log", exponentformat="power", minorloglabels="none") if log_x
        else dict(title=dict(text=X_AXES[x]), rangemode="tozero"), yaxis=yaxis, shapes=shapes,
        annotations=annotations, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        margin=dict(l=10, r=10, t=40, b=10), height=height,
    )
    return unvalidated(data, layout)
