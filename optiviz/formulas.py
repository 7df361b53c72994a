"""The lecture's update rules as LaTeX, filled in with the current hyperparameter values."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from optiviz.optimizers import OPTIMIZERS
from optiviz.schedules import SCHEDULES


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
    """The update of optimizer ``name`` as LaTeX lines, with γ, β₁, β₂, ε filled in."""
    h = {p.name: p.default for p in OPTIMIZERS[name].hyperparameters} | dict(hyperparameters)
    n = {k: number(v) for k, v in h.items()}
    one_minus = {k: number(1 - v) for k, v in h.items() if k in ("decay", "beta1", "beta2")}
    g = r"g_t = \nabla f(W_t)"
    if name == "sgd":
        return [g, rf"W_{{t+1}} = W_t - {lr}\, g_t"]
    if name == "momentum":
        return [g, rf"v_{{t+1}} = {n['momentum']}\, v_t - {lr}\, g_t", r"W_{t+1} = W_t + v_{t+1}"]
    if name == "nesterov":
        return [g, rf"v_{{t+1}} = {n['momentum']}\, v_t - {lr}\, g_t", rf"W_{{t+1}} = W_t + {n['momentum']}\, v_{{t+1}} - {lr}\, g_t"]
    if name == "rmsprop":
        return [
            g,
            rf"E[g^2]_t = {n['decay']}\, E[g^2]_{{t-1}} + {one_minus['decay']}\, g_t^2",
            rf"W_{{t+1}} = W_t - \frac{{{lr}}}{{\sqrt{{E[g^2]_t}} + {n['eps']}}}\, g_t",
        ]
    if name == "adagrad":
        return [g, r"G_t = G_{t-1} + g_t^2", rf"W_{{t+1}} = W_t - \frac{{{lr}}}{{\sqrt{{G_t}} + 10^{{-10}}}}\, g_t"]
    if name == "adam":
        return [
            g,
            rf"m_t = {n['beta1']}\, m_{{t-1}} + {one_minus['beta1']}\, g_t",  # one short line each: a phone's width
            rf"\hat m_t = \frac{{m_t}}{{1 - {n['beta1']}^t}}",
            rf"v_t = {n['beta2']}\, v_{{t-1}} + {one_minus['beta2']}\, g_t^2",
            rf"\hat v_t = \frac{{v_t}}{{1 - {n['beta2']}^t}}",
            rf"W_{{t+1}} = W_t - {lr}\, \frac{{\hat m_t}}{{\sqrt{{\hat v_t}} + {n['eps']}}}",
        ]
    raise ValueError(f"unknown optimizer {name!r}")


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
