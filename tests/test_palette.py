"""The palette: the colour science it is judged by, each concept's colours, and the checks the page tests run."""

import itertools

import pytest

from optiviz.figures import palette as pal
from optiviz.core.optimizers import OPTIMIZERS
from tests.palette_marks import hard_coded_ink, marks, too_close, unreadable

CONCEPTS = {
    "optimizers": pal.OPTIMIZER_COLOURS, "schemes": pal.SCHEME_COLOURS, "transforms": pal.TRANSFORM_COLOURS,
    "batch sizes": pal.BATCH_COLOURS, "rates": pal.RATE_COLOURS, "schedules": pal.SCHEDULE_COLOURS,
    "penalties": pal.PENALTY_COLOURS, "features": dict(enumerate(pal.FEATURE_COLOURS)),
    "classes": dict(enumerate(pal.CLASS_COLOURS)), "layers": dict(enumerate(pal.LAYER_COLOURS)),
}
# Members drawn with another dash or symbol, which need not differ by colour from the rest.
DASHED = {"schemes": set(pal.SCHEME_DASHES), "rates": {"your α"}}


# ---- the colour science --------------------------------------------------------------------------------------

def test_contrast_is_wcag():
    assert pal.contrast("#ffffff", "#000000") == pytest.approx(21.0, abs=1e-4)
    assert pal.contrast("#777777", "white") == pytest.approx(4.48, abs=0.01)  # WCAG's well-known mid grey
    assert pal.contrast("#0072B2", "#0072b2") == 1.0


def test_deuteranopia_keeps_greys_and_merges_red_with_green():
    grey = pal.lab("#808080")
    assert pal.lab("#808080", deuteranopia=True) == pytest.approx(grey, abs=1e-3)  # Machado's rows sum to 1
    assert pal.delta_e("#ffffff", "#000000") == pytest.approx(100.0, abs=1e-3)
    # red and green far apart to a trichromat, close to a deuteranope
    assert pal.delta_e("#ff0000", "#00a000", deuteranopia=False) > 100
    assert pal.delta_e("#ff0000", "#00a000") < 15


def test_the_issues_numbers_under_deuteranopia():
    """The old palette's failures, as issue 14 measured them: Momentum vs Adam ΔE 18, zeros vs He 7."""
    assert pal.delta_e("#E69F00", "#D55E00") == pytest.approx(18.3, abs=0.1)
    assert pal.delta_e("#999999", "#CC79A7") == pytest.approx(7.1, abs=0.1)


def test_parse_refuses_what_it_cannot_read():
    assert pal.parse("rgba(255, 0, 0, 0.5)")[1] == 0.5
    with pytest.raises(ValueError, match="colour"):
        pal.parse("hotpink")


# ---- the palettes --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("concept", list(CONCEPTS))
def test_every_colour_reads_on_both_themes(concept):
    for member, c in CONCEPTS[concept].items():
        assert pal.reads_on_both(c), (concept, member, c, pal.contrast(c, pal.LIGHT_BACKGROUND),
                                      pal.contrast(c, pal.DARK_BACKGROUND))
    assert pal.reads_on_both(pal.NEUTRAL) and all(pal.reads_on_both(c) for c in pal.INK.values())


@pytest.mark.parametrize("concept", list(CONCEPTS))
def test_members_of_a_concept_differ_under_deuteranopia(concept):
    """Every pair of one concept at ΔE ≥ 20 (members drawn dashed only against each other)."""
    colours, dashed = CONCEPTS[concept], DASHED.get(concept, set())
    for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
        if (a in dashed) != (b in dashed):
            continue
        assert pal.delta_e(ca, cb) >= pal.MIN_DELTA_E, (concept, a, b, pal.delta_e(ca, cb))


def test_every_optimizer_has_its_own_colour():
    assert set(pal.OPTIMIZER_COLOURS) == set(OPTIMIZERS)
    assert len(set(pal.OPTIMIZER_COLOURS.values())) == len(OPTIMIZERS)


@pytest.mark.parametrize(("one", "other"), [("rates", "schedules"), ("penalties", "features"),
                                            ("batch sizes", "optimizers"), ("transforms", "optimizers"),
                                            ("layers", "optimizers")])
def test_a_colour_keeps_one_meaning_on_a_page(one, other):
    """Concepts that meet on one page share no colour; the batch-size and preprocessing labs borrow none
    of the optimizers' (their "SGD" is batch size 1, not the optimizer)."""
    assert not set(CONCEPTS[one].values()) & set(CONCEPTS[other].values())


# ---- the checks the page tests run -----------------------------------------------------------------------------

def _line(name, colour, dash="solid", **extra):
    return dict(type="scatter", mode="lines", name=name, line=dict(color=colour, dash=dash), **extra)


def test_too_close_finds_the_old_momentum_and_adam():
    old = {"data": [_line("Momentum", "#E69F00"), _line("Adam", "#D55E00")]}
    new = {"data": [_line("Momentum", pal.colour("momentum")), _line("Adam", pal.colour("adam"))]}
    assert [(d, a.series, b.series) for d, a, b in too_close(old)] == [(18.3, "Momentum", "Adam")]
    assert too_close(new) == []


def test_same_colour_needs_another_dash_or_symbol():
    c = pal.colour("sgd")
    assert too_close({"data": [_line("train", c, "dash"), _line("validation", c)]}) == []
    assert len(too_close({"data": [_line("train", c), _line("validation", c)]})) == 1
    dots = dict(type="scatter", mode="markers", name="points", marker=dict(color=c, symbol="circle"))
    assert too_close({"data": [_line("fit", c), dots]}) == []  # a line and dots
    assert len(too_close({"data": [dots, dots | dict(name="others")]})) == 1


def test_context_is_not_a_series():
    faint = _line("every step", pal.colour("adam")) | dict(opacity=0.3)
    contours = _line("contours", "rgba(70,85,110,0.5)")
    assert marks({"data": [faint, contours, dict(type="heatmap", z=[[1]])]}) == []


def test_unreadable_marks_and_ink():
    start = dict(type="scatter", mode="markers", name="start", marker=dict(color="#111111", symbol="circle-open"))
    star = dict(type="scatter", mode="markers", name="minimum",
                marker=dict(color="white", symbol="star", line=dict(color="#111111", width=1.5)))
    assert [m.series for m in unreadable({"data": [_line("Momentum", "#E69F00"), start, star]})] == ["Momentum", "start"]
    assert unreadable({"data": [_line("Momentum", pal.colour("momentum"))]}) == []
    layout = {"annotations": [dict(text="L(w*)", font=dict(color="#444"))],
              "sliders": [dict(currentvalue=dict(font=dict(color="#31333f")), font=dict(color="rgba(0,0,0,0)"))],
              "plot_bgcolor": "white"}
    assert hard_coded_ink({"data": [], "layout": layout}) == [
        "layout.annotations[0].font.color = #444", "layout.sliders[0].currentvalue.font.color = #31333f",
        "layout.plot_bgcolor = white"]
