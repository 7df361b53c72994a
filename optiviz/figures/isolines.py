"""Contour lines by contourpy (matplotlib's contour engine), as polylines separated by NaN.

Plotly recomputes a contour trace on every animation frame, so the race map draws these lines,
which cost one scatter trace, over a picture of the loss.
"""

from __future__ import annotations

import contourpy
import numpy as np


def isolines(x: np.ndarray, y: np.ndarray, z: np.ndarray, levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The curves z = c for each level c, where z[i, j] = f(x[j], y[i]), by marching squares.

    Along a grid edge from corner a to b the curve crosses at p = pa + t (pb − pa), t = (c − za)/(zb − za).
    Returns x, y and c arrays holding one polyline per curve piece, each followed by NaN; a closed curve
    ends on its first point. Cells with a non-finite corner are left out.
    """
    z = np.asarray(z, dtype=np.float64)
    if not np.isfinite(z).all():
        z = np.ma.masked_invalid(z)
    generator = contourpy.contour_generator(np.asarray(x, np.float64), np.asarray(y, np.float64), z,
                                            line_type=contourpy.LineType.ChunkCombinedOffset, corner_mask=False)
    xy_parts, level_parts = [], []
    for c in levels:
        (points,), (offsets,) = generator.lines(float(c))
        if points is None:  # the surface never reaches c
            continue
        ends = offsets[1:].astype(np.intp)  # contourpy's offsets are uint32
        xy_parts.append(np.insert(points, ends, np.nan, axis=0))  # NaN after each polyline: plotly lifts the pen
        at = np.full(len(points) + len(ends), float(c))
        at[ends + np.arange(len(ends))] = np.nan
        level_parts.append(at)
    if not xy_parts:
        return np.empty(0), np.empty(0), np.empty(0)
    xy = np.concatenate(xy_parts)
    return xy[:, 0], xy[:, 1], np.concatenate(level_parts)
