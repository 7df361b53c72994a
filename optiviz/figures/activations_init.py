"""Figures for the activations and initialisation lab."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from optiviz.figures.palette import INK, NEUTRAL, SCHEME_COLOURS, SCHEME_DASHES
from optiviz.figures.plain import axes, axis, band, cell, grid, unvalidated
from optiviz.nn.seeds import spread

SATURATED = 0.05  # |f'(z)| below this: the gradient all but vanishes
VANISHED = 1e-12  # |∂L/∂z| all below this × the loss's own gradient scale (1): "vanished", not drawn
FLOOR = VANISHED  # log axes: smaller values are drawn here; exact zeros are left out

ACTIVATION_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU",
                     "linear": "linear", "elu": "ELU"}
SCHEME_LABELS = {"zeros": "zeros", "constant": "constant", "small normal": "small normal",
                 "large normal": "large normal", "xavier": "Xavier", "he": "He"}


def activation_label(name: str) -> str:
    """The name a student reads: "leaky ReLU" for leaky_relu."""
    return ACTIVATION_LABELS.get(name, name.replace("_", " "))


def scheme_label(name: str) -> str:
    """The name a student reads: "Xavier" for xavier."""
    return SCHEME_LABELS.get(name, name)


def _colour(scheme: str) -> str:
    return SCHEME_COLOURS.get(scheme, INK["grey"])


def _nice(x: float) -> float:
    """The largest of 1, 2, 5 × 10ᵏ that is at most x (x > 0)."""
    k = np.floor(np.log10(x))
    for m in (5.0, 2.0, 1.0):
        if m * 10**k <= x:
            return float(m * 10**k)
    return float(10**k)


def _short(x: float) -> str:
    """A short tick label: 0.5, 20, 2e4, 5e-3."""
    if x == 0:
        return "0"
    if 1e-2 <= abs(x) < 1e3:
        return f"{x:g}"
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _intervals(mask: np.ndarray, z: np.ndarray) -> list[tuple[float, float]]:
    """The runs of True in ``mask`` as (z_start, z_end) intervals."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(z[a], z[b - 1]) for a, b in zip(edges[::2], edges[1::2])]


def activation_panels(z: np.ndarray, curves: dict[str, tuple[np.ndarray, np.ndarray, str]]) -> go.Figure:
    """Each activation f(z) beside its derivative f'(z); where f'(z) < 0.05 is shaded: gradients vanish there.

    ``curves`` maps a name to (f(z), f'(z), formula text); the panels are titled by name (labels), the
    page gives the formulas, which would not fit above five panels on a phone.
    """
    names = list(curves)
    layout = grid(1, len(names), [activation_label(n) for n in names], horizontal_spacing=0.04)
    data, shaded = [], []
    for k, name in enumerate(names, start=1):
        value, slope, _ = curves[name]
        data += [dict(type="scatter", x=z, y=value, name="f(z)", line=dict(color="#0072B2", width=2.5),
                      showlegend=k == 1, legendgroup="f", **cell(k)),
                 dict(type="scatter", x=z, y=slope, name="f′(z)", line=dict(color="#D55E00", width=2, dash="dash"),
                      showlegend=k == 1, legendgroup="df", **cell(k))]
        shaded += [dict(type="rect", x0=a, x1=b, xref=cell(k)["xaxis"], y0=0, y1=1, yref=f"{cell(k)['yaxis']} domain",
                        fillcolor="#f4a582", opacity=0.25, line=dict(width=0), layer="below")
                   for a, b in _intervals(np.abs(slope) < SATURATED, z)]
    data.append(dict(type="scatter", x=[None], y=[None], mode="markers",
                     name=f"shaded: f′(z) < {SATURATED} (saturated or dead)",
                     marker=dict(symbol="square", size=12, color="#f4a582", opacity=0.5)))
    for k, y in enumerate(axes(layout, "y"), start=1):  # one shared y range: its labels once, on the left
        y.update(range=[-1.5, 2.5], **({"showticklabels": False} if k > 1 else {}))
    for x in axes(layout, "x"):
        x.update(title=dict(text="z"), zeroline=True)
    layout.update(**({"shapes": shaded} if shaded else {}), height=330, margin=dict(l=10, r=10, t=40, b=10),
                  legend=dict(orientation="h", y=-0.25, x=0))
    return unvalidated(data, layout)


