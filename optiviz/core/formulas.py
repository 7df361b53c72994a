"""The lecture's update rules as LaTeX, filled in with the current hyperparameter values."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES


def number(value: float) -> str:
    """A number for LaTeX: 3 significant figures, powers of ten as 10^{k}."""
    v = float(value)
    if v == 0:
        return "0"
    exponent = math.floor(math.log10(abs(v)))
    if -3 <= exponent < 4:
        return f"{v:.3g}"
    mantissa = v / 10**exponent
    if math.isclose(mantissa, 1.0):
        return f"10^{{{exponent}}}"
    return rf"{mantissa:.2g} \times 10^{{{exponent}}}"


def update_rule(name: str, hyperparameters: Mapping[str, float], lr: str = r"\alpha_t") -> list[str]:
    """The update of optimizer ``name`` as LaTeX lines, with γ, β₁, β₂, ε filled in (the registry entry's ``latex``)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}")
    spec = OPTIMIZERS[name]
    h = {p.name: p.default for p in spec.hyperparameters} | dict(hyperparameters)
    n = {k: number(v) for k, v in h.items()} | {f"1-{k}": number(1 - v) for k, v in h.items()}
    return [r"g_t = \nabla f(W_t)", *spec.latex(n, lr)]


def schedule_rule(schedule: str, lr0: float, decay_rate: float) -> str:
    """α_t for a schedule with α₀ and k filled in."""
    a, k = number(lr0), number(decay_rate)
    filled = {
        "constant": rf"\alpha_t = {a}",
        "exp": rf"\alpha_t = {a}\, e^{{-{k}\, t}}",
        "inv": rf"\alpha_t = \frac{{{a}}}{{1 + {k}\, t}}",
        "step": rf"\alpha_t = {a} \cdot 2^{{-\lfloor {k}\, t \rfloor}}",
    }
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}")
    return filled[schedule]


def rules_table(rules: Sequence[tuple[str, str, Sequence[str]]]) -> str:
    """One LaTeX array of ``(label, colour, lines)``: each optimizer's name in its colour above its lines.

    Above, not beside: a column of names took a third of the width and pushed RMSProp's and Adam's
    rules past a laptop's half-page column (520 px in 402); one column fits a phone.
    """
    rows = []
    for label, colour, lines in rules:
        name = rf"\textcolor{{{colour}}}{{\bullet\ \textbf{{{label}}}}}"
        rows.append(r" \\[10pt] ".join([name, *(rf"\displaystyle {line}" for line in lines)]))
    return r"\begin{array}{l}" + r" \\[12pt] \hline \\[-4pt] ".join(rows) + r"\end{array}"
