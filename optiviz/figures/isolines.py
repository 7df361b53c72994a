"""Contour lines by marching squares, as one NaN-separated polyline.

Plotly recomputes a contour trace on every animation frame, so the race map draws a heatmap
plus these lines, which cost one scatter trace.
"""

from __future__ import annotations

import numpy as np


def _crossings(a: np.ndarray, b: np.ndarray, pa: np.ndarray, pb: np.ndarray, level: float) -> np.ndarray:
    """Where the level crosses each edge from corner a to corner b: p = pa + t (pb − pa), t = (c − za)/(zb − za)."""
    crosses = (a > level) != (b > level)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (level - a) / (b - a)
        p = pa + t[..., None] * (pb - pa)
    return np.where(crosses[..., None], p, np.nan)


def isolines(x: np.ndarray, y: np.ndarray, z: np.ndarray, levels) -> tuple[np.ndarray, np.ndarray]:
    """Segments of the curves z = c for each level c, where z[i, j] = f(x[j], y[i]).

    Returns x and y arrays in which each segment is two points followed by NaN.
    """
    xx, yy = np.meshgrid(x, y)
    p = np.stack([xx, yy], axis=-1)
    pieces = []
    for c in levels:
        bottom = _crossings(z[:-1, :-1], z[:-1, 1:], p[:-1, :-1], p[:-1, 1:], c)
        right = _crossings(z[:-1, 1:], z[1:, 1:], p[:-1, 1:], p[1:, 1:], c)
        top = _crossings(z[1:, :-1], z[1:, 1:], p[1:, :-1], p[1:, 1:], c)
        left = _crossings(z[:-1, :-1], z[1:, :-1], p[:-1, :-1], p[1:, :-1], c)
        edges = np.stack([bottom, right, top, left], axis=2).reshape(-1, 4, 2)  # (cells, edge, xy)
        found = ~np.isnan(edges[..., 0])
        count = found.sum(axis=1)
        two = edges[count == 2]
        order = np.argsort(~found[count == 2], axis=1, kind="stable")[:, :2]
        pairs = np.take_along_axis(two, order[..., None], axis=1)
        four = edges[count == 4]  # saddle cells: pair bottom–right and top–left
        pieces += [pairs, four[:, :2], four[:, 2:]]
    segments = np.concatenate(pieces) if pieces else np.empty((0, 2, 2))
    gaps = np.full((len(segments), 1, 2), np.nan)
    line = np.concatenate([segments, gaps], axis=1).reshape(-1, 2)
    return line[:, 0], line[:, 1]
