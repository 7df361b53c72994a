"""Figures for the optimizer race: the animated contour map, losses, the 3-D view, the sweep."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optiviz.core.descent import Path
from optiviz.figures.isolines import isolines
from optiviz.figures.plain import DEFAULT_TEMPLATE, PlainFigure, typed_array, typed_prefixes, unvalidated
from optiviz.figures.png import png_data_uri
from optiviz.figures.palette import MINIMUM_COLOUR, NEUTRAL, SURFACE_COLOURSCALE, colour, shade
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.surfaces import Surface

MAX_FRAMES = 48  # animation frames on the race map
BLOCK = 8  # frames per piece of a trail on the race map (see _trails)
FLOOR = 1e-12  # losses below this are drawn at it on log axes
# plotly's toolbar for the map: download, zoom (drag a box) and reset only, clear of the legend's first row
MAP_CONFIG = dict(displaylogo=False,
                  modeBarButtonsToRemove=["zoomIn2d", "zoomOut2d", "autoScale2d", "pan2d", "select2d", "lasso2d"])
NO_NAME = dict(namelength=0)  # no trace-name box beside a hover: the map's JSON then has no < > to escape (<extra>)


def _label(name: str) -> str:
    return OPTIMIZERS[name].label if name in OPTIMIZERS else name


class Background(NamedTuple):
    """What the race map draws under the paths, once per surface."""

    image: dict  # a layout image: the loss, shaded
    traces: list[dict]  # the contour lines (each tells its loss on hover) and the colour bar's carrier


def surface_layers(surface: Surface, pixels: int = 160, line_grid: int = 64, n_levels: int = 18) -> Background:
    """The loss shaded as a picture under the axes, its contour lines, and a colour bar (log₁₀ loss where
    values span decades).

    A picture, not a heatmap trace: a frame that does not redraw makes plotly.js remove the layers of trace
    types that cannot animate, so a heatmap vanished on Play; nor a contour trace, which redraws every frame.
    """
    levels = surface.levels(n_levels)
    lift = (lambda v: np.log10(np.maximum(v, levels[0] / 10))) if surface.log_levels else (lambda v: v)
    title = "log₁₀ loss" if surface.log_levels else "loss"
    (x0, x1), (y0, y1) = surface.bounds
    centres = (np.arange(pixels) + 0.5) / pixels
    xx, yy = np.meshgrid(x0 + centres * (x1 - x0), y1 - centres * (y1 - y0))  # pixel centres, top row first
    z = lift(surface.value(np.stack([xx, yy], axis=-1)))
    low, high = float(z.min()), float(lift(levels)[-1])
    image = dict(source=png_data_uri(shade((z - low) / (high - low))), xref="x", yref="y", x=x0, y=y1,
                 sizex=x1 - x0, sizey=y1 - y0, sizing="stretch", layer="below")
    lx, ly, lz = surface.grid(line_grid)
    lx, ly, at = isolines(lx, ly, lift(lz), lift(levels))
    loss = 10.0**at if surface.log_levels else at
    return Background(image, [
        dict(type="scatter", x=typed_array(lx), y=typed_array(ly), customdata=typed_array(loss), mode="lines",
             name="contours", showlegend=False, line=dict(width=0.8, color="rgba(70,85,110,0.5)"),
             hovertemplate="loss %{customdata:.3g} along this line", hoverlabel=NO_NAME),
        dict(type="scatter", x=[x0], y=[y0], mode="markers", name="loss colours", showlegend=False, hoverinfo="skip",
             marker=dict(opacity=0, color=[low], cmin=low, cmax=high, colorscale=SURFACE_COLOURSCALE, showscale=True,
                         colorbar=dict(title=dict(text=title, side="right"), thickness=12, len=0.8))),
    ])


def _frame_steps(steps: int, n_frames: int) -> np.ndarray:
    return np.unique(np.round(np.linspace(0, steps, min(n_frames, steps + 1))).astype(int))


def _point(v: float) -> dict:
    """One point as a degenerate line of two equal points: drawn with length 0. A frame must never empty a
    trace (``[]`` or a single point): plotly.js then keeps the trace's old line in the SVG."""
    return typed_array([v, v])


