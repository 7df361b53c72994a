"""Figures for the double descent lab: the error curve against p, and the 1-D fits before and after p = n."""

from __future__ import annotations

import numpy as np
import pandas as pd
from optiviz.labs.double_descent import BestModels, PolynomialFits
# The page's colours (figures/palette.py): each reads on a light and on a dark background; text takes the theme's.
from optiviz.figures.palette import (BEST_COLOUR, FIT_COLOUR, NULL_COLOUR, POINT_COLOUR, TEST_COLOUR,
                                     THRESHOLD_COLOUR, TRAIN_COLOUR, TRUTH_COLOUR)
from optiviz.figures.plain import DEFAULT_TEMPLATE, PlainFigure, typed_array

BAND = "rgba(213, 94, 0, 0.15)"
FLOOR = 1e-4  # errors below this (train error 0 once the fit interpolates) are drawn at it on log axes
ERROR_PANEL, PANEL_GAP = 0.6768, 0.06  # heights (of the figure) of the error panel and the gap above the ‖ŵ‖ panel
FIT_RANGE = (-3.0, 3.0)  # the 1-D fits' y axis: a wild fit leaves the frame rather than squash the picture


def _floored(values) -> np.ndarray:
    return np.maximum(np.asarray(values, dtype=float), FLOOR)


def _error_text(value: float) -> str:
    """An error for a label: "≈0" below FLOOR (an interpolating fit's train error is 0 up to rounding)."""
    return "≈0" if value < FLOOR else f"{value:.2g}"


def _log_axis(top: float) -> dict:
    """A log error axis from FLOOR to ``top`` with a tick per decade, the lowest one reading "≈0"."""
    decades = 10.0 ** np.arange(np.log10(FLOOR), np.ceil(np.log10(top)) + 1)
    text = ["≈0"] + [f"{v:g}" for v in decades[1:]]
    return dict(type="log", range=[np.log10(FLOOR), np.log10(top)], tickvals=decades, ticktext=text)


def _threshold(n: int, axes: tuple[str, ...]) -> list[dict]:
    """Dotted vertical lines at the interpolation threshold p = n, one per x axis."""
    return [dict(type="line", x0=n, x1=n, xref=x, y0=0, y1=1, yref=f"{'y' + x[1:]} domain",
                 line=dict(color=THRESHOLD_COLOUR, width=2, dash="dot")) for x in axes]


def _note(text: str, **where) -> dict:
    return dict(text=text, showarrow=False, **where)


def error_axis_top(curve: pd.DataFrame, null_mse: float) -> float:
    """The top of the curve's linear error axis: 1.5 × the largest of the null model's error and the median test
    error at the first and the last p, so that the U, the second descent and the null model show; a taller peak
    leaves the frame (its height is written at the top)."""
    test = curve["test_mse"].to_numpy()
    return 1.5 * max(null_mse, float(test[0]), float(test[-1]))


