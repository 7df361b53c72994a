"""Figures for the double descent lab: the error curve against p, and the 1-D fits before and after p = n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optiviz.double_descent import PolynomialFits
from optiviz.figures.plain import PlainFigure, typed_array

# Okabe–Ito, colour-blind safe: train blue, test vermillion, the fit bluish green, the truth grey.
TRAIN_COLOUR, TEST_COLOUR, FIT_COLOUR = "#0072B2", "#D55E00", "#009E73"
NULL_COLOUR, THRESHOLD_COLOUR, TRUTH_COLOUR, POINT_COLOUR = "#555555", "#CC79A7", "#999999", "#111111"
BAND = "rgba(213, 94, 0, 0.15)"
FLOOR = 1e-4  # errors below this (train error 0 once the fit interpolates) are drawn at it on log axes
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


def _threshold(fig: go.Figure, n: int, rows: tuple[int, ...], label: bool = True, col: int = 1) -> None:
    """A dotted vertical line at the interpolation threshold p = n."""
    for row in rows:
        fig.add_vline(x=n, line=dict(color=THRESHOLD_COLOUR, width=2, dash="dot"), row=row, col=col)
    if label:
        fig.add_annotation(x=n, y=1.0, yref="paper", yanchor="bottom", text=f"interpolation threshold p = n = {n}",
                           showarrow=False, font=dict(color=THRESHOLD_COLOUR, size=12))


def double_descent_curve(curve: pd.DataFrame, n_train: int, null_mse: float) -> go.Figure:
    """Median train and test error against the number of features p (log y), with ‖ŵ‖ below.

    A dotted line marks the interpolation threshold p = n, a dashed one the null model (predict 0);
    the band is the test error's interquartile range over the trials. Train errors below
    ``FLOOR`` (0 once the fit interpolates) are drawn at it; hovering shows the value.
    """
    p = curve["features"].to_numpy()
    fig = make_subplots(2, 1, shared_xaxes=True, row_heights=[0.72, 0.28], vertical_spacing=0.06)
    fig.add_trace(go.Scatter(x=p, y=_floored(curve["test_mse_q75"]), mode="lines", line=dict(width=0),
                             hoverinfo="skip", showlegend=False), 1, 1)
    fig.add_trace(go.Scatter(x=p, y=_floored(curve["test_mse_q25"]), mode="lines", line=dict(width=0), fill="tonexty",
                             fillcolor=BAND, name="test error, middle half of the trials", hoverinfo="skip"), 1, 1)
    for column, name, colour in (("train_mse", "train error (median)", TRAIN_COLOUR),
                                 ("test_mse", "test error (median)", TEST_COLOUR)):
        fig.add_trace(go.Scatter(x=p, y=_floored(curve[column]), customdata=curve[column].to_numpy(), mode="lines",
                                 name=name, line=dict(color=colour, width=2.5),
                                 hovertemplate=f"p = %{{x}}<br>{name}: %{{customdata:.4g}}<extra></extra>"), 1, 1)
    fig.add_trace(go.Scatter(x=[p[0], p[-1]], y=[null_mse, null_mse], mode="lines",
                             name=f"null model (predict 0): {null_mse:.3g}",
                             line=dict(color=NULL_COLOUR, width=1.5, dash="dash"), hoverinfo="skip"), 1, 1)
    fig.add_trace(go.Scatter(x=p, y=curve["weight_norm"], mode="lines", name="‖ŵ‖ (median)",
                             line=dict(color=FIT_COLOUR, width=2),
                             hovertemplate="p = %{x}<br>‖ŵ‖ = %{y:.3g}<extra></extra>"), 2, 1)
    if n_train <= p[-1]:
        _threshold(fig, n_train, (1, 2))
        for x, text in ((n_train / 2, "classical regime<br>p < n"), ((n_train + p[-1]) / 2, "over-parameterised<br>p > n")):
            fig.add_annotation(x=x, y=0.97, xref="x", yref="y domain", text=text, showarrow=False,
                               font=dict(color="#555555", size=12), yanchor="top")
    top = max(float(np.nanmax(curve["test_mse_q75"])), null_mse) * 2
    fig.update_yaxes(_log_axis(top), title_text="mean squared error", row=1, col=1)
    norms = 10.0 ** np.arange(-6, 7)
    fig.update_yaxes(type="log", tickvals=np.concatenate([norms, 3 * norms]), title_text="‖ŵ‖", row=2, col=1)
    fig.update_xaxes(title_text="number of features p", row=2, col=1)
    fig.update_layout(height=560, margin=dict(l=10, r=10, t=40, b=10), hovermode="x unified",
                      legend=dict(orientation="h", y=-0.14, yanchor="top", x=0, traceorder="normal"))
    return fig


def _fit_traces(fits: PolynomialFits, p: int, showlegend: bool) -> list[go.Scatter]:
    """The truth, the fit with p features and the training points."""
    return [
        go.Scatter(x=fits.grid, y=fits.truth, mode="lines", name="true f(x) = sin(πx)", showlegend=showlegend,
                   line=dict(color=TRUTH_COLOUR, width=2, dash="dash"), legendgroup="truth", hoverinfo="skip"),
        go.Scatter(x=fits.grid, y=fits.curves[p - 1], mode="lines", name="min-norm fit", showlegend=showlegend,
                   line=dict(color=FIT_COLOUR, width=2.5), legendgroup="fit",
                   hovertemplate="x = %{x:.2f}<br>fit = %{y:.3g}<extra></extra>"),
        go.Scatter(x=fits.x, y=fits.y, mode="markers", name="training points", showlegend=showlegend,
                   marker=dict(color=POINT_COLOUR, size=7), legendgroup="points",
                   hovertemplate="x = %{x:.2f}<br>y = %{y:.3g}<extra></extra>"),
    ]


def _regime(fits: PolynomialFits, p: int) -> str:
    """What the fit with p features is: least squares below n, the interpolating fit at n, min-norm beyond."""
    n = len(fits.x)
    if p < n:
        return f"p = {p} < n: least squares"
    if fits.ridge > 0:  # a ridge fit does not interpolate
        return f"p = {p} {'=' if p == n else '>'} n: ridge fit"
    return f"p = n = {p}: the interpolating fit" if p == n else f"p = {p} > n: min-norm interpolant"


def fit_snapshots(fits: PolynomialFits, picks: tuple[int, ...]) -> go.Figure:
    """The 1-D fit with p features for a few p side by side: before, at and after the threshold p = n."""
    fig = make_subplots(1, len(picks), horizontal_spacing=0.04,
                        subplot_titles=[_regime(fits, p) for p in picks])
    for k, p in enumerate(picks, start=1):
        for trace in _fit_traces(fits, p, showlegend=k == 1):
            fig.add_trace(trace, 1, k)
        fig.add_annotation(x=0, y=FIT_RANGE[0], yanchor="bottom", showarrow=False, xref=f"x{k if k > 1 else ''}",
                           yref=f"y{k if k > 1 else ''}", font=dict(size=11, color="#555555"),
                           text=f"train {_error_text(fits.train_mse[p - 1])} · test {_error_text(fits.test_mse[p - 1])}")
    fig.update_yaxes(range=list(FIT_RANGE))
    fig.update_yaxes(showticklabels=False, selector=lambda axis: axis.anchor not in ("x", None))
    fig.update_xaxes(range=[-1.02, 1.02], title_text="x")
    fig.update_layout(height=330, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.22, x=0))
    return fig


def fit_explorer(fits: PolynomialFits, p: int) -> PlainFigure:
    """The fit with p features beside the 1-D train and test error against p, animated over every p.

    ▶ Play runs p from 1 to P: the fit (left), its label and the marker on the error curves (right)
    move together; the figure starts at ``p``. Built as plain data (see optiviz.figures.plain): the
    frames carry only the fit's y values (float32), the marker and the label, so it is quick to rebuild.
    """
    n, top = len(fits.x), len(fits.curves)
    ps = np.arange(1, top + 1)
    right = dict(xaxis="x2", yaxis="y2")
    data = [trace.to_plotly_json() for trace in _fit_traces(fits, p, showlegend=True)]
    data[1]["y"] = typed_array(fits.curves[p - 1])
    for values, name, colour in ((fits.train_mse, "train error", TRAIN_COLOUR), (fits.test_mse, "test error", TEST_COLOUR)):
        data.append(dict(type="scatter", x=ps, y=_floored(values), customdata=values, mode="lines", name=name,
                         line=dict(color=colour, width=2), **right,
                         hovertemplate=f"p = %{{x}}<br>{name}: %{{customdata:.3g}}<extra></extra>"))
    data.append(_marker(fits, p) | right)
    data.append(_label(fits, p))
    frames = [dict(name=str(q), traces=[1, 5, 6],
                   data=[dict(type="scatter", y=typed_array(fits.curves[q - 1])), _marker(fits, q), _label(fits, q)])
              for q in ps]
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")
    play = dict(frame=dict(duration=150, redraw=False), transition=dict(duration=0), fromcurrent=False, mode="immediate")
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
                      currentvalue=dict(prefix="p = ", font=dict(size=13, color="#31333f"), xanchor="right"),
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
    return dict(type="scatter", x=[-0.98], y=[FIT_RANGE[1] * 0.9], mode="text", text=[text], textposition="middle right",
                textfont=dict(size=13, color="#31333f"), showlegend=False, hoverinfo="skip", name="this fit")