def _trails(xy: list[tuple[np.ndarray, np.ndarray]], frame_steps: np.ndarray) -> tuple[list[list[dict]], list[list]]:
    """Each optimizer's trail cut into pieces that the frames fill in: bytes grow as steps, not as frames × steps.

    Frame k shows each path up to the point of step ``frame_steps[k]``. Piece 0, the tail, holds the points
    since the last frame whose number is a multiple of BLOCK; piece 1 + b holds block b, the points of frames
    bB … (b + 1)B, and is sent once, by the frame that completes it. Every frame names the one before it as its
    base frame, and plotly merges that chain (later frames win): frame k shows the blocks completed by then
    plus its own tail, and frame 0, which shrinks every block to the start point (twice: see ``_point``), hides
    the later ones again when Play restarts or the slider goes back.
    Returns the pieces as the last frame leaves them, per optimizer, and per frame its (optimizer, piece, x, y).
    """
    blocks = (len(frame_steps) - 1) // BLOCK
    frames = [[] for _ in frame_steps]
    final = []
    for p, (x, y) in enumerate(xy):
        frames[0] += [(p, 1 + b, _point(x[0]), _point(y[0])) for b in range(blocks)]  # every block at the start
        ends = np.minimum(frame_steps, len(x) - 1)
        pieces = [None]
        for first in range(0, len(ends), BLOCK):  # one encoding per block: its frames' tails are its prefixes
            last = min(first + BLOCK, len(ends) - 1)
            lengths = ends[first : last + 1] - ends[first] + 1
            xs, ys = typed_prefixes(x[ends[first] :], lengths), typed_prefixes(y[ends[first] :], lengths)
            for i in range(min(BLOCK, len(ends) - first)):
                tail = (xs[i], ys[i]) if lengths[i] > 1 else (_point(x[ends[first]]), _point(y[ends[first]]))
                frames[first + i].append((p, 0, *tail))
                pieces[0] = dict(x=tail[0], y=tail[1])
            if first + BLOCK == last:
                block = (xs[-1], ys[-1]) if lengths[-1] > 1 else (_point(x[ends[first]]), _point(y[ends[first]]))
                frames[last].append((p, len(pieces), *block))
                pieces.append(dict(x=block[0], y=block[1]))
        final.append(pieces)
    return final, frames


def _heads(xy: list[tuple[np.ndarray, np.ndarray]], frame_steps: np.ndarray) -> list[dict]:
    """Per frame, one trace holding every optimizer's current point."""
    if not xy:
        return [dict(x=[], y=[]) for _ in frame_steps]
    at = [np.minimum(frame_steps, len(x) - 1) for x, _ in xy]
    hx = np.stack([x[i] for (x, _), i in zip(xy, at)], axis=1)
    hy = np.stack([y[i] for (_, y), i in zip(xy, at)], axis=1)
    return [dict(x=typed_array(a), y=typed_array(b)) for a, b in zip(hx, hy)]


def _markers(surface: Surface, start: tuple[float, float] | None) -> list[dict]:
    """The minima (stars) and the start point (an open circle), each named beside it on the map: the legend
    keeps to the optimizers, in one row even on a phone."""
    label = dict(mode="markers+text", showlegend=False, textfont=dict(size=12, color=MINIMUM_COLOUR, shadow="auto"),
                 hoverlabel=NO_NAME)
    traces = [
        dict(type="scatter", x=[m[0]], y=[m[1]], name="minimum", text=["minimum"], textposition="top center", **label,
             marker=dict(symbol="star", size=16, color="white", line=dict(color=MINIMUM_COLOUR, width=1.5)),
             hovertemplate="minimum (%{x:.3g}, %{y:.3g})")
        for m in surface.minima
    ]
    if start is not None:
        traces.append(dict(type="scatter", x=[start[0]], y=[start[1]], name="start", text=["start"],
                           textposition="middle right", **label,
                           marker=dict(symbol="circle-open", size=13, color=MINIMUM_COLOUR, line=dict(width=2)),
                           hovertemplate="start (%{x:.3g}, %{y:.3g})"))
    return traces


