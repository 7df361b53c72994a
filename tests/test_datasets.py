"""Tests for optiviz.core.datasets: toy data geometry, splits, preprocessing and augmentation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.core.datasets import (
                                   BLOB_STD,
                                   BOUNDS,
                                   DATASETS,
                                   MAX_SAMPLES,
                                   MIN_SAMPLES,
                                   PREPROCESSINGS,
                                   REFLECTIONS,
                                   SPIRAL_TURNS,
                                   XOR_GAP,
                                   apply,
                                   augment,
                                   blob_centres,
                                   fit_preprocessing,
                                   get_dataset,
                                   grid_points,
                                   make_dataset,
                                   train_val_split,
                                   view_bounds,
                                   )

CASES = [(name, k) for name, d in DATASETS.items() for k in d.classes]  # every (dataset, classes)
CASE_IDS = [f"{name}-{k}" for name, k in CASES]


def rows_sorted(X):
    """Rows of X in lexicographic order, to compare sets of points."""
    return X[np.lexsort(X.T[::-1])]


# --- make_dataset --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "classes"), CASES, ids=CASE_IDS)
def test_same_seed_same_data_and_other_seed_other_data(name, classes):
    """A seed fixes X and y exactly; another seed gives other points."""
    X1, y1 = make_dataset(name, 200, 0.1, seed=7, classes=classes)
    X2, y2 = make_dataset(name, 200, 0.1, seed=7, classes=classes)
    X3, _ = make_dataset(name, 200, 0.1, seed=8, classes=classes)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize(("name", "classes"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("samples", [MIN_SAMPLES, 101, MAX_SAMPLES])
def test_shapes_dtypes_labels_and_balance(name, classes, samples):
    """X (n, 2) float64, y (n,) int64 with labels 0..K−1, each class n//K or n//K + 1 times."""
    X, y = make_dataset(name, samples, 0.2, seed=3, classes=classes)
    assert X.shape == (samples, 2) and X.dtype == np.float64
    assert y.shape == (samples,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == classes
    assert counts.sum() == samples
    assert set(counts) <= {samples // classes, samples // classes + 1}
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize(("name", "classes"), CASES, ids=CASE_IDS)
def test_rows_are_shuffled_not_grouped_by_class(name, classes):
    """The labels come in random order, so the first half holds every class."""
    _, y = make_dataset(name, 400, 0.0, seed=0, classes=classes)
    assert set(y[:200]) == set(range(classes))
    assert np.mean(y[1:] != y[:-1]) > 0.3


@pytest.mark.parametrize(("name", "classes"), [c for c in CASES if c[0] != "blobs"])
def test_noise_free_data_lies_in_the_documented_bounds(name, classes):
    """At noise 0 every point is inside BOUNDS = [−1.5, 1.5]²."""
    X, _ = make_dataset(name, MAX_SAMPLES, 0.0, seed=1, classes=classes)
    (x0, x1), (y0, y1) = BOUNDS
    assert np.all((X[:, 0] >= x0) & (X[:, 0] <= x1) & (X[:, 1] >= y0) & (X[:, 1] <= y1))


def test_circles_at_noise_zero_lie_on_radii_half_and_one():
    """Class 0 on r = 0.5, class 1 on r = 1, angles spread round the whole circle."""
    X, y = make_dataset("circles", 1000, 0.0, seed=2)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 0.5, rtol=1e-12)
    np.testing.assert_allclose(r[y == 1], 1.0, rtol=1e-12)
    angles = np.arctan2(X[:, 1], X[:, 0])
    assert np.histogram(angles, bins=4, range=(-np.pi, np.pi))[0].min() > 150


def test_xor_at_noise_zero_labels_are_sign_x_times_sign_y():
    """y = 1 exactly where sign(x)·sign(y) = +1, and 0.1 ≤ |x|, |y| ≤ 1."""
    X, y = make_dataset("xor", 1000, 0.0, seed=3)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) * np.sign(X[:, 1]) > 0).astype(int))
    assert np.all((np.abs(X) >= XOR_GAP) & (np.abs(X) <= 1))
    quadrant = (X[:, 0] > 0) * 2 + (X[:, 1] > 0)
    assert np.bincount(quadrant, minlength=4).min() > 200  # all four quadrants used