def double_descent_curve(curve: pd.DataFrame, n_train: int, null_mse: float,
                         best: BestModels | None = None) -> PlainFigure:
    """Median train and test error against the number of features p (linear axis, as Belkin et al. draw it),
    ‖ŵ‖ below.

    A dotted line marks the interpolation threshold p = n, a dashed one the null model (predict 0);
    the band is the test error's interquartile range over the trials. The error axis stops at
    ``error_axis_top``: a peak above it leaves the frame, with its height written at the top.
    ``best`` (see optiviz.labs.double_descent.best_models) marks the best small and the best big model,
    with a dotted level at the best small model's error across the plot: where the curve dips
    below it, bigger models beat every classical one. Plain data (see optiviz.figures.plain): two
    stacked panels sharing p.
    """
    p = curve["features"].to_numpy()
    xs = typed_array(p)
    band = dict(type="scatter", x=xs, mode="lines", line=dict(width=0), hoverinfo="skip")
    data = [band | dict(y=typed_array(curve["test_mse_q75"]), showlegend=False),
            band | dict(y=typed_array(curve["test_mse_q25"]), fill="tonexty", fillcolor=BAND,
                        name="test error, middle half of the trials")]
    for column, name, colour in (("train_mse", "train error (median)", TRAIN_COLOUR),
                                 ("test_mse", "test error (median)", TEST_COLOUR)):
        data.append(dict(type="scatter", x=xs, y=typed_array(curve[column]), mode="lines", name=name,
                         line=dict(color=colour, width=2.5),
                         hovertemplate=f"p = %{{x}}<br>{name}: %{{y:.4g}}<extra></extra>"))
    data.append(dict(type="scatter", x=[p[0], p[-1]], y=[null_mse, null_mse], mode="lines",
                     name=f"null model (predict 0): {null_mse:.3g}",
                     line=dict(color=NULL_COLOUR, width=1.5, dash="dash"), hoverinfo="skip"))
    data.append(dict(type="scatter", x=xs, y=typed_array(curve["weight_norm"]), mode="lines", name="‖ŵ‖ (median)",
                     line=dict(color=FIT_COLOUR, width=2), xaxis="x2", yaxis="y2",
                     hovertemplate="p = %{x}<br>‖ŵ‖ = %{y:.3g}<extra></extra>"))
    shapes, notes = [], []
    if best is not None:
        data += _best_traces(best, p[0], p[-1])
    if n_train <= p[-1]:
        shapes = _threshold(n_train, ("x", "x2"))
        notes = [_note(f"interpolation threshold p = n = {n_train}", x=n_train, y=1.0, yref="paper", yanchor="bottom",
                       font=dict(size=12))]
        notes += [_note(text, x=x, xref="x", y=0.97, yref="y domain", yanchor="top", font=dict(size=12))
                  for x, text in ((n_train / 2, "classical regime<br>p < n"),
                                  ((n_train + p[-1]) / 2, "over-parameterised<br>p > n"))]
    top = error_axis_top(curve, null_mse)
    test = curve["test_mse"].to_numpy()
    peak = int(np.argmax(test))
    if test[peak] > top:
        notes.append(_note(f"↑ peak {test[peak]:.3g}", x=p[peak], xref="x", xanchor="left", xshift=4, y=0.8,
                           yref="y domain", font=dict(size=12)))
    norms = 10.0 ** np.arange(-6, 7)
    layout = dict(
        template=DEFAULT_TEMPLATE, height=560, margin=dict(l=10, r=10, t=40, b=10), hovermode="x unified",
        legend=dict(orientation="h", y=-0.14, yanchor="top", x=0, traceorder="normal"),
        xaxis=dict(anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),  # shares p with the panel below
        yaxis=dict(anchor="x", domain=[1 - ERROR_PANEL, 1.0], title=dict(text="mean squared error"), range=[0.0, top],
                   rangemode="tozero"),
        xaxis2=dict(anchor="y2", domain=[0.0, 1.0], title=dict(text="number of features p")),
        yaxis2=dict(anchor="x2", domain=[0.0, 1 - ERROR_PANEL - PANEL_GAP], title=dict(text="‖ŵ‖"), type="log",
                    tickvals=np.concatenate([norms, 3 * norms]).tolist()),
        shapes=shapes, annotations=notes,
    )
    return PlainFigure(dict(data=data, layout=layout))


def _best_traces(best: BestModels, first: int, last: int) -> list[dict]:
    """The best small model (p < n) as a dotted level across the plot and a marker; the best big one as a marker."""
    traces = [dict(type="scatter", x=[first, last], y=[best.small, best.small], mode="lines", name="best small model",
                   showlegend=False, line=dict(color=BEST_COLOUR, width=1.5, dash="dot"), hoverinfo="skip")]
    points = [(best.small_p, best.small, f"best p < n: {best.small:.2g}", "bottom right")]
    if best.big_p:
        points.append((best.big_p, best.big, f"best p > {best.big_from}: {best.big:.2g}", "bottom left"))
    traces.append(dict(type="scatter", x=[q for q, *_ in points], y=[v for _, v, *_ in points], mode="markers+text",
                       name="best models", text=[t for *_, t, _ in points], textposition=[w for *_, w in points],
                       textfont=dict(size=12), showlegend=False,
                       marker=dict(color=BEST_COLOUR, size=10, symbol="diamond", line=dict(color="white", width=1)),
                       hovertemplate="p = %{x}<br>%{text}<extra></extra>"))
    return traces


