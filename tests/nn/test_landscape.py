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
                                  grid_axis,
                                  in_plane_fraction,
                                  loss_surface,
                                  project_path,
                                  random_direction,
                                  )
from optiviz.nn.losses import get_loss
from optiviz.nn.records import Layout
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


def flatten_params(tree):
    """θ of a params (or direction) tree in the training records' order: the flat vectors landscape reads."""
    return Layout.of(tree).flatten(tree)


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
    layout = Layout.of(params)
    flat = layout.flatten(params)
    assert flat.dtype == np.float64 and flat.shape == (sum(a.size for b in params for a in b.values()),)
    back = layout.unflatten(flat)
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
    segments = Layout.of(tree).segments()
    assert [f"{i}.{key}" for i, key, _, _ in segments] == ["0.W", "1.W", "0.b", "1.gamma", "1.beta"]
    assert [(s.start, s.stop) for _, _, _, s in segments] == [(0, 4), (4, 5), (5, 7), (7, 8), (8, 9)]
    assert [shape for _, _, shape, _ in segments] == [(2, 2), (1, 1), (2,), (1,), (1,)]


def test_landscape_keeps_no_flattener_of_its_own():
    import optiviz.nn.landscape as L

    for name in ("flatten_params", "unflatten_params", "flat_layout", "_split", "_size"):
        assert not hasattr(L, name), name


def test_unflatten_rejects_a_vector_of_the_wrong_size():
    params, _ = MLP(2, [3], 1).init(np.random.default_rng(0))
    size = flatten_params(params).size
    with pytest.raises(ValueError, match=r"theta must have shape \(%d,\)" % size):
        Layout.of(params).unflatten(np.zeros(size + 1))
    with pytest.raises(ValueError, match="params must be a list of dicts"):
        random_direction({"W": np.zeros((2, 2))}, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"params\[0\] must be a dict"):
        random_direction([np.zeros((2, 2))], np.random.default_rng(0))


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


# --------------------------------------------------------------------------- many weights at once, PCA, shape, the lab

from optiviz.core import datasets as _datasets  # noqa: E402
from optiviz.nn import landscape as L  # noqa: E402

ALL_NETS = dict(NETS, **{"tanh+bn": dict(activation="tanh", batch_norm=True, initializer="xavier"),
                         "elu+skip": dict(activation="elu", alpha=0.5, skip=True)})


@pytest.mark.parametrize("loss_name, outputs", [("softmax_cross_entropy", 3), ("binary_cross_entropy", 1),
                                                ("mean_squared_error", 2)])
@pytest.mark.parametrize("kwargs", list(ALL_NETS.values()), ids=list(ALL_NETS))
def test_plane_losses_are_the_networks_loss_at_those_weights(kwargs, loss_name, outputs, monkeypatch):
    net = MLP(3, [5, 5], outputs, **kwargs)
    params, state = trained_like(net, seed=3)
    X, labels = data(seed=4, dim=3, classes=3)
    y = (labels % 2 if outputs == 1 else labels if loss_name == "softmax_cross_entropy"
         else np.random.default_rng(2).normal(size=(len(X), outputs)))
    rng = np.random.default_rng(8)
    d1, d2 = random_direction(params, rng), random_direction(params, rng)
    alphas, betas = np.array([-0.7, 0.0, 0.3, 1.1]), np.array([-0.2, 0.5, 0.9])
    monkeypatch.setattr(L, "BLOCK_VALUES", 7 * len(X) * 5)  # several blocks, the last one short
    Z = L.plane_losses(net, params, state, X, y, loss_name, d1, d2, alphas, betas)
    assert Z.shape == (3, 4)
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            assert Z[i, j] == pytest.approx(loss_at(net, moved(params, a, d1, b, d2), state, X, y, loss_name), rel=1e-12)


def plane_path(seed=0, steps=12, size=40):
    """A path θ_t = θ* + a_t u + b_t v that lies in a known plane, and its θ*."""
    rng = np.random.default_rng(seed)
    center = rng.normal(size=size)
    u, v = np.linalg.qr(rng.normal(size=(size, 2)))[0].T
    a, b = np.linspace(-3.0, 0.0, steps), np.sin(np.linspace(0, 3, steps)) * np.linspace(0.5, 0.0, steps)  # ends at θ*
    return center + a[:, None] * u + b[:, None] * v, center, u, v, a, b


