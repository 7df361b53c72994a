"""Figures for the loss landscape (lecture Figure 3; Li et al. 2018): random slices and the path's own plane."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential

from optiviz.figures.palette import colour
from optiviz.figures.plain import even_scale, unvalidated
from optiviz.figures.train_network import base_name, run_title
from optiviz.nn.landscape import Landscape, PathPlane, Slice

COLOURSCALE = even_scale(sequential.Viridis)
FLOOR = 1e-6  # losses below this are drawn at it (log colour scale)
LEGEND = dict(orientation="h", y=1.0, yanchor="bottom", x=0.5, xanchor="center", font=dict(size=12),
              bgcolor="rgba(255,255,255,0)")
TOP_SHARE = 0.9  # the colour scale spans the lowest 90% of the map's values; the highest 10% share its top colour
STAR = dict(symbol="star", size=15, color="white", line=dict(color="black", width=1.5))


def skip_title(skip: bool) -> str:
    return "with skip connections" if skip else "without skip connections"


def _log_loss(Z) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    return np.log10(np.maximum(np.where(np.isfinite(Z), Z, np.nan), FLOOR))


def _map(title: str, Z, alphas, betas, x_title: str, y_title: str, x_name: str, y_name: str,
         marks: list[dict]) -> go.Figure:
    """A square contour map of log₁₀ loss, its own colour scale (the shape matters here, not the level), under
    the traces ``marks``."""
    z = _log_loss(Z)
    finite = z[np.isfinite(z)]
    # a cliff far from θ* would take the whole scale and flatten the dips near it: its top 10% share one colour
    low, high = (float(finite.min()), float(np.quantile(finite, TOP_SHARE))) if finite.size else (0.0, 1.0)
    high = high if high > low else low + 1.0
    contour = dict(
        type="contour", x=alphas, y=betas, z=z, colorscale=COLOURSCALE, zmin=low, zmax=high,
        contours=dict(start=low, end=high, size=(high - low) / 24),
        line=dict(width=0.5, color="rgba(255,255,255,0.35)"),
        colorbar=dict(title=dict(text="log₁₀ loss", side="top"), orientation="h", x=0.5, xanchor="center", y=-0.2,
                      yanchor="top", len=0.7, thickness=10,
                      tickformat=".2f"),  # under the map, wherever the square sits
        hovertemplate=f"{x_name}=%{{x:.3g}}<br>{y_name}=%{{y:.3g}}<br>log₁₀ loss=%{{z:.2f}}<extra></extra>")
    # square: one unit of β is as long as one unit of α, and both axes span the grid (equal lengths), no padding
    layout = dict(
        xaxis=dict(title=dict(text=x_title), constrain="domain", range=[float(np.min(alphas)), float(np.max(alphas))]),
        yaxis=dict(title=dict(text=y_title), scaleanchor="x", scaleratio=1, constrain="domain",
                   range=[float(np.min(betas)), float(np.max(betas))]),
        title=dict(text=title, x=0.5, xanchor="center", y=0.98, yanchor="top", font=dict(size=15)),
        height=500, margin=dict(l=10, r=10, t=90, b=10), legend=LEGEND)
    return unvalidated([contour, *marks], layout)


def slice_title(s: Slice) -> str:
    minima = s.shape.local_minima
    return (f"{skip_title(s.skip).capitalize()}<br><sup>{minima} local minim{'um' if minima == 1 else 'a'}; "
            f"downhill reaches θ* from {s.shape.basin_share:.0%} of the slice</sup>")


def slice_figure(s: Slice) -> go.Figure:
    """One network's loss on its random slice: θ* a star, the slice's local minima crosses."""
    marks = [dict(type="scatter", x=s.shape.minima_alpha, y=s.shape.minima_beta, mode="markers", name="local minimum",
                  marker=dict(symbol="x-thin", size=11, line=dict(width=2.5, color="#ff4f9a")),
                  hovertemplate="local minimum<br>α=%{x:.2f}, β=%{y:.2f}<extra></extra>"),
             dict(type="scatter", x=[0.0], y=[0.0], mode="markers", name="θ* (trained)", marker=STAR, hoverinfo="skip")]
    return _map(slice_title(s), s.Z, s.alphas, s.betas, "α (random direction d₁)", "β (random direction d₂)", "α", "β",
                marks)


def path_title(p: PathPlane) -> str:
    return f"{skip_title(p.skip).capitalize()}<br><sup>this plane holds {p.share.sum():.0%} of the path</sup>"


def path_figure(p: PathPlane, label: str) -> go.Figure:
    """One network's loss on the plane of its path's PCA directions, with the path from the start to θ*."""
    c = colour(base_name(label))
    marks = [
        dict(type="scatter", x=p.path_alpha, y=p.path_beta, mode="lines", line=dict(color="white", width=6),
             hoverinfo="skip", showlegend=False),  # a white edge under the path
        dict(type="scatter", x=p.path_alpha, y=p.path_beta, mode="lines+markers", name=f"{run_title(label)}'s path",
             line=dict(color=c, width=3), marker=dict(size=4, color=c),
             customdata=np.arange(len(p.path_alpha)), hovertemplate="epoch %{customdata}<extra></extra>"),
        dict(type="scatter", x=p.path_alpha[:1], y=p.path_beta[:1], mode="markers", name="start",
             marker=dict(symbol="circle", size=13, color="white", line=dict(color="black", width=2.5)),
             hoverinfo="skip"),
        dict(type="scatter", x=[0.0], y=[0.0], mode="markers", name="θ* (trained)", marker=STAR, hoverinfo="skip")]
    return _map(path_title(p), p.Z, p.alphas, p.betas, f"PC 1 of the path ({p.share[0]:.0%})",
                f"PC 2 ({p.share[1]:.0%})", "PC 1", "PC 2", marks)


def slices_caption(view: Landscape) -> str:
    """What the random slices show, with the numbers read off them."""
    text = ("The training loss at θ* + α d₁ + β d₂ around the trained weights θ* (the star), along two random, "
            "filter-normalised directions d₁, d₂ (each neuron's weights moved by α and β times their own norm; "
            "Li et al. 2018); each map has its own colour scale, whose top colour also covers the highest tenth of the "
            "map. Crosses mark the slice's local minima: a convex slice has at most one. ")
    if len(view.slices) == 2:
        plain, skip = view.slices
        minima = plain.shape.local_minima
        text += ("**Not convex!** " if minima > 1 else "") + (
            f"Without skip connections the slice has {minima} local minim{'um' if minima == 1 else 'a'}, and walking "
            f"downhill reaches θ* from {plain.shape.basin_share:.0%} of it. The same network with skip connections, "
            f"trained the same way from the same start, has {skip.shape.local_minima} (downhill reaches θ* from "
            f"{skip.shape.basin_share:.0%})")
        smoother = skip.shape.local_minima < minima and skip.shape.basin_share > plain.shape.basin_share
        lower = skip.final_loss < plain.final_loss
        text += (": as Li et al. found, skip connections smooth a deep network's landscape" if smoother else "")
        text += (f"; its training loss at θ* is {skip.final_loss:.2f}, " + ("below " if lower else "against ")
                 + f"{plain.final_loss:.2f} without them.")
    else:
        s = view.slices[0]
        minima = s.shape.local_minima
        text += (f"This slice has {minima} local minim{'um' if minima == 1 else 'a'}; downhill reaches θ* from "
                 f"{s.shape.basin_share:.0%} of it. ")
        text += ("Skip connections fit only between hidden layers of equal width: add a second hidden layer to "
                 "compare with and without them." if view.twin == "no room" else
                 "Training the same network with skip connections toggled would cost too much on this shared server: "
                 "fewer epochs, fewer points, a smaller network or larger batches allow the comparison.")
    return text


def paths_caption(view: Landscape) -> str:
    """Why the path gets its own plane, and how much of the path that plane holds."""
    shares = " and ".join(f"{p.share.sum():.0%}" for p in view.paths)
    random = " and ".join(f"{s.path_share:.0%}" for s in view.slices if np.isfinite(s.path_share))
    return ("In a space of many weights, two random directions are nearly perpendicular to the path: the random "
            f"slices above hold only {random or 'a sliver'} of the path's squared length, so the path would shrink "
            "to a dot there. Here each network's loss is drawn on the plane of its own path's two principal directions "
            f"(PCA of θ_t − θ*, as Li et al. do), which holds {shares} of it: the path walks on this surface from "
            "the start (white dot) to θ* (the star). Distances are true on both axes.")
