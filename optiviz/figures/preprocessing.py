"""Figures for the data pre-processing lab: the four clouds (Figures 6–7), their loss surfaces with one
optimizer's path on each, the loss against the step and the learning rate, and Figure 5's two classifiers."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optiviz.figures.isolines import isolines
from optiviz.figures.palette import CLASS_COLOURS, INK, MINIMUM_COLOUR, NEUTRAL, SURFACE_COLOURSCALE, TRANSFORM_COLOURS
from optiviz.figures.plain import unvalidated

TRANSFORM_TITLES = MappingProxyType({"none": "raw", "centre": "zero-centred", "standardise": "normalised",
                                     "whiten": "whitened"})
CLOUD_COLOURS = (TRANSFORM_COLOURS["centre"], TRANSFORM_COLOURS["none"])  # Figure 5: near (centred), far (raw)
CLOUD_NAMES = ("near the origin", "far from the origin")
FLOOR = 1e-16  # excess losses below this are drawn at it on log axes
DECADES_BELOW, DECADES_ABOVE = 5.0, 1.0  # contour levels around the start's excess loss
GAP = 0.035  # between panels, as a fraction of the figure's width


def _title(name: str) -> str:
    return TRANSFORM_TITLES.get(name, name)


def _panel_axes(n: int, ranges=None, zeroline: bool = True, titles=("", "")) -> dict:
    """Layout entries for n square panels side by side, each with equal units on both axes."""
    width = (1 - GAP * (n - 1)) / n
    layout = {}
    for k in range(n):
        sx, sy = ("", "") if k == 0 else (str(k + 1), str(k + 1))
        x = dict(domain=[k * (width + GAP), k * (width + GAP) + width], anchor=f"y{sy}", zeroline=zeroline,
                 zerolinecolor=NEUTRAL, zerolinewidth=1.2, constrain="domain",
                 title=dict(text=titles[0], standoff=4))
        y = dict(anchor=f"x{sx}", scaleanchor=f"x{sx}", scaleratio=1, zeroline=zeroline, zerolinecolor=NEUTRAL,
                 zerolinewidth=1.2, constrain="domain", title=dict(text=titles[1] if k == 0 else "", standoff=4))
        if ranges is not None:
            x["range"], y["range"] = list(ranges[k][0]), list(ranges[k][1])
        layout[f"xaxis{sx}"], layout[f"yaxis{sy}"] = x, y
    return layout


def _panel_titles(titles: list[str], colours=None) -> list[dict]:
    """A title above each panel, following the panel when equal axes shrink it; in the theme's text colour (a
    transform's colour is too light for text on a light page or too dark on a dark one: its marks carry it)."""
    return [dict(text=t, x=0.5, xref=f"{_axes_ref(k)['xaxis']} domain", y=1.0, yref=f"{_axes_ref(k)['yaxis']} domain",
                 yanchor="bottom", showarrow=False, font=dict(size=14))
            for k, t in enumerate(titles)]


def _axes_ref(k: int) -> dict:
    return dict(xaxis="x" if k == 0 else f"x{k + 1}", yaxis="y" if k == 0 else f"y{k + 1}")


def _square(lo: np.ndarray, hi: np.ndarray, pad: float = 0.06) -> tuple[list[float], list[float]]:
    """A square box around [lo, hi] (per axis), padded by ``pad`` × its side."""
    mid, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-9) * (1 + 2 * pad)
    return [mid[0] - half, mid[0] + half], [mid[1] - half, mid[1] + half]


def covariance_ellipse(X: np.ndarray, k: float = 2.0, n: int = 73) -> tuple[np.ndarray, np.ndarray]:
    """The k-σ ellipse of the points: μ + k L (cos t, sin t), with Σ = L Lᵀ the sample covariance."""
    X = np.asarray(X, dtype=float)
    mu = X.mean(axis=0)
    cov = np.cov(X.T, bias=True) + 1e-12 * np.eye(2)
    t = np.linspace(0, 2 * np.pi, n)
    e = mu + k * np.stack([np.cos(t), np.sin(t)], axis=-1) @ np.linalg.cholesky(cov).T
    return e[:, 0], e[:, 1]


def _points(X: np.ndarray, y: np.ndarray, classes: bool, colour: str, k: int, name: str, legend: bool) -> list[dict]:
    """The cloud: one colour, or one per class (logistic labels)."""
    if not classes:
        return [dict(type="scatter", x=X[:, 0], y=X[:, 1], mode="markers", name=name, showlegend=False, **_axes_ref(k),
                     marker=dict(size=5, color=colour, opacity=0.55),
                     hovertemplate="(%{x:.2f}, %{y:.2f})<extra></extra>")]
    return [dict(type="scatter", x=X[y == c, 0], y=X[y == c, 1], mode="markers", name=f"class {c}",
                 legendgroup=f"class {c}", showlegend=legend and k == 0, **_axes_ref(k),
                 marker=dict(size=5, color=CLASS_COLOURS[c], opacity=0.6),
                 hovertemplate=f"class {c}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>") for c in (0, 1)]


