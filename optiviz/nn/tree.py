"""Parameter trees: a network's params, grads and state are lists of dicts of arrays.

``params[i]`` holds block i's arrays by name, e.g. ``{"W": ..., "b": ..., "gamma": ...,
"beta": ...}``; grads have the same structure. The name of one array is ``"i.key"``.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import numpy as np

Tree = Sequence[dict]


def named_arrays(tree: Tree) -> Iterator[tuple[str, np.ndarray]]:
    """Yield ``("i.key", array)`` for every array, block by block, keys in insertion order."""
    for i, block in enumerate(tree):
        for key, array in block.items():
            yield f"{i}.{key}", array


def tree_map(fn: Callable[..., object], tree: Tree, *rest: Tree) -> list[dict]:
    """A new tree with ``fn(a, *others)`` at every leaf, where ``others`` are the matching leaves of ``rest``."""
    for other in rest:
        if len(other) != len(tree) or any(a.keys() != b.keys() for a, b in zip(tree, other)):
            raise ValueError("trees must have the same structure (same blocks, same keys)")
    return [{key: fn(block[key], *(o[i][key] for o in rest)) for key in block} for i, block in enumerate(tree)]


def key_of(name: str) -> str:
    """The array key of a ``"i.key"`` name, e.g. ``"W"`` for ``"2.W"``."""
    return name.split(".", 1)[1]