def _fit_traces(fits: PolynomialFits, p: int, showlegend: bool, axes: dict | None = None) -> list[dict]:
    """The truth, the fit with p features and the training points (on ``axes``, the first x and y by default)."""
    axes = axes or {}
    return [
        dict(type="scatter", x=typed_array(fits.grid), y=typed_array(fits.truth), mode="lines",
             name="true f(x) = sin(πx)", showlegend=showlegend, line=dict(color=TRUTH_COLOUR, width=2, dash="dash"),
             legendgroup="truth", hoverinfo="skip", **axes),
        dict(type="scatter", x=typed_array(fits.grid), y=typed_array(fits.curves[p - 1]), mode="lines",
             name="min-norm fit", showlegend=showlegend, line=dict(color=FIT_COLOUR, width=2.5), legendgroup="fit",
             hovertemplate="x = %{x:.2f}<br>fit = %{y:.3g}<extra></extra>", **axes),
        dict(type="scatter", x=typed_array(fits.x), y=typed_array(fits.y), mode="markers", name="training points",
             showlegend=showlegend, marker=dict(color=POINT_COLOUR, size=8, line=dict(color="white", width=1)),
             legendgroup="points",
             hovertemplate="x = %{x:.2f}<br>y = %{y:.3g}<extra></extra>", **axes),
    ]


def _regime(fits: PolynomialFits, p: int) -> str:
    """What the fit with p features is: least squares below n, the interpolating fit at n, min-norm beyond."""
    n = len(fits.x)
    if p < n:
        return f"p = {p} < n: least squares"
    if fits.ridge > 0:  # a ridge fit does not interpolate
        return f"p = {p} {'=' if p == n else '>'} n: ridge fit"
    return f"p = n = {p}: the interpolating fit" if p == n else f"p = {p} > n: min-norm interpolant"


def fit_snapshots(fits: PolynomialFits, picks: tuple[int, ...], gap: float = 0.04) -> PlainFigure:
    """The 1-D fit with p features for a few p side by side: before, at and after the threshold p = n.

    Plain data (see optiviz.figures.plain): one panel per p, each ``gap`` (of the width) from the next.
    """
    width = (1 - gap * (len(picks) - 1)) / len(picks)
    data, notes, layout = [], [], {}
    for k, p in enumerate(picks, start=1):
        x, y = f"x{k if k > 1 else ''}", f"y{k if k > 1 else ''}"
        left = (k - 1) * (width + gap)
        data += _fit_traces(fits, p, showlegend=k == 1, axes=dict(xaxis=x, yaxis=y))
        layout[f"xaxis{k if k > 1 else ''}"] = dict(anchor=y, domain=[left, left + width], range=[-1.02, 1.02],
                                                    title=dict(text="x"))
        layout[f"yaxis{k if k > 1 else ''}"] = dict(anchor=x, domain=[0.0, 1.0], range=list(FIT_RANGE),
                                                    showticklabels=k == 1)
        notes.append(_note(_regime(fits, p), x=left + width / 2, xref="paper", xanchor="center", y=1.0, yref="paper",
                           yanchor="bottom", font=dict(size=16)))
        notes.append(_note(f"train {_error_text(fits.train_mse[p - 1])} · test {_error_text(fits.test_mse[p - 1])}",
                           x=0, xref=x, y=FIT_RANGE[0], yref=y, yanchor="bottom", font=dict(size=11)))
    layout |= dict(template=DEFAULT_TEMPLATE, annotations=notes, height=330, margin=dict(l=10, r=10, t=40, b=10),
                   legend=dict(orientation="h", y=-0.22, x=0))
    return PlainFigure(dict(data=data, layout=layout))


