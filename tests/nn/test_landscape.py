"""Tests for optiviz.nn.landscape: filter normalisation, the loss surface, the path's projection, flat vectors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.nn import MLP
from optiviz.nn.landscape import (
    MAX_GRID,
    MAX_SAMPLES,
    flat_layout,
    flatten_params,
    grid_axis,
    in_plane_fraction,
    loss_surface,
    project_path,
    random_direction,
    unflatten_params,
)
from optiviz.nn.losses import get_loss
from optiviz.nn.tree import tree_map

NETS = {
    "relu": dict(),
    "tanh+bn+skip+dropout": dict(activation="tanh", batch_norm=True, skip=True, keep_prob=0.5, initializer="xavier"),
}


def trained_like(net, seed=0, batch=40):
    """Parameters with non-trivial biases, γ, β and running statistics (as after some training)."""
    rng = np.random.default_rng(seed)
    params, state = net.init(rng)
    params = tree_map(lambda a: a + 0.3 * rng.normal(size=a.shape), params)
    x = rng.normal(size=(batch, net.input_dim))
    for _ in range(3):
        _, _, state = net.forward(params, state, x, training=True, rng=rng)
    return params, state


def data(seed=1, batch=60, dim=3, classes=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, dim)), rng.integers(0, classes, size=batch)


def loss_at(net, params, state, X, y, name="softmax_cross_entropy"):
    return get_loss(name)(net.forward(params, state, X)[0], y)[0]


def moved(params, a, d1, b=0.0, d2=None):
    """θ + a d1 + b d2 computed on the trees directly (independently of the flat vectors)."""
    if d2 is None:
        return tree_map(lambda p, d: p + a * d, params, d1)
    return tree_map(lambda p, u, v: p + a * u + b * v, params, d1, d2)


# --------------------------------------------------------------------------- flat vectors


@pytest.mark.parametrize("kwargs", list(NETS.values()), ids=list(NETS))
def test_flatten_unflatten_round_trip(kwargs):
    net = MLP(3, [5, 5], 3, **kwargs)
    params, _ = trained_like(net)
    flat = flatten_params(params)
    assert flat.dtype == np.float64 and flat.shape == (sum(a.size for b in params for a in b.values()),)
    back = unflatten_params(flat, params)
    assert len(back) == len(params)
    for original, restored in zip(params, back):
        assert list(restored) == list(original)  # key order of `like` kept
        for key in original:
            assert restored[key].shape == original[key].shape
            np.testing.assert_array_equal(restored[key], original[key])
    np.testing.assert_array_equal(flatten_params(back), flat)
    flat[:] = 0.0  # copies, not views
    assert np.any(back[0]["W"] != 0)
    net.forward(back, net.init(np.random.default_rng(0))[1], np.zeros((2, 3)))  # the tree fits the network


def test_flat_order_is_weights_first_then_the_rest_in_c_order():
    tree = [{"W": np.array([[3.0, 4.0], [5.0, 6.0]]), "b": np.array([1.0, 2.0])},
            {"W": np.array([[9.0]]), "gamma": np.array([7.0]), "beta": np.array([8.0])}]
    np.testing.assert_array_equal(flatten_params(tree), [3, 4, 5, 6, 9, 1, 2, 7, 8])
    assert [name for name, _, _ in flat_layout(tree)] == ["0.W", "1.W", "0.b", "1.gamma", "1.beta"]
    assert [(s.start, s.stop) for _, _, s in flat_layout(tree)] == [(0, 4), (4, 5), (5, 7), (7, 8), (8, 9)]


@pytest.mark.parametrize("kwargs", list(NETS.values()), ids=list(NETS))
def test_flat_order_agrees_with_the_training_records(kwargs):
    records = pytest.importorskip("optiviz.nn.records")  # the training loop's own flat layout
    if not hasattr(records, "Layout"):
        pytest.skip("optiviz.nn.records has no Layout")
    net = MLP(3, [5, 5], 3, **kwargs)
    params, _ = trained_like(net)
    layout = records.Layout.of(params)
    np.testing.assert_array_equal(layout.flatten(params), flatten_params(params))
    d = random_direction(params, np.random.default_rng(0))
    np.testing.assert_array_equal(layout.flatten(d), flatten_params(d))


def test_unflatten_rejects_a_vector_of_the_wrong_size():
    params, _ = MLP(2, [3], 1).init(np.random.default_rng(0))
    size = flatten_params(params).size
    with pytest.raises(ValueError, match=r"vector must have shape \(%d,\)" % size):
        unflatten_params(np.zeros(size + 1), params)
    with pytest.raises(ValueError, match="params must be a list of dicts"):
        flatten_params({"W": np.zeros(2)})


# --------------------------------------------------------------------------- directions


@pytest.mark.parametrize("kwargs", list(NETS.values()), ids=list(NETS))
def test_random_direction_is_filter_normalised(kwargs):
    net = MLP(3, [6, 6], 2, **kwargs)
    params, _ = trained_like(net)
    d = random_direction(params, np.random.default_rng(5))
    assert len(d) == len(params)
    for p, q in zip(params, d):
        assert list(q) == list(p)
        for key in p:
            assert q[key].shape == p[key].shape
            if key == "W":  # each column (one output neuron's filter) has θ's column norm
                np.testing.assert_allclose(np.linalg.norm(q[key], axis=0), np.linalg.norm(p[key], axis=0), rtol=1e-12)
                assert not np.allclose(q[key] / np.linalg.norm(q[key], axis=0), p[key] / np.linalg.norm(p[key], axis=0))
            else:  # biases and batch-norm γ, β are not moved
                np.testing.assert_array_equal(q[key], 0.0)


def test_random_direction_is_seeded_and_keeps_zero_filters_zero():
    params, _ = MLP(3, [4], 2).init(np.random.default_rng(0))
    params[0]["W"][:, 1] = 0.0
    d1 = random_direction(params, np.random.default_rng(9))
    again = random_direction(params, np.random.default_rng(9))
    d2 = random_direction(params, np.random.default_rng(9))
    np.testing.assert_array_equal(flatten_params(d1), flatten_params(again))
    np.testing.assert_array_equal(d1[0]["W"][:, 1], 0.0)
    rng = np.random.default_rng(9)
    first, second = random_direction(params, rng), random_direction(params, rng)
    assert not np.allclose(flatten_params(first), flatten_params(second))
    np.testing.assert_array_equal(flatten_params(first), flatten_params(d2))
    with pytest.raises(ValueError, match="rng"):
        random_direction(params, 3)


# --------------------------------------------------------------------------- the surface


@pytest.fixture(scope="module")
def setup():
    net = MLP(3, [5, 5], 3, **NETS["tanh+bn+skip+dropout"])
    params, state = trained_like(net)
    rng = np.random.default_rng(2)
    d1, d2 = random_direction(params, rng), random_direction(params, rng)
    X, y = data()
    return net, params, state, X, y, d1, d2


def test_grid_axis_is_symmetric_with_an_exact_zero():
    for n in (3, 4, 25, 41):
        a = grid_axis(0.7, n)
        assert a.shape == (n,) and a[0] == -0.7 and a[-1] == 0.7
        np.testing.assert_array_equal(a, -a[::-1])
        assert np.all(np.diff(a) > 0)
        if n % 2:
            assert a[n // 2] == 0.0


def test_surface_centre_is_the_loss_at_theta(setup):
    net, params, state, X, y, d1, d2 = setup
    alphas, betas, Z = loss_surface(net, params, state, X, y, "softmax_cross_entropy", d1, d2, span=0.5, n=9)
    assert alphas.shape == betas.shape == (9,) and Z.shape == (9, 9)
    np.testing.assert_array_equal(alphas, -alphas[::-1])
    np.testing.assert_array_equal(betas, alphas)
    assert alphas[0] == -0.5 and alphas[-1] == 0.5
    assert Z[4, 4] == pytest.approx(loss_at(net, params, state, X, y), rel=1e-13)
    assert np.all(np.isfinite(Z))
    assert Z[4, 4] <= np.max(Z)  # sanity: the surface varies
    assert np.ptp(Z) > 0


def test_surface_matches_direct_evaluation(setup):
    net, params, state, X, y, d1, d2 = setup
    alphas, betas, Z = loss_surface(net, params, state, X, y, "softmax_cross_entropy", d1, d2, span=2.0, n=7)
    for j in (0, 2, 5, 6):  # along d1 (β = 0, the middle row)
        assert Z[3, j] == pytest.approx(loss_at(net, moved(params, alphas[j], d1), state, X, y), rel=1e-12)
    for i, j in ((0, 6), (6, 1), (2, 4)):  # off the axes: Z[i, j] uses α_j (columns) and β_i (rows)
        direct = loss_at(net, moved(params, alphas[j], d1, betas[i], d2), state, X, y)
        assert Z[i, j] == pytest.approx(direct, rel=1e-12)
    assert Z[0, 6] != pytest.approx(Z[6, 0])


def test_surface_orientation_and_flat_directions(setup):
    net, params, state, X, y, d1, d2 = setup
    zero = tree_map(np.zeros_like, d2)
    _, _, Z = loss_surface(net, params, state, X, y, "softmax_cross_entropy", d1, zero, n=5)
    np.testing.assert_array_equal(Z, np.broadcast_to(Z[0], Z.shape))  # rows follow β: no change without d2
    _, _, same = loss_surface(net, params, state, X, y, "softmax_cross_entropy", d1, d1, n=5)
    np.testing.assert_allclose(same, same.T, rtol=1e-12)  # d1 = d2: L depends on α + β only
    _, _, flat = loss_surface(net, params, state, X, y, "softmax_cross_entropy",
                              flatten_params(d1), flatten_params(d2), n=5)
    _, _, tree = loss_surface(net, params, state, X, y, "softmax_cross_entropy", d1, d2, n=5)
    np.testing.assert_array_equal(flat, tree)  # flat vectors and trees are the same directions


def test_surface_of_a_linear_model_with_squared_error_is_a_quadratic():
    net = MLP(3, (), 2)  # logits = x W + b: L is a quadratic in (α, β)
    rng = np.random.default_rng(3)
    params, state = net.init(rng)
    X, Y = rng.normal(size=(30, 3)), rng.normal(size=(30, 2))
    d1, d2 = random_direction(params, rng), random_direction(params, rng)
    alphas, _, Z = loss_surface(net, params, state, X, Y, "mean_squared_error", d1, d2, span=3.0, n=11)
    fit = np.polynomial.polynomial.Polynomial.fit(alphas, Z[5], 2)
    np.testing.assert_allclose(fit(alphas), Z[5], rtol=1e-10)
    assert np.all(np.isfinite(Z))


def test_surface_leaves_params_and_state_alone(setup):
    net, params, state, X, y, d1, d2 = setup
    before = flatten_params(params), flatten_params(state), flatten_params(d1)
    loss_surface(net, params, state, X, y, "softmax_cross_entropy", d1, d2, n=3)
    for a, b in zip(before, (flatten_params(params), flatten_params(state), flatten_params(d1))):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loss_name, outputs", [("softmax_cross_entropy", 3), ("binary_cross_entropy", 1),
                                                ("mean_squared_error", 2)])
@pytest.mark.parametrize("span", [1e6, 1e150, 1e300, 1.7e308])
def test_huge_spans_give_nan_not_warnings(loss_name, outputs, span):
    net = MLP(3, [4], outputs, batch_norm=True)
    rng = np.random.default_rng(4)
    params, state = net.init(rng)
    X = rng.normal(size=(20, 3))
    y = {"softmax_cross_entropy": rng.integers(0, 3, 20), "binary_cross_entropy": rng.integers(0, 2, 20) * 1.0,
         "mean_squared_error": rng.normal(size=(20, 2))}[loss_name]
    d1, d2 = random_direction(params, rng), random_direction(params, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alphas, betas, Z = loss_surface(net, params, state, X, y, loss_name, d1, d2, span=span, n=5)
    assert not np.any(np.isinf(Z))  # non-finite losses are NaN, never ±inf
    assert np.isfinite(Z[2, 2]) and np.all(np.isfinite(alphas))
    if span >= 1.7e308 or (span >= 1e150 and loss_name == "mean_squared_error"):
        assert np.isnan(Z).any()  # the weights or the squared error overflow


def test_surface_validates_its_inputs(setup):
    net, params, state, X, y, d1, d2 = setup

    def call(**kw):
        args = dict(net=net, params=params, state=state, X=X, y=y, loss_name="softmax_cross_entropy",
                    d1=d1, d2=d2, span=1.0, n=5)
        args.update(kw)
        return loss_surface(**args)

    with pytest.raises(ValueError, match=r"^n must be an integer in \[3, 41\]"):
        call(n=MAX_GRID + 1)
    with pytest.raises(ValueError, match=r"^n must be"):
        call(n=2)
    with pytest.raises(ValueError, match=r"^n must be an integer"):
        call(n=5.0)
    for bad in (0.0, -1.0, np.inf, np.nan, "1"):
        with pytest.raises(ValueError, match=r"^span must be"):
            call(span=bad)
    big = np.zeros((MAX_SAMPLES + 1, 3))
    with pytest.raises(ValueError, match=r"^X has 2001 examples"):
        call(X=big, y=np.zeros(MAX_SAMPLES + 1, dtype=int))
    with pytest.raises(ValueError, match=r"n² · len\(X\) = 41² · 1000"):
        call(X=big[:1000], y=np.zeros(1000, dtype=int), n=41)
    with pytest.raises(ValueError, match=r"^X must"):
        call(X=np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"^X must be finite"):
        call(X=np.full((5, 3), np.nan))
    with pytest.raises(ValueError, match=r"^y must have one target per row of X"):
        call(y=y[:-1])
    with pytest.raises(ValueError, match=r"^y must hold class indices"):
        call(y=y + 10)
    with pytest.raises(ValueError, match=r"^loss_name must be one of"):
        call(loss_name="hinge")
    with pytest.raises(ValueError, match=r"^d1 must have the structure of params"):
        call(d1=d1[:-1])
    with pytest.raises(ValueError, match=r"^d2 must be a tree like params or a vector"):
        call(d2=np.zeros(3))
    with pytest.raises(ValueError, match=r"^d2 must be finite"):
        call(d2=np.full(flatten_params(params).size, np.inf))
    with pytest.raises(ValueError, match=r"^params must be finite"):
        call(params=tree_map(lambda a: a * np.nan, params))
    with pytest.raises(ValueError, match=r"^state does not fit"):
        call(state=[{} for _ in state])


def test_work_cap_counts_parameters():
    net = MLP(3, [200, 200], 3)  # ≈ 42 000 parameters
    params, state = net.init(np.random.default_rng(0))
    X, y = data(batch=1000)
    d = random_direction(params, np.random.default_rng(1))
    with pytest.raises(ValueError, match=r"n² · len\(X\) · \(parameters\)"):
        loss_surface(net, params, state, X, y, "softmax_cross_entropy", d, d, n=25)


# --------------------------------------------------------------------------- projection


def plane(seed, size=50):
    rng = np.random.default_rng(seed)
    center, d1 = rng.normal(size=size), rng.normal(size=size)
    d2 = 0.6 * d1 + rng.normal(size=size)  # deliberately not orthogonal
    return rng, center, d1, d2


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ab=st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=1,
                                                     max_size=6))
def test_projection_recovers_alpha_beta_in_the_plane(seed, ab):
    _, center, d1, d2 = plane(seed)
    a, b = np.array(ab).T
    path = center + a[:, None] * d1 + b[:, None] * d2
    alpha, beta = project_path(path, center, d1, d2)
    np.testing.assert_allclose(alpha, a, atol=1e-9)
    np.testing.assert_allclose(beta, b, atol=1e-9)
    big = np.abs(a) + np.abs(b) > 1e-6  # tinier steps drown in the round-off of θ* + step − θ*
    np.testing.assert_allclose(in_plane_fraction(path, center, d1, d2)[big], 1.0, atol=1e-9)


def test_projection_is_a_shadow_off_the_plane():
    rng, center, d1, d2 = plane(7)
    q, _ = np.linalg.qr(np.column_stack([d1, d2]))
    off = rng.normal(size=d1.size)
    off -= q @ (q.T @ off)  # orthogonal to the plane
    path = center + np.array([[1.5], [-2.0]]) * d1 + np.array([[0.5], [3.0]]) * d2 + np.array([[4.0], [1.0]]) * off
    alpha, beta = project_path(path, center, d1, d2)
    np.testing.assert_allclose(alpha, [1.5, -2.0], atol=1e-10)
    np.testing.assert_allclose(beta, [0.5, 3.0], atol=1e-10)
    inside = np.linalg.norm(path - center - off * np.array([[4.0], [1.0]]), axis=1)
    total = np.linalg.norm(path - center, axis=1)
    np.testing.assert_allclose(in_plane_fraction(path, center, d1, d2), inside / total, rtol=1e-10)
    assert in_plane_fraction(center[None], center, d1, d2)[0] == 1.0  # θ* itself lies in the plane


def test_projection_of_a_real_params_tree():
    net = MLP(2, [4], 1, batch_norm=True)
    params, _ = trained_like(net)
    rng = np.random.default_rng(8)
    d1, d2 = random_direction(params, rng), random_direction(params, rng)
    steps = [moved(params, a, d1, b, d2) for a, b in ((0.3, -0.2), (0.0, 0.0), (-1.0, 2.0))]
    alpha, beta = project_path([flatten_params(s) for s in steps], flatten_params(params),
                               flatten_params(d1), flatten_params(d2))
    np.testing.assert_allclose(alpha, [0.3, 0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(beta, [-0.2, 0.0, 2.0], atol=1e-12)


def test_projection_flags_diverged_rows_without_warnings():
    _, center, d1, d2 = plane(3)
    path = np.vstack([center + d1, np.full_like(center, np.nan), np.full_like(center, 1.7e308),
                      center - 1e300 * d2, center])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alpha, beta = project_path(path, center, d1, d2)
        fraction = in_plane_fraction(path, center, d1, d2)
    assert alpha[0] == pytest.approx(1.0) and beta[0] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(alpha[1]) and np.isnan(beta[1]) and np.isnan(fraction[1])
    assert not np.any(np.isinf(alpha)) and not np.any(np.isinf(beta)) and not np.any(np.isinf(fraction))
    assert beta[3] == pytest.approx(-1e300, rel=1e-9) and fraction[3] == pytest.approx(1.0)
    assert alpha[4] == 0.0 and beta[4] == 0.0 and fraction[4] == 1.0


def test_projection_validates_its_inputs():
    _, center, d1, d2 = plane(1)
    path = center[None] + d1
    with pytest.raises(ValueError, match="linearly independent"):
        project_path(path, center, d1, -3.0 * d1)
    with pytest.raises(ValueError, match="must not be zero"):
        project_path(path, center, np.zeros_like(d1), np.zeros_like(d1))
    with pytest.raises(ValueError, match=r"^d2_flat must be a flat vector of shape \(50,\)"):
        project_path(path, center, d1, d2[:-1])
    with pytest.raises(ValueError, match=r"^d1_flat must be finite"):
        project_path(path, center, d1 * np.inf, d2)
    with pytest.raises(ValueError, match=r"^center_vector must be a flat vector"):
        project_path(path, center[None], d1, d2)
    with pytest.raises(ValueError, match=r"^path_vectors must have shape \(T, 50\)"):
        project_path(path[:, :-1], center, d1, d2)
    with pytest.raises(ValueError, match=r"^path_vectors must have shape"):
        project_path(center, center, d1, d2)
