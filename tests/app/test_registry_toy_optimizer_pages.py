"""A toy optimizer added to the registry only (tests/toy_optimizer.py) appears on the pages that offer every
optimizer, with the learning rate its entry gives as the control's default, its label, colour and LaTeX rule."""

import json

from apptest_helpers import change, open_page

from optiviz.figures.palette import INK
from optiviz.ui.controls import LEARNING_RATES, snap
from tests.toy_optimizer import register

LR_LABEL = "signSGD · learning rate α₀"


def control(at, kind: str, label: str):
    (found,) = [w for w in at.get(kind) if w.label == label]
    return found


def test_the_race_offers_it_with_its_rate_colour_and_rule(monkeypatch):
    toy = register(monkeypatch)
    at = open_page("pages/optimizer_race.py")
    assert "signSGD" in at.multiselect(key="optimizers").options
    at = change(at, optimizers=["sgd", "signsgd"])
    assert control(at, "select_slider", LR_LABEL).value == snap(toy.rates["beale"], LEARNING_RATES)
    at = change(at, surface="ravine")  # each surface its own rate, from the entry
    assert control(at, "select_slider", LR_LABEL).value == snap(toy.rates["ravine"], LEARNING_RATES)
    shown = " ".join(m.value for m in at.markdown)
    assert f"<span style='color:{INK['crimson']}'>●</span>&nbsp;**signSGD**" in shown  # the results table
    assert any(r"\operatorname{sign}(g_t)" in x.value and INK["crimson"] in x.value for x in at.get("latex"))
    (race_map,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")][:1]
    assert any(t.get("name") == "signSGD" and t.get("line", {}).get("color") == INK["crimson"] for t in race_map["data"])


def test_the_preprocessing_page_defaults_to_its_rate(monkeypatch):
    toy = register(monkeypatch)
    at = open_page("pages/preprocessing.py")
    at = change(at, pp_optimizer="signsgd")
    model = "linear"
    assert control(at, "select_slider", "the same α for all").value == snap(toy.rates[f"preprocessing_{model}"],
                                                                           LEARNING_RATES)


def test_the_train_page_defaults_to_its_rate(monkeypatch):
    toy = register(monkeypatch)
    at = open_page("pages/train_network.py")
    assert control(at, "select_slider", LR_LABEL).value == snap(toy.rates["train_network"], LEARNING_RATES)
    assert "signSGD" in at.multiselect(key="optimizers").options
