"""Lecture Figures 17 and 18: each card's claim, computed from the figures the page draws for the card's link.

Each test opens the double-descent page as the card's link opens it (AppTest, the card's query settings
from optiviz/ui/lecture_figures.py), reads the figures as sent to the browser and checks the card's caption
on their data: nothing here calls the engine.
"""

import numpy as np
import pytest
from apptest_helpers import card, figures, numbers, open_card


def opened(number: str) -> list[dict]:
    """The page's figures as the card's link draws them: the curve, the snapshots, the animated fit."""
    return figures(open_card(number))


def trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name", "").startswith(name))


@pytest.fixture(scope="module")
def fig17() -> list[dict]:
    return opened("17")


@pytest.fixture(scope="module")
def fig18() -> list[dict]:
    return opened("18")


def test_card_17_peaks_at_the_interpolation_threshold(fig17):
    curve = fig17[0]
    n = {s["x0"] for s in curve["layout"]["shapes"]}
    assert len(n) == 1
    n = n.pop()
    test = trace(curve, "test error (median)")
    p, error = numbers(test["x"]), numbers(test["y"])
    assert p[int(np.argmax(error))] == n  # the peak sits on the drawn threshold line p = n
    norm = trace(curve, "‖ŵ‖")
    assert numbers(norm["x"])[int(np.argmax(numbers(norm["y"])))] == n  # so does ‖ŵ‖'s
    train = numbers(trace(curve, "train error (median)")["y"])
    assert np.all(train[p >= n] < 1e-6) and np.all(train[p < n] > 1e-4)  # the fits interpolate from p = n on


def test_card_17_shows_the_classical_u(fig17):
    curve = fig17[0]
    n = curve["layout"]["shapes"][0]["x0"]
    test = trace(curve, "test error (median)")
    p, error = numbers(test["x"]), numbers(test["y"])
    small = error[p < n]
    bottom = int(np.argmin(small))
    assert 0 < bottom < len(small) - 5  # the best small model is inside the regime, not at an end
    assert small[0] > 1.5 * small[bottom]  # down …
    assert small[-1] > 3 * small[bottom]  # … then up towards the peak
    top = curve["layout"]["yaxis"]["range"][1]
    assert curve["layout"]["yaxis"].get("type", "linear") == "linear"  # not squashed on a log axis
    assert small[: bottom + 1].max() < top / 1.4  # the descent to the bottom of the U is drawn in the frame …
    climb = small[bottom:]
    assert climb[np.argmax(climb > 2 * small[bottom]) - 1] < top  # … and the climb after it, to twice the bottom


def test_card_17_big_models_clearly_beat_the_best_small_one(fig17):
    """Belkin et al. 2019, Fig. 1: the best model past p = 2n has at most 0.75× the best test error below p = n."""
    curve = fig17[0]
    n = curve["layout"]["shapes"][0]["x0"]
    test = trace(curve, "test error (median)")
    p, error = numbers(test["x"]), numbers(test["y"])
    small, big = error[p < n].min(), error[p > 2 * n].min()
    assert big <= 0.75 * small, f"best big {big:.3g} vs best small {small:.3g}"
    null = numbers(trace(curve, "null model")["y"])[0]
    assert big < small < null and error[-1] < null  # … and below the null model, as the caption says
    assert big < curve["layout"]["yaxis"]["range"][1] / 3  # the second descent is drawn well inside the frame
    best = trace(curve, "best models")  # the markers on the curve are these two models
    np.testing.assert_allclose(numbers(best["y"]), [small, big], rtol=1e-6)


def test_card_17_caption_says_what_the_figure_shows():
    caption = card("17").caption
    for words in ("classical U", "peak at the interpolation threshold p = n", "past p = 2n", "below the best small model",
                  "null model"):
        assert words in caption


def _fit(fig: dict, panel: int) -> np.ndarray:
    """The drawn min-norm fit of one snapshot panel (1, 2, 3) on its grid."""
    axis = f"x{panel if panel > 1 else ''}"
    return numbers(next(t for t in fig["data"] if t.get("name") == "min-norm fit" and t.get("xaxis", "x") == axis)["y"])


def _roughness(curve: np.ndarray) -> float:
    """Σ |second difference| along the grid: how much the curve bends."""
    return float(np.abs(np.diff(curve, 2)).sum())


def test_card_18_the_fit_is_wild_at_n_and_smooth_well_beyond(fig18):
    snapshots = fig18[1]
    titles = [a["text"] for a in snapshots["layout"]["annotations"] if a["text"].startswith("p = ")]
    assert titles[1].startswith("p = n = ") and "> n" in titles[2]
    n = int(titles[1].split(":")[0].split("=")[-1])
    big = int(titles[2].split(" ")[2])
    assert big >= 3 * n  # well beyond the threshold
    truth = numbers(next(t for t in snapshots["data"] if t.get("name", "").startswith("true f"))["y"])
    at_n, beyond = _fit(snapshots, 2), _fit(snapshots, 3)
    spread = np.ptp(truth)
    assert np.ptp(at_n) > 3 * spread  # wild: it swings far outside the truth's range (and the frame)
    frame = snapshots["layout"]["yaxis2"]["range"]
    assert at_n.max() > frame[1] or at_n.min() < frame[0]
    assert np.ptp(beyond) < 1.3 * spread and frame[0] < beyond.min() and beyond.max() < frame[1]  # smooth, in frame
    assert _roughness(at_n) > 20 * _roughness(beyond)
    assert np.max(np.abs(beyond - truth)) < 0.5  # and close to sin(πx) again


def test_card_18_the_animation_sweeps_p_and_shows_the_same(fig18):
    explorer = fig18[2]
    frames = {f["name"]: numbers(f["data"][0]["y"]) for f in explorer["frames"]}
    assert list(frames) == [str(p) for p in range(1, len(frames) + 1)]  # ▶ Play sweeps p = 1 … 4n
    play = explorer["layout"]["updatemenus"][0]["buttons"][0]
    assert play["args"][0] is None and play["args"][1]["fromcurrent"] is True
    n = int(explorer["layout"]["title"]["text"].split(" ")[0])
    rough = {p: _roughness(frames[str(p)]) for p in range(1, len(frames) + 1)}
    assert max(rough, key=rough.get) in (n - 1, n, n + 1)  # the wildest frame is at the threshold
    assert rough[n] > 20 * rough[len(frames)]
    assert np.ptp(frames[str(n)]) > 3 * np.ptp(frames[str(len(frames))])
