"""Tests for optiviz.core.descent: the batched loop, divergence, noise, schedules and the tidy tables."""

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.core.descent import (COLUMNS, MAX_STEPS, Path, _path, descend, diverged_steps, paths_table, race, race_paths, run, run_ends,
                                  summarize, sweep)
from optiviz.core.optimizers import OPTIMIZERS, make_optimizer, momentum, sgd
from optiviz.core.schedules import learning_rate as scheduled
from optiviz.core.surfaces import RAVINE_SHALLOW, RAVINE_STEEP, SURFACES, get_surface
from tests.support.hyperparameters import PER_RUN as BATCH_HYPER

# No numpy RuntimeWarning (overflow, invalid value) or pandas warning may escape the engine.
pytestmark = pytest.mark.filterwarnings("error")

# f = ½(RAVINE_STEEP·x² + RAVINE_SHALLOW·y²), ∇f = (RAVINE_STEEP·x, RAVINE_SHALLOW·y), currently
# ½(12x² + 0.12y²): SGD multiplies x by (1 − 12α) and y by (1 − 0.12α), so it is stable iff α < 2/12 = 1/6.
RAVINE = get_surface("ravine")


def ravine_loss(x, y):
    """f = ½(RAVINE_STEEP·x² + RAVINE_SHALLOW·y²), written out independently of optiviz."""
    return 0.5 * (RAVINE_STEEP * x**2 + RAVINE_SHALLOW * y**2)


def ravine_grad_norm(x, y):
    """|∇f| = |(RAVINE_STEEP·x, RAVINE_SHALLOW·y)|."""
    return np.hypot(RAVINE_STEEP * x, RAVINE_SHALLOW * y)


def ravine_sgd_path(start, rates):
    """SGD on the ravine by hand: x_{t+1} = x_t (1 − RAVINE_STEEP·α_t), y_{t+1} = y_t (1 − RAVINE_SHALLOW·α_t)."""
    x, y = start
    path = [(x, y)]
    for a in rates:
        x, y = x * (1 - RAVINE_STEEP * a), y * (1 - RAVINE_SHALLOW * a)
        path.append((x, y))
    return np.array(path)


def box_contains(surface, point):
    """The divergence box test written out: finite and within the half-widths of the centre."""
    centre, half = surface.box
    p = np.asarray(point, dtype=float)
    return bool(np.all(np.isfinite(p)) and np.all(np.abs(p - centre) <= half))


def assert_same_trajectories(a, b, rtol=1e-12):
    np.testing.assert_array_equal(a.diverged_at, b.diverged_at)
    for field in ("points", "loss", "grad_norm", "learning_rate"):
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=rtol, atol=1e-300, err_msg=field)


# --- the batched loop -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("surface", ["rosenbrock", "beale"])
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_batched_descend_equals_looped_single_runs(name, surface, noise):
    """B runs in one call (per-run starts, α and hyperparameters) equal B single runs, divergence and noise included."""
    s = get_surface(surface)
    starts = np.array([s.starts[0][1], s.starts[1][1], (0.5, 0.5), (-1.0, 2.0)])
    base = s.learning_rates[name]
    lrs = np.array([base, base / 3, base * 2, base * 50])  # the last one may well diverge
    hyper = {k: np.array(v) for k, v in BATCH_HYPER[name].items()}
    batched = descend(s, make_optimizer(name, **hyper), starts, 60, lrs, "inv", 0.01, noise, 4)
    for b in range(len(starts)):
        single = descend(
            s, make_optimizer(name, **{k: float(v[b]) for k, v in hyper.items()}), starts[b], 60, lrs[b], "inv", 0.01, noise, 4
        )
        assert_same_trajectories(
            batched._replace(
                points=batched.points[:, b : b + 1],
                loss=batched.loss[:, b : b + 1],
                grad_norm=batched.grad_norm[:, b : b + 1],
                learning_rate=batched.learning_rate[:, b : b + 1],
                diverged_at=batched.diverged_at[b : b + 1],
            ),
            single,
        )


@settings(max_examples=25, deadline=None)
@given(
    lrs=st.lists(st.floats(1e-4, 0.3), min_size=1, max_size=5),
    xs=st.lists(st.floats(-2.0, 2.0), min_size=5, max_size=5),
    ys=st.lists(st.floats(-1.0, 3.0), min_size=5, max_size=5),
    gamma=st.floats(0.0, 0.99),
)
def test_batched_equals_looped_property(lrs, xs, ys, gamma):
    """Hypothesis: momentum on Rosenbrock, any α, start and γ: batched runs equal single runs."""
    s = get_surface("rosenbrock")
    starts = np.stack([xs[: len(lrs)], ys[: len(lrs)]], axis=-1)
    batched = descend(s, momentum(gamma), starts, 25, lrs)
    for b, lr in enumerate(lrs):
        single = descend(s, momentum(gamma), starts[b], 25, lr)
        assert batched.diverged_at[b] == single.diverged_at[0]
        np.testing.assert_allclose(batched.points[:, b], single.points[:, 0], rtol=1e-12, atol=1e-300)