def _layer_picks(n_layers: int, most: int = 10) -> list[int]:
    """Up to ``most`` evenly spread layer indices (always the first and the last)."""
    return sorted(set(np.linspace(0, n_layers - 1, min(n_layers, most)).round().astype(int).tolist()))


def histogram_grid(results: dict, kind: str = "act", x_range: tuple[float, float] | None = None) -> go.Figure:
    """Rows: schemes; columns: layers. Each cell is the histogram of one layer's activations (or gradients).

    A fixed ``x_range`` (the activation's bounds) makes a collapse towards 0 show as a spike. Each
    cell has two short ticks, 0 and a round value, so that ten columns fit a phone. Gradients: a
    layer whose gradients are all exactly 0 is marked "0", one whose largest |∂L/∂z| is below
    VANISHED is marked "≈0" (vanished); neither is drawn. The gradient entering the last layer is the
    loss's R ~ N(0, 1) (optiviz.labs.activations_init.statistics), so VANISHED = 1e-12 is relative to the loss's scale:
    such bins would only show values no weight update could use.
    """
    schemes = list(results)
    n_layers = len(next(iter(results.values())).stats)
    picks = _layer_picks(n_layers)
    cols = len(picks)
    layout = grid(len(schemes), cols, column_titles=[f"layer {i + 1}" if k == 0 else str(i + 1)
                                                     for k, i in enumerate(picks)],
                  row_titles=[scheme_label(s) for s in schemes], horizontal_spacing=0.012,
                  vertical_spacing=0.03 if x_range else 0.3 / max(len(schemes), 1),  # room for each row's own ticks
                  title_size=11)
    notes, data = layout.setdefault("annotations", []), []
    for r, scheme in enumerate(schemes):
        res = results[scheme]
        counts, edges = (res.act_counts, res.act_edges) if kind == "act" else (res.grad_counts, res.grad_edges)
        for c, layer in enumerate(picks):
            k, e = r * cols + c + 1, edges[layer]
            mark = None
            if kind != "act":
                norm = float(res.stats["grad_norm"].iloc[layer])
                if norm == 0:
                    mark = "0"
                elif np.isfinite(norm) and np.nanmax(np.abs(e)) < VANISHED:
                    mark = "≈0"
            if mark:
                data.append(dict(type="bar", x=[0.0], y=[0], showlegend=False, hoverinfo="skip",
                                 marker=dict(color=_colour(scheme)), **cell(k)))
                notes.append(dict(text=mark, x=0.5, y=0.5, xref=f"{cell(k)['xaxis']} domain",
                                  yref=f"{cell(k)['yaxis']} domain", showarrow=False, font=dict(size=11)))
                axis(layout, "x", k)["tickvals"] = []
                continue
            data.append(dict(type="bar", x=(e[:-1] + e[1:]) / 2, y=counts[layer], width=np.diff(e),
                             marker=dict(color=_colour(scheme), line=dict(width=0),
                                         pattern=dict(shape="/" if scheme in SCHEME_DASHES else "")),  # zeros, constant
                             showlegend=False, hovertemplate=f"{scheme_label(scheme)}, layer {layer + 1}<br>"
                                                             "%{x:.3g}: %{y}<extra></extra>", **cell(k)))
            if x_range is None:
                with np.errstate(all="ignore"):
                    top = float(np.nanmax(np.abs(e[np.isfinite(e)]), initial=0.0))
                if top > 0:  # a gridline at 0, and one labelled round value: short enough for a phone's columns
                    tick = _nice(0.9 * top)
                    axis(layout, "x", k).update(tickvals=[tick], ticktext=[_short(tick)], zeroline=True)
    ticks = [t for t in (-1.0, 0.0, 1.0) if x_range and x_range[0] <= t <= x_range[1]]
    for x in axes(layout, "x"):
        x.update(tickfont=dict(size=9))
        if x_range is not None:  # the same range in every cell: gridlines everywhere, labels under the first column
            x.update(range=list(x_range), tickvals=ticks, ticktext=[_short(t) for t in ticks], showticklabels=False)
    if x_range is not None:
        axis(layout, "x", (len(schemes) - 1) * cols + 1)["showticklabels"] = True
    for y in axes(layout, "y"):
        y["showticklabels"] = False
    layout.update(height=(110 if x_range else 125) * len(schemes) + 60, bargap=0,
                  margin=dict(l=10, r=40, t=40, b=10))
    return unvalidated(data, layout)


