"""Lecture mode's URL values (figure, present, step): checked like every link value, with a note and a fallback."""

import numpy as np
import pytest
from apptest_helpers import clean, follow
from streamlit.testing.v1 import AppTest

from optiviz.figures.projector import MIN_FONT
from optiviz.ui.lecture_figures import KEY, LECTURE_FIGURES, SLUG
from optiviz.ui.lecture_mode import FOCUS_STATE, parse

NOTE = "This link asked for settings that cannot be used"
RAVINE = next(c for c in LECTURE_FIGURES if c.slug == "12-13")


def notes(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info if NOTE in i.value)


def charts(at: AppTest) -> dict[str, dict]:
    """The page's charts by key (the key ends the element's id)."""
    import json
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def test_every_card_names_its_figure_safely():
    slugs = [c.slug for c in LECTURE_FIGURES]
    assert len(set(slugs)) == len(slugs) and all(SLUG.fullmatch(s) for s in slugs), slugs
    for card in LECTURE_FIGURES:
        assert card.focus and all(KEY.fullmatch(k) for k in card.focus + card.controls), card.title
        assert all(step.sentence and step.settings for step in card.steps)


@pytest.mark.parametrize("asked, view, refused", [
    ({"figure": ["14"]}, ("14", False, 0), []),
    ({"figure": [" 14 "], "present": ["1"]}, ("14", True, 0), []),
    ({"figure": ["12-13"], "present": ["true"]}, ("12-13", True, 1), []),  # a card with steps starts at step 1
    ({"figure": ["12-13"], "present": ["1"], "step": ["3"]}, ("12-13", True, 3), []),
    ({"figure": ["12-13"], "present": ["0"]}, ("12-13", False, 0), []),
    ({"figure": ["99"]}, (None, False, 0), ["figure"]),
    ({"figure": ["5"]}, (None, False, 0), ["figure"]),  # Figure 5 is on another page
    ({"figure": ["14", "15"]}, (None, False, 0), ["figure"]),
    ({"figure": ["<script>"], "present": ["1"]}, (None, False, 0), ["figure", "present"]),
    ({"present": ["1"]}, (None, False, 0), ["present"]),
    ({"figure": ["14"], "present": ["maybe"]}, ("14", False, 0), ["present"]),
    ({"figure": ["12-13"], "present": ["1"], "step": ["9"]}, ("12-13", True, 1), ["step"]),
    ({"figure": ["12-13"], "present": ["1"], "step": ["-1"]}, ("12-13", True, 1), ["step"]),
    ({"figure": ["12-13"], "present": ["1"], "step": ["1e9"]}, ("12-13", True, 1), ["step"]),
    ({"figure": ["12-13"], "present": ["1"], "step": ["²"]}, ("12-13", True, 1), ["step"]),  # a digit to isdigit()
    ({"figure": ["12-13"], "step": ["2"]}, ("12-13", False, 0), ["step"]),  # steps are lecture mode's
    ({"figure": ["14"], "present": ["1"], "step": ["2"]}, ("14", True, 0), ["step"]),  # no steps on this card
])
def test_parse(asked, view, refused):
    got, checked = parse(asked, "optimizer-race")
    assert ((got.card.slug if got.card else None), got.present, got.step) == view
    assert sorted(k for k, line in checked.items() if line) == sorted(refused)
    assert set(checked) == set(asked)
    assert all(f"`{k}=" in checked[k] for k in refused)


def test_embedded_with_a_figure_is_lecture_mode_unless_asked_not_to():
    framed = parse({"figure": ["14"]}, "optimizer-race", embedded=True)[0]
    assert framed.present and not framed.enlarge  # a frame in slides: the page's own sizes
    assert parse({"figure": ["14"], "present": ["1"]}, "optimizer-race", embedded=True)[0].enlarge
    assert not parse({"figure": ["14"], "present": ["0"]}, "optimizer-race", embedded=True)[0].present
    assert not parse({}, "optimizer-race", embedded=True)[0].present
    assert not parse({"figure": ["14"]}, "optimizer-race")[0].present  # a plain link only lands on the figure


