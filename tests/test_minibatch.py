"""Mini-batch gradient descent on the two-weight models: epochs, batches, first steps, optimum, Figure 11."""

import numpy as np
import pytest

from optiviz.core.linear_models import Problem, loss_and_grad, loss_grid, loss_only, make_problem, optimum
from optiviz.labs.batch_size import (MAX_RUNS, batch_gradient, compare_batch_sizes, curvature, descend_in_batches,
                                     diverged, epoch_orders, full_loss, max_epochs, minimum, steps_per_epoch, table)
from optiviz.labs.learning_rate import RATE_MULTIPLES, late_loss, lecture_rates, range_test
from optiviz.nn.training import stream

START = (-1.0, 2.0)
# four samples small enough to descend by hand
X4 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
Y4 = np.array([1.0, 2.0, 0.0, 3.0])


@pytest.fixture(scope="module")
def linear():
    return make_problem("linear", 200, 0, correlation=0.5, noise=0.5)


@pytest.fixture(scope="module")
def logistic():
    return make_problem("logistic", 200, 0, correlation=0.5, noise=0.5)


# ---- epochs and batches ------------------------------------------------------------------------------


@pytest.mark.parametrize("samples, batch, steps", [(60, 10, 6), (60, 1, 60), (60, 60, 1), (25, 10, 3)])
def test_n_over_b_steps_make_one_epoch(samples, batch, steps):
    p = make_problem("linear", samples, 1)
    runs = descend_in_batches(p, batch, 0.01, 3, START)
    assert steps_per_epoch(samples, batch) == runs.steps_per_epoch == steps
    assert len(runs.step) == 3 * steps + 1
    ends = np.flatnonzero(runs.epoch == np.round(runs.epoch))
    np.testing.assert_array_equal(ends, [0, steps, 2 * steps, 3 * steps])
    # every epoch computes one gradient per sample: N evaluations, a smaller last batch when B does not divide N
    np.testing.assert_array_equal(runs.evaluations[ends], [0, samples, 2 * samples, 3 * samples])
    if samples % batch == 0:
        assert steps == samples // batch
        np.testing.assert_array_equal(np.diff(runs.evaluations), batch)


def test_shuffle_off_gives_the_same_order_every_epoch():
    orders = epoch_orders(30, 4, shuffle=False, seed=7)
    np.testing.assert_array_equal(orders, np.tile(np.arange(30), (4, 1)))


def test_shuffle_on_gives_a_new_permutation_every_epoch():
    orders = epoch_orders(30, 4, shuffle=True, seed=7)
    for row in orders:
        np.testing.assert_array_equal(np.sort(row), np.arange(30))
    assert len({tuple(row) for row in orders}) == 4
    np.testing.assert_array_equal(orders, epoch_orders(30, 4, shuffle=True, seed=7))  # seeded
    assert not np.array_equal(orders, epoch_orders(30, 4, shuffle=True, seed=8))


def test_shuffling_changes_mini_batch_runs_but_not_the_full_batch(linear):
    def final(b, shuffle):
        return descend_in_batches(linear, b, 0.1, 3, START, shuffle=shuffle, seed=2).weights[-1, 0]

    np.testing.assert_allclose(final(200, True), final(200, False), rtol=1e-12)
    assert not np.allclose(final(10, True), final(10, False))


# ---- the update, by hand -----------------------------------------------------------------------------


def test_first_step_of_full_batch_gradient_descent_by_hand():
    # ∇L(0) = 1/N Xᵀ(X·0 − y) = −¼ (7, −1);  W¹ = 0 − ½ ∇L(0) = (0.875, −0.125)
    runs = descend_in_batches(Problem("linear", X4, Y4), 4, 0.5, 1, (0.0, 0.0))
    np.testing.assert_allclose(runs.weights[1, 0], [0.875, -0.125])
    assert runs.loss[0, 0] == pytest.approx(0.5 * np.mean(Y4**2))  # ½·(1 + 4 + 0 + 9)/4


def test_first_mini_batch_step_by_hand():
    # without shuffling I₀ = {0, 1}: g⁰ = ½ [(1,0)(0 − 1) + (0,1)(0 − 2)] = (−0.5, −1);  W¹ = −½ g⁰ = (0.25, 0.5)
    runs = descend_in_batches(Problem("linear", X4, Y4), 2, 0.5, 1, (0.0, 0.0), shuffle=False)
    np.testing.assert_allclose(runs.weights[1, 0], [0.25, 0.5])
    # I₁ = {2, 3} from W¹: residuals (0.75 − 0, 0 − 3) give g¹ = ½ (0.75·(1,1) − 3·(2,−1)) = (−2.625, 1.875)
    np.testing.assert_allclose(runs.weights[2, 0], [0.25 + 1.3125, 0.5 - 0.9375])


