"""Figures for the regularization lab: weight paths, early stopping, dropout and batch norm, augmentation.

Data in, ``go.Figure`` out; the ``*_table`` helpers give the tidy data behind a figure for its CSV.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optiviz.figures.palette import (CLASS_COLOURS, FEATURE_COLOURS, INK, NEUTRAL, PENALTY_COLOURS, REGULARIZER_COLOURS,
                                     STOP_COLOUR)
from optiviz.figures.plain import axes, axis, band, cell, grid, unvalidated
from optiviz.nn.seeds import final_values, spread

# One colour per run on every figure of the lab (figures/palette.py; grey = no regularizer). The weights w₁, w₂, …
# (FEATURE_COLOURS, dashed after the sixth) share no colour with the penalties.
RUN_COLOURS = MappingProxyType({
    **PENALTY_COLOURS,
    "no dropout": INK["grey"],
    "dropout": REGULARIZER_COLOURS["dropout"],
    "batch norm": REGULARIZER_COLOURS["batch norm"],
    "without augmentation": INK["grey"],
    "with augmentation": REGULARIZER_COLOURS["with augmentation"],
    "no early stopping": REGULARIZER_COLOURS["early stopping"],
})
PENALTY_TITLES = MappingProxyType({"L1": "L1 (lasso): λ‖w‖₁", "L2": "L2 (ridge): (λ/2)‖w‖²",
                                   "elastic net": "elastic net: αλ‖w‖₁ + ((1−α)λ/2)‖w‖²"})
FLOOR = 1e-4  # losses below this are drawn at it on log axes
DROPPED_COLOUR = REGULARIZER_COLOURS["dropout"]  # the training loss with units dropped (dotted): the dropout lesson


def run_colour(label: str) -> str:
    """The colour of a run of this lab (grey for labels without one)."""
    return RUN_COLOURS.get(label, INK["grey"])


def _feature_line(j: int) -> dict:
    return dict(color=FEATURE_COLOURS[j % len(FEATURE_COLOURS)], width=2,
                dash="solid" if j < len(FEATURE_COLOURS) else "dash")


def _vline(x, k: int, line: dict) -> dict:
    """A vertical line at x across panel k (plotly's ``add_vline``, as a plain shape)."""
    on = cell(k)
    return dict(type="line", x0=x, x1=x, xref=on["xaxis"], y0=0, y1=1, yref=f"{on['yaxis']} domain", line=line)


def _hline(y, line: dict) -> dict:
    """A horizontal line at y across the plot (plotly's ``add_hline``, as a plain shape)."""
    return dict(type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y", line=line)


def _note(text: str, size: int, **where) -> dict:
    return dict(text=text, showarrow=False, font=dict(size=size), **where)


# ---- weight paths -----------------------------------------------------------------------------------


def zero_points(paths: pd.DataFrame) -> pd.DataFrame:
    """For each penalty and feature, the λ from which the weight stays exactly 0 (none for ridge).

    Columns penalty, feature, lambda; a weight that is still nonzero at the largest λ has no row.
    """
    rows = []
    for (penalty, feature), path in paths.sort_values("lambda").groupby(["penalty", "feature"], sort=False):
        nonzero = path["nonzero"].to_numpy()
        if not nonzero[-1]:
            last = np.flatnonzero(nonzero)
            k = last[-1] + 1 if last.size else 0
            rows.append((penalty, feature, float(path["lambda"].iloc[k])))
    return pd.DataFrame(rows, columns=["penalty", "feature", "lambda"])


def weight_paths(paths: pd.DataFrame, lam_max: float, chosen: float, mix: float) -> go.Figure:
    """w_j(λ) for L1, L2 and the elastic net side by side; dots where a weight becomes exactly 0.

    ``paths`` is the tidy table of :func:`optiviz.labs.regularization.penalty_paths.penalty_paths`; ``chosen`` is
    marked by a dashed line, λ_max (L1) and λ_max/α (elastic net) by dotted ones.
    """
    names = list(PENALTY_TITLES)
    layout = grid(1, 3, [(f"{PENALTY_TITLES[n]}, α = {mix:g}" if n == "elastic net" else  # name, then
                          PENALTY_TITLES[n]).replace(": ", "<br>") for n in names],  # penalty: fits a third
                  shared_yaxes=True, horizontal_spacing=0.03, title_size=13)
    notes = layout["annotations"]
    zeros = zero_points(paths)
    data, shapes = [], []
    for col, name in enumerate(names, start=1):
        part = paths[paths["penalty"] == name]
        for j, (feature, path) in enumerate(part.groupby("feature")):
            data.append(dict(
                type="scatter", x=path["lambda"].to_numpy(), y=path["weight"].to_numpy(), mode="lines",
                line=_feature_line(j), name=f"w{feature}", legendgroup=f"w{feature}", showlegend=col == 1,
                hovertemplate=f"{name}<br>w{feature} = %{{y:.4g}}<br>λ = %{{x:.3g}}<extra></extra>", **cell(col)))
        z = zeros[zeros["penalty"] == name]
        if len(z):
            data.append(dict(
                type="scatter", x=z["lambda"].to_numpy(), y=np.zeros(len(z)), mode="markers", showlegend=col == 1,
                name="weight becomes exactly 0", legendgroup="zero",
                marker=dict(size=9, color=[FEATURE_COLOURS[(f - 1) % len(FEATURE_COLOURS)] for f in z["feature"]],
                            line=dict(color="white", width=1.5)),
                hovertemplate="w%{text} = 0 from λ = %{x:.3g} on<extra></extra>", text=z["feature"].to_numpy(),
                **cell(col)))
        shapes.append(_vline(chosen, col, dict(color=NEUTRAL, dash="dash", width=1)))
    for col, (top, text) in ((1, (lam_max, "λ_max")), (3, (lam_max / mix, "λ_max/α"))):
        shapes.append(_vline(top, col, dict(color=NEUTRAL, dash="dot", width=1.5)))
        # annotations on a log axis take log10 of the position (shapes take the value itself)
        notes.append(_note(text, 11, x=np.log10(top), y=1, xref=cell(col)["xaxis"],
                           yref=f"{cell(col)['yaxis']} domain", xanchor="left", yanchor="top"))
    span = np.log10([paths["lambda"].min(), paths["lambda"].max()])
    for x in axes(layout, "x"):
        x.update(type="log", exponentformat="power", title=dict(text="penalty strength λ →"), range=list(span))
    layout["yaxis"].update(title=dict(text="weight w_j"), zeroline=True)
    layout.update(shapes=shapes, height=400, margin=dict(l=10, r=10, t=60, b=10), hovermode="closest",
                  legend=dict(orientation="h", y=-0.2, x=0, yanchor="top"))
    return unvalidated(data, layout)


def weights_at(paths: pd.DataFrame, chosen: float) -> tuple[go.Figure, float]:
    """(figure, λ shown): the weights of each penalty at the grid λ nearest ``chosen``, and the count of
    nonzero weights against λ. Exact zeros are labelled "0"."""
    lambdas = np.sort(paths["lambda"].unique())
    lam = float(lambdas[np.argmin(np.abs(np.log(lambdas) - np.log(chosen)))])
    layout = grid(1, 2, (f"weights at λ = {lam:.3g}", "number of nonzero weights"), column_widths=[0.55, 0.45],
                  horizontal_spacing=0.1)
    at = paths[paths["lambda"] == lam]
    data = [dict(type="bar", x=[f"w{f}" for f in part["feature"]], y=part["weight"].to_numpy(), name=name,
                 legendgroup=name, marker=dict(color=run_colour(name)), text=np.where(part["nonzero"], "", "0"),
                 textposition="outside", hovertemplate=f"{name}<br>%{{x}} = %{{y:.4g}}<extra></extra>", **cell(1))
            for name, part in at.groupby("penalty", sort=False)]
    counts = paths.groupby(["penalty", "lambda"], sort=False)["nonzero"].sum().reset_index()
    data += [dict(type="scatter", x=part["lambda"].to_numpy(), y=part["nonzero"].to_numpy(), mode="lines",
                  line=dict(color=run_colour(name), width=2.5, shape="hv", dash="dot" if name == "L2" else "solid"),
                  name=name, legendgroup=name, showlegend=False,
                  hovertemplate=f"{name}<br>λ = %{{x:.3g}}<br>%{{y}} nonzero<extra></extra>", **cell(2))
             for name, part in counts.groupby("penalty", sort=False)]
    layout["xaxis2"].update(type="log", exponentformat="power", title=dict(text="penalty strength λ →"))
    layout["yaxis"].update(title=dict(text="weight"), zeroline=True)
    layout["yaxis2"].update(title=dict(text="nonzero weights"), rangemode="tozero", dtick=1)
    layout.update(shapes=[_vline(lam, 2, dict(color=NEUTRAL, dash="dash", width=1))], height=340, barmode="group",
                  margin=dict(l=10, r=10, t=40, b=10))
    return unvalidated(data, layout), lam


def network_weights(results) -> go.Figure:
    """Histogram of every weight of each trained network (one outline per penalty), on a log count axis."""
    values = {r.optimizer: r.layout.flatten(r.params)[: r.layout.n_weights] for r in results}
    edge = max(float(np.max(np.abs(v))) for v in values.values()) or 1.0
    bins = np.linspace(-edge, edge, 81)
    data = [dict(type="scatter", x=(bins[:-1] + bins[1:]) / 2, y=np.histogram(w, bins)[0], mode="lines",
                 line=dict(color=run_colour(label), width=2, shape="hvh"),
                 name=f"{label}: ‖W‖ = {np.linalg.norm(w):.2f}",
                 hovertemplate=f"{label}<br>w ≈ %{{x:.3f}}<br>%{{y}} weights<extra></extra>")
            for label, w in values.items()]
    layout = dict(yaxis=dict(type="log", title=dict(text="weights (log scale)"), exponentformat="power"),
                  xaxis=dict(title=dict(text="weight value")), height=320, margin=dict(l=10, r=10, t=30, b=10),
                  legend=dict(x=1, xanchor="right", y=1))
    return unvalidated(data, layout)


def grid_table(results) -> pd.DataFrame:
    """The last grid frame of each run as a tidy table: run, x, y, P(class 1)."""
    frames = []
    for r in results:
        xx, yy = np.meshgrid(r.grid_x, r.grid_y)
        frames.append(pd.DataFrame({"run": r.optimizer, "x": xx.ravel(), "y": yy.ravel(),
                                    "p_class_1": r.grids[-1].ravel()}))
    return pd.concat(frames, ignore_index=True)


# ---- curves -------------------------------------------------------------------------------------------


def _curve(x, y, label: str, split: str, col: int, showlegend: bool, **line) -> dict:
    return dict(
        type="scatter", x=x, y=y, mode="lines", name=f"{label} · {split}", legendgroup=f"{label}{split}",
        showlegend=showlegend, line=dict(color=run_colour(label), width=2, **line),
        hovertemplate=f"{label} · {split}<br>epoch %{{x}}<br>%{{y:.3g}}<extra></extra>", **cell(col))


def early_stopping_curves(history: pd.DataFrame, stopped_at: int, kept_epoch: int, patience: int) -> go.Figure:
    """Training and validation loss of a run taken to the end, with early stopping at ``patience`` drawn on it.

    Shaded: the patience window (kept epoch → stop). ★: the weights kept. After the stop the curves
    are faint: the epochs early stopping does not run. ``stopped_at`` −1 means it never fires.
    """
    epoch = history["epoch"].to_numpy()
    end = stopped_at if stopped_at >= 0 else int(epoch[-1])
    data = []
    for column, split, dash in (("train_loss", "training", "dash"), ("val_loss", "validation", "solid")):
        values = history[column].to_numpy(dtype=float)
        ran = epoch <= end
        data.append(dict(type="scatter", x=epoch[ran], y=values[ran], mode="lines", name=f"{split} loss",
                         line=dict(color=REGULARIZER_COLOURS["early stopping"], width=2.5, dash=dash),
                         hovertemplate=f"{split}<br>epoch %{{x}}<br>loss %{{y:.4f}}<extra></extra>"))
        if not ran.all():
            data.append(dict(type="scatter", x=epoch[epoch >= end], y=values[epoch >= end], mode="lines", opacity=0.35,
                             name=f"{split} loss after the stop (never run)",
                             line=dict(color=NEUTRAL, width=1.5, dash=dash),
                             hovertemplate=f"{split} (not run)<br>epoch %{{x}}<br>loss %{{y:.4f}}<extra></extra>"))
    val = history["val_loss"].to_numpy(dtype=float)
    shapes, notes = [], []
    if stopped_at >= 0:
        shapes = [dict(type="rect", x0=kept_epoch, x1=stopped_at, xref="x", y0=0, y1=1, yref="y domain",
                       fillcolor=STOP_COLOUR, opacity=0.15, line=dict(width=0)),
                  _vline(stopped_at, 1, dict(color=STOP_COLOUR, width=2))]
        notes = [_note(f"patience: {patience} epochs without a new best", 11, x=kept_epoch, xanchor="left", xref="x",
                       y=1, yanchor="top", yref="y domain"),
                 _note(f"stops at epoch {stopped_at}", 12, x=stopped_at, xanchor="left", xref="x", y=0,
                       yanchor="bottom", yref="y domain")]
    data.append(dict(type="scatter", x=[kept_epoch], y=[val[kept_epoch]], mode="markers",
                     name=f"weights kept: epoch {kept_epoch}",
                     marker=dict(symbol="star", size=16, color=STOP_COLOUR, line=dict(color="white", width=1)),
                     hovertemplate="weights kept<br>epoch %{x}<br>validation loss %{y:.4f}<extra></extra>"))
    later = history.loc[history["epoch"] >= 1, ["train_loss", "val_loss"]].to_numpy(dtype=float)
    top = np.nanmax(later) if np.isfinite(later).any() else np.nanmax(val)
    layout = dict(xaxis=dict(title=dict(text="epoch")),
                  yaxis=dict(title=dict(text="loss L"), **({"range": [0, 1.1 * top]} if np.isfinite(top) else {})),
                  height=420, margin=dict(l=10, r=10, t=30, b=10),
                  legend=dict(orientation="h", y=-0.18, x=0, yanchor="top"))
    return unvalidated(data, layout | ({"shapes": shapes, "annotations": notes} if shapes else {}))


def _patience_layout(height: int, legend_y: float, shapes: list[dict], notes: list[dict]) -> dict:
    return dict(xaxis=dict(title=dict(text="patience P")),
                yaxis=dict(title=dict(text="validation loss of the kept weights")), shapes=shapes, annotations=notes,
                height=height, margin=dict(l=10, r=10, t=30, b=10),
                legend=dict(orientation="h", y=legend_y, x=0, yanchor="top"))


def patience_risk(rule, chosen: int, last_loss: float, best_loss: float) -> go.Figure:
    """Validation loss of the weights early stopping keeps, against the patience: too small a patience stops
    on an early bump; the lines mark never stopping (the last epoch) and the best epoch of the whole run."""
    data = [dict(
        type="scatter", x=rule.patience, y=rule.kept_loss, mode="lines+markers",
        line=dict(color=REGULARIZER_COLOURS["early stopping"], width=2.5, shape="hv"),
        marker=dict(size=4), name="early stopping: validation loss of the kept weights",
        customdata=np.stack([rule.stopped_at, rule.kept_epoch], axis=1),
        hovertemplate="patience %{x}<br>stops at epoch %{customdata[0]}<br>keeps epoch %{customdata[1]}"
                      "<br>validation loss %{y:.4f}<extra></extra>")]
    k = int(np.searchsorted(rule.patience, chosen))
    if k < len(rule.patience) and rule.patience[k] == chosen:
        data.append(dict(type="scatter", x=[chosen], y=[rule.kept_loss[k]], mode="markers",
                         name=f"your patience: {chosen}", marker=dict(size=13, color=STOP_COLOUR, symbol="star"),
                         hovertemplate="patience %{x}<br>validation loss %{y:.4f}<extra></extra>"))
    shapes = [_hline(last_loss, dict(color=NEUTRAL, dash="dash")), _hline(best_loss, dict(color=NEUTRAL, dash="dot"))]
    notes = [_note("no early stopping (last epoch)", 11, x=1, xanchor="right", xref="x domain", y=last_loss,
                   yanchor="bottom", yref="y"),
             _note("best epoch of the whole run", 11, x=1, xanchor="right", xref="x domain", y=best_loss,
                   yanchor="top", yref="y")]
    return unvalidated(data, _patience_layout(420, -0.18, shapes, notes))


def patience_spread(many, chosen: int) -> go.Figure:
    """Early stopping over many seeds: the validation loss of the kept weights against the patience (median and
    10–90% band over the seeds), beside the last epoch's (no early stopping); ``many`` is a StopSpread."""
    P = np.asarray(many.patience)
    med, low, high = spread(many.kept_loss)
    last = spread(np.asarray(many.last_loss)[:, None])
    colour_ = REGULARIZER_COLOURS["early stopping"]
    data = [band(P, low, high, colour_, f"kept weights, 10–90% of {len(many.kept_loss)} seeds"),
            dict(type="scatter", x=P, y=med, mode="lines", line=dict(color=colour_, width=2.5, shape="hv"),
                 name="early stopping: kept weights (median)",
                 hovertemplate="patience %{x}<br>median validation loss %{y:.4f}<extra></extra>")]
    shapes = [dict(type="rect", x0=0, x1=1, xref="x domain", y0=float(last[1][0]), y1=float(last[2][0]), yref="y",
                   fillcolor="#888", opacity=0.12, line=dict(width=0)),
              _hline(float(last[0][0]), dict(color=NEUTRAL, dash="dash"))]
    notes = [_note("no early stopping (last epoch), median and 10–90%", 11, x=1, xanchor="right", xref="x domain",
                   y=float(last[0][0]), yanchor="bottom", yref="y")]
    k = int(np.searchsorted(P, chosen))
    if k < len(P) and P[k] == chosen:
        data.append(dict(type="scatter", x=[chosen], y=[med[k]], mode="markers", name=f"your patience: {chosen}",
                         marker=dict(size=13, color=STOP_COLOUR, symbol="star"),
                         hovertemplate="patience %{x}<br>median validation loss %{y:.4f}<extra></extra>"))
    return unvalidated(data, _patience_layout(360, -0.2, shapes, notes))


def regularizer_curves(results, dropped: np.ndarray | None = None) -> go.Figure:
    """One panel per run: training loss (dashed) and validation loss (solid); for dropout also the training
    loss with units dropped (dotted), the loss the optimizer sees. Shared log loss axis."""
    layout = grid(1, len(results), [r.optimizer for r in results], shared_yaxes=True,
                  horizontal_spacing=0.06)  # room for "60" | "0" on a phone
    data = []
    for col, r in enumerate(results, start=1):
        h = r.history
        epoch = h["epoch"].to_numpy()
        data += [_curve(epoch, np.maximum(h["train_loss"].to_numpy(dtype=float), FLOOR), r.optimizer,
                        "training (full network)", col, True, dash="dash"),
                 _curve(epoch, np.maximum(h["val_loss"].to_numpy(dtype=float), FLOOR), r.optimizer, "validation",
                        col, True)]
        if r.optimizer == "dropout" and dropped is not None:
            data.append(dict(
                type="scatter", x=epoch, y=np.maximum(dropped[: len(epoch)], FLOOR), mode="lines",
                name="dropout · training, units dropped", line=dict(color=DROPPED_COLOUR, width=2.5, dash="dot"),
                hovertemplate="training loss, units dropped<br>epoch %{x}<br>%{y:.3g}<extra></extra>", **cell(col)))
    for y in axes(layout, "y"):
        y.update(type="log", exponentformat="power", minorloglabels="none")
    layout["yaxis"]["title"] = dict(text="loss L (log scale)")
    for x in axes(layout, "x"):
        x["title"] = dict(text="epoch")
    layout.update(height=380, margin=dict(l=10, r=10, t=40, b=10),  # legend low enough to clear "epoch" on a phone
                  legend=dict(orientation="h", y=-0.3, x=0, yanchor="top"))
    return unvalidated(data, layout)


def dropout_scaling(table: pd.DataFrame, drop: float) -> go.Figure:
    """Each unit's mean activation: training time (averaged over many masks) against test time, for the
    original dropout (scale by 1 − p at test) and inverted dropout (scale by 1/(1 − p) while training)."""
    layout = grid(1, 2, (f"original dropout (p = {drop:g})<br>train: m⊙h<br>test: (1−p)·h",  # short lines: phones
                         "inverted dropout<br>train: m⊙h/(1−p)<br>test: h"), shared_yaxes=True, horizontal_spacing=0.04,
                  title_size=13)
    units = [f"{u}" for u in table["unit"]]
    bars = (
        (1, "original: training m⊙h", "training: mean of m⊙h over the masks", INK["cyan"]),
        (1, "original: test (1−p)·h", "test: (1−p)·h (scaled by 1 − p)", INK["grey"]),
        (2, "inverted: training m⊙h/(1−p)", "training: mean of m⊙h/(1−p) over the masks", INK["olive"]),
        (2, "test h", "test: h (no scaling)", INK["grey"]),
    )
    data = [dict(type="bar", x=units, y=table[column].to_numpy(), name=name,
                 marker=dict(color=colour, pattern=dict(shape="/" if col == 2 else "")),  # inverted: hatched
                 opacity=0.6 if "test" in name else 1.0,  # (both tests are grey)
                 hovertemplate=f"unit %{{x}}<br>{name}<br>%{{y:.4f}}<extra></extra>", **cell(col))
            for col, column, name, colour in bars]
    data.append(dict(type="scatter", x=units, y=table["test h"].to_numpy(), mode="markers",
                     name="original at test without its 1 − p: h, 1/(1−p) too big",
                     marker=dict(symbol="x-thin", size=10, line=dict(width=2, color=NEUTRAL)),
                     hovertemplate="unit %{x}<br>unscaled h %{y:.4f}<extra></extra>", **cell(1)))
    for x in axes(layout, "x"):
        x["title"] = dict(text="unit of hidden layer 1")
    layout["yaxis"]["title"] = dict(text="mean activation over the training points")
    layout.update(height=400, barmode="group", margin=dict(l=10, r=10, t=80, b=10),
                  legend=dict(orientation="h", y=-0.3, x=0, yanchor="top"))
    return unvalidated(data, layout)


# ---- many seeds ---------------------------------------------------------------------------------------------


def seed_bands(curves, title: str = "", log: bool = True, training: bool = True) -> go.Figure:
    """Validation loss (solid) and training loss (dashed) of each run: the median over the seeds, the 10–90% band
    of the validation loss shaded, and each seed's last validation loss as a dot (``curves``: SeedCurves, one per run;
    a diverged seed has no dot)."""
    data = []
    floor = FLOOR if log else -np.inf
    for c in curves:
        colour = run_colour(c.label)
        epoch = np.asarray(c.epochs, dtype=float)
        med, low, high = spread(c.val_loss)
        seen = ~np.isnan(med)
        data.append(band(epoch[seen], np.maximum(low[seen], floor), np.maximum(high[seen], floor), colour,
                         f"{c.label} · validation, 10–90% of {len(c.seeds)} seeds", legendgroup=c.label))
        data.append(dict(
            type="scatter", x=epoch, y=np.maximum(med, floor), mode="lines", line=dict(color=colour, width=2.5),
            name=f"{c.label} · validation (median)", legendgroup=c.label,
            hovertemplate=f"{c.label} · validation, median<br>epoch %{{x}}<br>%{{y:.3g}}<extra></extra>"))
        last = final_values(c)
        data.append(dict(
            type="scatter", x=np.full(len(last), epoch[-1]), y=np.maximum(last, floor), mode="markers",
            customdata=np.asarray(c.seeds), marker=dict(color=colour, size=6, opacity=0.7,
                                                        line=dict(color="white", width=0.5)),
            name=f"{c.label} · each seed's last epoch", legendgroup=c.label, showlegend=False,
            hovertemplate=f"{c.label}<br>seed %{{customdata}}<br>last validation loss %{{y:.3g}}<extra></extra>"))
        if training:
            data.append(dict(
                type="scatter", x=epoch, y=np.maximum(spread(c.train_loss)[0], floor), mode="lines",
                line=dict(color=colour, width=1.5, dash="dash"), name=f"{c.label} · training (median)",
                legendgroup=c.label,
                hovertemplate=f"{c.label} · training, median<br>epoch %{{x}}<br>%{{y:.3g}}<extra></extra>"))
    y_axis = (dict(type="log", exponentformat="power", minorloglabels="none", title=dict(text="loss L (log scale)"))
              if log else dict(title=dict(text="loss L"), rangemode="tozero"))
    layout = dict(yaxis=y_axis, xaxis=dict(title=dict(text="epoch")), height=380,
                  margin=dict(l=10, r=10, t=40 if title else 20, b=10),
                  legend=dict(orientation="h", y=-0.28, x=0, yanchor="top"))  # clears "epoch" on a phone
    if title:
        layout["title"] = dict(text=title, font=dict(size=14), x=0.01)
    return unvalidated(data, layout)


# ---- the dropout network, redrawn each step ---------------------------------------------------------------

KEPT_COLOUR, DROPPED_COLOUR_NODE = REGULARIZER_COLOURS["dropout"], "#d9d9d9"  # a dropped unit: pale, outlined


def _layers_shown(widths, shown: int) -> list[int]:
    return [2, *[min(w, shown) for w in widths], 1]


def _node_positions(sizes: list[int]) -> list[np.ndarray]:
    """(x, y) of each node, layer by layer, each layer centred vertically."""
    return [np.stack([np.full(n, float(i)), (n - 1) / 2 - np.arange(n)], axis=1) for i, n in enumerate(sizes)]


def _network_traces(positions, kept: list[np.ndarray]) -> list[dict]:
    """Kept connections, dropped connections, kept units, dropped units (four traces, same order every step)."""
    on_x, on_y, off_x, off_y = [], [], [], []
    for i in range(len(positions) - 1):
        for a, pa in enumerate(positions[i]):
            for b, pb in enumerate(positions[i + 1]):
                live = kept[i][a] and kept[i + 1][b]
                xs, ys = (on_x, on_y) if live else (off_x, off_y)
                xs += [pa[0], pb[0], None]
                ys += [pa[1], pb[1], None]
    nodes = np.concatenate(positions)
    alive = np.concatenate(kept)
    # every trace keeps at least one point (a frame that empties a trace leaves its old line drawn)
    return [
        dict(type="scatter", x=on_x or [None], y=on_y or [None], mode="lines", hoverinfo="skip",
             line=dict(color=NEUTRAL, width=1), opacity=0.7, name="connection used"),
        dict(type="scatter", x=off_x or [None], y=off_y or [None], mode="lines", hoverinfo="skip",
             line=dict(color=NEUTRAL, width=0.7, dash="dot"), opacity=0.35, name="connection dropped"),
        dict(type="scatter", x=nodes[:, 0], y=nodes[:, 1], mode="markers", hoverinfo="skip",
             name="unit kept", marker=dict(size=[18 if a else 0 for a in alive], color=KEPT_COLOUR,
                                           line=dict(color=NEUTRAL, width=1.2))),
        dict(type="scatter", x=nodes[:, 0], y=nodes[:, 1], mode="markers", hoverinfo="skip",
             name="unit dropped (×)", marker=dict(size=[0 if a else 18 for a in alive], color=DROPPED_COLOUR_NODE,
                                                 symbol="circle-x", line=dict(color=NEUTRAL, width=1.2))),
    ]


def dropout_network(masks: np.ndarray, widths, drop: float, shown: int = 8) -> go.Figure:
    """The network with the units dropped at each training step greyed out and crossed (×), one frame per step.

    ``masks`` (steps, hidden layers, max width) bool, True = kept (``regularizers.dropout_masks``);
    only the first ``shown`` units of each hidden layer are drawn. Input and output units are never dropped.
    """
    masks = np.asarray(masks, dtype=bool)
    sizes = _layers_shown(widths, shown)
    positions = _node_positions(sizes)

    def kept(step: int) -> list[np.ndarray]:
        return [np.ones(2, bool), *[masks[step, i, :sizes[i + 1]] for i in range(len(widths))], np.ones(1, bool)]

    def label(step: int) -> dict:
        used = [int(masks[step, i, :w].sum()) for i, w in enumerate(widths)]
        text = (f"step {step + 1}: " + ", ".join(f"layer {i + 1} keeps {u} of {w}" for i, (u, w) in
                                                 enumerate(zip(used, widths))))
        return dict(type="scatter", x=[len(sizes) / 2 - 0.5], y=[(max(sizes) - 1) / 2 + 0.9], mode="text", text=[text],
                    textfont=dict(size=13), hoverinfo="skip", showlegend=False, name="step")

    data = [*_network_traces(positions, kept(0)), label(0)]
    frames = [dict(name=str(k + 1), data=[*_network_traces(positions, kept(k)), label(k)], traces=[0, 1, 2, 3, 4])
              for k in range(len(masks))]
    play = dict(frame=dict(duration=700, redraw=True), transition=dict(duration=0), fromcurrent=True, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=True), transition=dict(duration=0), mode="immediate")
    top = max(sizes)
    annotations = [dict(x=i, y=-(top - 1) / 2 - 0.9, text=name, showarrow=False, font=dict(size=12))
                   for i, name in enumerate(["input", *[f"hidden {i + 1}" + (f"<br>(first {shown} of {w})" if w > shown
                                                                              else "") for i, w in enumerate(widths)],
                                             "output"])]
    layout = dict(
        height=420, margin=dict(l=10, r=10, t=50, b=10), showlegend=True,
        legend=dict(orientation="h", y=1.01, x=0, yanchor="bottom"),
        xaxis=dict(visible=False, range=[-0.4, len(sizes) - 0.6]),
        yaxis=dict(visible=False, range=[-(top - 1) / 2 - 1.4, (top - 1) / 2 + 1.4]),
        annotations=annotations,
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-0.06, xanchor="left", yanchor="top",
                          showactive=False, pad=dict(r=8, t=0),
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate", args=[[None], pause])])],
        sliders=[dict(active=0, x=0.22, len=0.78, y=-0.06, yanchor="top", pad=dict(t=0, b=0),
                      currentvalue=dict(prefix="training step ", font=dict(size=12)),
                      steps=[dict(label=str(k + 1), method="animate", args=[[str(k + 1)], pause])
                             for k in range(len(masks))])],
    )
    return unvalidated(data, layout, frames)


def augmentation_points(X, y, copies: pd.DataFrame) -> go.Figure:
    """The few training points, and beside them the augmented points the network saw in the first epochs."""
    epochs = int(copies["epoch"].max())
    layout = grid(1, 2, (f"the {len(X)} training points", f"augmented: {len(copies)} points seen in epochs 1–{epochs}"),
                  horizontal_spacing=0.06)
    both = np.concatenate([np.asarray(X), copies[["x", "y"]].to_numpy()])
    lo, hi = both.min(axis=0), both.max(axis=0)
    pad = 0.08 * float((hi - lo).max())
    data = []
    for c in np.unique(y):
        colour = CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]
        part = copies[copies["label"] == c]
        data.append(dict(type="scatter", x=part["x"].to_numpy(), y=part["y"].to_numpy(), mode="markers",
                         showlegend=False, marker=dict(size=5, color=colour, opacity=0.35),
                         name=f"class {c}, augmented",
                         hovertemplate=f"class {c}, augmented<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>", **cell(2)))
        data += [dict(type="scatter", x=X[y == c, 0], y=X[y == c, 1], mode="markers", name=f"class {c}",
                      legendgroup=f"class {c}", showlegend=col == 1,
                      marker=dict(size=9, color=colour, line=dict(color="white" if col == 1 else NEUTRAL, width=1.2)),
                      hovertemplate=f"class {c}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>", **cell(col))
                 for col in (1, 2)]
    for col in (1, 2):
        axis(layout, "x", col).update(range=[lo[0] - pad, hi[0] + pad], constrain="domain")
        axis(layout, "y", col).update(range=[lo[1] - pad, hi[1] + pad], scaleanchor=cell(col)["xaxis"])
    layout.update(height=420, margin=dict(l=10, r=10, t=40, b=10),
                  legend=dict(orientation="h", y=-0.05, x=0, yanchor="top"))
    return unvalidated(data, layout)


