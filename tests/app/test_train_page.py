"""The training lab runs at its defaults and after each control changes, with no exception (AppTest)."""

import pytest
from apptest_helpers import clean, figures, numbers, open_page
from streamlit.testing.v1 import AppTest

from optiviz.core.datasets import DATASETS, PREPROCESSINGS
from optiviz.nn.activations import ACTIVATIONS
from optiviz.nn.initializers import INITIALIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.ui.controls import LEARNING_RATES

PAGE = "pages/train_network.py"
SMALL = {"samples": 100, "epochs": 4}  # keeps each training short


def submit(at: AppTest, **values) -> AppTest:
    """Set the sidebar's controls by key, then press Train (the results change only then)."""
    for key, value in values.items():
        at.session_state[key] = value
    at.button(key="train").click().run()
    return clean(at)


@pytest.fixture(scope="module")
def defaults() -> AppTest:
    return open_page(PAGE)


@pytest.fixture
def lab() -> AppTest:
    return submit(open_page(PAGE), **SMALL)


def test_defaults_train_four_optimizers_on_the_spiral(defaults):
    assert [m.label for m in defaults.metric] == ["SGD", "Momentum", "RMSProp", "Adam"]
    shown = figures(defaults)  # a figure per optimizer's boundary (columns a phone stacks), the curves, a figure per
    assert len(shown) == 9     # optimizer's gradient norms
    boundaries, curves, grads = shown[:4], shown[4], shown[5]
    assert all(len([t for t in b["data"] if t["type"] == "heatmap"]) == 1 for b in boundaries)
    assert [b["layout"]["annotations"][0]["text"].split("<br>")[0] for b in boundaries] == ["SGD", "Momentum", "RMSProp", "Adam"]
    assert all("epoch 60" in b["layout"]["annotations"][0]["text"] for b in boundaries)
    lines = [t for t in curves["data"] if t.get("mode") == "lines" and "fill" not in t]
    assert {t["line"]["dash"] for t in lines} == {"dash", "solid"}  # training dashed, validation solid: medians
    bands = [t for t in curves["data"] if t.get("fill") == "toself"]
    assert len(bands) == 8 and all("10–90% of 10 seeds" in t["name"] for t in bands)  # 4 optimizers × loss, accuracy
    assert "of 10" in " ".join(m.value for m in defaults.markdown)  # the counts
    assert grads["layout"]["yaxis"]["type"] == "log"
    assert not defaults.warning


def test_epoch_slider_moves_the_boundary(defaults):
    defaults.slider(key="epoch").set_value(0).run()
    clean(defaults)
    assert "epoch 0" in figures(defaults)[0]["layout"]["annotations"][0]["text"]


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset(lab, name):
    submit(lab, dataset=name, classes=DATASETS[name].classes[-1])
    classes = DATASETS[name].classes[-1]
    boundary = figures(lab)[0]
    heat = [t for t in boundary["data"] if t["type"] == "heatmap"][0]
    assert ("P(class 1)" in heat["hovertemplate"]) == (classes == 2)


def test_three_classes_on_a_two_class_dataset_falls_back(lab):
    submit(lab, dataset="moons", classes=3)
    assert any("2 classes" in i.value for i in lab.info)


@pytest.mark.parametrize("key, values", [
    ("activation", list(ACTIVATIONS)),
    ("init", list(INITIALIZERS)),
    ("preprocessing", list(PREPROCESSINGS)),
    ("train_schedule", list(SCHEDULES)),
    ("penalty", ["L1", "L2", "elastic net"]),
    ("batch_size", [1, "full batch"]),
    ("depth", [1, 5]),
    ("width", [1, 64]),
    ("dropout", [0.6]),
    ("noise", [0.0, 0.5]),
    ("val_fraction", [0.0, 0.5]),
    ("reflect", ["x", "xy"]),
])
def test_each_control(lab, key, values):
    for value in values:
        submit(lab, **{key: value})


def test_switches_and_augmentation(lab):
    submit(lab, skip=True, batch_norm=True, jitter=0.3, rotation=180, init_scale=2.0, alpha=1.0)
    submit(lab, batch_norm=True, batch_size=1)
    assert any("at least 2 points per batch" in i.value for i in lab.info)


def test_early_stopping_needs_validation(lab):
    submit(lab, patience=2, val_fraction=0.0)
    assert any("Early stopping needs validation points" in i.value for i in lab.info)
    submit(lab, patience=1, val_fraction=0.3, epochs=40)


def test_epochs_are_capped_for_big_work(lab):
    submit(lab, samples=1000, depth=5, width=64, epochs=300, batch_size=1)
    assert any("allow at most" in i.value for i in lab.info)


def test_optimizers_none_and_others(lab):
    submit(lab, optimizers=["nesterov", "adagrad"])
    assert [m.label for m in lab.metric] == ["Nesterov", "Adagrad"]
    submit(lab, optimizers=[])
    assert any("Tick at least one optimizer" in w.value for w in lab.warning)


def test_huge_learning_rate_diverges_with_a_warning(lab):
    # a deep linear network with α = 2: the weights grow geometrically until the loss overflows
    submit(lab, optimizers=["sgd"], train_lr_sgd=LEARNING_RATES[-1], epochs=20, activation="linear", depth=3)
    assert lab.metric[0].label == "SGD" and "diverged in" in lab.metric[0].delta  # over the seeds
    assert any(w.value.startswith("SGD diverged at epoch") for w in lab.warning)


@pytest.mark.parametrize("tab", ["What the neurons see", "Loss landscape"])
def test_lazy_tabs(lab, tab):
    lab.session_state["train_tab"] = tab
    lab.run()
    clean(lab)
    last = figures(lab)[-1]
    if tab == "What the neurons see":
        assert len([t for t in last["data"] if t["type"] == "heatmap"]) == 16  # 16 units in the default layer
        lab.selectbox(key="neuron_layer").set_value(1).run()
        clean(lab)
    else:
        assert last["data"][0]["type"] == "contour"
        assert any(t.get("name", "").endswith("'s path") for t in last["data"])  # on the path's PCA plane


def test_log_ticks_label_every_part_of_a_decade():
    from optiviz.figures.train_network import log_ticks

    assert [t for t in log_ticks(0.06, 0.7) if 0.06 <= t <= 0.7] == [0.1, 0.2, 0.5]
    inside = [t for t in log_ticks(0.3, 0.7) if 0.3 <= t <= 0.7]  # less than a decade: every digit
    assert inside == pytest.approx([0.3, 0.4, 0.5, 0.6, 0.7])
    assert log_ticks(0.0, 1.0) == [] and log_ticks(float("nan"), 1.0) == []


def test_neuron_tiles_are_square(lab):
    lab.session_state["train_tab"] = "What the neurons see"
    lab.run()
    clean(lab)
    fig = figures(lab)[-1]
    heat = [t for t in fig["data"] if t["type"] == "heatmap"]
    x, y = numbers(heat[0]["x"]), numbers(heat[0]["y"])
    assert x[-1] - x[0] == pytest.approx(y[-1] - y[0])  # a square of the input plane
    axes = [k for k in fig["layout"] if k.startswith("yaxis")]
    assert len(axes) == len(heat) and all(fig["layout"][k]["scaleanchor"] == "x" + k[5:] for k in axes)


def test_labels_not_identifiers(defaults):
    assert defaults.selectbox(key="activation").format_func("leaky_relu") == "leaky ReLU"
    assert defaults.selectbox(key="init").format_func("he") == "He"
    assert "leaky_relu" not in defaults.slider(key="alpha").help