def fit_explorer(fits: PolynomialFits, p: int) -> PlainFigure:
    """The fit with p features beside the 1-D train and test error against p, animated over every p.

    ▶ Play runs p up to P from the frame shown (``fromcurrent``: after ❚❚ Pause it goes on from the
    paused p; from the first or the last frame it starts again at p = 1). The fit (left), its label,
    the marker on the error curves (right) and the slider's p move together; the figure starts at
    ``p``, and the slider under it is its only p control. Built as plain data (see optiviz.figures.plain):
    the frames carry only the fit's y values (float32), the marker and the label, so it is quick to rebuild.
    """
    n, top = len(fits.x), len(fits.curves)
    ps = np.arange(1, top + 1)
    right = dict(xaxis="x2", yaxis="y2")
    data = _fit_traces(fits, p, showlegend=True)
    for values, name, colour in ((fits.train_mse, "train error", TRAIN_COLOUR),
                                 (fits.test_mse, "test error", TEST_COLOUR)):
        data.append(dict(type="scatter", x=ps, y=_floored(values), customdata=values, mode="lines", name=name,
                         line=dict(color=colour, width=2), **right,
                         hovertemplate=f"p = %{{x}}<br>{name}: %{{customdata:.3g}}<extra></extra>"))
    data.append(_marker(fits, p) | right)
    data.append(_label(fits, p))
    frames = [dict(name=str(q), traces=[1, 5, 6],
                   data=[dict(type="scatter", y=typed_array(fits.curves[q - 1])), _marker(fits, q), _label(fits, q)])
              for q in ps]
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")
    play = dict(frame=dict(duration=150, redraw=False), transition=dict(duration=0), fromcurrent=True, mode="immediate")
    layout = dict(
        title=dict(text=f"{n} points, p = 1 … {top} features: the fit (left) and its errors (right)", x=0.0,
                   font=dict(size=15)),
        height=470, margin=dict(l=10, r=10, t=80, b=110),
        legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, traceorder="normal"),
        xaxis=dict(domain=[0.0, 0.56], range=[-1.02, 1.02], title=dict(text="x")),
        yaxis=dict(range=list(FIT_RANGE), title=dict(text="y")),
        xaxis2=dict(domain=[0.64, 1.0], anchor="y2", title=dict(text="number of features p")),
        yaxis2=dict(anchor="x2", title=dict(text="error of this one fit"),
                    **_log_axis(max(float(np.max(fits.test_mse)), 1.0) * 2)),
        shapes=[dict(type="line", x0=n, x1=n, xref="x2", y0=0, y1=1, yref="y2 domain",
                     line=dict(color=THRESHOLD_COLOUR, width=2, dash="dot"))],
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-0.16, xanchor="left", yanchor="top",
                          showactive=False, pad=dict(r=8, t=0),
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate", args=[[None], pause])])],
        sliders=[dict(active=p - 1, x=0.2, len=0.8, y=-0.16, yanchor="top", pad=dict(t=0, b=0),
                      currentvalue=dict(prefix="p = ", font=dict(size=13), xanchor="right"),
                      tickcolor="rgba(0,0,0,0)", font=dict(color="rgba(0,0,0,0)"),
                      steps=[dict(label=str(q), method="animate", args=[[str(q)], pause]) for q in ps])],
    )
    return PlainFigure(dict(data=data, layout=layout, frames=frames))


def _marker(fits: PolynomialFits, p: int) -> dict:
    """The current p on the error curves."""
    return dict(type="scatter", x=[p, p], y=_floored([fits.train_mse[p - 1], fits.test_mse[p - 1]]).tolist(),
                mode="markers", name="p shown", showlegend=False, hoverinfo="skip",
                marker=dict(size=11, color=[TRAIN_COLOUR, TEST_COLOUR], line=dict(color="white", width=1.5)))


def _label(fits: PolynomialFits, p: int) -> dict:
    """A line of text over the fit: which p, what kind of fit, its errors and ‖ŵ‖ (a trace, so frames can change it)."""
    text = (f"<b>{_regime(fits, p)}</b> · train {_error_text(fits.train_mse[p - 1])} · "
            f"test {_error_text(fits.test_mse[p - 1])} · ‖ŵ‖ = {fits.weight_norm[p - 1]:.3g}")
    return dict(type="scatter", x=[-0.98], y=[FIT_RANGE[1] * 0.9], mode="text", text=[text],
                textposition="middle right", textfont=dict(size=13), showlegend=False, hoverinfo="skip",
                name="this fit")
