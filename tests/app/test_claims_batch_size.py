"""Lecture figure 10: full batch, mini-batch and SGD, the claim computed from what the batch-size page draws for
the card's link: smooth but costly steps against cheap, noisy ones, all heading for the same minimum."""

import json

import numpy as np
import pytest
from apptest_helpers import figures, numbers, open_card
from streamlit.testing.v1 import AppTest

MAP, LOSS = range(2)
RUNS = ["SGD", "mini-batch", "full batch"]


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_card("10")


def lines(fig: dict) -> dict[str, dict]:
    return {t["name"].split(" (")[0]: t for t in fig["data"] if t.get("mode") == "lines" and t["name"] != "contours"}


def test_10_smaller_batches_take_noisier_steps(page):
    """The per-step loss as drawn: full batch never goes up; the smaller the batch, the more steps go up."""
    loss = lines(figures(page)[LOSS])
    assert list(loss) == RUNS
    rises, worst = {}, {}
    for name, t in loss.items():
        change = np.diff(numbers(t["y"]))
        rises[name] = float(np.mean(change > 0))  # how often a step goes up (48.6%, 44.5%, 0 at the defaults)
        worst[name] = float(change.max())  # how far one step goes up (0.072, 0.0034, none)
    assert rises["full batch"] == 0 and worst["full batch"] < 0  # smooth: every full-batch step goes down
    assert rises["SGD"] > rises["mini-batch"] > rises["full batch"]  # noisier for smaller batches
    assert rises["SGD"] > 0.2  # many of SGD's steps go the wrong way
    assert worst["SGD"] > 5 * worst["mini-batch"] > 0  # and by far more


def test_10_smaller_batches_cost_less_per_step(page):
    """The table: gradient evaluations per step are B, so a full-batch step costs N of SGD's."""
    table = page.dataframe[0].value.set_index("run")
    per_step = table["gradient_evaluations"] / table["steps"]
    assert per_step["SGD"] == 1 and per_step["mini-batch"] == table.loc["mini-batch", "batch size B"]
    assert per_step["full batch"] == table.loc["full batch", "batch size B"] > per_step["mini-batch"] > per_step["SGD"]
    assert (table["gradient_evaluations"] == table["gradient_evaluations"].iloc[0]).all()  # the same epochs


def test_10_all_head_for_the_same_minimum(page):
    """On the map, every path ends far closer to w* than it started; the small batches get closest per epoch."""
    fig = figures(page)[MAP]
    star = next(t for t in fig["data"] if t["name"] == "minimum w*")
    start = next(t for t in fig["data"] if t["name"] == "start W⁰")
    w, w0 = np.array([star["x"][0], star["y"][0]]), np.array([start["x"][0], start["y"][0]])
    for name, t in lines(fig).items():
        end = np.array([numbers(t["x"])[-1], numbers(t["y"])[-1]])
        assert np.linalg.norm(end - w) < 0.5 * np.linalg.norm(w0 - w), name


def test_raw_names_do_not_show(page):
    """Column headers and axis choices are words, not identifiers."""
    labels = [str(r.label) for r in page.radio] + [o for r in page.radio for o in r.options]
    assert not any("_" in label for label in labels), labels
    config = json.loads(page.dataframe[0].proto.columns)  # the headers shown, by column
    frame = page.dataframe[0].value
    for column in frame.columns:
        if "_" in column:
            assert "_" not in config[column]["label"], (column, config[column])