def test_trajectory_shapes_and_start_row():
    """Points (T+1, B, 2), the rest (T+1, B); row 0 holds the starts, their loss and |∇f|."""
    starts = np.array([[1.0, -2.5], [0.2, 2.8], [-1.0, 1.0]])
    traj = descend(RAVINE, sgd(), starts, 7, 0.05)
    assert traj.points.shape == (8, 3, 2)
    for field in (traj.loss, traj.grad_norm, traj.learning_rate):
        assert field.shape == (8, 3)
    assert traj.diverged_at.shape == (3,)
    np.testing.assert_array_equal(traj.points[0], starts)
    x, y = starts[:, 0], starts[:, 1]
    np.testing.assert_allclose(traj.loss[0], ravine_loss(x, y), rtol=1e-15)
    np.testing.assert_allclose(traj.grad_norm[0], ravine_grad_norm(x, y), rtol=1e-15)


def test_sgd_on_the_ravine_follows_the_closed_form():
    """Every step of SGD on the ravine equals x(1 − RAVINE_STEEP·α)ᵗ, y(1 − RAVINE_SHALLOW·α)ᵗ; loss and |∇f| follow."""
    # α = 0.15 < 2/12: x is multiplied by 1 − 1.8 = −0.8 (a stable zig-zag), y by 1 − 0.018 = 0.982.
    traj = descend(RAVINE, sgd(), [(1.0, -2.5)], 40, 0.15)
    want = ravine_sgd_path((1.0, -2.5), [0.15] * 40)
    t = np.arange(41)
    np.testing.assert_allclose(want[:, 0], (1 - RAVINE_STEEP * 0.15) ** t, rtol=1e-12)
    np.testing.assert_allclose(want[:, 1], -2.5 * (1 - RAVINE_SHALLOW * 0.15) ** t, rtol=1e-12)
    np.testing.assert_allclose(traj.points[:, 0], want, rtol=1e-12)
    x, y = want[:, 0], want[:, 1]
    np.testing.assert_allclose(traj.loss[:, 0], ravine_loss(x, y), rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norm[:, 0], ravine_grad_norm(x, y), rtol=1e-12)
    assert traj.diverged_at[0] == -1


# --- convergence --------------------------------------------------------------------------------

CONVERGENCE = [
    # surface, optimizer, start, steps, tolerance on the distance to the nearest minimum
    ("beale", "adam", (1.0, 1.5), 3000, 1e-4),
    ("beale", "momentum", (1.0, 1.5), 3000, 1e-3),
    ("long_valley", "momentum", (-3.0, 1.5), 1000, 1e-6),
    ("long_valley", "adam", (-3.0, 0.01), 1000, 1e-6),
    ("ravine", "momentum", (1.0, -2.5), 1000, 1e-6),
    ("ravine", "adam", (0.2, 2.8), 1000, 1e-6),
    ("rosenbrock", "adam", (-1.2, 1.0), 3000, 1e-4),
    ("rosenbrock", "nesterov", (-1.5, 2.5), 3000, 1e-3),
    ("saddle", "adam", (1.5, 1e-3), 1000, 1e-6),
    ("saddle", "momentum", (-1.5, 0.3), 1000, 1e-6),
]


@pytest.mark.parametrize("surface, name, start, steps, tol", CONVERGENCE)
def test_converges_to_a_minimum(surface, name, start, steps, tol):
    """With the surface's suggested α these settings end near a minimum with a loss near 0."""
    s = get_surface(surface)
    traj = descend(s, make_optimizer(name), [start], steps, s.learning_rates[name])
    assert traj.diverged_at[0] == -1
    end = traj.points[-1, 0]
    assert s.distance_to_minimum(end) < tol
    assert traj.loss[-1, 0] < traj.loss[0, 0]
    assert traj.loss[-1, 0] < 1e-4


def test_saddle_escape_goes_to_the_minimum_on_its_side():
    """Starting just above the ridge (y = 0.001 > 0), Adam reaches (0, +√2), not (0, −√2)."""
    s = get_surface("saddle")
    traj = descend(s, make_optimizer("adam"), [(1.5, 1e-3), (1.5, -1e-3)], 1000, 0.03)
    np.testing.assert_allclose(traj.points[-1], [[0.0, math.sqrt(2)], [0.0, -math.sqrt(2)]], atol=1e-6)


# --- schedules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("schedule, k", [("exp", 0.05), ("inv", 0.2), ("step", 0.1), ("constant", 0.3)])
def test_schedule_is_applied(schedule, k):
    """The learning_rate column is α₀·factor(t), and each SGD step uses that α_t."""
    lr0, steps = 0.15, 30
    t = np.arange(steps + 1)
    factor = {
        "exp": np.exp(-k * t),
        "inv": 1 / (1 + k * t),
        "step": 2.0 ** -np.floor(k * t),
        "constant": np.ones(steps + 1),
    }[schedule]
    df = run("ravine", "sgd", (1.0, -2.5), steps, lr0, schedule=schedule, decay_rate=k)
    np.testing.assert_allclose(df["learning_rate"], lr0 * factor, rtol=1e-14)
    want = ravine_sgd_path((1.0, -2.5), lr0 * factor[:-1])
    np.testing.assert_allclose(df[["x", "y"]].to_numpy(), want, rtol=1e-12)


