"""Arithmetic that runs on one Python float and on NumPy arrays alike, with the same bits.

The race steps a handful of numbers at a time, where NumPy's ~1 µs per call costs more than the
arithmetic; the surfaces and update rules are written once, with these, for both.

:func:`traced` runs such a formula a third way, for a walk that evaluates it on the same arrays step after step:
traced once, then replayed as in-place NumPy calls into buffers made once (the same calls, so the same bits).
"""

import math
from typing import Callable

import numpy as np


def sqrt(v, out=None):
    """√v: ``math.sqrt`` for a float, ``np.sqrt`` for an array (both correctly rounded), into ``out`` if given
    (an array, e.g. ``v`` itself; a float ignores it)."""
    return math.sqrt(v) if isinstance(v, float) else np.sqrt(v, out=out)


# --- a formula traced once, replayed in place ---------------------------------------------------------------------

# elementwise ufuncs from floats to floats, one result each
_UFUNCS = frozenset({np.add, np.subtract, np.multiply, np.divide, np.negative, np.positive, np.absolute, np.square,
                     np.sqrt, np.exp, np.log, np.tanh})


class _Traced:
    """A value inside a formula being traced: one of its inputs, or the result of one recorded ufunc call.

    Every operation goes through NumPy's ufunc protocol (``__array_ufunc__``), so the tape records exactly the
    calls NumPy would make on arrays, operands in the same order."""

    __slots__ = ("tape", "node")

    def __init__(self, tape: list, node: int):
        self.tape, self.node = tape, node

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if method != "__call__" or kwargs or ufunc not in _UFUNCS or not all(isinstance(o, _Traced) for o in out or ()):
            raise TypeError(f"a traced formula takes arithmetic on its own values only, not {ufunc.__name__}.{method}")
        self.tape.append((ufunc, inputs, out[0] if out else None))
        return _Traced(self.tape, self.tape[0] + len(self.tape) - 2)  # tape[0]: the number of inputs

    def __add__(self, other):
        return np.add(self, other)

    def __radd__(self, other):
        return np.add(other, self)

    def __iadd__(self, other):
        return np.add(self, other, out=self)

    def __sub__(self, other):
        return np.subtract(self, other)

    def __rsub__(self, other):
        return np.subtract(other, self)

    def __isub__(self, other):
        return np.subtract(self, other, out=self)

    def __mul__(self, other):
        return np.multiply(self, other)

    def __rmul__(self, other):
        return np.multiply(other, self)

    def __imul__(self, other):
        return np.multiply(self, other, out=self)

    def __truediv__(self, other):
        return np.divide(self, other)

    def __rtruediv__(self, other):
        return np.divide(other, self)

    def __itruediv__(self, other):
        return np.divide(self, other, out=self)

    def __neg__(self):
        return np.negative(self)


def _storage(tape: list, inputs: tuple, results: tuple) -> list:
    """An array for every node of ``tape``: the inputs' own, and for the ufuncs' results as few buffers as liveness
    allows. An in-place call (``a += b``) keeps its target's array; any other call writes over an operand that dies
    with it (so most calls run in place, as NumPy runs them fastest), or a free buffer, or a new one."""
    count, ops = tape[0], tape[1:]
    group = list(range(count + len(ops)))  # nodes chained by in-place calls share one array and one lifetime
    for k, (_, _, target) in enumerate(ops):
        if target is not None:
            if target.node < count:
                raise ValueError("a traced formula must not write over its inputs")
            group[count + k] = group[target.node]
    end = {g: -1 for g in group}  # the last call reading each group; results live to the end
    for k, (_, args, _) in enumerate(ops):
        for a in args:
            if isinstance(a, _Traced):
                end[group[a.node]] = max(end[group[a.node]], k)
    for r in results:
        if isinstance(r, _Traced):
            end[group[r.node]] = len(ops)
    arrays, free = list(inputs) + [None] * len(ops), []
    for k, (_, args, target) in enumerate(ops):
        node = count + k
        if target is None:
            dying = [a.node for a in args if isinstance(a, _Traced) and a.node >= count and end[group[a.node]] == k]
            arrays[node] = arrays[dying[0]] if dying else (free.pop() if free else np.empty_like(inputs[0]))
        else:
            arrays[node] = arrays[target.node]
        for a in args:
            if isinstance(a, _Traced) and a.node >= count and end[group[a.node]] == k \
                    and arrays[a.node] is not arrays[node] and not any(arrays[a.node] is f for f in free):
                free.append(arrays[a.node])
    return arrays


def traced(formula: Callable, inputs: tuple[np.ndarray, ...], outs: tuple[np.ndarray | None, ...] = (), *args
           ) -> Callable[[], tuple]:
    """``run()``: ``formula(*inputs, *args)`` recomputed from the inputs' current values, as in-place NumPy calls into
    buffers made once, result i written into ``outs[i]`` where given (arrays that overlap no input). The same calls
    on the same operands as the formula on arrays, so the same bits; no array is made per call, and numbers are
    passed as 0-d arrays of the same value (NumPy converts those faster). ``run()`` returns the same arrays each
    time: copy what you keep.

    ``formula`` is elementwise arithmetic (+ − × ÷, √ through :func:`sqrt`, and a few ufuncs such as exp) on
    arrays shaped like ``inputs[0]`` and numbers, and writes over none of its inputs; it is traced once, so it may
    branch on ``args`` but not on the inputs' values. TypeError or ValueError otherwise."""
    tape: list = [len(inputs)]
    results = formula(*(_Traced(tape, k) for k in range(len(inputs))), *args)
    arrays = _storage(tape, inputs, results)
    count, outs = len(inputs), tuple(outs) + (None,) * (len(results) - len(outs))
    rename = {}  # a result's buffer becomes its out array, from the first call that used the buffer
    for r, out in zip(results, outs):
        if out is not None and isinstance(r, _Traced) and r.node >= count and id(arrays[r.node]) not in rename:
            rename[id(arrays[r.node])] = out

    def concrete(a):
        a = arrays[a.node] if isinstance(a, _Traced) else a
        return rename.get(id(a), a)

    def operand(a):  # a number as a 0-d array of the inputs' dtype: the value NumPy would convert it to, passed faster
        if isinstance(a, np.ndarray) and np.broadcast_shapes(a.shape, inputs[0].shape) != inputs[0].shape:
            raise ValueError(f"a traced formula's arrays must broadcast to its inputs' shape, got {a.shape}")
        exact = isinstance(a, float) or (isinstance(a, int) and abs(a) < 2**53)
        return np.array(a, dtype=inputs[0].dtype) if exact and inputs[0].dtype == np.float64 else concrete(a)

    # each call as ufunc(*operands, out), out given by position
    steps = [(ufunc, (*(operand(a) for a in operands), concrete(_Traced(tape, count + k))))
             for k, (ufunc, operands, _) in enumerate(tape[1:])]
    final = [concrete(r) for r in results]
    copies = [(out, r) for r, out in zip(final, outs) if out is not None and r is not out]  # inputs, numbers
    final = tuple(r if out is None else out for r, out in zip(final, outs))

    def run() -> tuple:
        for ufunc, operands in steps:
            ufunc(*operands)
        for out, r in copies:
            np.copyto(out, r)
        return final

    return run