def _player(frame_steps: np.ndarray, below: float) -> dict:
    """▶ Play and ❚❚ Pause at the left, the step shown at the right, and under them the step slider across the
    plot's width, ``below`` (a fraction of the plot's height) under the plot: the slider keeps its length when
    the figure is squeezed to a phone's width. Play goes on from the step shown (from the start when that is the
    first or the last frame): plotly's ``fromcurrent``."""
    play = dict(frame=dict(duration=80, redraw=False), transition=dict(duration=0), fromcurrent=True, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")
    return dict(
        updatemenus=[
            dict(type="buttons", direction="left", x=0.0, y=-below, xanchor="left", yanchor="top", pad=dict(r=4, t=0),
                 showactive=False, font=dict(size=12), bordercolor=NEUTRAL,  # text and fill from the theme
                 buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                          dict(label="❚❚ Pause", method="animate", args=[[None], pause])])
        ],
        sliders=[
            dict(active=len(frame_steps) - 1, x=0.0, len=1.0, y=-below, yanchor="top", pad=dict(t=0, b=0, l=0, r=0),
                 currentvalue=dict(prefix="step t = ", font=dict(size=13), xanchor="right", offset=12),
                 tickcolor="rgba(0,0,0,0)", ticklen=0, font=dict(color="rgba(0,0,0,0)", size=1),
                 steps=[dict(label=str(s), method="animate", args=[[str(s)], pause]) for s in frame_steps])
        ],
    )


def _loss_traces(paths: Sequence[Path], axes: dict, legend: bool = True) -> list[dict]:
    """Each optimizer's loss f(Wₜ) against the step t (floored at FLOOR for the log axis), and a cross where
    a run diverged (at its last loss); ``legend`` False leaves the legend to the map's paths."""
    data = []
    for p in paths:
        name, label = p.optimizer, _label(p.optimizer)
        data.append(dict(type="scatter", x=typed_array(p.step), y=typed_array(np.maximum(p.loss, FLOOR)), mode="lines",
                         name=label, legendgroup=name, showlegend=legend, line=dict(color=colour(name), width=2),
                         **axes, hovertemplate=f"{label}  step %{{x}}  loss %{{y:.3g}}", hoverlabel=NO_NAME))
        if p.diverged_at is not None:
            data.append(dict(type="scatter", x=[p.diverged_at], y=[max(float(p.loss[-1]), FLOOR)], legendgroup=name,
                             mode="markers+text", marker=dict(symbol="x", size=12, color=colour(name)),
                             text=["diverged"], textposition="top center", showlegend=False, **axes,
                             hovertemplate=f"{label} diverged at step %{{x}}", hoverlabel=NO_NAME))
    return data


def _loss_range(paths: Sequence[Path]) -> tuple[float, float]:
    """log₁₀ of the lowest and highest loss drawn, a little apart: the log axis's fixed range."""
    losses = np.concatenate([np.maximum(p.loss, FLOOR) for p in paths]) if paths else np.ones(1)
    losses = losses[np.isfinite(losses)]
    low, high = (np.log10([losses.min(), losses.max()]) if losses.size else (0.0, 1.0))
    pad = max(0.05 * (high - low), 0.1)
    return float(low - pad), float(high + pad)


class MapSize(NamedTuple):
    """The race figure's layout in pixels: the map (true angles: one unit is as long across as up), the loss
    strip under it, and around them fixed margins (plotly then measures nothing when a frame plays)."""

    map_height: int = 340
    gap: int = 40  # between map and strip: the map's tick labels and x title
    strip: int = 78  # the loss strip's height
    top: int = 42  # the legend, in one row
    bottom: int = 98  # the strip's tick labels, then ▶ Play and the step slider
    left: int = 64  # tick labels and titles of y and loss
    right: int = 74  # the colour bar

    def map_width(self, surface: Surface) -> int:
        (x0, x1), (y0, y1) = surface.bounds
        return round(self.map_height * (x1 - x0) / (y1 - y0))

    def width(self, surface: Surface) -> int:
        """The width at which the map shows at its full height: where the page has less, the map (and the strip,
        which spans the same width) shrinks to keep the angles true."""
        return self.left + self.map_width(surface) + self.right

    @property
    def height(self) -> int:
        return self.top + self.map_height + self.gap + self.strip + self.bottom

    @property
    def plot(self) -> int:
        return self.map_height + self.gap + self.strip