def test_schedule_per_run_learning_rates():
    """Batched runs each follow their own α₀ under the shared schedule."""
    lrs = np.array([0.01, 0.1, 0.15])
    traj = descend(RAVINE, sgd(), np.tile([1.0, -2.5], (3, 1)), 10, lrs, "exp", 0.1)
    for b, lr in enumerate(lrs):
        rates = lr * np.exp(-0.1 * np.arange(11))
        np.testing.assert_allclose(traj.learning_rate[:, b], rates, rtol=1e-14)
        np.testing.assert_allclose(traj.points[:, b], ravine_sgd_path((1.0, -2.5), rates[:-1]), rtol=1e-12)


# --- divergence ---------------------------------------------------------------------------------


def test_divergence_on_the_ravine_by_hand():
    """SGD α = 0.5 multiplies x by 1 − 12·0.5 = −5: it leaves the box at the first t with |x_t| > half-width."""
    centre, half = RAVINE.box
    np.testing.assert_array_equal(centre, [0.0, 0.0])
    assert 1 - RAVINE_STEEP * 0.5 < -1  # α = 0.5 > 2/RAVINE_STEEP, so |x_t| grows
    path = ravine_sgd_path((1.0, -2.5), [0.5] * 20)  # x_t = (−5)ᵗ, y_t = −2.5·0.94ᵗ
    first_bad = next(t for t in range(21) if not box_contains(RAVINE, path[t]))
    assert path[first_bad - 1, 0] ** 2 < path[first_bad, 0] ** 2  # it left by growing
    # by hand: the view is [−3, 3]², so the half-width is 5·6 = 30, and |x| = 1, 5, 25, 125 leaves at t = 3
    assert first_bad == 3

    traj = descend(RAVINE, sgd(), [(1.0, -2.5)], 20, 0.5)
    assert traj.diverged_at[0] == first_bad
    np.testing.assert_allclose(traj.points[:first_bad, 0], path[:first_bad], rtol=1e-15)
    assert np.isfinite(traj.loss[:first_bad, 0]).all()
    assert np.isnan(traj.points[first_bad:, 0]).all()
    assert np.isnan(traj.loss[first_bad:, 0]).all()
    assert np.isnan(traj.grad_norm[first_bad:, 0]).all()

    df = run("ravine", "sgd", (1.0, -2.5), 20, 0.5)
    assert df["step"].tolist() == list(range(first_bad))
    assert not df.isna().any().any()


@pytest.mark.parametrize("start", [(-3.0, 1.0), (2.0, -2.5), (1.0, 1.5)])
@pytest.mark.parametrize("lr", [0.01, 0.05])
def test_divergence_on_beale_matches_a_plain_loop(start, lr):
    """diverged_at is the first step a plain SGD loop leaves the box or goes non-finite."""
    s = get_surface("beale")
    w = np.array(start)
    path, first_bad = [w], -1
    with np.errstate(all="ignore"):
        for t in range(1, 101):
            w = w - lr * s.gradient(w)
            if not box_contains(s, w) or not np.isfinite(s.value(w)):
                first_bad = t
                break
            path.append(w)
    traj = descend(s, sgd(), [start], 100, lr)
    assert traj.diverged_at[0] == first_bad
    df = run("beale", "sgd", start, 100, lr)
    stop = first_bad if first_bad >= 0 else 101
    assert len(df) == stop
    np.testing.assert_allclose(df[["x", "y"]].to_numpy(), np.array(path), rtol=1e-12)
    assert not df.isna().any().any()


@pytest.mark.parametrize("surface, lr", [("beale", 1e300), ("beale", 1e10), ("ravine", 1e300), ("rosenbrock", 1e200)])
def test_huge_learning_rate_stops_at_step_one_without_warnings(surface, lr):
    """An overflowing first step (inf, then inf − inf = NaN) is caught quietly: diverged at 1."""
    s = get_surface(surface)
    start = s.starts[0][1]
    with np.errstate(all="warn"):
        traj = descend(s, sgd(), [start], 50, lr)
        df = run(surface, "sgd", start, 50, lr)
        summary = summarize(race_paths(surface, [("sgd", lr, {})], start, 50), surface)
        table = sweep(surface, "sgd", [lr, 1e-300], start, 50)
    assert traj.diverged_at[0] == 1
    assert df["step"].tolist() == [0]
    assert (df["x"].iloc[0], df["y"].iloc[0]) == start
    assert not df.isna().any().any()
    assert summary["diverged at step"].tolist() == [1]
    assert table["diverged_at"].iloc[0] == 1 and np.isnan(table["diverged_at"].iloc[1])


def test_divergence_of_one_run_leaves_the_others_alone():
    """In a batch, a diverging run stops while the others carry on exactly as alone."""
    starts = np.tile([1.0, -2.5], (3, 1))
    # x factors 1 − 12α: 0.4 and −0.2 are stable; −5 gives |x| = 1, 5, 25, 125 > 30 (half-width) at t = 3
    traj = descend(RAVINE, sgd(), starts, 30, [0.05, 0.5, 0.1])
    assert traj.diverged_at.tolist() == [-1, 3, -1]
    for b, lr in [(0, 0.05), (2, 0.1)]:
        np.testing.assert_allclose(traj.points[:, b], ravine_sgd_path((1.0, -2.5), [lr] * 30), rtol=1e-12)


