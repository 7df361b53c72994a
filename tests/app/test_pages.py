"""Every page runs at its defaults and after each control changes, with no exception (AppTest)."""

import pytest
from apptest_helpers import clean, figures, open_page
from streamlit.testing.v1 import AppTest

from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.surfaces import SURFACES
from optiviz.ui.controls import BETA2S, DECAY_RATES, EPSILONS, LEARNING_RATES

RACE = "pages/optimizer_race.py"


def rerun_clean(at: AppTest) -> AppTest:
    at.run()
    return clean(at)


def results(at: AppTest) -> list[list[str]]:
    """The race's results table (Markdown) as rows of cells, the optimizer's label without its colour dot."""
    (table,) = [m.value for m in at.markdown if "| optimizer |" in m.value]
    lines = [line for line in table.splitlines() if line.startswith("|")]  # the table, without its wrapper
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return [[row[0].split("**")[1], *row[1:]] for row in rows]


@pytest.fixture
def race() -> AppTest:
    return open_page(RACE)


def test_home_maps_lecture_sections_to_pages():
    at = open_page()
    assert at.title[0].value == "optiviz"
    links = at.get("page_link")
    assert sorted(link.proto.page for link in links) == sorted([
        "optimizer-race", "batch-size", "learning-rate", "train-network", "preprocessing", "activations-init",
        "double-descent", "regularization", "lecture-figures"])
    assert any("Optimizers: SGD, momentum, RMSProp, Adam" in m.value for m in at.markdown)


def test_race_defaults_draw_map_and_losses(race):
    (map_fig,) = figures(race)  # the loss is a strip under the map, in the same figure, so a cursor can follow Play
    names = [t.get("name") for t in map_fig["data"]]
    for label in ("SGD", "Momentum", "RMSProp", "Adam"):
        assert label in names
    assert 30 <= len(map_fig["frames"]) <= 60
    assert map_fig["layout"]["updatemenus"][0]["buttons"][0]["label"].endswith("Play")
    assert len([t for t in map_fig["data"] if t.get("yaxis") == "y2" and t.get("legendgroup")]) == 4
    assert map_fig["layout"]["yaxis2"]["type"] == "log"
    assert [row[0] for row in results(race)] == ["SGD", "Momentum", "RMSProp", "Adam"]
    assert all(row[3] == "not reached" or row[3].isdigit() for row in results(race))
    assert all(len(row) == 4 for row in results(race))  # no "diverged at step" column when nothing diverged
    assert not race.warning


@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_surface_and_start_preset(race, surface):
    race.selectbox(key="surface").set_value(surface)
    rerun_clean(race)
    presets = race.selectbox(key=f"start_{surface}").options
    assert presets[-1] == "custom…"
    for preset in presets[1:-1]:
        race.selectbox(key=f"start_{surface}").set_value(preset)
        rerun_clean(race)
    assert race.subheader[0].value == SURFACES[surface].title


def test_custom_start_point(race):
    race.selectbox(key="start_beale").set_value("custom…")
    rerun_clean(race)
    race.number_input(key="sx_beale").set_value(-4.5)
    race.number_input(key="sy_beale").set_value(4.5)
    rerun_clean(race)
    start = [t for t in figures(race)[0]["data"] if t.get("name") == "start"][0]
    assert (start["x"][0], start["y"][0]) == (-4.5, 4.5)


@pytest.mark.parametrize("steps", [10, 1000])
def test_steps_extremes(race, steps):
    race.slider(key="steps").set_value(steps)
    rerun_clean(race)
    assert len(results(race)) == 4


def test_all_optimizers_then_none(race):
    race.multiselect(key="optimizers").set_value(list(OPTIMIZERS))
    rerun_clean(race)
    assert len(results(race)) == len(OPTIMIZERS)
    race.multiselect(key="optimizers").set_value([])
    rerun_clean(race)
    assert race.info and "Tick at least one optimizer" in race.info[0].value
    assert not race.get("plotly_chart")