SIZE = MapSize()  # 598 px high: title, map, strip and ▶ Play fit together on a 1280×720 laptop screen
MAP_DOMAIN = [(SIZE.strip + SIZE.gap) / SIZE.plot, 1.0]  # the map above,
LOSS_DOMAIN = [0.0, SIZE.strip / SIZE.plot]  # the loss strip below, in one figure


def race_map(surface: Surface, paths: Sequence[Path], steps: int, background: Background | None = None,
             n_frames: int = MAX_FRAMES) -> PlainFigure:
    """Contour map with one animated path per optimizer, and under it each loss against the step, where a
    cursor and a dot per optimizer follow the animation. The surface is drawn once; frames carry only the new
    pieces of the paths (see ``_trails``), the current points and the cursor.

    ``background`` is ``surface_layers(surface)``, which callers may cache.

    It is plain data built and tested here: plotly's validation (~0.2 s for 60 frames) and its
    copy on every rerun are skipped.
    """
    start = (float(paths[0].x[0]), float(paths[0].y[0])) if paths else None
    background = background or surface_layers(surface)
    bar = background.traces[1]["marker"]["colorbar"] | dict(y=sum(MAP_DOMAIN) / 2, yanchor="middle", len=200,
                                                            lenmode="pixels", x=1.0, xref="paper", xanchor="left",
                                                            xpad=10, thickness=10)
    scale = background.traces[1] | dict(marker=background.traces[1]["marker"] | dict(colorbar=bar))
    data = [background.traces[0], scale, *_markers(surface, start)]
    xy = [(p.x.astype(np.float32), p.y.astype(np.float32)) for p in paths]  # as sent: converted once, not per frame
    frame_steps = _frame_steps(steps, n_frames)
    final, trails = _trails(xy, frame_steps)
    heads = _heads(xy, frame_steps)
    index = {}  # (optimizer, piece) → trace number
    for p, (path, pieces) in enumerate(zip(paths, final)):
        name, label = path.optimizer, _label(path.optimizer)
        style = dict(type="scatter", mode="lines", name=label, legendgroup=name,
                     line=dict(color=colour(name), width=2.5), hovertemplate=f"{label}  (%{{x:.3f}}, %{{y:.3f}})",
                     hoverlabel=NO_NAME)
        for j, piece in enumerate(pieces):
            index[p, j] = len(data)
            data.append(style | piece | dict(showlegend=j == 0))
    dots = dict(size=11, color=[colour(p.optimizer) for p in paths], line=dict(color="white", width=1.5))
    now = len(data)
    data.append(heads[-1] | dict(type="scatter", mode="markers", showlegend=False, hoverinfo="skip", name="now",
                                 marker=dots))
    loss2 = dict(xaxis="x2", yaxis="y2")
    data += _loss_traces(paths, loss2, legend=False)
    low, high = _loss_range(paths)
    at = [[min(int(s), len(p.loss) - 1) for p in paths] for s in frame_steps]
    loss_dots = [dict(x=[float(p.step[i]) for p, i in zip(paths, row)],
                      y=[max(float(p.loss[i]), FLOOR) for p, i in zip(paths, row)]) for row in at]
    cursors = [dict(x=[int(s), int(s)], y=[10.0**low, 10.0**high]) for s in frame_steps]
    cursor = len(data)
    data.append(cursors[-1] | dict(type="scatter", mode="lines", name="step now", showlegend=False, hoverinfo="skip",
                                   line=dict(color=NEUTRAL, width=1.2, dash="dot"), **loss2))
    data.append(loss_dots[-1] | dict(type="scatter", mode="markers", name="loss now", showlegend=False,
                                     hoverinfo="skip", marker=dots | dict(size=8), **loss2))
    frames = []
    for k, (s, trail, head) in enumerate(zip(frame_steps, trails, heads)):
        moved = [*(dict(type="scatter", x=x, y=y) for _, _, x, y in trail), head | dict(type="scatter"),
                 cursors[k] | dict(type="scatter"), loss_dots[k] | dict(type="scatter")]
        frame = dict(name=str(s), data=moved, traces=[*(index[p, j] for p, j, _, _ in trail), now, cursor, cursor + 1])
        frames.append(frame | dict(baseframe=str(frame_steps[k - 1])) if k else frame)
    size = SIZE
    below = 32 / size.plot  # under the strip's tick labels
    layout = dict(
        **_player(frame_steps, below),
        images=[background.image],
        xaxis=dict(range=list(surface.bounds[0]), title=dict(text="x  (w₁)", standoff=2), constrain="domain",
                   showgrid=False, zeroline=False, ticklen=3),
        yaxis=dict(range=list(surface.bounds[1]), title=dict(text="y  (w₂)", standoff=4), showgrid=False,
                   zeroline=False, domain=MAP_DOMAIN, scaleanchor="x", scaleratio=1, constrain="domain",
                   constraintoward="middle", ticklen=3),
        xaxis2=dict(range=[0, max(steps, 1)], anchor="y2",  # its title: the slider's "step t = …"
                    zeroline=False, ticklen=3, nticks=6),
        yaxis2=dict(type="log", range=[low, high], title=dict(text="loss", standoff=4), anchor="x2", domain=LOSS_DOMAIN,
                    exponentformat="power", minorloglabels="none", nticks=4, fixedrange=True),
        # from the figure's left edge: plotly then lets a row run over the margin, four optimizers fit in one
        legend=dict(orientation="h", x=-(size.left - 12) / size.map_width(surface), xanchor="left", y=1,
                    yanchor="bottom", font=dict(size=11), itemwidth=30, tracegroupgap=0),
        # fixed: the legend, colour bar, ▶ Play and slider fit in these margins, so plotly never re-measures them
        margin=dict(l=size.left, r=size.right, t=size.top, b=size.bottom, autoexpand=False),
        width=size.width(surface),
        height=size.height,
        uirevision=surface.name,
    )
    return PlainFigure(dict(data=data, layout=layout, frames=frames))


