"""PNG pictures as data URIs: plotly draws a layout image once and never redraws it for an animation frame."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def png_data_uri(rgb: np.ndarray) -> str:
    """``data:image/png;base64,…`` of an (H, W, 3) uint8 picture, top row first, encoded by Pillow (lossless)."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or 0 in rgb.shape:
        raise ValueError(f"a picture must be a non-empty (H, W, 3) uint8 array, got {rgb.dtype} {rgb.shape}")
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
