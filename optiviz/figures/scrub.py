"""A map whose own slider sweeps the learning rate α, in the browser: Distill's momentum article on the race's surface.

Every path of a grid of α (and of momentum γ) is computed at once on the server and sent with the figure; the
slider's steps show one α's frame (``animate``, no redraw) and the γ buttons show or hide paths (``restyle``):
both run inside plotly.js, so scrubbing sends nothing back to the server.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from optiviz.core.descent import Trajectories
from optiviz.figures.plain import PlainFigure, typed_array
from optiviz.figures.palette import NEUTRAL, colour
from optiviz.figures.optimizer_race import FLOOR, NO_NAME, Background, _markers
from optiviz.core.surfaces import Surface

MAX_STEPS = 200  # steps drawn per path: payload = γ values × α values × steps
ANIMATE = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")


class ScrubSize(NamedTuple):
    """Fixed pixels, as the race map: the map (one unit as long across as up), the loss strip, and margins that
    hold the legend (top), the strip's ticks, the α slider and the γ buttons (bottom)."""

    map_height: int = 320
    gap: int = 40
    strip: int = 78
    top: int = 36
    bottom: int = 140  # the strip's ticks and title (44), the α slider (56), the γ buttons
    left: int = 64
    right: int = 24

    def map_width(self, surface: Surface) -> int:
        (x0, x1), (y0, y1) = surface.bounds
        return round(self.map_height * (x1 - x0) / (y1 - y0))

    def width(self, surface: Surface) -> int:
        return self.left + self.map_width(surface) + self.right

    @property
    def plot(self) -> int:
        return self.map_height + self.gap + self.strip

    @property
    def height(self) -> int:
        return self.top + self.plot + self.bottom


SCRUB_SIZE = ScrubSize()


def gamma_label(gamma: float) -> str:
    """Short: the three fit in one legend row on a phone."""
    return "γ = 0 (SGD)" if gamma == 0 else f"γ = {gamma:g}"


def _style(gamma: float) -> dict:
    """γ = 0 is SGD (its colour); momentum's colour for γ > 0, dashed for the smaller γ."""
    if gamma == 0:
        return dict(color=colour("sgd"), width=2)
    return dict(color=colour("momentum"), width=2.5 if gamma >= 0.9 else 2, dash="solid" if gamma >= 0.9 else "dash")


def _cut(values: np.ndarray, end: int) -> np.ndarray:
    """A run's values up to (not including) step ``end``, at least two (a single point is doubled: a frame must
    not shrink a trace to one point, plotly.js then keeps its old line)."""
    kept = values[:end]
    return np.repeat(kept, 2) if kept.size == 1 else kept


def paths_of(traj: Trajectories, n_gammas: int, n_rates: int) -> list[list[dict]]:
    """Per γ, per α: the drawn arrays ``x``, ``y`` (the path) and ``loss`` (floored at FLOOR), each cut where the
    run diverged and at MAX_STEPS, and ``diverged_at`` (None if it did not)."""
    out = []
    shown = min(len(traj.loss), MAX_STEPS + 1)
    for g in range(n_gammas):
        row = []
        for a in range(n_rates):
            b = g * n_rates + a
            gone = int(traj.diverged_at[b])
            end = min(gone if gone >= 0 else shown, shown)
            row.append(dict(x=_cut(traj.points[:, b, 0], end), y=_cut(traj.points[:, b, 1], end),
                            loss=_cut(np.maximum(traj.loss[:, b], FLOOR), end),
                            diverged_at=gone if gone >= 0 else None))
        out.append(row)
    return out


