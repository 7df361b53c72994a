"""Figures for the learning-rate lab: the range test and the schedules α_t.

Figure 11's loss curves and the annealing paths reuse optiviz.figures.batch_size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optiviz.figures.batch_size import FLOOR, X_AXES, axis_word
from optiviz.figures.palette import INK, NEUTRAL, RANGE_TEST_COLOUR, RATE_COLOURS, SCHEDULE_COLOURS
from optiviz.labs.learning_rate import RangeTest
from optiviz.figures.plain import unvalidated

# RATE_COLOURS (hot: too high) and SCHEDULE_COLOURS share no colour: they meet on one page (figures/palette.py).
__all__ = ["RATE_COLOURS", "SCHEDULE_COLOURS", "range_test", "distances", "schedule_curves", "settle_curves",
           "zoom_bounds"]


def _run_word(epochs: int) -> str:
    return f"{epochs} epoch{'s' if epochs > 1 else ''}"


def range_test(long: RangeTest, minimum_loss: float, points: dict[str, tuple[float, float, str]],
               short: RangeTest | None = None, on_curve: bool = True) -> go.Figure:
    """L − L* against α on log axes after the run of Figure 11 (``long``) and, dashed, after a short run (``short``).

    A star marks each curve's lowest point; the rates from where the long run blows up are shaded.
    ``points`` (label → (α, L − L* at the end of that run, colour); NaN where it diverged) are Figure 11's own
    runs: drawn on the curve when ``on_curve`` (the same optimizer), as ticks under it otherwise.
    """
    start_gap = max(long.start_loss - minimum_loss, FLOOR)
    top = start_gap * 300  # diverged runs are drawn here; bigger losses leave the plot
    data, lows = [], []
    curves = [(long, RANGE_TEST_COLOUR, "solid", "best α")]
    if short is not None:
        curves.append((short, RANGE_TEST_COLOUR, "dash", "fastest α"))  # the same test, shorter: dashed, open star
    for k, (result, colour, dash, star) in enumerate(curves):
        t = result.table
        ok = ~t["diverged"].to_numpy()
        rates = t["learning_rate"].to_numpy()
        gap = np.maximum(t["loss"].to_numpy() - minimum_loss, FLOOR)
        name = f"after {_run_word(result.epochs)}" + (" (Figure 11's run)" if k == 0 else "")
        data.append(dict(type="scatter", x=rates[ok], y=gap[ok], mode="lines+markers", name=name,
                         line=dict(color=colour, width=2.4 if k == 0 else 1.6, dash=dash), marker=dict(size=4),
                         hovertemplate="α = %{x:.3g}<br>L − L* = %{y:.3g}<extra>" + name + "</extra>"))
        if ok.any():
            lows.append(gap[ok].min())
        if (~ok).any():
            data.append(dict(type="scatter", x=rates[~ok], y=np.full(int((~ok).sum()), top * (1.6 if k else 1.0)),
                             mode="markers", name="diverged", showlegend=False,
                             marker=dict(symbol="x-thin", size=9, line=dict(width=2, color=colour)),
                             hovertemplate="α = %{x:.3g}: diverged<extra></extra>"))
        if np.isfinite(result.best):
            at = float(gap[rates == result.best][0])
            data.append(dict(type="scatter", x=[result.best], y=[at], mode="markers+text", showlegend=False,
                             name=f"{star} {result.best:.2g}", text=[f"{star} {result.best:.2g} "],
                             textposition="middle left",
                             textfont=dict(size=12),
                             marker=dict(symbol="star-open" if k else "star", size=15, color=colour,
                                         line=dict(color=colour if k else "white", width=1.5 if k else 1)),
                             hovertemplate=f"{star} α = {result.best:.3g}<br>L − L* = {at:.3g}<extra></extra>"))
    bottom = np.log10(min(lows) if lows else FLOOR) - 0.6
    for label, (rate, gap, colour) in points.items():
        diverged = not np.isfinite(gap)
        y = top if diverged else max(gap, FLOOR)
        if not on_curve:
            y = 10 ** (bottom + 0.15)
        data.append(dict(type="scatter", x=[rate], y=[y], mode="markers", name=label,
                         legendgroup="Figure 11", legendgrouptitle=dict(text="Figure 11's rates:"),
                         marker=dict(symbol=("x" if diverged and on_curve else "triangle-up" if not on_curve
                                             else "diamond" if label == "your α"  # your α: dashed in Fig. 11
                                             else "circle"),
                                     size=13, color=colour, line=dict(color="white", width=1.5)),
                         hovertemplate=f"{label}: α = {rate:.3g}<br>" +
                                       ("diverged" if diverged else f"L − L* = {gap:.3g}") + "<extra></extra>"))
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=start_gap, y1=start_gap,
                   line=dict(color=NEUTRAL, width=1, dash="dot"))]
    annotations = [dict(xref="paper", x=0, xanchor="left", y=np.log10(start_gap), yanchor="bottom",
                        text="at the start W⁰", showarrow=False, font=dict(size=11))]
    if np.isfinite(long.blow_up):
        x1 = float(long.table["learning_rate"].max()) * 1.5
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=long.blow_up, x1=x1, y0=0, y1=1, layer="below",
                           line=dict(width=0), fillcolor="rgba(204,51,17,0.10)"))
        annotations.append(dict(x=np.log10(long.blow_up), xanchor="left", yref="paper", y=0.02, yanchor="bottom",
                                text=f" blows up<br> from {long.blow_up:.2g}", showarrow=False, align="left",
                                font=dict(size=11)))
    layout = dict(
        xaxis=dict(type="log", title=dict(text="learning rate α"), exponentformat="power", minorloglabels="none"),
        yaxis=dict(type="log", title=dict(text="L(W) − L(w*) at the end" +
                                          (f" (mean of {long.last} epochs)" if long.last > 1 else "")),
                   exponentformat="power",
                   minorloglabels="none", range=[bottom, np.log10(top) + 0.5]),
        shapes=shapes, annotations=annotations, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        margin=dict(l=10, r=10, t=40, b=10), height=460,
    )
    return unvalidated(data, layout)


def distances(paths: pd.DataFrame, w_star, window: int) -> pd.DataFrame:
    """Per run and step: d = |Wᵗ − w*|, and its root-mean-square over the last ``window`` steps (fewer at the start)."""
    window = max(int(window), 1)
    out = []
    for run, group in paths.groupby("run", sort=False):
        d = np.hypot(group["w1"].to_numpy() - w_star[0], group["w2"].to_numpy() - w_star[1])
        c = np.concatenate([[0.0], np.cumsum(d * d)])
        n = np.arange(1, len(d) + 1)
        lo = np.maximum(n - window, 0)
        rms = np.sqrt((c[n] - c[lo]) / (n - lo))
        out.append(pd.DataFrame({"run": run, "step": group["step"].to_numpy(), "epoch": group["epoch"].to_numpy(),
                                 "distance": d, "smoothed": rms}))
    return (pd.concat(out, ignore_index=True) if out
            else pd.DataFrame(columns=["run", "step", "epoch", "distance", "smoothed"]))


def settle_curves(dist: pd.DataFrame, x: str, colours: dict[str, str], names: dict[str, str],
                  diverged: tuple[str, ...] = (), height: int = 420) -> go.Figure:
    """The distance to the minimum |Wᵗ − w*| on a log axis: every step faint, its running RMS over one epoch bold."""
    data = []
    for run, group in dist.groupby("run", sort=False):
        name, colour = names.get(run, run), colours.get(run, INK["grey"])
        xs = group[x].to_numpy()
        data.append(dict(type="scatter", x=xs, y=np.maximum(group["distance"].to_numpy(), FLOOR).astype(np.float32),
                         mode="lines", name=f"{name}: every step", legendgroup=name, showlegend=False, opacity=0.3,
                         line=dict(color=colour, width=0.8), hoverinfo="skip"))
    for run, group in dist.groupby("run", sort=False):
        name, colour = names.get(run, run), colours.get(run, INK["grey"])
        y = np.maximum(group["smoothed"].to_numpy(), FLOOR)
        data.append(dict(type="scatter", x=group[x].to_numpy(), y=y.astype(np.float32), mode="lines", name=name,
                         legendgroup=name, line=dict(color=colour, width=3),
                         hovertemplate=f"{name}<br>{axis_word(x)} %{{x:.4g}}<br>"
                                       "RMS |W − w*| = %{y:.3g}<extra></extra>"))
        if run in diverged and len(y):
            data.append(dict(type="scatter", x=[group[x].iloc[-1]], y=[float(y[-1])], mode="markers+text",
                             text=["diverged"], textposition="middle left", legendgroup=name, showlegend=False,
                             marker=dict(symbol="x", size=12, color=colour), hoverinfo="skip"))
    layout = dict(
        xaxis=dict(title=dict(text=X_AXES[x]), rangemode="tozero"),
        yaxis=dict(type="log", title=dict(text="distance to the minimum |Wᵗ − w*|"), exponentformat="power",
                   minorloglabels="none"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(l=10, r=10, t=40, b=10), height=height,
    )
    return unvalidated(data, layout)


def zoom_bounds(dist: pd.DataFrame, w_star, since: float,
                x: str = "epoch") -> tuple[tuple[float, float], tuple[float, float]]:
    """A square around w* holding every run's path from ``since`` on (in ``x`` units), with a margin, rounded."""
    late = dist[dist[x] >= since]["distance"].to_numpy()
    reach = float(np.nanmax(late)) if late.size and np.isfinite(late).any() else 1.0
    half = float(f"{min(max(reach * 1.12, 1e-3), 1e3):.2g}")
    return ((round(w_star[0] - half, 6), round(w_star[0] + half, 6)),
            (round(w_star[1] - half, 6), round(w_star[1] + half, 6)))


def schedule_curves(paths: pd.DataFrame, x: str, colours: dict[str, str], names: dict[str, str]) -> go.Figure:
    """α_t of every run against the step or the epoch."""
    data = []
    for run, group in paths.groupby("run", sort=False):
        name = names.get(run, run)
        data.append(dict(type="scatter", x=group[x].to_numpy(), y=group["learning_rate"].to_numpy(np.float32),
                         mode="lines", name=name, line=dict(color=colours.get(run, INK["grey"]), width=2, shape="hv"),
                         hovertemplate=f"{name}<br>{axis_word(x)} %{{x:.4g}}<br>α = %{{y:.3g}}<extra></extra>"))
    layout = dict(
        xaxis=dict(title=dict(text=X_AXES[x]), rangemode="tozero"),
        yaxis=dict(title=dict(text="learning rate αₜ"), rangemode="tozero"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(l=10, r=10, t=40, b=10), height=380,
    )
    return unvalidated(data, layout)
