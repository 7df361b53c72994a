"""Contour lines by marching squares, joined into polylines separated by NaN.

Plotly recomputes a contour trace on every animation frame, so the race map draws these lines,
which cost one scatter trace, over a picture of the loss.
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


def isolines(x: np.ndarray, y: np.ndarray, z: np.ndarray, levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments of the curves z = c for each level c, where z[i, j] = f(x[j], y[i]).

    Returns x, y and c arrays holding one polyline per curve piece, each followed by NaN.
    """
    xx, yy = np.meshgrid(x, y)
    p = np.stack([xx, yy], axis=-1)
    pieces, at = [], []
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
        at.append(np.full(len(pairs) + 2 * len(four), float(c)))
    segments = np.concatenate(pieces) if pieces else np.empty((0, 2, 2))
    level = np.concatenate(at) if at else np.empty(0)
    keep = (segments[:, 0] != segments[:, 1]).any(axis=1)  # a level through a grid corner: no length
    points = segments[keep].reshape(-1, 2)  # point k is end k % 2 of segment k // 2
    order = np.array([k for chain in _joined(points) for k in (*chain, -1)], dtype=int)
    gap = order < 0  # NaN after each polyline: plotly lifts the pen there
    xy = np.where(gap[:, None], np.nan, points[order]) if len(order) else np.empty((0, 2))
    return xy[:, 0], xy[:, 1], np.where(gap, np.nan, level[keep][order >> 1]) if len(order) else np.empty(0)


def _joined(points: np.ndarray) -> list[list[int]]:
    """The segments' end points (point k ends segment k // 2) chained into polylines wherever segments share
    an end point, as lists of point indices.

    Two cells that share an edge compute its crossing from the same corners in the same order, so the
    two copies of a point are equal to the bit: a curve drawn as one line sends about a third of the points.
    """
    order = np.lexsort((points[:, 1], points[:, 0]))
    same = np.flatnonzero((points[order[1:]] == points[order[:-1]]).all(axis=1))
    twin = [-1] * len(points)  # another point at the same place, if any
    for i in same.tolist():
        a, b = int(order[i]), int(order[i + 1])
        if twin[a] < 0:  # three or more copies (a crossing at a grid corner): pair them two by two
            twin[a], twin[b] = b, a
    done = [False] * (len(points) // 2)
    chains = []
    for k in [k for k, t in enumerate(twin) if t < 0] + list(range(len(points))):  # open curves from an end first
        if done[k >> 1]:
            continue
        chain = [k]
        while True:  # along a segment to its other end, then on to the segment that shares that point
            done[k >> 1] = True
            chain.append(k ^ 1)
            k = twin[k ^ 1]
            if k < 0 or done[k >> 1]:
                break
        chains.append(chain)
    return chains