def test_moons_at_noise_zero_lie_on_their_half_circles():
    """Class 0 on the upper half of |p − (−½, −¼)| = 1, class 1 on the lower half of |p − (½, ¼)| = 1."""
    X, y = make_dataset("moons", 1000, 0.0, seed=4)
    a, b = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.linalg.norm(a - [-0.5, -0.25], axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(b - [0.5, 0.25], axis=1), 1.0, rtol=1e-12)
    assert np.all(a[:, 1] >= -0.25 - 1e-12) and np.all(b[:, 1] <= 0.25 + 1e-12)
    np.testing.assert_allclose([X[:, 0].min(), X[:, 0].max()], [-1.5, 1.5], atol=0.02)


@pytest.mark.parametrize("classes", [2, 3])
def test_spiral_at_noise_zero_follows_theta_equals_two_pi_k_over_k_plus_turns(classes):
    """Each point is r (cos θ, sin θ) with θ = 2π (k/K + 1.5 r) and r ≤ 1."""
    X, y = make_dataset("spiral", 600, 0.0, seed=5, classes=classes)
    r = np.hypot(X[:, 0], X[:, 1])
    theta = 2 * np.pi * (y / classes + SPIRAL_TURNS * r)
    np.testing.assert_allclose(X, r[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1), atol=1e-12)
    assert r.max() <= 1 and r.max() > 0.95


@pytest.mark.parametrize("classes", [2, 3])
def test_blobs_at_noise_zero_centre_on_blob_centres_with_std_0_2(classes):
    """Class means within 5 standard errors of cₖ = 0.75 (cos φₖ, sin φₖ); per-axis std ≈ 0.2."""
    X, y = make_dataset("blobs", 3000, 0.0, seed=6, classes=classes)
    centres = blob_centres(classes)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 0.75)
    for k in range(classes):
        pts = X[y == k]
        assert np.all(np.abs(pts.mean(axis=0) - centres[k]) < 5 * BLOB_STD / math.sqrt(len(pts)))
        np.testing.assert_allclose(pts.std(axis=0), BLOB_STD, rtol=0.1)


@pytest.mark.parametrize(("name", "classes"), CASES, ids=CASE_IDS)
def test_noise_is_gaussian_jitter_with_std_noise_in_data_units(name, classes):
    """X(σ) = X(0) + σ z with the same z for every σ (same seed), and std(z) ≈ 1; labels unchanged."""
    X0, y0 = make_dataset(name, 4000, 0.0, seed=9, classes=classes)
    Xa, ya = make_dataset(name, 4000, 0.05, seed=9, classes=classes)
    Xb, yb = make_dataset(name, 4000, 0.3, seed=9, classes=classes)
    np.testing.assert_array_equal(y0, ya)
    np.testing.assert_array_equal(y0, yb)
    np.testing.assert_allclose((Xa - X0) / 0.05, (Xb - X0) / 0.3, atol=1e-9)
    np.testing.assert_allclose((Xb - X0).std(axis=0), 0.3, rtol=0.06)


def test_registry_entries_and_get_dataset():
    """Every entry is (label, maker, allowed classes); circles, moons, xor are 2-class only."""
    assert list(DATASETS) == ["circles", "moons", "xor", "spiral", "blobs"]
    for name, (label, maker, classes) in DATASETS.items():
        assert isinstance(label, str) and callable(maker) and classes[0] == 2
        assert get_dataset(name) is DATASETS[name]
    assert DATASETS["spiral"].classes == DATASETS["blobs"].classes == (2, 3)
    with pytest.raises(TypeError):
        DATASETS["new"] = DATASETS["xor"]


# --- view bounds and the prediction grid ---------------------------------------------------


def test_view_bounds_pad_the_data_extent_by_margin_times_the_wider_span():
    """Points (0, 0), (2, 1): span 2, margin 0.1 pads 0.2 on every side."""
    assert view_bounds(np.array([[0.0, 0.0], [2.0, 1.0]]), margin=0.1) == ((-0.2, 2.2), (-0.2, 1.2))
    assert view_bounds(np.array([[1.0, 1.0], [1.0, 1.0]]), margin=0.5) == ((0.5, 1.5), (0.5, 1.5))