def test_pca_of_a_path_in_a_plane_finds_the_plane_and_reconstructs_the_path():
    path, center, u, v, a, b = plane_path()
    d1, d2, share = L.pca_directions(path, center)
    assert np.dot(d1, d1) == pytest.approx(1) and np.dot(d2, d2) == pytest.approx(1) and abs(d1 @ d2) < 1e-12
    basis = np.column_stack([u, v])
    for d in (d1, d2):  # in span(u, v)
        np.testing.assert_allclose(basis @ (basis.T @ d), d, atol=1e-12)
    assert share.sum() == pytest.approx(1.0, abs=1e-12) and share[0] >= share[1] > 0
    pa, pb = project_path(path, center, d1, d2)
    np.testing.assert_allclose(center + pa[:, None] * d1 + pb[:, None] * d2, path, atol=1e-12)  # the path, whole
    assert pa[0] <= 0 and pb[0] <= 0  # the start on the negative side
    assert pa[-1] == pytest.approx(0, abs=1e-12) and pb[-1] == pytest.approx(0, abs=1e-12)  # θ* at the origin


@pytest.mark.parametrize("seed", range(4))
def test_pca_share_is_the_part_of_the_path_the_plane_keeps(seed):
    rng = np.random.default_rng(seed)
    center = rng.normal(size=60)
    path = center + np.cumsum(rng.normal(size=(25, 60)) * np.linspace(3, 0.1, 60), axis=0)[::-1]
    d1, d2, share = L.pca_directions(path, center)
    M = path - center
    Q = np.column_stack([d1, d2])
    kept = np.sum((M @ Q) ** 2) / np.sum(M * M)
    assert share.sum() == pytest.approx(kept, rel=1e-10)
    # no other plane keeps more: try random planes and the plane of the first two displacements
    for trial in range(20):
        q = np.linalg.qr(rng.normal(size=(60, 2)))[0]
        assert np.sum((M @ q) ** 2) / np.sum(M * M) <= kept + 1e-12
    # path_share agrees on the same plane, given as direction vectors
    assert L.path_share(path, Layout.of([{"W": np.zeros((6, 10))}]).unflatten(center), d1, d2) == pytest.approx(kept, rel=1e-10)
    # and in_plane_fraction is the per-step version: Σ_t in_plane² ‖M_t‖² / Σ ‖M_t‖² = share
    f = in_plane_fraction(path, center, d1, d2)
    norms = np.sum(M * M, axis=1)
    assert np.sum(f ** 2 * norms) / np.sum(norms) == pytest.approx(kept, rel=1e-10)


def test_pca_rejects_a_path_without_a_plane():
    center = np.zeros(5)
    with pytest.raises(ValueError, match="two independent displacements"):
        L.pca_directions(np.outer([1.0, 2.0, 3.0], np.ones(5)), center)  # a straight line
    with pytest.raises(ValueError, match="two independent displacements"):
        L.pca_directions(center[None], center)


def test_slice_shape_of_a_convex_bowl_and_of_an_egg_crate():
    a = L.grid_axis(1.0, 25)
    A, B = np.meshgrid(a, a)
    bowl = L.slice_shape(a, a, (A - 0.2) ** 2 + 3 * (B + 0.1) ** 2 + A * B)
    assert bowl.local_minima == 1 and bowl.basin_share == 1.0
    assert bowl.minima_alpha[0] == pytest.approx(0.25, abs=0.09)
    crate = A ** 2 + B ** 2 + 0.4 * np.cos(3 * np.pi * A) * np.cos(3 * np.pi * B)  # dips at (±2k/3, ±2k/3)·…
    shape = L.slice_shape(a, a, crate)
    expected = sum(1 for i in range(1, 24) for j in range(1, 24)
                   if crate[i, j] < np.delete(crate[i - 1:i + 2, j - 1:j + 2].ravel(), 4).min())
    assert shape.local_minima == expected >= 5
    assert 0 < shape.basin_share < 1
    flat = L.slice_shape(a, a, np.ones((25, 25)))  # a plateau: no strict minimum, each point its own sink
    assert flat.local_minima == 0 and flat.basin_share == pytest.approx(1 / 625)
    holes = bowl_with_nan = (A ** 2 + B ** 2).copy()
    bowl_with_nan[0, :] = np.nan  # overflow at an edge counts as +∞
    assert L.slice_shape(a, a, holes).local_minima == 1 and L.slice_shape(a, a, holes).basin_share == 1.0
    with pytest.raises(ValueError, match="Z must have shape"):
        L.slice_shape(a, a[:5], crate)


@pytest.fixture(scope="module")
def deep_run():
    from optiviz.nn.training import compare
    X, y = _datasets.make_dataset("spiral", 200, 0.05, 0, 2)
    split = _datasets.train_val_split(X, y, 0.3, 0)
    net = MLP(2, (4,) * 5, 1)
    return compare(net, split, ["adam"], seed=0, batch_size=32, epochs=30)["adam"], split