def validation_curves(results) -> go.Figure:
    """Loss (log) and accuracy against the epoch for each run: training dashed, validation solid."""
    layout = grid(1, 2, ("loss (log scale)", "accuracy"), horizontal_spacing=0.08)
    data = []
    for r in results:
        h = r.history
        epoch = h["epoch"].to_numpy()
        for col, metric in ((1, "loss"), (2, "acc")):
            for split, name, dash in (("train", "training", "dash"), ("val", "validation", "solid")):
                values = h[f"{split}_{metric}"].to_numpy(dtype=float)
                data.append(_curve(epoch, np.maximum(values, FLOOR) if metric == "loss" else values, r.optimizer,
                                   name, col, col == 1, dash=dash))
    layout["yaxis"].update(type="log", exponentformat="power", minorloglabels="none")
    layout["yaxis2"].update(range=[0, 1.02], tickformat=".0%")
    for x in axes(layout, "x"):
        x["title"] = dict(text="epoch")
    layout.update(height=360, margin=dict(l=10, r=10, t=40, b=10))
    return unvalidated(data, layout)


def histories_table(results) -> pd.DataFrame:
    """All runs' per-epoch records in one tidy table (column ``run``)."""
    return pd.concat([r.history.rename(columns={"optimizer": "run"}) for r in results], ignore_index=True)
