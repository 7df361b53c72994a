"""PNG pictures as data URIs: plotly draws a layout image once and never redraws it for an animation frame."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_data_uri(rgb: np.ndarray) -> str:
    """``data:image/png;base64,…`` of an (H, W, 3) uint8 picture, top row first.

    Each row is stored as its difference from the row above (PNG filter 2, "Up"), mod 256: a smooth
    picture becomes mostly small numbers, which deflate well.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or 0 in rgb.shape:
        raise ValueError(f"a picture must be a non-empty (H, W, 3) uint8 array, got {rgb.dtype} {rgb.shape}")
    height, width, _ = rgb.shape
    up = np.diff(rgb.astype(np.int16), axis=0, prepend=0).astype(np.uint8).reshape(height, -1)
    rows = np.concatenate([np.full((height, 1), 2, np.uint8), up], axis=1)  # each row starts with its filter, 2
    png = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)) + _chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
