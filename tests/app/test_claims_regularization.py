"""Lecture figures 19 (dropout) and 20 (data augmentation), the weight-penalty and the early-stopping cards: each
claim, computed from the figures the regularization page draws for the card's link (its default view)."""

import numpy as np
import pytest
from apptest_helpers import figures, numbers, open_card


def trace(figs: list[dict], name: str) -> dict:
    """The one trace called ``name`` on the page's figures."""
    found = [t for f in figs for t in f["data"] if t.get("name") == name]
    assert len(found) == 1, (name, len(found))
    return found[0]


def y(figs: list[dict], name: str) -> np.ndarray:
    return numbers(trace(figs, name)["y"])


def finals(figs: list[dict], label: str) -> dict[int, float]:
    """Each seed's last validation loss (the dots at the end of the many-seed chart), by seed."""
    t = trace(figs, f"{label} · each seed's last epoch")
    return dict(zip(numbers(t["customdata"]).astype(int), numbers(t["y"])))


def wins(figs: list[dict], better: str, worse: str) -> tuple[int, int]:
    """(seeds where ``better`` ends with the lower validation loss, seeds compared)."""
    a, b = finals(figs, better), finals(figs, worse)
    assert set(a) == set(b) and len(a) >= 10  # the same seeds, 10 or more of them
    return sum(a[s] < b[s] for s in a), len(a)


# ---- Figure 19: dropout -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dropout() -> list[dict]:
    return figures(open_card("Dropout networks"))


def test_fig19_validation_below_the_training_loss_with_units_dropped(dropout):
    """The lecture's note: with dropout, the validation loss looks better than the training loss."""
    val = y(dropout, "dropout · validation")
    dropped = y(dropout, "dropout · training, units dropped")
    below = (val[10:] < dropped[10:]).mean()
    assert below >= 0.75, below
    # measured on the full network, the training loss is below the validation loss as usual
    full = y(dropout, "dropout · training (full network)")
    assert (full[-20:] < val[-20:]).all()


def test_fig19_dropout_reduces_overfitting_over_many_seeds(dropout):
    won, seeds = wins(dropout, "dropout", "no dropout")
    assert won >= 0.8 * seeds, (won, seeds)
    # built to overfit: without dropout the validation loss climbs back up while the training loss falls
    val = y(dropout, "no dropout · validation (median)")
    train = y(dropout, "no dropout · training (median)")
    assert val[-1] > 1.5 * val.min() and train[-1] < 0.5 * train[np.argmin(val)]
    # the overfitting gap (validation − training, medians at the last epoch) is smaller with dropout
    gap = {label: y(dropout, f"{label} · validation (median)")[-1] - y(dropout, f"{label} · training (median)")[-1]
           for label in ("no dropout", "dropout")}
    assert gap["dropout"] < 0.5 * gap["no dropout"], gap
    # and the band is drawn: the 10–90% polygon of each run encloses its median
    for label in ("no dropout", "dropout"):
        band = y(dropout, f"{label} · validation, 10–90% of {seeds} seeds")
        med = y(dropout, f"{label} · validation (median)")
        high, low = band[: len(med)], band[len(med):][::-1]
        assert (low <= med + 1e-12).all() and (med <= high + 1e-12).all()


def test_fig19_the_network_drops_units_each_step(dropout):
    network = next(f for f in dropout if f.get("frames") and "unit dropped (×)" in [t["name"] for t in f["data"]])
    dropped = [numbers(fr["data"][3]["marker"]["size"]) > 0 for fr in network["frames"]]
    assert len(dropped) >= 20
    # a share p of the hidden units shown is dropped (the 2 input units and the output unit never are)
    share = np.mean([d.sum() / (len(d) - 3) for d in dropped])
    assert abs(share - 0.7) < 0.08, share  # the default p = 0.7
    assert len({tuple(d) for d in dropped}) == len(dropped)  # redrawn every step


# ---- Figure 20: data augmentation ------------------------------------------------------------------------


def test_fig20_augmentation_keeps_the_validation_loss_lower():
    figs = figures(open_card("Data augmentation"))
    with_, without = (y(figs, f"{label} augmentation · validation (median)") for label in ("with", "without"))
    half = len(with_) // 2
    assert (with_[half:] < without[half:]).all()
    won, seeds = wins(figs, "with augmentation", "without augmentation")
    assert won >= 0.8 * seeds, (won, seeds)


# ---- weight penalties -----------------------------------------------------------------------------------------


def test_penalties_l1_zeroes_weights_one_by_one_and_l2_none():
    figs = figures(open_card("Weight penalties"))
    paths = figs[0]
    lines = [t for t in paths["data"] if t["mode"] == "lines"]
    for axis, penalty in (("x", "L1"), ("x2", "L2")):
        weights = np.stack([numbers(t["y"]) for t in lines if t["xaxis"] == axis])  # (features, λ) from small λ on
        lam = np.stack([numbers(t["x"]) for t in lines if t["xaxis"] == axis])
        assert (np.diff(lam, axis=1) > 0).all()
        zeros = (weights == 0).sum(axis=0)
        if penalty == "L1":
            assert zeros[0] == 0 and zeros[-1] == len(weights)  # none at small λ, all beyond λ_max
            assert (np.diff(zeros) >= 0).all()  # once zero, a weight stays zero as λ grows
            assert len(np.unique(zeros)) == len(weights) + 1  # one by one: every count 0, 1, …, p is seen
        else:
            assert zeros.max() == 0  # L2 shrinks every weight, none to exactly zero
            assert np.abs(weights[:, -1]).max() < 0.2 * np.abs(weights[:, 0]).max()  # but shrinks them all


# ---- early stopping --------------------------------------------------------------------------------------------


def test_early_stopping_keeps_the_minimum_within_the_patience_window():
    at = open_card("Early stopping")
    curves = figures(at)[0]
    val = trace([curves], "validation loss")
    epochs, loss = numbers(val["x"]), numbers(val["y"])
    kept = int(numbers([t for t in curves["data"] if t["mode"] == "markers"][0]["x"])[0])
    window = [s for s in curves["layout"]["shapes"] if s["type"] == "rect"][0]
    assert window["x0"] == kept
    stop, patience = int(window["x1"]), at.session_state["reg_patience"]
    assert stop - kept == patience and epochs[-1] == stop  # drawn up to the stop
    assert loss[kept] == loss[: stop + 1].min()  # the kept epoch is the lowest validation loss up to the stop
    assert (loss[kept + 1: stop + 1] >= loss[kept]).all()  # and none in the patience window beat it
    assert (loss[:kept] > loss[kept]).all()  # a new best at the kept epoch