def test_first_logistic_step_by_hand():
    # at W = 0, σ = ½ for every sample: g⁰ = 1/|I| Σ (½ − yᵢ) xᵢ over the shuffled first batch
    y = np.array([1.0, 0.0, 1.0, 1.0])
    first = stream(3, "shuffle", 1).permutation(4)[:3]
    g = ((0.5 - y[first])[:, None] * X4[first]).mean(axis=0)
    runs = descend_in_batches(Problem("logistic", X4, y), 3, 0.2, 1, (0.0, 0.0), seed=3)
    np.testing.assert_allclose(runs.weights[1, 0], -0.2 * g)


def test_batch_gradient_matches_loss_and_grad(linear, logistic):
    W = np.random.default_rng(0).normal(size=(5, 2)) * 2
    for p in (linear, logistic):
        batch = slice(10, 27)
        expected = loss_and_grad(p.model, W, p.X[batch], p.y[batch])[1]
        np.testing.assert_allclose(batch_gradient(p.model, W, p.X[batch], p.y[batch]), expected, rtol=1e-12)


def test_recorded_loss_is_the_full_data_loss(linear):
    runs = descend_in_batches(linear, 10, 0.05, 2, START)
    np.testing.assert_allclose(runs.loss[:, 0], loss_and_grad("linear", runs.weights[:, 0], linear.X, linear.y)[0])
    np.testing.assert_allclose(full_loss(linear, runs.weights), runs.loss)


# ---- where it goes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("model, noise", [("linear", 0.5), ("logistic", 1.0)])
def test_every_batch_size_reaches_the_same_optimum_at_a_small_enough_rate(model, noise):
    p = make_problem(model, 40, 1, correlation=0.3, noise=noise)
    w_star, L = optimum(p), curvature(p)
    for b in (1, 4, 40):
        runs = descend_in_batches(p, b, 0.5 / L * b / 40, 150, START)  # α ∝ B: the same step per epoch, a small one for SGD
        last_epoch = runs.weights[-runs.steps_per_epoch:, 0]
        assert np.linalg.norm(runs.weights[-1, 0] - w_star) < (1e-9 if b == 40 else 0.06), b
        assert np.linalg.norm(last_epoch.mean(axis=0) - w_star) < (1e-9 if b == 40 else 0.03), b


def test_annealing_lets_sgd_settle(linear):
    rate = 1 / curvature(linear)
    runs = descend_in_batches(linear, 5, rate, 30, START, schedule=["constant", "exp", "inv"], decay_rate=[0.0, 0.004, 0.01])
    w_star = optimum(linear)
    last = runs.weights[-runs.steps_per_epoch:]
    spread = np.linalg.norm(last - w_star, axis=-1).mean(axis=0)  # mean distance to w* over the last epoch
    assert spread[1] < spread[0] / 3 and spread[2] < spread[0] / 2
    np.testing.assert_allclose(runs.learning_rate[100], [rate, rate * np.exp(-0.4), rate / 2])