def test_skip_landscapes_trains_the_twin_and_evaluates_both(deep_run):
    run, split = deep_run
    view = L.skip_landscapes(run, split, n=11, span=1.0, seed=3)
    assert view.twin == "trained" and [s.skip for s in view.slices] == [False, True] and [p.skip for p in view.paths] == [False, True]
    X = _datasets.apply(run.preprocessing, split.X_train[:view.rows])
    y = split.y_train[:view.rows]
    plain, skip = view.slices
    assert plain.final_loss == pytest.approx(loss_at(run.net, run.params, run.state, X, y, run.loss), rel=1e-12)
    assert plain.Z[5, 5] == plain.final_loss  # the grid passes through θ*
    # the slice along random directions is the loss at θ* + α d₁ + β d₂, with the directions drawn from `seed`
    rng = np.random.default_rng(3)
    d1, d2 = random_direction(run.params, rng), random_direction(run.params, rng)
    i, j = 2, 8
    want = loss_at(run.net, moved(run.params, plain.alphas[j], d1, plain.betas[i], d2), run.state, X, y, run.loss)
    assert plain.Z[i, j] == pytest.approx(want, rel=1e-12)
    recomputed = L.slice_shape(plain.alphas, plain.betas, plain.Z)
    assert plain.shape.local_minima == recomputed.local_minima and plain.shape.basin_share == recomputed.basin_share
    # the path plane: the path ends at θ* = (0, 0), inside a square grid, and the plane holds most of it
    for p in view.paths:
        assert p.path_alpha[-1] == pytest.approx(0, abs=1e-9) and p.path_beta[-1] == pytest.approx(0, abs=1e-9)
        assert np.ptp(p.alphas) == pytest.approx(np.ptp(p.betas))
        assert p.alphas.min() < p.path_alpha.min() and p.path_alpha.max() < p.alphas.max()
        assert p.betas.min() < p.path_beta.min() and p.path_beta.max() < p.betas.max()
        assert np.ptp(p.path_alpha) / np.ptp(p.alphas) == pytest.approx(1 / L.PATH_MARGIN)
        assert p.share.sum() > plain.path_share
    # deterministic: the same call gives the same numbers
    again = L.skip_landscapes(run, split, n=11, span=1.0, seed=3)
    np.testing.assert_array_equal(again.slices[1].Z, skip.Z)
    np.testing.assert_array_equal(again.paths[0].Z, view.paths[0].Z)


def test_the_twin_starts_from_the_same_weights_and_differs_only_by_skips(deep_run):
    run, split = deep_run
    from dataclasses import replace
    twin = L._twin(run, replace(run.net, skip=True), split)
    assert twin.net.skips == (False, True, True, True, True)
    for a, b in zip(twin.initial_params, run.initial_params):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    assert twin.settings["epochs"] == run.settings["epochs"] and twin.optimizer == run.optimizer


def test_a_network_without_room_for_skips_gets_one_slice():
    from optiviz.nn.training import compare
    X, y = _datasets.make_dataset("moons", 100, 0.05, 0, 2)
    split = _datasets.train_val_split(X, y, 0.2, 0)
    run = compare(MLP(2, (6,), 1), split, ["sgd"], seed=0, epochs=5)["sgd"]
    view = L.skip_landscapes(run, split, n=5)
    assert view.twin == "no room" and len(view.slices) == 1 and len(view.paths) == 1


def test_a_twin_over_its_budget_is_not_trained(deep_run, monkeypatch):
    run, split = deep_run
    monkeypatch.setattr(L, "TWIN_WORK_SHARE", 1e-9)
    view = L.skip_landscapes(run, split, n=5)
    assert view.twin == "too costly" and [s.skip for s in view.slices] == [False]


def test_the_four_surfaces_share_one_surfaces_work(deep_run):
    run, split = deep_run
    view = L.skip_landscapes(run, split, n=41)
    size = flatten_params(run.params).size
    assert view.rows == min(L.affordable_rows(41, size) // L.SURFACES, len(split.X_train))
    assert L.SURFACES * 41 ** 2 * view.rows * size <= L.MAX_MULTIPLY_ADDS and L.SURFACES * 41 ** 2 * view.rows <= L.MAX_EVALUATIONS


def test_the_figure_3_contrast_holds_in_most_seeds():
    """The card's setting (spiral, 5 × 4 ReLU, Adam α = 0.01, 60 epochs of batches of 32), over training seeds 0–4:
    without skip connections the random slice has more local minima, and less of it drains to θ*."""
    from optiviz.nn.training import compare
    X, y = _datasets.make_dataset("spiral", 400, 0.05, 0, 2)
    split = _datasets.train_val_split(X, y, 0.3, 0)
    rougher = 0
    for seed in range(5):
        run = compare(MLP(2, (4,) * 5, 1), split, ["adam"], seed=seed, learning_rate=0.01, batch_size=32, epochs=60)["adam"]
        plain, skip = L.skip_landscapes(run, split, seed=seed).slices
        rougher += (plain.shape.local_minima > skip.shape.local_minima and plain.shape.basin_share < skip.shape.basin_share)
    assert rougher >= 4, rougher
