"""Tests for optiviz.core.optimizers: update rules by hand, batching, validation, and PyTorch parity."""

import math

import numpy as np
import pytest

from optiviz.core.optimizers import (
                                     LECTURE_OPTIMIZERS,
                                     OPTIMIZERS,
                                     adagrad,
                                     adam,
                                     make_optimizer,
                                     momentum,
                                     nesterov,
                                     rmsprop,
                                     sgd,
                                     )
from tests.torch_reference import require_torch

# A fixed gradient sequence and start, as (2,) arrays and as (2, 3) arrays.
W0_FLAT = [0.3, -0.7]
G_FLAT = [[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]]
W0_MAT = [[0.3, -0.7, 1.1], [0.0, 2.0, -0.4]]
G_MAT = [
    [[1.0, -2.0, 0.1], [4.0, 0.0, -0.3]],
    [[0.5, 3.0, -0.2], [-1.0, 0.0, 0.6]],
    [[-1.5, 0.25, 0.3], [2.0, 1e-3, -0.9]],
]
SHAPES = {"flat": (W0_FLAT, G_FLAT), "matrix": (W0_MAT, G_MAT)}


def run_three(opt, w0, gs, lr):
    """W after each of three updates of ``opt`` fed the gradients ``gs``."""
    w = np.array(w0, dtype=float)
    state = opt.init(w)
    out = []
    for g in gs:
        delta, state = opt.update(np.array(g, dtype=float), state, lr)
        assert delta.shape == w.shape
        w = w + delta
        out.append(w)
    return out


def by_hand(w0, gs, rule):
    """Apply the scalar three-step ``rule(w0, g1, g2, g3) -> (w1, w2, w3)`` element by element."""
    w0 = np.array(w0, dtype=float)
    gs = np.array(gs, dtype=float)
    out = np.empty((3,) + w0.shape)
    for idx in np.ndindex(*w0.shape):
        out[(slice(None),) + idx] = rule(float(w0[idx]), *(float(g[idx]) for g in gs))
    return out


def check(opt, shape, lr, rule):
    w0, gs = SHAPES[shape]
    got = run_three(opt, w0, gs, lr)
    want = by_hand(w0, gs, rule)
    for step in range(3):
        np.testing.assert_allclose(got[step], want[step], rtol=1e-13, atol=1e-15, err_msg=f"step {step + 1}")


@pytest.mark.parametrize("shape", SHAPES)
def test_sgd_three_steps(shape):
    """SGD: W ← W − αg."""
    a = 0.1

    def rule(w0, g1, g2, g3):
        w1 = w0 - a * g1
        w2 = w1 - a * g2
        w3 = w2 - a * g3
        return w1, w2, w3

    check(sgd(), shape, a, rule)


def test_sgd_by_literal_numbers():
    """SGD with α = 0.5 from 1 with gradients 1, 2, −4: 0.5, −0.5, 1.5."""
    out = run_three(sgd(), [1.0], [[1.0], [2.0], [-4.0]], 0.5)
    np.testing.assert_array_equal(np.concatenate(out), [0.5, -0.5, 1.5])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gamma", [0.9, 0.5])
def test_momentum_three_steps(shape, gamma):
    """Momentum: v ← γv − αg; W ← W + v, with v₀ = 0."""
    a = 0.1

    def rule(w0, g1, g2, g3):
        v1 = gamma * 0.0 - a * g1
        w1 = w0 + v1
        v2 = gamma * v1 - a * g2
        w2 = w1 + v2
        v3 = gamma * v2 - a * g3
        w3 = w2 + v3
        return w1, w2, w3

    check(momentum(gamma), shape, a, rule)
    check(make_optimizer("momentum", momentum=gamma), shape, a, rule)