def test_start_outside_the_box_is_rejected():
    """A start outside the divergence box is a ValueError naming the start points."""
    centre, half = RAVINE.box
    far = centre + 1.01 * half
    edge = centre + half
    descend(RAVINE, sgd(), [tuple(edge)], 1, 1e-3)  # on the box edge is still inside
    with pytest.raises(ValueError, match="start"):
        descend(RAVINE, sgd(), [(1.0, -2.5), tuple(far)], 5, 0.05)
    with pytest.raises(ValueError, match="start"):
        run("ravine", "sgd", (1e6, 0.0), 5, 0.05)


# --- noise ---------------------------------------------------------------------------------------


def test_noise_same_seed_same_path_different_seed_differs():
    """Gradient noise is reproducible from the seed and changes with it."""
    a = run("rosenbrock", "adam", (-1.2, 1.0), 200, 0.05, noise=0.5, seed=3)
    b = run("rosenbrock", "adam", (-1.2, 1.0), 200, 0.05, noise=0.5, seed=3)
    c = run("rosenbrock", "adam", (-1.2, 1.0), 200, 0.05, noise=0.5, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a[["x", "y"]].to_numpy()[1:], c[["x", "y"]].to_numpy()[1:])
    # the start row is the same whatever the noise
    pd.testing.assert_series_equal(a.iloc[0], c.iloc[0])


def test_zero_noise_equals_no_noise():
    """noise = 0 gives the noise-free path whatever the seed."""
    plain = run("beale", "momentum", (1.0, 1.5), 300, 1e-3)
    for seed in (0, 7):
        pd.testing.assert_frame_equal(run("beale", "momentum", (1.0, 1.5), 300, 1e-3, noise=0.0, seed=seed), plain)
    assert not plain.equals(run("beale", "momentum", (1.0, 1.5), 300, 1e-3, noise=0.1))


def recovered_noise(traj, clean, lr, sigma):
    """ε_t from constant-α SGD on the ravine, where noisy − clean paths obey a linear recursion.

    SGD multiplies (x, y) by (1 − RAVINE_STEEP·α, 1 − RAVINE_SHALLOW·α), so for d = noisy − clean
    d_{t+1} = (1 − RAVINE_STEEP·α, 1 − RAVINE_SHALLOW·α) ⊙ d_t − ασε_t. (With α = 0.1 the factors are
    (−0.2, 0.988): both stable, so the noisy path stays in the box over thousands of steps.)
    """
    d = traj.points - clean.points  # (T + 1, B, 2)
    factor = 1 - lr * np.array([RAVINE_STEEP, RAVINE_SHALLOW])
    return -(d[1:] - factor * d[:-1]) / (lr * sigma)


def test_noise_is_standard_normal_scaled_by_sigma():
    """SGD sees ∇f + σε: the ε recovered from the path has mean ≈ 0, std ≈ 1 and uncorrelated axes."""
    sigma, lr, steps = 0.5, 0.1, 4000
    clean = descend(RAVINE, sgd(), [(1.0, -2.5)], steps, lr)
    noisy = descend(RAVINE, sgd(), [(1.0, -2.5)], steps, lr, noise=sigma, seed=1)
    assert noisy.diverged_at[0] == -1
    eps = recovered_noise(noisy, clean, lr, sigma)[:, 0]  # (T, 2)
    assert abs(eps.mean()) < 0.05
    np.testing.assert_allclose(eps.std(axis=0), [1.0, 1.0], atol=0.05)
    assert abs(np.corrcoef(eps[:, 0], eps[:, 1])[0, 1]) < 0.05
    assert abs(np.corrcoef(eps[1:, 0], eps[:-1, 0])[0, 1]) < 0.05  # fresh draw every step


def test_noise_is_shared_by_the_runs_of_a_batch():
    """Every run of a batch sees the same ε_t, so a noisy batch equals its runs looped."""
    sigma, lr = 1.0, 0.1
    starts = np.array([[1.0, -2.5], [0.2, 2.8], [-1.0, 1.0]])
    clean = descend(RAVINE, sgd(), starts, 50, lr)
    noisy = descend(RAVINE, sgd(), starts, 50, lr, noise=sigma, seed=2)
    eps = recovered_noise(noisy, clean, lr, sigma)
    np.testing.assert_allclose(eps[:, 1], eps[:, 0], atol=1e-9)
    np.testing.assert_allclose(eps[:, 2], eps[:, 0], atol=1e-9)
    for b in range(3):
        single = descend(RAVINE, sgd(), starts[b], 50, lr, noise=sigma, seed=2)
        np.testing.assert_allclose(noisy.points[:, b], single.points[:, 0], rtol=1e-12)


def test_grad_norm_is_of_the_true_gradient_under_noise():
    """With noise, grad_norm still reports |∇f| at the point reached."""
    df = run("ravine", "sgd", (1.0, -2.5), 50, 0.05, noise=2.0, seed=5)
    np.testing.assert_allclose(df["grad_norm"], ravine_grad_norm(df["x"], df["y"]), rtol=1e-12)
    np.testing.assert_allclose(df["loss"], ravine_loss(df["x"], df["y"]), rtol=1e-12)