def test_huge_learning_rate_warns_and_names_optimizer(race):
    race.select_slider(key="lr_beale_sgd").set_value(LEARNING_RATES[-1])
    rerun_clean(race)
    assert any("SGD diverged at step" in w.value for w in race.warning)
    assert results(race)[0][4].isdigit() and results(race)[1][4] == "—"  # the table's column appears with it


def test_learning_rate_extremes_for_every_optimizer(race):
    race.multiselect(key="optimizers").set_value(list(OPTIMIZERS))
    rerun_clean(race)
    for name in OPTIMIZERS:
        for option in (LEARNING_RATES[0], LEARNING_RATES[-1]):
            race.select_slider(key=f"lr_beale_{name}").set_value(option)
            rerun_clean(race)


def test_hyperparameter_extremes(race):
    race.multiselect(key="optimizers").set_value(list(OPTIMIZERS))
    rerun_clean(race)
    for spec in OPTIMIZERS.values():
        for h in spec.hyperparameters:
            key = f"beale_{spec.name}_{h.name}"
            grid = {"eps": EPSILONS, "beta2": BETA2S}.get(h.name)
            widget = race.select_slider(key=key) if grid else race.slider(key=key)
            for value in (grid[0], grid[-1]) if grid else (widget.min, widget.max):
                widget.set_value(value)
                rerun_clean(race)


def test_same_learning_rate_for_all(race):
    race.toggle(key="same_lr").set_value(True)
    rerun_clean(race)
    race.select_slider(key="lr_beale_all").set_value(0.01)
    rerun_clean(race)
    assert len(results(race)) == 4
    # every update rule is typeset with the shared α₀
    rerun_clean(race)
    assert sum(latex.value.count(r"\alpha_t = 0.01") for latex in race.latex) == 4


@pytest.mark.parametrize("schedule", ["exp", "inv", "step"])
def test_schedules_and_decay_rate(race, schedule):
    race.selectbox(key="schedule").set_value(schedule)
    rerun_clean(race)
    for k in (DECAY_RATES[0], DECAY_RATES[-1]):
        race.select_slider(key="decay_rate").set_value(k)
        rerun_clean(race)
    # momentum is racing: the page says where α_t goes, and that PyTorch differs
    assert any("keep α_t inside the velocity" in c.value and "PyTorch" in c.value for c in race.sidebar.caption)


def test_noise_and_seed(race):
    race.slider(key="noise").set_value(2.0)
    rerun_clean(race)
    def losses():
        return [t["y"] for t in figures(race)[0]["data"] if t.get("yaxis") == "y2" and t.get("legendgroup")]

    first = losses()
    race.number_input(key="seed").set_value(7)
    rerun_clean(race)
    assert losses() != first


def test_seed_shown_only_with_noise_and_kept_while_hidden(race):
    def seeds():
        return [w.value for w in race.number_input if w.key == "seed"]

    assert seeds() == []
    race.slider(key="noise").set_value(0.5)
    rerun_clean(race)
    race.number_input(key="seed").set_value(7)
    rerun_clean(race)
    race.slider(key="noise").set_value(0.0)
    rerun_clean(race)
    assert seeds() == []
    race.slider(key="noise").set_value(0.5)
    rerun_clean(race)
    assert seeds() == [7]


def test_update_rules_show_current_values(race):
    race.slider(key="beale_momentum_momentum").set_value(0.5)
    rerun_clean(race)
    assert any(r"v_{t+1} = 0.5\, v_t" in latex.value for latex in race.latex)
    assert any("ε inside the root" in info.value for info in race.info)


@pytest.mark.parametrize("tab, n_figures", [("3-D view", 2), ("Learning-rate sensitivity", 2)])
def test_lazy_tabs(race, tab, n_figures):
    race.session_state["tab"] = tab
    rerun_clean(race)
    figs = figures(race)
    assert len(figs) == n_figures
    if tab == "3-D view":
        assert figs[1]["data"][0]["type"] == "surface"
    else:
        assert figs[1]["layout"]["xaxis"]["type"] == "log"
