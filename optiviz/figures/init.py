"""Figures for the activations and initialisation lab."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optiviz.figures.palette import SCHEME_COLOURS

SATURATED = 0.05  # |f'(z)| below this: the gradient all but vanishes
FLOOR = 1e-20  # log axes: smaller values are drawn here; exact zeros are left out


def _intervals(mask: np.ndarray, z: np.ndarray) -> list[tuple[float, float]]:
    """The runs of True in ``mask`` as (z_start, z_end) intervals."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(z[a], z[b - 1]) for a, b in zip(edges[::2], edges[1::2])]


def activation_panels(z: np.ndarray, curves: dict[str, tuple[np.ndarray, np.ndarray, str]]) -> go.Figure:
    """Each activation f(z) beside its derivative f'(z); where f'(z) < 0.05 is shaded: gradients vanish there.

    ``curves`` maps a name to (f(z), f'(z), LaTeX-free formula text).
    """
    names = list(curves)
    fig = make_subplots(1, len(names), subplot_titles=[f"{n}: {curves[n][2]}" for n in names], horizontal_spacing=0.04)
    for k, name in enumerate(names, start=1):
        value, slope, _ = curves[name]
        fig.add_trace(go.Scatter(x=z, y=value, name="f(z)", line=dict(color="#0072B2", width=2.5), showlegend=k == 1,
                                 legendgroup="f"), 1, k)
        fig.add_trace(go.Scatter(x=z, y=slope, name="f′(z)", line=dict(color="#D55E00", width=2, dash="dash"),
                                 showlegend=k == 1, legendgroup="df"), 1, k)
        for a, b in _intervals(np.abs(slope) < SATURATED, z):  # after the traces: plotly skips empty subplots
            fig.add_vrect(x0=a, x1=b, fillcolor="#f4a582", opacity=0.25, line_width=0, layer="below", row=1, col=k)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"shaded: f′(z) < {SATURATED} (saturated or dead)",
                             marker=dict(symbol="square", size=12, color="#f4a582", opacity=0.5)))
    fig.update_yaxes(range=[-1.5, 2.5])
    fig.update_xaxes(title_text="z", zeroline=True)
    fig.update_layout(height=330, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.25, x=0))
    return fig


def _layer_picks(n_layers: int, most: int = 10) -> list[int]:
    """Up to ``most`` evenly spread layer indices (always the first and the last)."""
    return sorted(set(np.linspace(0, n_layers - 1, min(n_layers, most)).round().astype(int).tolist()))


def histogram_grid(results: dict, kind: str = "act", x_range: tuple[float, float] | None = None) -> go.Figure:
    """Rows: schemes; columns: layers. Each cell is the histogram of one layer's activations (or gradients).

    A fixed ``x_range`` (the activation's bounds) makes a collapse towards 0 show as a spike.
    """
    schemes = list(results)
    n_layers = len(next(iter(results.values())).stats)
    picks = _layer_picks(n_layers)
    fig = make_subplots(len(schemes), len(picks), column_titles=[f"layer {i + 1}" for i in picks],
                        row_titles=schemes, horizontal_spacing=0.012, vertical_spacing=0.03)
    for r, scheme in enumerate(schemes, start=1):
        res = results[scheme]
        counts, edges = (res.act_counts, res.act_edges) if kind == "act" else (res.grad_counts, res.grad_edges)
        for c, layer in enumerate(picks, start=1):
            e = edges[layer]
            fig.add_trace(go.Bar(x=(e[:-1] + e[1:]) / 2, y=counts[layer], width=np.diff(e), marker_color=SCHEME_COLOURS.get(scheme, "#666"),
                                 marker_line_width=0, showlegend=False,
                                 hovertemplate=f"{scheme}, layer {layer + 1}<br>%{{x:.3g}}: %{{y}}<extra></extra>"), r, c)
    fig.update_xaxes(nticks=3, tickfont=dict(size=9), **({"range": list(x_range)} if x_range else {}))
    fig.update_yaxes(showticklabels=False)
    fig.update_annotations(font_size=11)
    fig.update_layout(height=110 * len(schemes) + 60, bargap=0, margin=dict(l=10, r=40, t=40, b=10))
    return fig


def _per_layer(results: dict, panels: list[tuple[str, str, bool]], height: int) -> go.Figure:
    """One panel per (column, title, log axis), a line per scheme against the layer."""
    fig = make_subplots(1, len(panels), subplot_titles=[t for _, t, _ in panels], horizontal_spacing=0.07)
    for scheme, res in results.items():
        for k, (column, _, log) in enumerate(panels, start=1):
            y = res.stats[column].to_numpy(dtype=float)
            if log:
                y = np.where(y == 0, np.nan, np.maximum(np.abs(y), FLOOR))
            fig.add_trace(go.Scatter(x=res.stats["layer"], y=y, mode="lines+markers",
                                     name=scheme, legendgroup=scheme, showlegend=k == 1,
                                     line=dict(color=SCHEME_COLOURS.get(scheme, "#666"), width=2), marker=dict(size=5)), 1, k)
            if log:
                fig.update_yaxes(type="log", exponentformat="power", minorloglabels="none", row=1, col=k)
    fig.update_xaxes(title_text="layer", dtick=1 if len(next(iter(results.values())).stats) <= 12 else None)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def layer_moments(results: dict) -> go.Figure:
    """Mean and standard deviation of each layer's activations, one line per scheme."""
    return _per_layer(results, [("mean", "mean of f(z)", False), ("std", "standard deviation of f(z) (log)", True)], 340)


def unit_health(results: dict) -> go.Figure:
    """Per layer: the share of dead (exactly zero) and of saturated units."""
    fig = _per_layer(results, [("zero_fraction", "dead: share of f(z) = 0", False),
                               ("saturated_fraction", "saturated: within 0.01 of a bound", False)], 320)
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%")
    return fig


def gradient_spread(results: dict) -> go.Figure:
    """The spread of ∂L/∂z per layer: vanishing towards the first layers, or exploding."""
    return _per_layer(results, [("grad_std", "standard deviation of ∂L/∂z (log)", True),
                                ("grad_norm", "norm ‖∂L/∂z‖ / √samples (log)", True)], 340)


def training_losses(histories: dict) -> go.Figure:
    """Training loss per epoch for each scheme, side by side on one log axis."""
    fig = go.Figure()
    for scheme, history in histories.items():
        fig.add_trace(go.Scatter(x=history["epoch"], y=np.maximum(history["train_loss"], 1e-12), mode="lines", name=scheme,
                                 line=dict(color=SCHEME_COLOURS.get(scheme, "#666"), width=2.5)))
    fig.update_layout(xaxis_title="epoch", yaxis=dict(type="log", title="training loss", exponentformat="power",
                                                      minorloglabels="none"),
                      height=360, margin=dict(l=10, r=10, t=30, b=10))
    return fig