def test_race_gives_every_optimizer_the_same_noise():
    """SGD and momentum take the same first step −α(∇f + σε), so the noise draws are shared."""
    df = race("ravine", [("sgd", 0.05, {}), ("momentum", 0.05, {"momentum": 0.9})], (1.0, -2.5), 5, noise=1.0, seed=9)
    first = df[df["step"] == 1].set_index("optimizer")[["x", "y"]]
    np.testing.assert_array_equal(first.loc["sgd"], first.loc["momentum"])
    clean = ravine_sgd_path((1.0, -2.5), [0.05])[1]
    assert not np.allclose(first.loc["sgd"], clean)


# --- tidy tables ------------------------------------------------------------------------------------


def test_run_table():
    """run(): the seven columns in order, steps 0…T, step 0 is the start with hand-computed loss and |∇f|."""
    df = run("ravine", "momentum", (1.0, -2.5), 25, 0.02, momentum=0.5)
    assert list(df.columns[:7]) == ["optimizer", "step", "x", "y", "loss", "grad_norm", "learning_rate"]
    assert list(df.columns) == COLUMNS
    assert df["step"].tolist() == list(range(26))
    assert (df["optimizer"] == "momentum").all()
    row0 = df.iloc[0]
    assert (row0["x"], row0["y"]) == (1.0, -2.5)
    assert row0["loss"] == pytest.approx(0.5 * (RAVINE_STEEP * 1.0**2 + RAVINE_SHALLOW * (-2.5) ** 2))
    assert row0["loss"] == pytest.approx(6.375)  # by hand: ½(12·1 + 0.12·6.25) = ½(12 + 0.75)
    assert row0["grad_norm"] == pytest.approx(math.hypot(RAVINE_STEEP * 1.0, RAVINE_SHALLOW * -2.5))
    assert row0["grad_norm"] == pytest.approx(math.hypot(12.0, -0.3))  # by hand: ∇f = (12·1, 0.12·(−2.5))
    assert (df["learning_rate"] == 0.02).all()
    # hyperparameters passed through **options reach the optimizer
    traj = descend(RAVINE, momentum(0.5), [(1.0, -2.5)], 25, 0.02)
    np.testing.assert_allclose(df[["x", "y"]].to_numpy(), traj.points[:, 0], rtol=1e-15)
    other = run("ravine", "momentum", (1.0, -2.5), 25, 0.02, momentum=0.9)
    assert not np.allclose(df["x"], other["x"])


def test_race_table():
    """race(): one block per run in the given order, each from step 0 at the start."""
    runs = [("sgd", 0.1, {}), ("adam", 0.1, {"beta1": 0.8}), ("rmsprop", 0.03, {})]
    df = race("ravine", runs, (0.2, 2.8), 10)
    assert list(df.columns) == COLUMNS
    assert df["optimizer"].tolist() == ["sgd"] * 11 + ["adam"] * 11 + ["rmsprop"] * 11
    assert df.index.tolist() == list(range(33))
    for name, lr, hyper in runs:
        block = df[df["optimizer"] == name]
        assert block["step"].tolist() == list(range(11))
        assert (block["x"].iloc[0], block["y"].iloc[0]) == (0.2, 2.8)
        assert (block["learning_rate"] == lr).all()
        alone = run("ravine", name, (0.2, 2.8), 10, lr, **hyper)
        np.testing.assert_array_equal(block[["x", "y"]].to_numpy(), alone[["x", "y"]].to_numpy())
    empty = race("ravine", [], (0.2, 2.8), 10)
    assert list(empty.columns) == COLUMNS and len(empty) == 0


def test_race_paths_by_hand():
    """race_paths(): SGD on the ravine is x_t = x₀(1 − 12α)ᵗ, y_t = y₀(1 − 0.12α)ᵗ; α = 0.5 stops at t = 3 (|x| = 125 > 30)."""
    runs = [("sgd", 0.1, {}), ("sgd", 0.5, {})]
    calm, wild = race_paths("ravine", runs, (1.0, -2.5), 20)
    for p, lr, n, diverged in ((calm, 0.1, 21, None), (wild, 0.5, 3, 3)):
        assert isinstance(p, Path) and p.optimizer == "sgd" and p.diverged_at == diverged
        want = ravine_sgd_path((1.0, -2.5), [lr] * (n - 1))
        np.testing.assert_array_equal(p.step, np.arange(n))
        np.testing.assert_allclose(np.stack([p.x, p.y], axis=1), want, rtol=1e-12)
        np.testing.assert_allclose(p.loss, ravine_loss(want[:, 0], want[:, 1]), rtol=1e-12)
        np.testing.assert_allclose(p.grad_norm, ravine_grad_norm(want[:, 0], want[:, 1]), rtol=1e-12)
        np.testing.assert_array_equal(p.learning_rate, np.full(n, lr))
    assert pickle.loads(pickle.dumps(wild)).diverged_at == 3  # the page caches Paths by pickling them