def data_panels(problems: dict) -> go.Figure:
    """Figures 6–7 live: the cloud raw, zero-centred, normalised and whitened, on the same equal axes through the
    origin, each with its 2σ covariance ellipse."""
    names = list(problems)
    allX = np.vstack([p.X for p in problems.values()] + [np.zeros((1, 2))])
    box = _square(allX.min(axis=0), allX.max(axis=0))
    data = []
    for k, (name, p) in enumerate(problems.items()):
        colour = TRANSFORM_COLOURS.get(name, INK["grey"])
        data += _points(p.X, p.y.astype(int) if p.model == "logistic" else p.y, p.model == "logistic", colour, k,
                        _title(name), True)
        ex, ey = covariance_ellipse(p.X)
        data.append(dict(type="scatter", x=ex, y=ey, mode="lines", name="2σ ellipse", legendgroup="ellipse",
                         showlegend=k == 0, **_axes_ref(k), line=dict(color=NEUTRAL, width=1.5, dash="dash"),
                         hoverinfo="skip"))
    layout = dict(**_panel_axes(len(names), [box] * len(names), titles=("x₁", "x₂")),
                  annotations=_panel_titles([f"<b>{_title(n)}</b>" for n in names],
                                            [TRANSFORM_COLOURS.get(n) for n in names]),
                  legend=dict(orientation="h", y=-0.12, x=0), margin=dict(l=10, r=10, t=30, b=10), height=360)
    return unvalidated(data, layout)


def _levels(top: float) -> np.ndarray:
    """Excess-loss contour levels, log-spaced 2.5 per decade, from the start's level down five decades and up one."""
    t = np.log10(max(top, FLOOR))
    return np.arange(t - DECADES_BELOW, t + DECADES_ABOVE + 1e-9, 0.4)


def loss_panels(comparison) -> go.Figure:
    """One loss surface per preprocessing (shading and contours of log₁₀(L − L*)) with the optimizer's path from
    the common start w₀ (open circle) towards each minimum w* (star); × marks where a run diverged."""
    c = comparison
    names = list(c.problems)
    traj = c.trajectories
    data = []
    for k, (name, (w1, w2, Z)) in enumerate(zip(names, c.grids)):
        excess0 = float(traj.loss[0, k] - c.loss_min[k])
        levels = _levels(excess0)
        z = np.clip(np.log10(np.maximum(Z - c.loss_min[k], FLOOR)), levels[0], levels[-1])
        lx, ly, _ = isolines(w1, w2, z, levels)
        ref = _axes_ref(k)
        colour = TRANSFORM_COLOURS.get(name, INK["grey"])
        data += [
            dict(type="heatmap", x=w1.astype(np.float32), y=w2.astype(np.float32), z=z.astype(np.float32), **ref,
                 colorscale=SURFACE_COLOURSCALE, showscale=False, name=f"{_title(name)} surface",
                 hovertemplate="w₁=%{x:.3f}<br>w₂=%{y:.3f}<br>log₁₀(L − L*)=%{z:.2f}<extra></extra>"),
            dict(type="scatter", x=lx.astype(np.float32), y=ly.astype(np.float32), mode="lines", **ref,
                 showlegend=False, hoverinfo="skip", name="contours",
                 line=dict(width=0.8, color="rgba(70,85,110,0.55)")),
        ]
        end = traj.diverged_at[k] if traj.diverged_at[k] >= 0 else len(traj.loss)
        path = traj.points[:end, k]
        data.append(dict(type="scatter", x=path[:, 0], y=path[:, 1], mode="lines+markers", name=_title(name),
                         showlegend=False, **ref, line=dict(color=colour, width=2), marker=dict(size=4, color=colour),
                         customdata=np.arange(end),
                         hovertemplate="step %{customdata}<br>(%{x:.3f}, %{y:.3f})<extra></extra>"))
        data.append(dict(type="scatter", x=[c.optima[k, 0]], y=[c.optima[k, 1]], mode="markers", name="minimum w*",
                         legendgroup="minimum", showlegend=k == 0, **ref,
                         marker=dict(symbol="star", size=15, color="white", line=dict(color=MINIMUM_COLOUR, width=1.5)),
                         hovertemplate="minimum w* (%{x:.3f}, %{y:.3f})<extra></extra>"))
        data.append(dict(type="scatter", x=[c.start[0]], y=[c.start[1]], mode="markers", name="start w₀",
                         legendgroup="start", showlegend=k == 0, **ref,
                         marker=dict(symbol="circle-open", size=12, color=MINIMUM_COLOUR, line=dict(width=2)),
                         hovertemplate="start w₀ (%{x:.3f}, %{y:.3f})<extra></extra>"))
        if traj.diverged_at[k] >= 0:
            data.append(dict(type="scatter", x=[path[-1, 0]], y=[path[-1, 1]], mode="markers", name="diverged",
                             legendgroup="diverged", showlegend=True, **ref,
                             marker=dict(symbol="x", size=13, color=colour, line=dict(width=1)),
                             hovertemplate=f"last step before diverging (step {end - 1})<extra></extra>"))
    same = bool(np.all(c.rates == c.rates[0]))
    titles = [f"<b>{_title(n)}</b><br><span style='font-size:12px'>κ = {kappa:.3g}" +
              ("" if same else f"<br>α = {a:g}") + "</span>" for n, kappa, a in zip(names, c.condition, c.rates)]
    layout = dict(**_panel_axes(len(names), [tuple(v) for v in c.views], zeroline=False, titles=("w₁", "w₂")),
                  annotations=_panel_titles(titles, [TRANSFORM_COLOURS.get(n) for n in names]),
                  legend=dict(orientation="h", y=-0.12, x=0), margin=dict(l=10, r=10, t=66, b=10), height=410)
    return unvalidated(data, layout)