def loss_curves(paths: Sequence[Path]) -> PlainFigure:
    """Loss against step on a log axis; a cross marks where a run diverged (at its last loss).

    Plain data, like the map, with the default template go.Figure would add: the same JSON for about half the time.
    """
    layout = dict(
        xaxis=dict(title=dict(text="step t")),
        yaxis=dict(type="log", title=dict(text="loss f(Wₜ)"), exponentformat="power", minorloglabels="none"),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), margin=dict(l=10, r=10, t=40, b=10), height=360,
        template=DEFAULT_TEMPLATE,
    )
    return PlainFigure(dict(data=_loss_traces(paths, {}), layout=layout))


# The 3-D surface's colours: the map's pale scale, deepened so that the shape reads in 3-D (light low, slate high).
SURFACE_3D_COLOURSCALE = [[0.0, "#fff6d5"], [0.25, "#d3e2f0"], [0.6, "#88a7cc"], [1.0, "#46618f"]]


def surface_3d(surface: Surface, paths: Sequence[Path], grid: int = 70) -> go.Figure:
    """The surface in 3-D (log height where values span decades) with every path on it: the surface partly
    transparent, each path a thick line lifted 2% of the height range above it (so it is not hidden inside the
    surface), with a dot where it ends."""
    x, y, z = surface.grid(grid)
    lift = (lambda v: np.log10(np.maximum(v, 1e-3))) if surface.log_levels else (lambda v: np.asarray(v))
    title = "log₁₀ loss" if surface.log_levels else "loss"
    height = lift(z)
    above = 0.02 * float(np.ptp(height))
    data = [dict(type="surface", x=typed_array(x), y=typed_array(y), z=typed_array(height),
                 colorscale=SURFACE_3D_COLOURSCALE, showscale=False, opacity=0.85, name="surface",
                 lighting=dict(ambient=0.8, diffuse=0.5, specular=0.05, roughness=0.9),
                 contours=dict(z=dict(show=True, usecolormap=False, color="rgba(40,50,70,0.45)", width=1)),
                 hovertemplate=f"x=%{{x:.2f}}<br>y=%{{y:.2f}}<br>{title}=%{{z:.3g}}<extra></extra>")]
    for p in paths:
        z_path = lift(p.loss) + above
        data += [dict(type="scatter3d", x=typed_array(p.x), y=typed_array(p.y), z=typed_array(z_path), mode="lines",
                      name=_label(p.optimizer), legendgroup=p.optimizer, line=dict(color=colour(p.optimizer), width=8)),
                 dict(type="scatter3d", x=[float(p.x[-1])], y=[float(p.y[-1])], z=[float(z_path[-1])], mode="markers",
                      legendgroup=p.optimizer, showlegend=False, hoverinfo="skip",
                      marker=dict(size=5, color=colour(p.optimizer), line=dict(color="white", width=1)))]
    (x0, x1), (y0, y1) = surface.bounds
    layout = dict(
        scene=dict(xaxis=dict(title=dict(text="x (w₁)"), range=[x0, x1]),
                   yaxis=dict(title=dict(text="y (w₂)"), range=[y0, y1]), zaxis=dict(title=dict(text=title)),
                   camera=dict(eye=dict(x=1.25, y=-1.25, z=1.6))),
        legend=dict(orientation="h", y=1.0, x=0), margin=dict(l=0, r=0, t=30, b=0), height=560,
    )
    return unvalidated(data, layout)