TUNED = {"momentum": {"momentum": 0.5}, "nesterov": {"momentum": 0.7}, "rmsprop": {"decay": 0.8, "eps": 1e-6},
         "adam": {"beta1": 0.8, "beta2": 0.99, "eps": 1e-4}}


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("noise", [0.0, 0.4])
@pytest.mark.parametrize("hyper", [{}, TUNED], ids=["defaults", "tuned"])
def test_race_paths_on_python_floats_equal_descend_alone(surface, noise, hyper):
    """All six optimizers raced on Python floats give, bit for bit, what each gives alone in NumPy's descend
    (same noise, schedule and divergence; one diverges), and what each gives in a race of one."""
    s = get_surface(surface)
    runs = [(name, s.learning_rates.get(name, 0.01), hyper.get(name, {})) for name in OPTIMIZERS] + [("sgd", 50.0, {})]
    together = race_paths(surface, runs, s.starts[0][1], 120, "inv", 0.01, noise, 5)
    assert together[-1].diverged_at is not None
    for run_, path in zip(runs, together):
        name, lr, tuned = run_
        traj = descend(s, make_optimizer(name, **tuned), [s.starts[0][1]], 120, lr, "inv", 0.01, noise, 5)
        (one,) = race_paths(surface, [run_], s.starts[0][1], 120, "inv", 0.01, noise, 5)
        for alone in (_path(name, traj, 0), one):
            assert path.optimizer == alone.optimizer and path.diverged_at == alone.diverged_at
            for field in ("step", "x", "y", "loss", "grad_norm", "learning_rate"):
                np.testing.assert_array_equal(getattr(path, field), getattr(alone, field), err_msg=field)


def old_race_table(surface, runs, start, steps, **options):
    """The race table as it was built before Paths: one frame per run from descend's arrays, concatenated."""
    frames = []
    for name, lr, hyper in runs:
        traj = descend(get_surface(surface), make_optimizer(name, **hyper), [start], steps, lr, **options)
        end = traj.diverged_at[0] if traj.diverged_at[0] >= 0 else steps + 1
        frames.append(pd.DataFrame({"optimizer": name, "step": np.arange(end), "x": traj.points[:end, 0, 0],
                                    "y": traj.points[:end, 0, 1], "loss": traj.loss[:end, 0],
                                    "grad_norm": traj.grad_norm[:end, 0], "learning_rate": traj.learning_rate[:end, 0]},
                                   columns=COLUMNS))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("surface, runs, options", [
    ("beale", [("sgd", 0.1, {}), ("adam", 0.05, {"beta1": 0.8})], {}),  # SGD diverges, Adam does not
    ("rosenbrock", [("momentum", 1e-3, {"momentum": 0.95}), ("rmsprop", 1e-3, {})],
     dict(noise=0.3, seed=7, schedule="exp", decay_rate=0.01)),  # both converge
])
def test_paths_table_is_the_old_race_table(surface, runs, options):
    """paths_table(race_paths(...)) and race() give the same table, dtypes included, as built before Paths."""
    start = get_surface(surface).starts[0][1]
    paths = race_paths(surface, runs, start, 60, **options)
    want = old_race_table(surface, runs, start, 60, **options)
    pd.testing.assert_frame_equal(paths_table(paths), want)
    pd.testing.assert_frame_equal(race(surface, runs, start, 60, **options), want)
    assert diverged_steps(paths) == diverged_steps(want, 60)
    assert (surface == "beale") == bool(diverged_steps(paths))


def test_summarize_columns_and_values():
    """summarize(): final loss, distance, first step below tolerance and diverged-at, per optimizer."""
    # SGD α = 0.1 is stable (< 2/12) but y only shrinks by 0.988 a step, so the loss first drops below
    # 0.01 around t ≈ 150 (0.375·0.988²ᵗ < 0.01): 200 steps make that column a real step number.
    steps, tol = 200, 0.01
    runs = [("sgd", 0.1, {}), ("momentum", 0.5, {"momentum": 0.9})]
    paths = race_paths("ravine", runs, (1.0, -2.5), steps)
    summary = summarize(paths, "ravine", tolerance=tol)
    assert list(summary.columns) == [
        "optimizer",
        "final loss",
        "distance to minimum",
        "steps to loss < 0.01",
        "diverged at step",
    ]
    assert summary["optimizer"].tolist() == ["sgd", "momentum"]
    sgd_row, mom_row = summary.iloc[0], summary.iloc[1]

    # SGD, α = 0.1: x_t = (1 − 12·0.1)ᵗ = (−0.2)ᵗ, y_t = −2.5·(1 − 0.12·0.1)ᵗ = −2.5·0.988ᵗ
    path = ravine_sgd_path((1.0, -2.5), [0.1] * steps)
    losses = ravine_loss(path[:, 0], path[:, 1])
    first_below = next(t for t in range(steps + 1) if losses[t] < tol)
    assert 100 < first_below < steps  # the slow y direction takes ~150 steps, as estimated above
    x_end = (1 - RAVINE_STEEP * 0.1) ** steps
    y_end = -2.5 * (1 - RAVINE_SHALLOW * 0.1) ** steps
    assert sgd_row["final loss"] == pytest.approx(ravine_loss(x_end, y_end), rel=1e-10)
    assert sgd_row["distance to minimum"] == pytest.approx(math.hypot(x_end, y_end), rel=1e-10)
    assert sgd_row["steps to loss < 0.01"] == first_below
    assert pd.isna(sgd_row["diverged at step"])

    # momentum (γ = 0.9) with α = 0.5 blows up: heavy ball is stable only for 12α < 2(1 + γ) = 3.8, and 12α = 6;
    # its diverged-at step is the engine's diverged_at
    traj = descend(RAVINE, momentum(0.9), [(1.0, -2.5)], steps, 0.5)
    assert traj.diverged_at[0] > 0
    assert mom_row["diverged at step"] == traj.diverged_at[0]
    assert pd.isna(mom_row["final loss"]) and pd.isna(mom_row["distance to minimum"])
    assert diverged_steps(paths) == {"momentum": int(traj.diverged_at[0])}
    assert paths[1].diverged_at == traj.diverged_at[0] and paths[0].diverged_at is None
    # a race table has no diverged-at column: its steps tell
    assert diverged_steps(race("ravine", runs, (1.0, -2.5), steps), steps) == diverged_steps(paths)