def excess_curves(paths: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """L(w_t) − L* against the step t on a log axis, one line per preprocessing (legend entries from ``names``)."""
    data = []
    for name, group in paths.groupby("preprocessing", sort=False):
        label = (names or {}).get(name, _title(name))
        data.append(dict(type="scatter", x=group["step"].to_numpy(),
                         y=np.maximum(group["loss − minimum"].to_numpy(), FLOOR), mode="lines", name=label,
                         line=dict(color=TRANSFORM_COLOURS.get(name, INK["grey"]), width=2.5),
                         hovertemplate=f"{_title(name)}<br>step %{{x}}<br>L − L* = %{{y:.3g}}<extra></extra>"))
    layout = dict(xaxis=dict(title=dict(text="step t")),
                  yaxis=dict(type="log", title=dict(text="L(wₜ) − L*"), exponentformat="power", minorloglabels="none"),
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(l=10, r=10, t=40, b=10),
                  height=380)
    return unvalidated(data, layout)


def rate_sweep_curves(sweep: pd.DataFrame, chosen: float | None, steps: int, picked: dict | None = None) -> go.Figure:
    """Steps to converge against α per preprocessing (log–log); runs that diverged sit in a row of × on top;
    a dotted line marks the chosen α (if any), a ring each preprocessing's ``picked`` α (name → α)."""
    data = []
    top = steps * 1.6
    for i, (name, group) in enumerate(sweep.groupby("preprocessing", sort=False)):
        colour = TRANSFORM_COLOURS.get(name, INK["grey"])
        rates = group["learning rate"].to_numpy()
        done = group["steps to converge"].to_numpy(dtype=float, na_value=np.nan)
        diverged = group["diverged at step"].notna().to_numpy()
        data.append(dict(type="scatter", x=rates, y=np.where(diverged, np.nan, done), mode="lines+markers",
                         name=_title(name), legendgroup=name, line=dict(color=colour, width=2.5), marker=dict(size=6),
                         connectgaps=False,
                         hovertemplate=f"{_title(name)}<br>α = %{{x:.3g}}<br>%{{y}} steps<extra></extra>"))
        if diverged.any():
            data.append(dict(type="scatter", x=rates[diverged], y=np.full(int(diverged.sum()), top * 1.15**i),
                             mode="markers", legendgroup=name, showlegend=False,
                             marker=dict(symbol="x-thin", size=9, line=dict(width=2, color=colour)),
                             hovertemplate=f"{_title(name)}<br>α = %{{x:.3g}}: diverged<extra></extra>"))
        if picked and name in picked:
            at = np.isclose(rates, picked[name], rtol=1e-9) & ~diverged & np.isfinite(done)
            if at.any():
                data.append(dict(type="scatter", x=rates[at], y=done[at], mode="markers", legendgroup=name,
                                 showlegend=False, name=f"{_title(name)}: its α",
                                 marker=dict(symbol="circle-open", size=16, color=colour, line=dict(width=2.5)),
                                 hovertemplate=f"{_title(name)} runs at α = %{{x:.3g}}: %{{y}} steps<extra></extra>"))
    layout = dict(
        xaxis=dict(type="log", title=dict(text="learning rate α"), exponentformat="power", minorloglabels="none"),
        yaxis=dict(type="log", title=dict(text="steps to converge"), exponentformat="power", minorloglabels="none"),
        shapes=[] if chosen is None else
        [dict(type="line", x0=chosen, x1=chosen, yref="paper", y0=0, y1=1, line=dict(color=NEUTRAL, dash="dot"))],
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(l=10, r=10, t=40, b=10), height=380,
    )
    return unvalidated(data, layout)


def _line(w: np.ndarray, b: float, box) -> tuple[list[float], list[float]]:
    """A long segment of the line w·x + b = 0 through the box (plotly clips it to the axes)."""
    norm2 = float(w @ w)
    p0 = -b * w / norm2
    d = np.array([-w[1], w[0]]) / np.sqrt(norm2)
    reach = 4 * max(box[0][1] - box[0][0], box[1][1] - box[1][0]) + float(np.abs(p0).max())
    return [p0[0] - reach * d[0], p0[0] + reach * d[0]], [p0[1] - reach * d[1], p0[1] + reach * d[1]]


def sensitivity_clouds(sens, size: float) -> go.Figure:
    """Figure 5 live: the same labelled cloud near the origin and far from it, each with its classifier's line
    w·x + b = 0 before (solid) and after (dashed) the same weight change Δw; ringed points changed class."""
    flips = sens.flips(size)
    dw = sens.change(size)
    clouds = (sens.near.X, sens.far.X)
    allX = np.vstack([*clouds, np.zeros((1, 2))])
    box = _square(allX.min(axis=0), allX.max(axis=0))
    y = sens.near.y.astype(int)
    data = []
    for k, X in enumerate(clouds):
        ref = _axes_ref(k)
        data += _points(X, y, True, "", k, "", True)
        for w, dash, label in ((sens.weights, "solid", "line before: w·x + b = 0"),
                               (sens.weights + dw, "dash", "line after: (w + Δw)·x + b = 0")):
            lx, ly = _line(w, sens.bias[k], box)
            data.append(dict(type="scatter", x=lx, y=ly, mode="lines", name=label, legendgroup=label, showlegend=k == 0,
                             **ref, line=dict(color=NEUTRAL, width=2, dash=dash), hoverinfo="skip"))
        data.append(dict(type="scatter", x=X[flips[k], 0], y=X[flips[k], 1], mode="markers", name="changed class",
                         legendgroup="flipped", showlegend=k == 0, **ref,
                         marker=dict(symbol="circle-open", size=11, color=NEUTRAL, line=dict(width=1.8)),
                         hovertemplate="changed class<br>(%{x:.2f}, %{y:.2f})<extra></extra>"))
        data.append(dict(type="scatter", x=[0.0], y=[0.0], mode="markers+text", text=["origin" if k else ""],
                         textposition="bottom right",
                         showlegend=False, **ref,
                         marker=dict(symbol="cross-thin", size=12, line=dict(width=2, color=NEUTRAL)),
                         hoverinfo="skip"))
    titles = [f"{CLOUD_NAMES[k]}: {flips[k].mean():.0%} of points change class" for k in range(2)]
    layout = dict(**_panel_axes(2, [box, box], titles=("x₁", "x₂")), annotations=_panel_titles(titles, CLOUD_COLOURS),
                  legend=dict(orientation="h", y=-0.1, x=0), margin=dict(l=10, r=10, t=30, b=10), height=470)
    return unvalidated(data, layout)


def sensitivity_curves(sens, size: float) -> go.Figure:
    """The fraction of points that change class, and the change in loss, against the size of the weight change,
    near vs far (averaged over the directions of Δw)."""
    data = []
    for k, (name, colour) in enumerate(zip(CLOUD_NAMES, CLOUD_COLOURS)):
        for j, (values, fmt) in enumerate(((sens.flipped[k], ".1%"), (sens.loss_change[k], ".3g"))):
            data.append(dict(type="scatter", x=sens.sizes, y=values, mode="lines", name=name, legendgroup=name,
                             showlegend=j == 0, xaxis="x" if j == 0 else "x2", yaxis="y" if j == 0 else "y2",
                             line=dict(color=colour, width=2.5),
                             hovertemplate=f"{name}<br>|Δw|/|w| = %{{x:.2f}}<br>%{{y:{fmt}}}<extra></extra>"))
    shapes = [dict(type="line", x0=size, x1=size, xref=xr, yref=f"{yr} domain", y0=0, y1=1,
                   line=dict(color=NEUTRAL, dash="dot")) for xr, yr in (("x", "y"), ("x2", "y2"))]
    layout = dict(
        xaxis=dict(domain=[0, 0.46], title=dict(text="relative weight change |Δw| / |w|")),
        yaxis=dict(title=dict(text="fraction of points that change class"), tickformat=".0%", rangemode="tozero"),
        xaxis2=dict(domain=[0.56, 1], anchor="y2", title=dict(text="relative weight change |Δw| / |w|")),
        yaxis2=dict(anchor="x2", title=dict(text="increase in loss L(w + Δw) − L(w)"), rangemode="tozero"),
        shapes=shapes, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        margin=dict(l=10, r=10, t=40, b=10), height=340,
    )
    return unvalidated(data, layout)
