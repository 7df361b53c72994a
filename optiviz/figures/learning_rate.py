"""Figures for the learning-rate lab: the range test and the schedules α_t.

Figure 11's loss curves and the annealing paths reuse optiviz.figures.batch_size.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optiviz.figures.batch_size import FLOOR, X_AXES, axis_word
from optiviz.minibatch import RangeTest

# Paul Tol's vibrant scheme (colour-blind safe): hot colours for the rates that are too high.
RATE_COLOURS = MappingProxyType({"very high": "#CC3311", "high": "#EE7733", "good": "#009988", "low": "#0077BB",
                                 "your α": "#444444"})
SCHEDULE_COLOURS = MappingProxyType({"constant": "#777777", "exp": "#0077BB", "inv": "#EE7733", "step": "#009988"})


def range_test(result: RangeTest, minimum_loss: float, epochs: int, marks: dict[str, tuple[float, str]]) -> go.Figure:
    """L − L* after a short run against α on log axes: the best rate, where it blows up, and ``marks`` (label → (α, colour))."""
    t = result.table
    ok = ~t["diverged"].to_numpy()
    gap = np.maximum(t["loss"].to_numpy() - minimum_loss, FLOOR)
    start_gap = max(result.start_loss - minimum_loss, FLOOR)
    top = start_gap * 300  # diverged runs are drawn here; bigger losses leave the plot
    data = [
        dict(type="scatter", x=t["learning_rate"].to_numpy()[ok], y=gap[ok], mode="lines+markers",
             name=f"after {epochs} epoch{'s' if epochs > 1 else ''}", line=dict(color="#333333", width=2),
             marker=dict(size=5), hovertemplate="α = %{x:.3g}<br>L − L* = %{y:.3g}<extra></extra>"),
        dict(type="scatter", x=t["learning_rate"].to_numpy()[~ok], y=np.full(int((~ok).sum()), top), mode="markers",
             name="diverged", marker=dict(symbol="x-thin", size=10, line=dict(width=2, color=RATE_COLOURS["very high"])),
             hovertemplate="α = %{x:.3g}: diverged<extra></extra>"),
    ]
    y_range = [np.log10(gap[ok].min() if ok.any() else FLOOR) - 0.3, np.log10(top) + 0.3]
    lines = [("best α", result.best, RATE_COLOURS["good"], "solid"),
             ("blows up from", result.blow_up, RATE_COLOURS["very high"], "dash")]
    lines += [(label, rate, colour, "dot") for label, (rate, colour) in marks.items()]
    for label, rate, colour, dash in lines:  # vertical lines as traces, so the legend names them
        if np.isfinite(rate):
            data.append(dict(type="scatter", x=[rate, rate], y=[10 ** y_range[0], 10 ** y_range[1]], mode="lines",
                             name=f"{label} {rate:.2g}", line=dict(color=colour, width=1.5, dash=dash),
                             hovertemplate=f"{label} α = {rate:.3g}<extra></extra>"))
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=start_gap, y1=start_gap,
                   line=dict(color="#999999", width=1, dash="dot"))]
    annotations = [dict(xref="paper", x=0, xanchor="left", y=np.log10(start_gap), yanchor="bottom",
                        text="at the start W⁰", showarrow=False, font=dict(size=11, color="#666"))]
    layout = dict(
        xaxis=dict(type="log", title=dict(text="learning rate α"), exponentformat="power", minorloglabels="none"),
        yaxis=dict(type="log", title=dict(text="L(W) − L(w*) after the short run"), exponentformat="power",
                   minorloglabels="none", range=y_range),
        shapes=shapes, annotations=annotations, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        margin=dict(l=10, r=10, t=40, b=10), height=420,
    )
    return go.Figure(dict(data=data, layout=layout), _validate=False)


def schedule_curves(paths: pd.DataFrame, x: str, colours: dict[str, str], names: dict[str, str]) -> go.Figure:
    """α_t of every run against the step or the epoch."""
    data = []
    for run, group in paths.groupby("run", sort=False):
        name = names.get(run, run)
        data.append(dict(type="scatter", x=group[x].to_numpy(), y=group["learning_rate"].to_numpy(np.float32),
                         mode="lines", name=name, line=dict(color=colours.get(run, "#666666"), width=2, shape="hv"),
                         hovertemplate=f"{name}<br>{axis_word(x)} %{{x:.4g}}<br>α = %{{y:.3g}}<extra></extra>"))
    layout = dict(
        xaxis=dict(title=dict(text=X_AXES[x]), rangemode="tozero"),
        yaxis=dict(title=dict(text="learning rate αₜ"), rangemode="tozero"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(l=10, r=10, t=40, b=10), height=380,
    )
    return go.Figure(dict(data=data, layout=layout), _validate=False)