def test_summarize_default_tolerance_column_and_never_below():
    """The default tolerance is 1e-3; a run that never gets below it has no step."""
    df = run("rosenbrock", "sgd", (-1.2, 1.0), 20, 1e-3)
    summary = summarize(race_paths("rosenbrock", [("sgd", 1e-3, {})], (-1.2, 1.0), 20), "rosenbrock")
    assert "steps to loss < 0.001" in summary.columns
    assert pd.isna(summary["steps to loss < 0.001"].iloc[0])
    assert summary["final loss"].iloc[0] == df["loss"].iloc[-1]
    x, y = df["x"].iloc[-1], df["y"].iloc[-1]
    assert summary["distance to minimum"].iloc[0] == pytest.approx(math.hypot(x - 1, y - 1))


def test_sweep_shape_and_stability_threshold():
    """sweep(): one row per α; SGD on the ravine is stable iff |1 − RAVINE_STEEP·α| < 1, i.e. α < 2/RAVINE_STEEP."""
    # 2/12 ≈ 0.1667: 0.16 (x factor −0.92) is just stable, 0.17 (x factor −1.04) just unstable, and
    # 1.04ᵗ passes the half-width 30 at t = 87 (ln 30 / ln 1.04 ≈ 86.7), within the 100 steps.
    lrs = [0.01, 0.05, 0.1, 0.16, 0.17, 0.5]
    assert 0.16 < 2 / RAVINE_STEEP < 0.17
    steps = 100
    table = sweep("ravine", "sgd", lrs, (1.0, -2.5), steps)
    assert table.shape == (6, 4)
    assert list(table.columns) == ["optimizer", "learning_rate", "final_loss", "diverged_at"]
    assert (table["optimizer"] == "sgd").all()
    np.testing.assert_array_equal(table["learning_rate"], lrs)
    _, half = RAVINE.box
    for i, a in enumerate(lrs):
        if a < 2 / RAVINE_STEEP:
            x, y = (1 - RAVINE_STEEP * a) ** steps, -2.5 * (1 - RAVINE_SHALLOW * a) ** steps
            assert np.isnan(table["diverged_at"].iloc[i])
            assert table["final_loss"].iloc[i] == pytest.approx(ravine_loss(x, y), rel=1e-9, abs=1e-300)
        else:
            # |x_t| = |1 − RAVINE_STEEP·α|ᵗ first exceeds the half-width at t = ⌊log(half)/log|1 − RAVINE_STEEP·α|⌋ + 1
            expected = math.floor(math.log(half[0]) / math.log(abs(1 - RAVINE_STEEP * a))) + 1
            assert expected == {0.17: 87, 0.5: 3}[a]  # by hand: 1.04ᵗ > 30 from t = 87; 5ᵗ > 30 from t = 3
            assert table["diverged_at"].iloc[i] == expected
            assert np.isnan(table["final_loss"].iloc[i])


def test_sweep_with_hyperparameters_and_schedule():
    """sweep() forwards hyperparameters and the schedule: it matches descend with the same settings."""
    lrs = np.array([1e-3, 3e-3])
    table = sweep("beale", "momentum", lrs, (1.0, 1.5), 50, schedule="inv", decay_rate=0.1, momentum=0.5)
    traj = descend(get_surface("beale"), momentum(0.5), np.tile([1.0, 1.5], (2, 1)), 50, lrs, "inv", 0.1)
    np.testing.assert_allclose(table["final_loss"], traj.loss[-1], rtol=1e-15)


def test_learning_rate_table_matches_schedule_module():
    """descend's learning_rate table is the schedule module's (T+1, B) table."""
    lrs = np.array([0.01, 0.02])
    traj = descend(RAVINE, sgd(), [(1.0, 1.0), (1.0, 1.0)], 12, lrs, "step", 0.25)
    np.testing.assert_array_equal(traj.learning_rate, scheduled("step", lrs, 0.25, np.arange(13)[:, None]))


def test_max_steps_accepted():
    """steps = MAX_STEPS is allowed."""
    traj = descend(RAVINE, sgd(), [(1.0, -2.5)], MAX_STEPS, 0.05)
    assert traj.loss.shape == (MAX_STEPS + 1, 1)


# --- bad inputs ---------------------------------------------------------------------------------------

GOOD = dict(surface="ravine", optimizer="sgd", start=(1.0, -2.5), steps=10, learning_rate=0.05)