def test_momentum_by_literal_numbers():
    """γ = ½, α = 0.1, gradients 1, 2, −1: v = −0.1, −0.25, −0.025, so W = −0.1, −0.35, −0.375."""
    out = run_three(momentum(0.5), [0.0], [[1.0], [2.0], [-1.0]], 0.1)
    np.testing.assert_allclose(np.concatenate(out), [-0.1, -0.35, -0.375], rtol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gamma", [0.9, 0.5])
def test_nesterov_three_steps(shape, gamma):
    """Nesterov: v ← γv − αg; W ← W + γv − αg (with the new v)."""
    a = 0.1

    def rule(w0, g1, g2, g3):
        v1 = gamma * 0.0 - a * g1
        w1 = w0 + gamma * v1 - a * g1
        v2 = gamma * v1 - a * g2
        w2 = w1 + gamma * v2 - a * g2
        v3 = gamma * v2 - a * g3
        w3 = w2 + gamma * v3 - a * g3
        return w1, w2, w3

    check(nesterov(gamma), shape, a, rule)
    check(make_optimizer("nesterov", momentum=gamma), shape, a, rule)


def test_nesterov_by_literal_numbers():
    """γ = ½, α = 0.1, gradients 1, 2, −1: steps −0.15, −0.325, 0.0875."""
    out = run_three(nesterov(0.5), [0.0], [[1.0], [2.0], [-1.0]], 0.1)
    # v1 = −0.1, ΔW1 = −0.05 − 0.1; v2 = −0.25, ΔW2 = −0.125 − 0.2; v3 = −0.025, ΔW3 = −0.0125 + 0.1
    np.testing.assert_allclose(np.concatenate(out), [-0.15, -0.475, -0.3875], rtol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gamma, eps", [(0.9, 1e-8), (0.5, 0.1)])
def test_rmsprop_three_steps(shape, gamma, eps):
    """RMSProp: E ← γE + (1 − γ)g²; W ← W − αg/(√E + ε), with E₀ = 0."""
    a = 0.01

    def rule(w0, g1, g2, g3):
        e1 = gamma * 0.0 + (1 - gamma) * g1 * g1
        w1 = w0 - a * g1 / (math.sqrt(e1) + eps)
        e2 = gamma * e1 + (1 - gamma) * g2 * g2
        w2 = w1 - a * g2 / (math.sqrt(e2) + eps)
        e3 = gamma * e2 + (1 - gamma) * g3 * g3
        w3 = w2 - a * g3 / (math.sqrt(e3) + eps)
        return w1, w2, w3

    check(rmsprop(gamma, eps), shape, a, rule)
    check(make_optimizer("rmsprop", decay=gamma, eps=eps), shape, a, rule)


def test_rmsprop_first_step_is_a_signed_step_of_alpha_over_root_one_minus_gamma():
    """From E₀ = 0 the first RMSProp step is −α sign(g)/√(1 − γ) (ε negligible)."""
    (w1, *_) = run_three(rmsprop(0.75, 0.0), [0.0, 0.0], [[3.0, -0.02], [0, 0], [0, 0]], 0.1)
    np.testing.assert_allclose(w1, [-0.2, 0.2], rtol=1e-14)  # 0.1 / √0.25 = 0.2


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("eps", [1e-10, 0.1])
def test_adagrad_three_steps(shape, eps):
    """Adagrad: E ← E + g²; W ← W − αg/(√E + ε)."""
    a = 0.3

    def rule(w0, g1, g2, g3):
        e1 = 0.0 + g1 * g1
        w1 = w0 - a * g1 / (math.sqrt(e1) + eps)
        e2 = e1 + g2 * g2
        w2 = w1 - a * g2 / (math.sqrt(e2) + eps)
        e3 = e2 + g3 * g3
        w3 = w2 - a * g3 / (math.sqrt(e3) + eps)
        return w1, w2, w3

    check(adagrad(eps), shape, a, rule)
    if eps == 1e-10:
        check(make_optimizer("adagrad"), shape, a, rule)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("beta1, beta2, eps", [(0.9, 0.999, 1e-8), (0.5, 0.8, 0.01)])
def test_adam_three_steps(shape, beta1, beta2, eps):
    """Adam with bias correction, t = 1, 2, 3."""
    a = 0.03

    def rule(w0, g1, g2, g3):
        m1 = beta1 * 0.0 + (1 - beta1) * g1
        v1 = beta2 * 0.0 + (1 - beta2) * g1 * g1
        w1 = w0 - a * (m1 / (1 - beta1**1)) / (math.sqrt(v1 / (1 - beta2**1)) + eps)
        m2 = beta1 * m1 + (1 - beta1) * g2
        v2 = beta2 * v1 + (1 - beta2) * g2 * g2
        w2 = w1 - a * (m2 / (1 - beta1**2)) / (math.sqrt(v2 / (1 - beta2**2)) + eps)
        m3 = beta1 * m2 + (1 - beta1) * g3
        v3 = beta2 * v2 + (1 - beta2) * g3 * g3
        w3 = w2 - a * (m3 / (1 - beta1**3)) / (math.sqrt(v3 / (1 - beta2**3)) + eps)
        return w1, w2, w3

    check(adam(beta1, beta2, eps), shape, a, rule)
    check(make_optimizer("adam", beta1=beta1, beta2=beta2, eps=eps), shape, a, rule)


def test_adam_first_step_is_alpha_times_sign():
    """With bias correction Adam's first step is −α g/(|g| + ε) ≈ −α sign(g), whatever β."""
    (w1, *_) = run_three(adam(0.3, 0.6, 0.0), [0.0, 0.0, 0.0], [[5.0, -1e-3, 2.0], [0, 0, 0], [0, 0, 0]], 0.01)
    np.testing.assert_allclose(w1, [-0.01, 0.01, -0.01], rtol=1e-13)


def test_momentum_zero_equals_sgd():
    """Momentum and Nesterov with γ = 0 are plain SGD."""
    for opt in (momentum(0.0), nesterov(0.0)):
        for shape in SHAPES:
            w0, gs = SHAPES[shape]
            for got, want in zip(run_three(opt, w0, gs, 0.2), run_three(sgd(), w0, gs, 0.2)):
                np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_update_does_not_mutate_its_inputs(name):
    """update is pure: the gradient and the old state are left as they were."""
    opt = make_optimizer(name)
    w = np.array(W0_MAT)
    state = opt.init(w)
    for g in G_MAT:
        g = np.array(g)
        g_copy = g.copy()
        before = [np.array(s, copy=True) for s in state]
        _, new_state = opt.update(g, state, 0.1)
        np.testing.assert_array_equal(g, g_copy)
        for old, saved in zip(state, before):
            np.testing.assert_array_equal(old, saved)
        state = new_state


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_zero_gradient_from_rest_does_not_move(name):
    """From the initial state a zero gradient gives ΔW = 0 (no NaN from 0/0)."""
    opt = make_optimizer(name)
    w = np.zeros((2, 3))
    delta, _ = opt.update(np.zeros((2, 3)), opt.init(w), 0.1)
    np.testing.assert_array_equal(delta, 0.0)


BATCHED = {
    "sgd": {},
    "momentum": {"momentum": [0.0, 0.5, 0.9]},
    "nesterov": {"momentum": [0.3, 0.95, 0.0]},
    "rmsprop": {"decay": [0.9, 0.5, 0.99], "eps": [1e-8, 0.1, 1e-3]},
    "adagrad": {},
    "adam": {"beta1": [0.9, 0.0, 0.5], "beta2": [0.999, 0.9, 0.5], "eps": [1e-8, 1e-3, 0.2]},
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("extra_axes", [(2,), (2, 3)])
def test_batched_hyperparameters_equal_separate_runs(name, extra_axes):
    """A leading batch axis of B runs with per-run α and hyperparameters equals B separate runs."""
    rng = np.random.default_rng(11)
    batch = 3
    lrs = np.array([0.1, 0.01, 0.5])
    hyper = {k: np.array(v) for k, v in BATCHED[name].items()}
    grads = rng.normal(size=(6, batch) + extra_axes)
    w0 = rng.normal(size=(batch,) + extra_axes)

    opt = make_optimizer(name, **hyper)
    w, state = w0.copy(), opt.init(w0)
    for g in grads:
        delta, state = opt.update(g, state, lrs)
        w = w + delta

    for b in range(batch):
        single = make_optimizer(name, **{k: float(v[b]) for k, v in hyper.items()})
        wb, sb = w0[b].copy(), single.init(w0[b])
        for g in grads:
            delta, sb = single.update(g[b], sb, float(lrs[b]))
            wb = wb + delta
        np.testing.assert_allclose(w[b], wb, rtol=1e-13, atol=1e-15, err_msg=f"run {b}")


def test_registry_and_lecture_subset():
    """All six optimizers are registered; the lecture's four are among them."""
    assert list(OPTIMIZERS) == ["sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"]
    assert set(LECTURE_OPTIMIZERS) <= set(OPTIMIZERS)
    for name, spec in OPTIMIZERS.items():
        assert spec.name == name
        assert make_optimizer(name).name == name
        for h in spec.hyperparameters:
            h.check(h.default)  # defaults are in range


@pytest.mark.parametrize("bad", ["adamw", "SGD", ""])
def test_make_optimizer_unknown_name(bad):
    """Unknown optimizer names raise ValueError quoting the name."""
    with pytest.raises(ValueError, match=repr(bad)):
        make_optimizer(bad)


@pytest.mark.parametrize(
    "name, kwargs, param",
    [
        ("rmsprop", {"decay": 1.0}, "decay"),
        ("rmsprop", {"decay": -0.5}, "decay"),
        ("adam", {"beta1": -0.1}, "beta1"),
        ("adam", {"beta1": 1.0}, "beta1"),
        ("adam", {"beta2": 1.5}, "beta2"),
        ("adam", {"eps": float("nan")}, "eps"),
        ("rmsprop", {"eps": float("inf")}, "eps"),
        ("rmsprop", {"eps": -1e-8}, "eps"),
        ("rmsprop", {"eps": 0.0}, "eps"),  # ε = 0 would give 0/0 where E = 0
        ("adam", {"eps": 1.5}, "eps"),
        ("momentum", {"momentum": "x"}, "momentum"),
        ("nesterov", {"momentum": 1.0}, "momentum"),
        ("momentum", {"momentum": [0.5, 1.2]}, "momentum"),
        ("momentum", {"momentum": [0.5, "y"]}, "momentum"),
        ("sgd", {"momentum": 0.9}, "momentum"),
        ("adagrad", {"beta1": 0.9}, "beta1"),
    ],
)
def test_make_optimizer_rejects_bad_hyperparameters(name, kwargs, param):
    """Out-of-range, non-finite, non-numeric or unknown hyperparameters: ValueError naming them."""
    with pytest.raises(ValueError, match=param):
        make_optimizer(name, **kwargs)


def test_make_optimizer_accepts_range_edges_and_none():
    """Closed ends are accepted (γ = 0, ε = 1e-12, ε = 1); None means the default."""
    make_optimizer("momentum", momentum=0.0)
    make_optimizer("rmsprop", decay=0.0, eps=1e-12)
    make_optimizer("adam", beta1=0.0, beta2=0.0, eps=1.0)
    # None falls back to the default γ = 0.9
    got = run_three(make_optimizer("momentum", momentum=None), W0_FLAT, G_FLAT, 0.1)
    want = run_three(momentum(0.9), W0_FLAT, G_FLAT, 0.1)
    np.testing.assert_array_equal(got[-1], want[-1])


# --- PyTorch parity (skipped when torch is not installed) --------------------------------


def _torch_beale(torch, p):
    x, y = p[0], p[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _torch_rosenbrock(torch, p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


TORCH_CASES = [
    # (our name, our hyperparameters, torch optimizer factory, lr)
    ("sgd", {}, lambda torch, p, lr: torch.optim.SGD([p], lr=lr), 1e-3),
    ("momentum", {"momentum": 0.9}, lambda torch, p, lr: torch.optim.SGD([p], lr=lr, momentum=0.9), 1e-3),
    ("momentum", {"momentum": 0.5}, lambda torch, p, lr: torch.optim.SGD([p], lr=lr, momentum=0.5), 2e-3),
    (
        "nesterov",
        {"momentum": 0.9},
        lambda torch, p, lr: torch.optim.SGD([p], lr=lr, momentum=0.9, nesterov=True),
        1e-3,
    ),
    (
        "rmsprop",
        {"decay": 0.9, "eps": 1e-8},
        lambda torch, p, lr: torch.optim.RMSprop([p], lr=lr, alpha=0.9, eps=1e-8),
        1e-2,
    ),
    (
        "rmsprop",
        {"decay": 0.5, "eps": 0.1},
        lambda torch, p, lr: torch.optim.RMSprop([p], lr=lr, alpha=0.5, eps=0.1),
        3e-2,
    ),
    (
        "adagrad",
        {},
        lambda torch, p, lr: torch.optim.Adagrad([p], lr=lr, initial_accumulator_value=0.0, eps=1e-10),
        0.3,
    ),
    (
        "adam",
        {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        lambda torch, p, lr: torch.optim.Adam([p], lr=lr, betas=(0.9, 0.999), eps=1e-8),
        0.03,
    ),
    (
        "adam",
        {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
        lambda torch, p, lr: torch.optim.Adam([p], lr=lr, betas=(0.5, 0.9), eps=1e-3),
        0.05,
    ),
]


@pytest.mark.parametrize("surface", ["beale", "rosenbrock"])
@pytest.mark.parametrize("name, hyper, make_torch, lr", TORCH_CASES)
def test_matches_torch_optim(surface, name, hyper, make_torch, lr):
    """20 steps agree with torch.optim in float64 (torch's gradient from autograd, ours analytic)."""
    torch = require_torch()  # skipped without torch, fails under CI=true
    from optiviz.core.descent import descend
    from optiviz.core.surfaces import get_surface

    s = get_surface(surface)
    start = (1.0, 1.5) if surface == "beale" else (-1.2, 1.0)
    loss_fn = _torch_beale if surface == "beale" else _torch_rosenbrock

    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make_torch(torch, p, lr)
    path = [p.detach().numpy().copy()]
    for _ in range(20):
        opt.zero_grad()
        loss_fn(torch, p).backward()
        opt.step()
        path.append(p.detach().numpy().copy())

    ours = descend(s, make_optimizer(name, **hyper), [start], 20, lr)
    assert ours.diverged_at[0] == -1
    np.testing.assert_allclose(ours.points[:, 0], np.array(path), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_one_python_float_steps_as_in_an_array(name):
    """Each rule on one Python float W (the race's way) gives the bits it gives in an array, step after
    step, and stays a Python float; with non-default hyperparameters where it has any."""
    hyper = {h.name: (h.low + h.high) / 3 if h.name != "eps" else 1e-3 for h in OPTIMIZERS[name].hyperparameters}
    opt = make_optimizer(name, **hyper)
    grads = [0.7, -1.9, 1e-3, 0.0]
    state_f, state_a = opt.init(0.4), opt.init(np.array([0.4, -1.0]))
    for g in grads:
        delta_f, state_f = opt.update(g, state_f, 0.05)
        delta_a, state_a = opt.update(np.array([g, 1.0]), state_a, 0.05)
        assert type(delta_f) is float and delta_f == delta_a[0]
        assert math.copysign(1, delta_f) == math.copysign(1, delta_a[0])



@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_under_a_schedule_alpha_stays_inside_the_velocity_unlike_torch(name):
    """The lecture's v ← γ v − α_t g (W ← W + v, or W + γ v − α_t g for Nesterov) under a decaying α_t; PyTorch's
    SGD with a scheduler (v ← γ v + g; W ← W − α_t v) gives another path, as the race page and `path --help` say."""
    from optiviz.core.descent import descend
    from optiviz.core.schedules import learning_rate as scheduled
    from optiviz.core.surfaces import get_surface

    s, start, steps, gamma = get_surface("rosenbrock"), (-1.2, 1.0), 30, 0.9
    ours = descend(s, make_optimizer(name, momentum=gamma), [start], steps, 1e-3, "exp", 0.1).points[:, 0]
    rates = scheduled("exp", np.array([1e-3]), 0.1, np.arange(steps + 1)[:, None])[:, 0]
    w, v, lecture = np.array(start), np.zeros(2), [np.array(start)]
    for t in range(steps):  # the lecture's form, written out
        g = s.gradient(w)
        v = gamma * v - rates[t] * g
        w = w + (gamma * v - rates[t] * g if name == "nesterov" else v)
        lecture.append(w)
    np.testing.assert_allclose(ours, np.array(lecture), rtol=1e-12, atol=1e-14)
    torch = require_torch()  # skipped without torch, fails under CI=true
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1e-3, momentum=gamma, nesterov=name == "nesterov")
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: float(rates[t] / rates[0]))
    theirs = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        _torch_rosenbrock(torch, p).backward()
        opt.step()
        schedule.step()
        theirs.append(p.detach().numpy().copy())
    assert np.abs(ours - np.array(theirs)).max() > 1e-4  # the conventions differ visibly under a schedule