def test_a_rate_past_two_over_l_diverges_and_is_cut(linear):
    runs = descend_in_batches(linear, 200, 3 / curvature(linear), 200, START)
    d = runs.diverged_at[0]
    assert 0 < d < 200
    assert np.isnan(runs.loss[d:, 0]).all() and np.isfinite(runs.loss[:d, 0]).all()
    frame = table(runs, ["boom"])
    assert len(frame) == d and frame["loss"].notna().all()
    calm = table(descend_in_batches(linear, 200, 0.1, 200, START), ["calm"])
    assert diverged(frame, 200) == {"boom": d} and diverged(calm, 200) == {}


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_figure_11_ordering(model, linear, logistic):
    """Very high blows up (or bounces high), high drops fast then stalls, good reaches the lowest, low creeps."""
    p = linear if model == "linear" else logistic
    rates = lecture_rates(p)
    assert list(rates) == list(RATE_MULTIPLES)
    runs = descend_in_batches(p, 10, list(rates.values()), 30, START)
    loss_star = minimum(p)[1]
    gap = runs.loss[:: runs.steps_per_epoch] - loss_star  # (epoch ends, rate)
    very_high, high, good, low = range(4)
    late = gap[-5:].mean(axis=0)  # the last five epochs (NaN for a run that diverged)
    np.testing.assert_allclose(late_loss(table(runs, list(rates)), 30).to_numpy() - loss_star, late)
    if model == "linear":
        assert runs.diverged_at[very_high] > 0
    else:  # the cross-entropy grows only linearly: a very high rate bounces far above the others instead
        assert late[very_high] > 3 * late[high]
    assert (runs.diverged_at[1:] == -1).all()
    assert gap[1, high] < gap[1, good] < gap[1, low]  # after one epoch: the faster, the lower
    assert late[good] < late[high] / 3  # high stalls at its noise floor
    assert late[good] < late[low] / 3  # low is still creeping
    assert np.all(np.diff(gap[:, low]) < 0)  # creeping, but always down
    assert gap[-1, low] < gap[0, low] * 0.9


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_loss_only_and_full_loss_equal_loss_and_grad(model):
    p = make_problem(model, 150, 2, centre=(1.0, 2.0), correlation=0.4)
    W = np.random.default_rng(1).normal(size=(7, 3, 2)) * [[3.0, 1.0]]
    W[0, 0] = [1e5, -2e5]  # far out: the quadratic form keeps its relative precision
    expected = loss_and_grad(model, W, p.X, p.y)[0]
    np.testing.assert_allclose(loss_only(model, W, p.X, p.y), expected, rtol=1e-12)
    np.testing.assert_allclose(full_loss(p, W), expected, rtol=1e-12)
    w1, w2 = np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)
    np.testing.assert_allclose(loss_grid(p, w1, w2), loss_and_grad(model, np.stack(np.meshgrid(w1, w2), -1), p.X, p.y)[0],
                               rtol=1e-12)


def test_range_test_reads_the_last_epochs_as_late_loss_does(linear):
    rates = np.array([0.01, 0.1, 0.5])
    result = range_test(linear, 10, rates, 8, START, last=5)
    runs = table(descend_in_batches(linear, 10, rates, 8, START), [f"{r}" for r in rates])
    np.testing.assert_allclose(result.table["loss"], late_loss(runs, 8, 5).to_numpy(), rtol=1e-12)
    assert (result.epochs, result.last) == (8, 5)
    short = range_test(linear, 10, rates, 2, START, last=5)  # only two epochs: their two ends, not the start
    np.testing.assert_allclose(short.table["loss"], late_loss(table(descend_in_batches(linear, 10, rates, 2, START), list("abc")), 2)
                               .to_numpy(), rtol=1e-12)
    assert short.last == 2


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_recording_only_epoch_ends_keeps_the_path_the_ends_and_the_divergence(model):
    p = make_problem(model, 60, 1, correlation=0.5, noise=0.5)
    rates = [0.05, 1.0, 40.0 if model == "linear" else 5.0]
    every = descend_in_batches(p, 7, rates, 4, START)
    ends = descend_in_batches(p, 7, rates, 4, START, record="epochs")
    np.testing.assert_array_equal(ends.weights, every.weights)
    np.testing.assert_array_equal(ends.diverged_at, every.diverged_at)
    np.testing.assert_allclose(ends.loss[::every.steps_per_epoch], every.loss[::every.steps_per_epoch], rtol=1e-12)
    assert np.isnan(ends.loss[1]).all()  # not recorded within an epoch
    with pytest.raises(ValueError, match="record"):
        descend_in_batches(p, 7, 0.1, 1, START, record="sometimes")


def test_range_test_finds_the_best_rate_and_where_it_blows_up(linear):
    L = curvature(linear)
    rates = 10.0 ** np.linspace(-3, 1.5, 46) / L
    result = range_test(linear, 200, rates, 5, START)  # full batch: the loss can only rise past 2/L
    assert 2 / L < result.blow_up < 4 / L
    assert 0.3 / L < result.best < 2 / L
    t = result.table
    assert t.loc[t["learning_rate"] == result.best, "loss"].item() == t["loss"].min()
    assert t["diverged"].iloc[-1] and not t["diverged"].iloc[0]
    assert result.start_loss == pytest.approx(loss_and_grad("linear", START, linear.X, linear.y)[0])