def test_lecture_mode_enlarges_the_cards_figure():
    at = clean(follow(RAVINE.page, RAVINE.query(present=True, step=2)))
    assert not notes(at)
    assert at.session_state[FOCUS_STATE] == ("race_map",)
    assert at.title[0].value == "Figure 12–13 · Gradient descent in a ravine"
    assert RAVINE.steps[1].sentence in [m.value for m in at.markdown]
    race = charts(at)["race_map"]["layout"]
    assert race["font"]["size"] >= MIN_FONT and race["xaxis"]["tickfont"]["size"] >= MIN_FONT
    assert race["yaxis"]["scaleanchor"] == "x"  # true angles, whatever the window
    plain = charts(clean(follow(RAVINE.page, RAVINE.query())))["race_map"]["layout"]
    assert plain.get("font", {}).get("size", 12) < MIN_FONT and race["height"] > plain["height"]


def test_bad_values_are_named_and_the_whole_page_is_shown():
    at = clean(follow(RAVINE.page, RAVINE.settings | {"figure": "99", "present": "yes please", "step": "x"}))
    text = notes(at)
    assert "`figure=99` is not a lecture figure of this page" in text
    assert "`present=yes please` is not allowed here" in text
    assert "`step=x`" in text
    assert at.session_state[FOCUS_STATE] == ()
    assert at.title[0].value == "Optimizer race"  # no lecture header: the page as it is
    assert charts(at)["race_map"]["layout"].get("font", {}).get("size", 12) < MIN_FONT
    for key in ("figure", "present", "step"):
        assert key not in at.query_params  # refused values leave the URL


def test_present_without_a_figure_says_so():
    at = clean(follow(RAVINE.page, {"present": "1"}))
    assert "`present=1` needs a lecture figure of this page" in notes(at)
    assert at.session_state[FOCUS_STATE] == ()


@pytest.mark.parametrize("card, step", [(c, k) for c in LECTURE_FIGURES if c.steps for k in range(1, len(c.steps) + 1)],
                         ids=lambda v: v.slug if hasattr(v, "slug") else str(v))
def test_every_step_is_a_link_taken_whole(card, step):
    at = clean(follow(card.page, card.query(present=True, step=step)))
    assert not notes(at), notes(at)
    assert set(card.focus) <= set(charts(at))
    assert card.steps[step - 1].sentence in [m.value for m in at.markdown]


def test_the_ravine_steps_say_what_the_race_draws():
    """Each step's sentence, checked on the paths the race map draws at the last step's link (all four)."""
    from test_claims_race import arrival, distance, drawn_paths

    last = len(RAVINE.steps)
    at = clean(follow(RAVINE.page, RAVINE.query(present=True, step=last)))
    paths = drawn_paths(charts(at)["race_map"])
    assert set(paths) == {"SGD", "Momentum", "RMSProp", "Adam"}
    flips = {n: int((np.diff(np.sign(p["x"][:int(min(arrival(p["loss"]), 200))])) != 0).sum()) for n, p in paths.items()}
    across = {n: np.abs(np.diff(p["x"])).sum() / np.abs(np.diff(p["y"])).sum() for n, p in paths.items()}
    assert flips["SGD"] >= 150 and across["SGD"] > 5  # step 1: it zig-zags between the walls
    assert arrival(paths["Momentum"]["loss"]) <= 0.6 * arrival(paths["SGD"]["loss"])  # step 2: about half the steps
    assert across["RMSProp"] < 1.5 and not (np.diff(np.sign(paths["RMSProp"]["x"][:50])) != 0).any()  # step 3
    assert flips["Adam"] <= 3 and across["Adam"] < 1  # step 4: no zig-zag,
    ends = {n: distance(p, (0.0, 0.0))[-1] for n, p in paths.items()}
    assert min(ends, key=ends.get) == "Adam"  # and it ends closest to the minimum
