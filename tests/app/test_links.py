"""Shareable links: every lecture-figure link opens its page with all its settings; bad links get a note."""

import pytest
from apptest_helpers import APP, clean, follow
from streamlit.testing.v1 import AppTest

from optiviz.ui.lecture_figures import LECTURE_FIGURES
from optiviz.ui.links import problems

NOTE = "This link asked for settings that cannot be used"


def notes(at: AppTest) -> list[str]:
    return [i.value for i in at.info if NOTE in i.value]


@pytest.mark.parametrize("fig", LECTURE_FIGURES, ids=lambda f: f"fig-{f.figures}-{f.title}")
def test_every_lecture_figure_link_is_taken_whole(fig):
    at = clean(follow(fig.page, fig.settings))
    assert not notes(at), notes(at)
    for key in fig.settings:
        assert key in at.session_state  # a control read it


def test_a_link_sets_the_controls():
    at = clean(follow("pages/optimizer_race.py", {"surface": "Ravine", "optimizers": ["SGD", "Momentum"], "steps": "350"}))
    assert at.session_state["surface"] == "ravine"
    assert at.session_state["optimizers"] == ["sgd", "momentum"]
    assert at.session_state["steps"] == 350


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "abc", "1e9", "-5", "", "0x10", "250; rm -rf /"])
def test_bad_values_fall_back_with_a_note(value):
    at = clean(follow("pages/optimizer_race.py", {"steps": value}))
    assert at.session_state["steps"] == 200
    assert any("`steps=" in n and "using 200" in n for n in notes(at))


@pytest.mark.parametrize("page, key, default", [("pages/learning_rate.py", "lr_data_seed", 0),
                                                ("pages/optimizer_race.py", "seed", 0),
                                                ("pages/batch_size.py", "bs_data_seed", 0)])
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e999", "9" * 400])
def test_whole_number_inputs_refuse_infinite_values(page, key, default, value):
    """Streamlit's integer number_input fails on int(inf); such values are taken out of the URL first."""
    at = clean(follow(page, {key: value, "noise": "0.5"} if key == "seed" else {key: value}))
    assert at.session_state[key] == default
    assert any(f"`{key}=" in n and f"using {default}." in n for n in notes(at))


def test_unknown_names_and_options_are_named():
    at = clean(follow("pages/optimizer_race.py", {"colour": "red", "surface": "Himmelblau", "optimizers": ["Adam", "Lion"]}))
    text = "\n".join(notes(at))
    assert "`colour=red` is not a setting" in text
    assert "`surface=Himmelblau` is not allowed here: using beale" in text
    assert "`optimizers=Adam, Lion` is not allowed here: using adam" in text
    assert at.session_state["optimizers"] == ["adam"]
    assert "colour" not in at.query_params  # dropped from the URL


def test_the_lecture_figures_page_links_every_figure():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/lecture_figures.py").run()
    clean(at)
    links = at.get("page_link")
    assert len(links) == 2 * len(LECTURE_FIGURES)  # "Open …" and "Present …" on each card


@pytest.mark.parametrize("asked, kept, controls, expected", [
    ({"a": ["0.50"]}, {}, {"a": 0.5}, []),                       # the default, dropped from the URL: fine
    ({"a": ["0.7"]}, {"a": ["0.7"]}, {"a": 0.7}, []),
    ({"a": ["nan"]}, {}, {"a": 0.5}, ["`a=nan` is not allowed here: using 0.5."]),
    ({"n": ["2.5"]}, {"n": ["2"]}, {"n": 2}, ["`n=2.5` is not allowed here: using 2."]),
    ({"t": ["true"]}, {"t": ["true"]}, {"t": True}, []),
    ({"t": ["1"]}, {}, {"t": False}, ["`t=1` is not allowed here: using False."]),
    ({"m": ["x", "y"]}, {"m": ["x"]}, {"m": ["x"]}, ["`m=x, y` is not allowed here: using x."]),
    ({"m": ["SGD"]}, {}, {"m": ["sgd"]}, []),                    # the default, dropped from the URL: fine
    ({"m": ["Lion"]}, {}, {"m": ["sgd"]}, ["`m=Lion` is not allowed here: using sgd."]),
    ({"z": ["1"]}, {"z": ["1"]}, {}, ["`z=1` is not a setting of this page (or not used with these settings): ignored."]),
])
def test_problems(asked, kept, controls, expected):
    assert problems(asked, kept, controls) == expected
