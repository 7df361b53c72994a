"""Issue 15 §4: each lab's experiment is an engine function that runs without Streamlit, and the ui/ modules
only cache it (the wrappers return exactly what the engine function returns for the same settings)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optiviz.labs import batch_size as minibatch
from optiviz.labs.regularization import experiments as lab
from optiviz.nn import MLP, landscape
from optiviz.nn.records import Layout

ROOT = Path(__file__).resolve().parents[1]

WITHOUT_STREAMLIT = textwrap.dedent("""
    import sys
    sys.modules["streamlit"] = None  # importing streamlit now raises ImportError
    from optiviz.labs import batch_size as minibatch
    from optiviz.labs.regularization import experiments as lab
    from optiviz.core.datasets import make_dataset, train_val_split
    from optiviz.nn import MLP, landscape
    from optiviz.labs.activations_init import statistics as init_stats
    from optiviz.nn.training import train

    p = minibatch.lab_problem(("linear", 40, 0, 0.5, 0.5))
    frame = minibatch.labelled_runs(p, 10, ["a", "b"], (0.05, 0.1), 2)
    assert list(frame["run"].unique()) == ["a", "b"], frame
    runs = lab.dropout_experiment(8, 0.5, 3, 0)
    assert len(runs.results) == 1 and len(runs.dropped_loss) == 4
    curves = lab.augmentation_seed_experiment(("moons", 20, 30, 0.2), 0.1, 10.0, "none", 2, (0, 1))
    assert len(curves) == 2
    X, y = make_dataset("moons", 60, 0.2, 0, 2)
    split = train_val_split(X, y, 0.2, 0)
    run = train(MLP(2, (4, 4), 1), split, "adam", epochs=3, seed=0, record_grid=False, record_params=True)
    view = landscape.skip_landscapes(run, split, n=5)
    assert len(view.slices) == 2, view.twin
    init_stats.layer_statistics("tanh", "xavier", layers=2, width=8, samples=10)
    assert sys.modules["streamlit"] is None
    print("ok")
""")


def test_the_experiments_run_without_streamlit():
    done = subprocess.run([sys.executable, "-c", WITHOUT_STREAMLIT], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def test_minibatch_labelled_runs_is_descend_then_table():
    p = minibatch.lab_problem(("logistic", 60, 3, -0.3, 1.0))
    rates = (0.5, 0.1, 2.0)
    frame = minibatch.labelled_runs(p, 7, ["x", "y", "z"], rates, 3, schedule=["constant", "exp", "inv"],
                                    decay_rate=[0.0, 0.01, 0.02], shuffle=True, seed=4)
    runs = minibatch.descend_in_batches(p, 7, np.array(rates), 3, minibatch.START, "sgd", (), ["constant", "exp", "inv"],
                             [0.0, 0.01, 0.02], True, 4)
    pd.testing.assert_frame_equal(frame, minibatch.table(runs, ["x", "y", "z"]))
    assert frame.loc[frame["step"] == 0, ["w1", "w2"]].drop_duplicates().to_numpy().tolist() == [list(minibatch.START)]


def test_lab_problem_reads_the_data_tuple_in_order():
    a = minibatch.lab_problem(("linear", 50, 1, 0.8, 0.1))
    b = minibatch.lab_problem(("linear", 50, 2, 0.8, 0.1))
    assert a.X.shape == (50, 2) and not np.array_equal(a.X, b.X)
    correlation = np.corrcoef(a.X.T)[0, 1]
    assert correlation == pytest.approx(0.8, abs=0.15)


def test_dropout_experiment_is_dropout_runs_on_the_cases_data():
    ours = lab.dropout_experiment(8, 0.5, 4, 3, batch_norm=True)
    split = lab.few_points(*lab.DROPOUT_DATA, 3)
    theirs = lab.dropout_runs(split, 8, 0.5, 4, 3, True)
    assert [r.optimizer for r in ours.results] == ["dropout", "batch norm"]
    for a, b in zip(ours.results, theirs.results):
        pd.testing.assert_frame_equal(a.history, b.history)
    np.testing.assert_array_equal(ours.dropped_loss, theirs.dropped_loss)
    np.testing.assert_array_equal(ours.masks, theirs.masks)
    assert lab.seeds_of(3, 4) == (3, 4, 5, 6)


def test_ui_wrappers_return_what_the_engine_returns():
    from optiviz.ui import learning_rate as minibatch_cache
    from optiviz.ui import regularization as regularization_cache

    data = ("linear", 40, 0, 0.5, 0.5)
    cached = minibatch_cache.runs(data, 10, ("a",), (0.05,), 2, "sgd", (), "constant", 0.0, True, 0)
    pd.testing.assert_frame_equal(cached, minibatch.labelled_runs(minibatch.lab_problem(data), 10, ("a",), (0.05,), 2))
    plain, dropped = regularization_cache.dropout_seeds(8, 0.5, 3, (1, 2))
    again = lab.dropout_seed_experiment(8, 0.5, 3, (1, 2))
    np.testing.assert_array_equal(dropped.val_loss, again[1].val_loss)
    np.testing.assert_array_equal(plain.train_loss, again[0].train_loss)
    assert regularization_cache.seeds_of(5, 2) == (5, 6) and regularization_cache.SEEDS == lab.SEEDS


def test_landscape_flat_vectors_are_the_training_records_layout():
    net = MLP(3, (5, 5), 2, batch_norm=True)
    params, _ = net.init(np.random.default_rng(0))
    d = landscape.random_direction(params, np.random.default_rng(1))
    layout = Layout.of(params, net.weight_keys)
    flat = layout.flatten(d)
    assert np.count_nonzero(flat[layout.n_weights:]) == 0  # biases, γ and β get d = 0
    assert np.count_nonzero(flat[:layout.n_weights]) == layout.n_weights