def _per_layer(results: dict, panels: list[tuple[str, str, bool]], height: int) -> tuple[dict, list[dict]]:
    """(layout, traces): one panel per (column, title, log axis), a line per scheme against the layer."""
    layout = grid(1, len(panels), [t for _, t, _ in panels], horizontal_spacing=0.07)
    data = []
    for scheme, res in results.items():
        for k, (column, _, log) in enumerate(panels, start=1):
            y = res.stats[column].to_numpy(dtype=float)
            if log:
                y = np.where(y == 0, np.nan, np.maximum(np.abs(y), FLOOR))
            data.append(dict(type="scatter", x=res.stats["layer"].to_numpy(), y=y, mode="lines+markers",
                             name=scheme_label(scheme), legendgroup=scheme, showlegend=k == 1,
                             line=dict(color=_colour(scheme), width=2, dash=SCHEME_DASHES.get(scheme, "solid")),
                             marker=dict(size=5, symbol="diamond" if scheme in SCHEME_DASHES else "circle"), **cell(k)))
    for k, (_, _, log) in enumerate(panels, start=1):
        if log:
            axis(layout, "y", k).update(type="log", exponentformat="power", minorloglabels="none")
    few = len(next(iter(results.values())).stats) <= 12
    for x in axes(layout, "x"):
        x.update(title=dict(text="layer"), **({"dtick": 1} if few else {}))
    layout.update(height=height, margin=dict(l=10, r=10, t=40, b=10))
    return layout, data


def _per_layer_figure(results: dict, panels: list[tuple[str, str, bool]], height: int, **y_axis) -> go.Figure:
    """``_per_layer`` as a figure, with ``y_axis`` properties on every panel."""
    layout, data = _per_layer(results, panels, height)
    for y in axes(layout, "y"):
        y.update(y_axis)
    return unvalidated(data, layout)


def layer_moments(results: dict) -> go.Figure:
    """Mean and standard deviation of each layer's activations, one line per scheme."""
    return _per_layer_figure(results, [("mean", "mean of f(z)", False),
                                       ("std", "standard deviation of f(z) (log)", True)], 340)


def unit_health(results: dict) -> go.Figure:
    """Per layer: the share of dead (exactly zero) and of saturated units."""
    return _per_layer_figure(results, [("zero_fraction", "dead: share of f(z) = 0", False),
                                       ("saturated_fraction", "saturated: within 0.01 of a bound", False)], 320,
                             range=[-0.02, 1.02], tickformat=".0%")


def gradient_spread(results: dict) -> go.Figure:
    """The spread of ∂L/∂z per layer: vanishing towards the first layers, or exploding."""
    return _per_layer_figure(results, [("grad_std", "standard deviation of ∂L/∂z (log)", True),
                                       ("grad_norm", "norm ‖∂L/∂z‖ / √samples (log)", True)], 340)


def training_losses(curves: dict, floor: float = 1e-4) -> go.Figure:
    """Training loss per epoch for each scheme: the median over the seeds, and the 10–90% band of the seeds.

    ``curves`` maps a scheme to its SeedCurves; a scheme with one seed (zeros, constant: nothing
    random) is one dotted line. Log axis, values below ``floor`` drawn at it.
    """
    data = []
    rank = {scheme: k for k, scheme in enumerate(curves)}
    # one-run schemes last, dotted on top: zeros at ln 2 stays visible over small normal's line there
    for scheme, c in sorted(curves.items(), key=lambda item: len(item[1].seeds) == 1):
        epochs, n = c.epochs, len(c.seeds)
        median, low, high = spread(c.train_loss)
        colour, name = _colour(scheme), scheme_label(scheme)
        if n > 1:
            data.append(band(epochs, np.maximum(low, floor), np.maximum(high, floor), colour,
                             f"{name}: 10–90% of {n} seeds", legendgroup=scheme, showlegend=False))
        data.append(dict(type="scatter", x=epochs, y=np.maximum(median, floor), mode="lines", legendgroup=scheme,
                         legendrank=1000 + rank[scheme], name=name if n > 1 else f"{name} (every seed)",
                         line=dict(color=colour, width=3 if n == 1 else 2.5, dash="dot" if n == 1 else "solid"),
                         hovertemplate=f"{name}, epoch %{{x}}: %{{y:.3g}}<extra></extra>"))
    layout = dict(
        shapes=[dict(type="line", x0=0, x1=1, xref="x domain", y0=np.log(2), y1=np.log(2), yref="y",
                     line=dict(color=NEUTRAL, width=1, dash="dash"))],
        annotations=[dict(text="ln 2: a coin toss", x=1, xref="x domain", xanchor="right", y=np.log10(np.log(2)),
                          yanchor="bottom", showarrow=False, font=dict(size=10))],  # log axis: y is log₁₀
        xaxis=dict(title=dict(text="epoch")),
        yaxis=dict(type="log", title=dict(text="training loss (median, 10–90% band)"), exponentformat="power",
                   minorloglabels="none"),
        height=380, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=-0.2, x=0))
    return unvalidated(data, layout)