def scrub_map(surface: Surface, traj: Trajectories, learning_rates: Sequence[float], momenta: Sequence[float],
              background: Background, active: int) -> PlainFigure:
    """The paths of every γ at one α over the surface's contours, a log-loss strip under them, and a slider over
    the α grid (``currentvalue`` "α = …"); buttons under it show every γ or one. ``traj`` holds the runs of
    ``descent.grid_paths(…, learning_rates, momentum=momenta)``: run g·A + a is (γ_g, α_a)."""
    rates, gammas = list(learning_rates), list(momenta)
    runs = paths_of(traj, len(gammas), len(rates))
    size = SCRUB_SIZE
    steps = min(len(traj.loss) - 1, MAX_STEPS)
    start = (float(traj.points[0, 0, 0]), float(traj.points[0, 0, 1]))
    data = [background.traces[0], *_markers(surface, start)]
    first = len(data)
    loss_axes = dict(xaxis="x2", yaxis="y2")
    for g, gamma in enumerate(gammas):
        run = runs[g][active]
        label = gamma_label(gamma)
        data.append(dict(type="scatter", mode="lines", name=label, legendgroup=str(gamma), line=_style(gamma),
                         x=typed_array(run["x"]), y=typed_array(run["y"]),
                         hovertemplate=f"{label}  (%{{x:.3f}}, %{{y:.3f}})", hoverlabel=NO_NAME))
    for g, gamma in enumerate(gammas):
        run = runs[g][active]
        data.append(dict(type="scatter", mode="lines", name=gamma_label(gamma), legendgroup=str(gamma),
                         showlegend=False, line=_style(gamma),
                         x0=0, dx=1, y=typed_array(run["loss"]),  # x: the step, 0, 1, …
                         hovertemplate=f"{gamma_label(gamma)}  step %{{x}}  loss %{{y:.3g}}", hoverlabel=NO_NAME,
                         **loss_axes))
    moved = list(range(first, first + 2 * len(gammas)))
    frames = []
    for a, rate in enumerate(rates):
        paths = [dict(type="scatter", x=typed_array(runs[g][a]["x"]), y=typed_array(runs[g][a]["y"]))
                 for g in range(len(gammas))]
        losses = [dict(type="scatter", y=typed_array(runs[g][a]["loss"])) for g in range(len(gammas))]
        frames.append(dict(name=f"{rate:g}", data=paths + losses, traces=moved))
    finite = np.concatenate([run["loss"] for row in runs for run in row])
    finite = finite[np.isfinite(finite)]
    low, high = np.log10([finite.min(), finite.max()]) if finite.size else (0.0, 1.0)
    low, high = float(low) - 0.1, float(high) + 0.1

    def step_label(a: int) -> str:
        gone = [f"{gammas[g]:g}" for g in range(len(gammas)) if runs[g][a]["diverged_at"] is not None]
        return f"{rates[a]:g}" + (f"   (diverges at γ = {', '.join(gone)})" if gone else "")

    below = 44 / size.plot  # under the strip's tick labels and title
    visible = [[True] * len(moved)] + [[i % len(gammas) == g for i in range(len(moved))] for g in range(len(gammas))]
    layout = dict(
        images=[background.image],
        xaxis=dict(range=list(surface.bounds[0]), title=dict(text="x  (w₁)", standoff=2), constrain="domain",
                   showgrid=False, zeroline=False, ticklen=3),
        yaxis=dict(range=list(surface.bounds[1]), title=dict(text="y  (w₂)", standoff=4), showgrid=False,
                   zeroline=False, domain=[(size.strip + size.gap) / size.plot, 1.0], scaleanchor="x", scaleratio=1,
                   constrain="domain", ticklen=3),
        xaxis2=dict(range=[0, max(steps, 1)], anchor="y2", zeroline=False, ticklen=3, nticks=6,
                    title=dict(text="step t", standoff=2)),
        yaxis2=dict(type="log", range=[low, high], title=dict(text="loss", standoff=4), anchor="x2",
                    domain=[0.0, size.strip / size.plot], exponentformat="power", minorloglabels="none",
                    nticks=4, fixedrange=True),
        legend=dict(orientation="h", x=-(size.left - 12) / size.map_width(surface), xanchor="left", y=1,
                    yanchor="bottom", font=dict(size=12), itemwidth=30),
        sliders=[dict(active=active, x=0.0, len=1.0, y=-below, yanchor="top", pad=dict(t=0, b=0, l=0, r=0),
                      # the value in the theme's ink; the step labels (every α) too small to crowd the rail
                      currentvalue=dict(prefix="α = ", font=dict(size=14), xanchor="left", offset=8),
                      ticklen=0, tickcolor="rgba(0,0,0,0)", font=dict(size=1),
                      steps=[dict(label=step_label(a), method="animate", args=[[f"{rate:g}"], ANIMATE])
                             for a, rate in enumerate(rates)])],
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-(44 + 58) / size.plot, xanchor="left",
                          yanchor="top",
                          # no "active" fill: plotly's is near-white, unreadable under the dark theme; the map shows
                          # which γ is drawn
                          pad=dict(r=4, t=0), showactive=False, font=dict(size=12), bordercolor=NEUTRAL,
                          buttons=[dict(label=lab, method="restyle", args=[dict(visible=v), moved])
                                   for lab, v in zip(["every γ", *(f"γ = {g:g}" for g in gammas)], visible)])],
        margin=dict(l=size.left, r=size.right, t=size.top, b=size.bottom, autoexpand=False),
        width=size.width(surface),
        height=size.height,
        uirevision=f"scrub-{surface.name}",
    )
    return PlainFigure(dict(data=data, layout=layout, frames=frames))