@pytest.mark.parametrize(
    "change, param",
    [
        ({"steps": 0}, "steps"),
        ({"steps": -3}, "steps"),
        ({"steps": MAX_STEPS + 1}, "steps"),
        ({"steps": 1.5}, "steps"),
        ({"steps": float("nan")}, "steps"),
        ({"steps": "ten"}, "steps"),
        ({"steps": None}, "steps"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"start": (float("nan"), 0.0)}, "start"),
        ({"start": (0.0, float("inf"))}, "start"),
        ({"start": (1.0, 2.0, 3.0)}, "start"),
        ({"surface": "himmelblau"}, "surface"),
        ({"optimizer": "adamw"}, "optimizer"),
    ],
)
def test_run_rejects_bad_inputs(change, param):
    """Bad arguments to run() raise ValueError naming the parameter."""
    args = {**GOOD, **change}
    with pytest.raises(ValueError, match=param):
        run(args["surface"], args["optimizer"], args["start"], args["steps"], args["learning_rate"])


@pytest.mark.parametrize(
    "options, param",
    [
        ({"noise": -1}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"schedule": "cosine"}, "schedule"),
        ({"schedule": "exp", "decay_rate": -1}, "decay_rate"),
        ({"decay_rate": float("nan")}, "decay_rate"),
        ({"momentum": 0.9}, "momentum"),  # sgd has no momentum
    ],
)
def test_run_rejects_bad_options(options, param):
    """Bad options raise ValueError naming the option."""
    with pytest.raises(ValueError, match=param):
        run("ravine", "sgd", (1.0, -2.5), 10, 0.05, **options)


@pytest.mark.parametrize(
    "kwargs, param",
    [
        ({"steps": 0}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"learning_rate": [0.1, 0.0]}, "learning_rate"),
        ({"learning_rate": [0.1, float("nan")]}, "learning_rate"),
        ({"starts": [[0.0, 0.0], [np.nan, 1.0]]}, "start"),
        ({"noise": -0.5}, "noise"),
    ],
)
def test_descend_rejects_bad_inputs(kwargs, param):
    """descend() validates its batch arguments too."""
    args = {"starts": [[1.0, -2.5], [0.2, 2.8]], "steps": 10, "learning_rate": [0.1, 0.05], **kwargs}
    noise = args.pop("noise", 0.0)
    with pytest.raises(ValueError, match=param):
        descend(RAVINE, sgd(), args["starts"], args["steps"], args["learning_rate"], noise=noise)


def test_race_and_sweep_reject_bad_inputs():
    """race() and sweep() reject unknown names and bad numbers with the parameter named."""
    with pytest.raises(ValueError, match="optimizer"):
        race("ravine", [("sgd", 0.1, {}), ("lion", 0.1, {})], (1.0, -2.5), 10)
    with pytest.raises(ValueError, match="surface"):
        race("nowhere", [("sgd", 0.1, {})], (1.0, -2.5), 10)
    with pytest.raises(ValueError, match="learning_rate"):
        race("ravine", [("sgd", 0.0, {})], (1.0, -2.5), 10)
    with pytest.raises(ValueError, match="optimizer"):
        sweep("ravine", "lion", [0.1], (1.0, -2.5), 10)
    with pytest.raises(ValueError, match="learning_rate"):
        sweep("ravine", "sgd", [0.1, -0.1], (1.0, -2.5), 10)
    with pytest.raises(ValueError, match="steps"):
        sweep("ravine", "sgd", [0.1], (1.0, -2.5), MAX_STEPS + 1)
    with pytest.raises(ValueError, match="beta1"):
        sweep("ravine", "adam", [0.1], (1.0, -2.5), 10, beta1=1.0)


def test_every_surface_and_optimizer_runs_with_its_suggested_rate():
    """Each surface's suggested α for each optimizer gives a finite, loss-reducing 200-step run from the default start."""
    for s in SURFACES.values():
        assert set(s.learning_rates) == set(OPTIMIZERS)
        start = s.starts[0][1]
        for name in OPTIMIZERS:
            traj = descend(s, make_optimizer(name, **s.defaults(name)), [start], 200, s.learning_rates[name])
            assert traj.diverged_at[0] == -1, (s.name, name)
            assert traj.loss[-1, 0] < traj.loss[0, 0], (s.name, name)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("surface", ["beale", "ravine"])
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_run_ends_are_descends_last_rows(name, surface, noise):
    """run_ends keeps no path but gives descend's last point, last loss and divergence step, bit for bit."""
    s = get_surface(surface)
    lrs = np.logspace(-3, 2.5, 64)  # the large rates diverge
    starts = np.broadcast_to(np.asarray(s.starts[0][1]), (64, 2))
    full = descend(s, make_optimizer(name), starts, 80, lrs, "exp", 0.01, noise, 2)
    w, f, diverged_at = run_ends(s, make_optimizer(name), starts, 80, lrs, "exp", 0.01, noise, 2)
    assert (diverged_at >= 0).any() and (diverged_at < 0).any()
    np.testing.assert_array_equal(diverged_at, full.diverged_at)
    np.testing.assert_array_equal(f, full.loss[-1])
    np.testing.assert_array_equal(w, full.points[-1])


def test_surface_hyperparameter_defaults_are_valid_and_only_where_given():
    """A surface may race an optimizer with its own hyperparameters (momentum's γ = 0.5 on the ravine, the
    lecture's starting value); each is one the optimizer takes, in range."""
    for s in SURFACES.values():
        for name in s.hyperparameters:
            make_optimizer(name, **s.defaults(name))  # raises on a bad name or value
    assert SURFACES["ravine"].defaults("momentum") == {"momentum": 0.5}
    assert SURFACES["ravine"].defaults("sgd") == {} and SURFACES["beale"].defaults("momentum") == {}
