"""Train a network: the address reproduces the view. Controls write the URL at once (the browser does; see
tests/browser/test_train_links_in_chromium.py), the results stay the last Train's with a notice naming what
changed, and the epoch slider is bound to the URL (AppTest)."""

import pytest
from apptest_helpers import clean, figures, follow, open_page

PAGE = "pages/train_network.py"
SMALL = {"samples": "100", "epochs": "40", "seeds": "2"}  # a short training
STALE = "These results are for the previous settings"


def boundary_title(at) -> str:
    """The first decision-boundary panel's title: "SGD<br>epoch 30 · val acc 62%"."""
    return figures(at)[0]["layout"]["annotations"][0]["text"]


def notices(at) -> list[str]:
    return [w.value for w in at.warning if STALE in w.value]


@pytest.fixture
def lab():
    return clean(follow(PAGE, SMALL))


def test_a_change_is_in_the_url_at_once_but_trains_only_on_train(lab):
    before = figures(lab)
    assert not notices(lab)
    lab.slider(key="noise").set_value(0.2).run()
    clean(lab)
    assert figures(lab) == before  # the old results, unchanged ...
    [notice] = notices(lab)  # ... and said to be old, naming what changed
    assert "Noise 0.05 → 0.2" in notice and "press **Train**" in notice
    lab.button(key="train_again").click().run()  # the button beside the notice trains
    clean(lab)
    assert not notices(lab) and figures(lab) != before


def test_the_notice_names_every_change_and_goes_when_they_are_undone(lab):
    lab.slider(key="depth").set_value(3)
    lab.selectbox(key="penalty").set_value("L2")
    lab.slider(key="train_adam_beta1").set_value(0.5).run()
    [notice] = notices(clean(lab))
    assert "Hidden layers 2 → 3" in notice and "Penalty none → L2" in notice and "Adam's settings" in notice
    assert "Noise" not in notice
    lab.slider(key="depth").set_value(2)
    lab.selectbox(key="penalty").set_value("none")
    lab.slider(key="train_adam_beta1").set_value(0.9).run()
    assert not notices(clean(lab))


def test_the_notice_says_what_the_controls_show_not_identifiers(lab):
    lab.selectbox(key="dataset").set_value("moons")
    lab.selectbox(key="activation").set_value("leaky_relu")
    lab.toggle(key="batch_norm").set_value(True).run()
    [notice] = notices(clean(lab))
    assert "Activation ReLU → leaky ReLU" in notice and "Batch normalisation off → on" in notice
    assert "Dataset Spiral → Moons" in notice  # the labels the selectboxes show
    assert "leaky_relu" not in notice and "True" not in notice


def test_the_sidebar_train_button_trains_the_new_settings(lab):
    lab.multiselect(key="optimizers").set_value(["sgd", "adam"]).run()
    assert "Optimizers" in notices(clean(lab))[0]
    assert [m.label for m in lab.metric] == ["SGD", "Momentum", "RMSProp", "Adam"]
    lab.button(key="train").click().run()
    assert [m.label for m in clean(lab).metric] == ["SGD", "Adam"] and not notices(lab)


def test_other_reruns_keep_the_notice_and_the_old_results(lab):
    lab.slider(key="epochs").set_value(20).run()
    lab.session_state["train_tab"] = "What the neurons see"
    lab.run()
    clean(lab)
    assert "Epochs 40 → 20" in notices(lab)[0]
    assert "epoch 40" in boundary_title(lab)


def test_the_epoch_of_a_link_is_shown_and_the_slider_writes_it():
    at = clean(follow(PAGE, SMALL | {"epoch": "30"}))
    assert at.slider(key="epoch").value == 30 and "epoch 30 " in boundary_title(at)
    at.slider(key="epoch").set_value(12).run()  # the browser writes it to the URL
    assert "epoch 12 " in boundary_title(clean(at))
    assert not at.info  # nothing refused


@pytest.mark.parametrize("bad", ["41", "1000", "-3", "abc", "nan", "inf"])
def test_a_bad_epoch_in_a_link_falls_back_to_the_last_with_a_message(bad):
    at = clean(follow(PAGE, SMALL | {"epoch": bad}))
    assert at.slider(key="epoch").value == 40 and "epoch 40 " in boundary_title(at)
    [note] = [i.value for i in at.info if "cannot be used" in i.value]
    assert f"`epoch={bad}`" in note and "using 40" in note


def test_a_fraction_of_an_epoch_is_rounded_down_with_a_message():
    at = clean(follow(PAGE, SMALL | {"epoch": "2.5"}))
    assert at.slider(key="epoch").value == 2 and "epoch 2 " in boundary_title(at)
    assert any("`epoch=2.5`" in i.value and "using 2" in i.value for i in at.info)


def test_fewer_epochs_after_a_late_epoch_falls_back_to_the_last():
    at = clean(follow(PAGE, SMALL | {"epoch": "35"}))
    at.slider(key="epochs").set_value(10).run()
    at.button(key="train").click().run()
    clean(at)
    epoch = at.slider(key="epoch").value
    assert 0 <= epoch <= 10 and f"epoch {epoch} " in boundary_title(at)


def test_the_default_view_has_no_notice_and_train_is_first_in_the_sidebar():
    at = open_page(PAGE)
    assert not notices(at)
    assert at.sidebar.button[0].label == "Train"  # at the top of the sidebar's settings, not 3,700 px down


def test_a_link_opens_the_groups_it_sets_and_only_those():
    at = clean(follow(PAGE, SMALL | {"penalty": "L2"}))  # SMALL sets samples and seeds: their groups open too
    expanded = {e.label: e.proto.expanded for e in at.sidebar.expander}
    assert expanded["Penalty, early stopping, augmentation"] and expanded["Samples, noise, split"]
    assert expanded["Schedule and seeds"] and not expanded["Initialisation, batch norm, dropout"]
    assert not open_page(PAGE).sidebar.expander[0].proto.expanded  # no link: all closed