def test_grid_points_follow_the_surface_grid_convention():
    """points[i, j] = (x[j], y[i]) and the corners are the bounds."""
    x, y, P = grid_points(((-1.0, 1.0), (0.0, 2.0)), n=5)
    assert P.shape == (5, 5, 2)
    np.testing.assert_array_equal(P[2, 3], [x[3], y[2]])
    np.testing.assert_array_equal(P[0, 0], [-1.0, 0.0])
    np.testing.assert_array_equal(P[-1, -1], [1.0, 2.0])


# --- train_val_split -----------------------------------------------------------------------


def test_split_sizes_are_round_f_times_class_counts_and_parts_partition_the_data():
    """Class counts (70, 30), f = 0.25: validation holds round(17.5) = 18 and round(7.5) = 8."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = np.r_[np.zeros(70, int), np.ones(30, int)]
    s = train_val_split(X, y, 0.25, seed=1)
    assert np.bincount(s.y_val).tolist() == [18, 8]
    assert np.bincount(s.y_train).tolist() == [52, 22]
    np.testing.assert_array_equal(rows_sorted(np.vstack([s.X_train, s.X_val])), rows_sorted(X))
    train_rows = {tuple(r) for r in s.X_train}
    assert not any(tuple(r) in train_rows for r in s.X_val)
    for Xp, yp in ((s.X_train, s.y_train), (s.X_val, s.y_val)):  # labels travel with their points
        for point, label in zip(Xp, yp):
            assert y[np.flatnonzero((X == point).all(axis=1))[0]] == label


def test_split_is_deterministic_per_seed_and_shuffled():
    X, y = make_dataset("moons", 200, 0.1, seed=0)
    a = train_val_split(X, y, 0.3, seed=5)
    b = train_val_split(X, y, 0.3, seed=5)
    c = train_val_split(X, y, 0.3, seed=6)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(rows_sorted(a.X_val), rows_sorted(c.X_val))


def test_split_with_zero_fraction_keeps_everything_for_training():
    X, y = make_dataset("xor", 50, 0.1, seed=0)
    s = train_val_split(X, y, 0.0, seed=0)
    assert s.X_val.shape == (0, 2) and s.y_val.shape == (0,)
    np.testing.assert_array_equal(rows_sorted(s.X_train), rows_sorted(X))


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 40), min_size=1, max_size=4),
    f=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_property_stratified_sizes_and_partition(counts, f, seed):
    """For any class counts nₖ and f ∈ [0, 0.9]: validation has ⌊f nₖ + ½⌋ of class k, the rest train."""
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.stack([np.arange(len(y), dtype=float), np.zeros(len(y))], axis=1)  # row id in column 0
    want_val = [math.floor(f * n + 0.5) for n in counts]
    if sum(want_val) == len(y):
        with pytest.raises(ValueError, match="val_fraction"):
            train_val_split(X, y, f, seed)
        return
    s = train_val_split(X, y, f, seed)
    assert np.bincount(s.y_val, minlength=len(counts)).tolist() == want_val
    ids = np.concatenate([s.X_train[:, 0], s.X_val[:, 0]]).astype(int)
    assert sorted(ids) == list(range(len(y)))
    np.testing.assert_array_equal(y[ids], np.concatenate([s.y_train, s.y_val]))


# --- preprocessing -------------------------------------------------------------------------


def test_preprocessing_registry_names():
    assert list(PREPROCESSINGS) == ["none", "centre", "standardise", "whiten"]


def test_none_and_centre_by_hand():
    """none leaves x as it is; centre subtracts the training mean μ = (1, 2)."""
    X = np.array([[0.0, 0.0], [2.0, 4.0]])
    np.testing.assert_array_equal(apply(fit_preprocessing("none", X), X), X)
    p = fit_preprocessing("centre", X)
    np.testing.assert_array_equal(p.mean, [1.0, 2.0])
    np.testing.assert_array_equal(apply(p, X), [[-1.0, -2.0], [1.0, 2.0]])


def test_standardise_by_hand():
    """X = (0, 0), (2, 4): μ = (1, 2), σ = (1, 2), so both points map to ∓(1, 1); (5, 5) maps to (4, 1.5)."""
    X = np.array([[0.0, 0.0], [2.0, 4.0]])
    p = fit_preprocessing("standardise", X)
    np.testing.assert_allclose(apply(p, X), [[-1.0, -1.0], [1.0, 1.0]], rtol=1e-7)
    np.testing.assert_allclose(apply(p, [[5.0, 5.0]]), [[4.0, 1.5]], rtol=1e-7)


def test_whiten_by_hand():
    """(±2, 0), (0, ±1): μ = 0, Σ = diag(2, ½), so W = Σ^(−½) = diag(1/√2, √2)."""
    X = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    p = fit_preprocessing("whiten", X)
    np.testing.assert_allclose(p.mean, 0.0, atol=1e-15)
    np.testing.assert_allclose(p.matrix, np.diag([1 / math.sqrt(2), math.sqrt(2)]), rtol=1e-7, atol=1e-15)


@pytest.mark.parametrize(("name", "classes"), CASES, ids=CASE_IDS)
def test_statistics_come_from_the_training_split_only(name, classes):
    """After standardise the training part has mean 0 and std 1 but the validation part does not;
    the validation points are transformed with the training μ and σ, i.e. (x − μ_train)/σ_train."""
    X, y = make_dataset(name, 400, 0.2, seed=11, classes=classes)
    s = train_val_split(X, y, 0.3, seed=12)
    p = fit_preprocessing("standardise", s.X_train)
    Zt, Zv = apply(p, s.X_train), apply(p, s.X_val)
    np.testing.assert_allclose(Zt.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Zt.std(axis=0), 1.0, rtol=1e-6)
    mu, sd = s.X_train.mean(axis=0), s.X_train.std(axis=0)
    np.testing.assert_allclose(Zv, (s.X_val - mu) / sd, rtol=1e-6, atol=1e-9)
    assert np.abs(Zv.mean(axis=0)).max() > 1e-6  # sampling differences stay visible
    assert not np.allclose(Zv, apply(fit_preprocessing("standardise", s.X_val), s.X_val))


def test_shifted_validation_data_keeps_its_shift():
    """Validation points 3 units right of the training points stay 3/σ right after standardise."""
    X, _ = make_dataset("blobs", 500, 0.1, seed=0)
    p = fit_preprocessing("standardise", X)
    Zv = apply(p, X + [3.0, 0.0])
    np.testing.assert_allclose(Zv.mean(axis=0), [3.0 / X[:, 0].std(), 0.0], atol=1e-9)


@pytest.mark.parametrize(("name", "classes"), CASES, ids=CASE_IDS)
def test_whiten_makes_the_training_covariance_the_identity(name, classes):
    """Cov(W(x − μ)) = W Σ W = Λ/(Λ + ε) ≈ I on the training data; W is symmetric (ZCA)."""
    X, y = make_dataset(name, 500, 0.1, seed=13, classes=classes)
    X = X @ np.array([[3.0, 0.0], [1.0, 0.5]]) + [4.0, -2.0]  # stretched, sheared and shifted
    s = train_val_split(X, y, 0.2, seed=0)
    p = fit_preprocessing("whiten", s.X_train)
    Z = apply(p, s.X_train)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.eye(2), atol=1e-6)
    np.testing.assert_allclose(p.matrix, p.matrix.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(p.matrix) > 0)
    Zv = apply(p, s.X_val)
    assert np.abs(Zv.T @ Zv / len(Zv) - np.eye(2)).max() > 1e-6  # validation covariance is not fitted


def test_whiten_with_a_degenerate_direction_stays_finite():
    """Points on a line: λ₂ = 0, the ε keeps W finite and maps the line to one axis of spread 1."""
    t = np.linspace(-1, 1, 50)
    X = np.stack([t, 2 * t], axis=1)
    Z = apply(fit_preprocessing("whiten", X), X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_allclose(np.trace(Z.T @ Z / len(Z)), 1.0, rtol=1e-6)


def test_apply_works_on_a_prediction_grid():
    """apply takes (..., 2), e.g. the (n, n, 2) decision-boundary grid, point by point."""
    X, _ = make_dataset("spiral", 300, 0.1, seed=0, classes=3)
    p = fit_preprocessing("whiten", X)
    _, _, P = grid_points(view_bounds(X), n=7)
    np.testing.assert_allclose(apply(p, P).reshape(-1, 2), apply(p, P.reshape(-1, 2)), atol=1e-14)


# --- augmentation --------------------------------------------------------------------------


def data(seed=0, n=300, name="moons"):
    return make_dataset(name, n, 0.0, seed=seed)


def test_zero_settings_are_the_identity_and_the_input_is_not_changed():
    X, _ = data()
    before = X.copy()
    out = augment(X, np.random.default_rng(0))
    np.testing.assert_array_equal(out, X)
    assert out is not X and out.dtype == np.float64
    augment(X, np.random.default_rng(0), jitter=0.5, rotation=90, reflect=True)
    np.testing.assert_array_equal(X, before)


def test_augment_is_deterministic_per_generator_seed():
    X, _ = data()
    a = augment(X, np.random.default_rng(3), jitter=0.1, rotation=30, reflect=True)
    b = augment(X, np.random.default_rng(3), jitter=0.1, rotation=30, reflect=True)
    c = augment(X, np.random.default_rng(4), jitter=0.1, rotation=30, reflect=True)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_rotation_preserves_norms_and_turns_each_point_by_at_most_theta():
    """|R(φ)x| = |x| and the turning angle φ lies in [−θ, θ], using all of it."""
    X, _ = data(n=2000)
    out = augment(X, np.random.default_rng(1), rotation=30)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), np.linalg.norm(X, axis=1), rtol=1e-12)
    phi = np.degrees(np.arctan2(X[:, 0] * out[:, 1] - X[:, 1] * out[:, 0], (X * out).sum(axis=1)))
    assert np.all(np.abs(phi) <= 30 + 1e-9)
    assert phi.min() < -28 and phi.max() > 28


@settings(max_examples=50, deadline=None)
@given(
    pts=st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=1, max_size=30),
    theta=st.floats(0, 180),
    reflect=st.sampled_from([False, True, "x", "y", "xy"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_rotation_and_reflection_preserve_every_norm(pts, theta, reflect, seed):
    """Without jitter the augmented points keep their distance from the origin, row by row."""
    X = np.array(pts, dtype=float)
    out = augment(X, seed, rotation=theta, reflect=reflect)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), np.linalg.norm(X, axis=1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("reflect", "images"),
    [("x", [(1, 1), (1, -1)]), ("y", [(1, 1), (-1, 1)]), ("xy", [(1, 1), (1, -1), (-1, 1), (-1, -1)]),
     (True, [(1, 1), (1, -1), (-1, 1), (-1, -1)])],
)
def test_reflection_maps_each_point_to_one_of_its_mirror_images(reflect, images):
    """Each output is (±x, ±y) with only the allowed sign patterns, each appearing about equally often."""
    X, _ = data(n=2000, name="xor")  # no coordinate is 0, so the sign pattern is well defined
    out = augment(X, np.random.default_rng(2), reflect=reflect)
    signs = out / X
    found = {tuple(s) for s in signs}
    assert found == set(images)
    for image in images:
        share = np.mean(np.all(signs == image, axis=1))
        assert abs(share - 1 / len(images)) < 0.05


def test_jitter_adds_gaussian_noise_with_std_jitter():
    X, _ = data(n=4000)
    out = augment(X, np.random.default_rng(5), jitter=0.2)
    np.testing.assert_allclose((out - X).std(axis=0), 0.2, rtol=0.06)
    np.testing.assert_allclose((out - X).mean(axis=0), 0.0, atol=0.02)


def test_circles_keep_their_labels_under_rotation_and_reflection():
    """Circles are symmetric: every augmented point still sits on its own class's radius."""
    X, y = make_dataset("circles", 500, 0.0, seed=0)
    out = augment(X, np.random.default_rng(0), rotation=180, reflect=True)
    r = np.hypot(out[:, 0], out[:, 1])
    np.testing.assert_allclose(r, np.where(y == 0, 0.5, 1.0), rtol=1e-12)