def test_batched_runs_equal_looped_runs(linear):
    rates, schedules, decays = [0.02, 0.1, 0.3], ["constant", "exp", "step"], [0.0, 0.01, 0.02]
    starts = [START, (0.0, 0.0), (2.0, -2.0)]
    for optimizer, hyper in (("sgd", ()), ("momentum", (("momentum", 0.8),)), ("adam", ())):
        batched = descend_in_batches(linear, 16, rates, 4, starts, optimizer, hyper, schedules, decays, seed=5)
        for r in range(3):
            alone = descend_in_batches(linear, 16, rates[r], 4, starts[r], optimizer, hyper, schedules[r], decays[r], seed=5)
            np.testing.assert_allclose(batched.weights[:, r], alone.weights[:, 0], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(batched.loss[:, r], alone.loss[:, 0], rtol=1e-12)


def test_compare_batch_sizes_labels_each_run(linear):
    frame = compare_batch_sizes(linear, {"SGD": 1, "mini-batch": 20, "full batch": 200}, 0.1, 2, START)
    assert list(frame["run"].unique()) == ["SGD", "mini-batch", "full batch"]
    steps = frame.groupby("run", sort=False)["step"].max()
    assert list(steps) == [400, 20, 2]
    assert (frame.groupby("run")["gradient_evaluations"].max() == 400).all()
    assert frame.groupby("run")["epoch"].max().eq(2).all()


# ---- the problem's own numbers ------------------------------------------------------------------------


def test_curvature_is_the_top_eigenvalue_of_the_hessian(linear, logistic):
    assert curvature(linear) == pytest.approx(np.linalg.eigvalsh(linear.X.T @ linear.X / 200)[-1])
    w, h = optimum(logistic), 1e-4
    H = np.empty((2, 2))
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        H[k] = (loss_and_grad("logistic", w + e, logistic.X, logistic.y)[1]
                - loss_and_grad("logistic", w - e, logistic.X, logistic.y)[1]) / (2 * h)
    assert curvature(logistic) == pytest.approx(np.linalg.eigvalsh((H + H.T) / 2)[-1], rel=1e-6)


def test_separable_classes_have_no_minimum():
    with pytest.raises(ValueError, match="^noise"):
        minimum(make_problem("logistic", 100, 0, noise=0.0))
    w, loss = minimum(make_problem("linear", 100, 0, noise=0.0))
    np.testing.assert_allclose(w, (1.0, -0.5), atol=1e-12)
    assert loss == pytest.approx(0.0, abs=1e-20)


def test_max_epochs_is_what_descend_accepts(linear):
    cap = max_epochs(200, 1)
    descend_in_batches(linear, 1, 1e-3, cap, START)
    with pytest.raises(ValueError, match="^epochs"):
        descend_in_batches(linear, 1, 1e-3, cap + 1, START)


# ---- bad inputs ---------------------------------------------------------------------------------------

BAD = [
    ("batch_size", dict(batch_size=0)), ("batch_size", dict(batch_size=201)), ("batch_size", dict(batch_size=2.5)),
    ("epochs", dict(epochs=0)), ("epochs", dict(epochs=10**6)), ("epochs", dict(epochs="3")),
    ("learning_rate", dict(learning_rate=0.0)), ("learning_rate", dict(learning_rate=float("nan"))),
    ("learning_rate", dict(learning_rate="fast")), ("learning_rate", dict(learning_rate=[0.1, -0.1])),
    ("learning_rate", dict(learning_rate=np.full(MAX_RUNS + 1, 0.1))),
    ("decay_rate", dict(decay_rate=-1.0)), ("decay_rate", dict(decay_rate=[0.1, 0.2], learning_rate=[0.1, 0.2, 0.3])),
    ("schedule", dict(schedule="cosine")), ("schedule", dict(schedule=["exp", "inv"], learning_rate=[0.1, 0.2, 0.3])),
    ("start", dict(start=(float("inf"), 0.0))), ("start", dict(start=(1.0, 2.0, 3.0))), ("start", dict(start="origin")),
    ("optimizer", dict(optimizer="lion")), ("momentum", dict(optimizer="momentum", hyperparameters=(("momentum", 1.5),))),
    ("shuffle", dict(shuffle="yes")), ("seed", dict(seed=-1)),
]


@pytest.mark.parametrize("name, bad", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_inputs_raise_naming_the_parameter(linear, name, bad):
    args = dict(problem=linear, batch_size=10, learning_rate=0.1, epochs=2, start=START) | bad
    with pytest.raises(ValueError, match=f"^{name}"):
        descend_in_batches(**args)


def test_problem_must_be_a_problem():
    with pytest.raises(ValueError, match="^problem"):
        descend_in_batches((X4, Y4), 2, 0.1, 1)