_BOUNDS = {"tanh": "±1", "sigmoid": "0 and 1", "elu": "−α"}


def _scheme_name(scheme: str, small_sigma: float, large_sigma: float) -> str:
    sigma = {"small normal": small_sigma, "large normal": large_sigma}.get(scheme)
    return f"{scheme_label(scheme)} (σ = {sigma:g})" if sigma is not None else scheme_label(scheme)


def forward_note(results: dict, activation: str, small_sigma: float, large_sigma: float) -> str:
    """One sentence per normal-based scheme saying what its histograms show, with the numbers of its layers."""
    bound = _BOUNDS.get(activation)
    notes = []
    for scheme, res in results.items():
        if scheme in ("zeros", "constant"):
            continue
        st, L = res.stats, len(res.stats)
        first, last = float(st["std"].iloc[0]), float(st["std"].iloc[-1])
        sat, dead = st["saturated_fraction"], st["zero_fraction"]
        name = _scheme_name(scheme, small_sigma, large_sigma)
        if not (np.isfinite(first) and np.isfinite(last)):
            notes.append(f"**{name}** overflows: the values leave float64's range (exploding activations).")
        elif last < 0.1 * first:
            notes.append(f"**{name}** shrinks to a spike at 0: std {first:.2g} in layer 1, {last:.2g} in layer {L}.")
        elif bound and sat.min() > 0.5:
            share = (f"{sat.min():.0%}" if f"{sat.min():.0%}" == f"{sat.max():.0%}"
                     else f"{sat.min():.0%}–{sat.max():.0%}")
            notes.append(f"**{name}** piles up against {bound}: {share} of the values lie within 0.01 of {bound} in "
                         "every layer (saturated).")
        else:
            text = f"**{name}** stays spread out: std {first:.2g} in layer 1, {last:.2g} in layer {L}"
            if bound:
                text += f"; at most {sat.max():.1%} of a layer within 0.01 of {bound}"
            if dead.max() > 0.05:
                text += f"; {dead.mean():.0%} of the units are exactly 0 (dead ReLU)"
            counts = res.act_counts[0]
            if scheme == "xavier" and activation == "tanh" and np.argmax(counts) not in range(len(counts) // 4,
                                                                                            3 * len(counts) // 4):
                text += (". Its layer-1 humps near ±1 are not saturation: layer 1 gets the inputs' unit variance, "
                         "and tanh of z ~ N(0, 1) is densest at |f(z)| ≈ 0.96")
            notes.append(text + ".")
    return "  \n".join(notes)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _factor(x: float) -> str:
    """2.8, 45, or 7×10⁵ for a factor x ≥ 1."""
    if x < 100:
        return f"{x:.2g}"
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def spread_note(results: dict, activation: str) -> str:
    """How much each scheme's spread of f(z) changes from the first to the last layer, and why."""
    changes = []
    for scheme, res in results.items():
        first, last = (float(res.stats["std"].iloc[i]) for i in (0, -1))
        if first > 0 and last > 0 and np.isfinite(first) and np.isfinite(last):
            ratio = last / first
            change = ("unchanged" if 0.95 <= ratio <= 1.05 else f"×{_factor(ratio)}" if ratio > 1
                      else f"÷{_factor(1 / ratio)}")
            changes.append(f"{scheme_label(scheme)} {change}")
    text = ""
    if changes:
        text = (f"Spread of f(z) from layer 1 to layer {len(next(iter(results.values())).stats)}: "
                + ", ".join(changes) + ". ")
    if activation == "tanh":
        text += ("A small σ shrinks the spread layer after layer and a large σ holds it at the bounds. Xavier keeps "
                 "Var(z) = Var(h) where tanh is linear; tanh squeezes a little at every layer, so its spread shrinks "
                 "slowly, far less than a small σ's.")
    elif activation in ("relu", "leaky_relu"):
        text += "With ReLU: He keeps the second moment steady, Xavier halves it at every layer."
    return text