def test_reflecting_moons_across_both_axes_lands_them_on_the_other_moon():
    """The lesson: moons are not symmetric. (x, y) → (−x, −y) sends a class-0 point onto moon 1,
    so about a quarter of the reflect=True points now lie on the other class's curve."""
    X, y = make_dataset("moons", 2000, 0.0, seed=0)
    out = augment(X, np.random.default_rng(1), reflect=True)
    own = np.where(y == 0, 1.0, -1.0)[:, None] * np.array([-0.5, -0.25])  # own moon's centre
    on_other = np.isclose(np.linalg.norm(out + own, axis=1), 1.0) & ~np.isclose(np.linalg.norm(out - own, axis=1), 1.0)
    flipped_both = np.all(out == -X, axis=1)
    assert np.all(on_other[flipped_both])
    assert abs(flipped_both.mean() - 0.25) < 0.04


def test_reflection_registry_names():
    assert list(REFLECTIONS) == ["none", "x", "y", "xy"]
    X, _ = data()
    np.testing.assert_array_equal(augment(X, 0, reflect="none"), X)


# --- every bad input raises ValueError naming it -------------------------------------------

GOOD = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
LABELS = np.array([0, 1, 0, 1])
PREP = fit_preprocessing("standardise", GOOD)

BAD = [
    ("dataset", lambda: make_dataset("ring", 100, 0.1, 0)),
    ("dataset", lambda: make_dataset(None, 100, 0.1, 0)),
    ("samples", lambda: make_dataset("xor", MIN_SAMPLES - 1, 0.1, 0)),
    ("samples", lambda: make_dataset("xor", MAX_SAMPLES + 1, 0.1, 0)),
    ("samples", lambda: make_dataset("xor", 100.5, 0.1, 0)),
    ("samples", lambda: make_dataset("xor", True, 0.1, 0)),
    ("noise", lambda: make_dataset("xor", 100, -0.1, 0)),
    ("noise", lambda: make_dataset("xor", 100, math.nan, 0)),
    ("noise", lambda: make_dataset("xor", 100, math.inf, 0)),
    ("noise", lambda: make_dataset("xor", 100, "0.1", 0)),
    ("classes", lambda: make_dataset("circles", 100, 0.1, 0, classes=3)),
    ("classes", lambda: make_dataset("spiral", 100, 0.1, 0, classes=4)),
    ("classes", lambda: make_dataset("blobs", 100, 0.1, 0, classes=1)),
    ("classes", lambda: make_dataset("blobs", 100, 0.1, 0, classes=2.0)),
    ("seed", lambda: make_dataset("xor", 100, 0.1, -1)),
    ("seed", lambda: make_dataset("xor", 100, 0.1, 1.5)),
    ("seed", lambda: make_dataset("xor", 100, 0.1, None)),
    ("X", lambda: view_bounds(np.zeros((3, 3)))),
    ("margin", lambda: view_bounds(GOOD, margin=-0.1)),
    ("n", lambda: grid_points(BOUNDS, n=1)),
    ("val_fraction", lambda: train_val_split(GOOD, LABELS, -0.1, 0)),
    ("val_fraction", lambda: train_val_split(GOOD, LABELS, 0.95, 0)),
    ("val_fraction", lambda: train_val_split(GOOD, LABELS, math.nan, 0)),
    ("y", lambda: train_val_split(GOOD, LABELS[:3], 0.2, 0)),
    ("X", lambda: train_val_split(GOOD[0], LABELS, 0.2, 0)),
    ("seed", lambda: train_val_split(GOOD, LABELS, 0.2, "a")),
    ("preprocessing", lambda: fit_preprocessing("normalise", GOOD)),
    ("X_train", lambda: fit_preprocessing("whiten", np.array([[0.0, math.nan]]))),
    ("X_train", lambda: fit_preprocessing("whiten", np.zeros((0, 2)))),
    ("X_train", lambda: fit_preprocessing("whiten", np.zeros(4))),
    ("eps", lambda: fit_preprocessing("whiten", GOOD, eps=0.0)),
    ("eps", lambda: fit_preprocessing("whiten", GOOD, eps=-1e-8)),
    ("X", lambda: apply(PREP, np.zeros((4, 3)))),
    ("X", lambda: augment(np.zeros((4, 3)), 0)),
    ("X", lambda: augment(np.array([[0.0, math.inf]]), 0)),
    ("rng", lambda: augment(GOOD, None)),
    ("jitter", lambda: augment(GOOD, 0, jitter=-0.1)),
    ("jitter", lambda: augment(GOOD, 0, jitter=math.nan)),
    ("rotation", lambda: augment(GOOD, 0, rotation=-1.0)),
    ("rotation", lambda: augment(GOOD, 0, rotation=181.0)),
    ("reflect", lambda: augment(GOOD, 0, reflect="z")),
    ("reflect", lambda: augment(GOOD, 0, reflect=1)),
]


@pytest.mark.parametrize(("word", "call"), BAD, ids=[f"{w}-{i}" for i, (w, _) in enumerate(BAD)])
def test_bad_inputs_raise_value_error_naming_the_input(word, call):
    with pytest.raises(ValueError, match=rf"\b{word}\b"):
        call()