def learning_rate_sweep(sweep: pd.DataFrame, chosen: dict[str, float]) -> go.Figure:
    """Final loss against the learning rate per optimizer; a row of crosses above marks each one's diverged runs."""
    finite = sweep["final_loss"][np.isfinite(sweep["final_loss"])]
    top = float(max(finite.max() if len(finite) else 1.0, FLOOR)) * 10
    data, shapes = [], []
    for i, (name, group) in enumerate(sweep.groupby("optimizer", sort=False)):
        label, ok = _label(name), group["diverged_at"].isna().to_numpy()
        lrs = group["learning_rate"].to_numpy()
        data.append(dict(type="scatter", x=lrs[ok], y=np.maximum(group["final_loss"].to_numpy()[ok], FLOOR),
                         mode="lines+markers", name=label, legendgroup=name, line=dict(color=colour(name), width=2),
                         marker=dict(size=5),
                         hovertemplate=f"{label}<br>α = %{{x:.3g}}<br>final loss %{{y:.3g}}<extra></extra>"))
        if not ok.all():
            data.append(dict(type="scatter", x=lrs[~ok], y=np.full(int((~ok).sum()), top * 3.0**i), mode="markers",
                             legendgroup=name, showlegend=False, customdata=group["diverged_at"].to_numpy()[~ok],
                             marker=dict(symbol="x-thin", size=9, line=dict(width=2, color=colour(name))),
                             hovertemplate=f"{label}<br>α = %{{x:.3g}}<br>"
                                           "diverged at step %{customdata:.0f}<extra></extra>"))
        if name in chosen:
            shapes.append(dict(type="line", x0=chosen[name], x1=chosen[name], yref="paper", y0=0, y1=1,
                               line=dict(color=colour(name), dash="dot", width=1.5)))
    shapes.append(dict(type="line", xref="paper", x0=0, x1=1, y0=top / 1.8, y1=top / 1.8,
                       line=dict(color=NEUTRAL, width=1, dash="dot")))
    layout = dict(
        xaxis=dict(type="log", title=dict(text="learning rate α"), exponentformat="power", minorloglabels="none"),
        yaxis=dict(type="log", title=dict(text="final loss"), exponentformat="power", minorloglabels="none"),
        shapes=shapes, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        annotations=[dict(x=1, xref="paper", xanchor="right", y=np.log10(top / 1.8), yshift=-10, showarrow=False,
                          text="× above the line: diverged", font=dict(size=12))],
        margin=dict(l=10, r=10, t=40, b=10), height=440,
    )
    return unvalidated(data, layout)
