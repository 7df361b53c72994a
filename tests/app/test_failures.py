"""A bug on a page shows the student a kind message and no traceback; the log keeps the traceback."""

import logging

from apptest_helpers import APP, failures
from streamlit.testing.v1 import AppTest

from optiviz.figures import train_network as training
from optiviz.ui.errors import MESSAGE


def test_a_failing_page_shows_the_kind_message(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in a figure")

    monkeypatch.setattr(training, "learning_curves", broken)
    at = AppTest.from_file(APP, default_timeout=120).run()
    with caplog.at_level(logging.ERROR, logger="optiviz"):
        at.switch_page("pages/train_network.py").run()
    assert not at.exception  # nothing reaches Streamlit's own error box
    assert [e.value for e in at.error] == [MESSAGE]
    assert failures(at) == [MESSAGE]
    assert "ZeroDivisionError: a bug in a figure" in caplog.text
    assert at.title[0].value == "Train a network"  # what ran before the failure is still there


def test_st_stop_is_not_a_failure():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.query_params.update({"optimizers": ""})  # no optimizer: the race page asks for one and stops
    at.switch_page("pages/optimizer_race.py").run()
    assert not failures(at)
    assert any("Tick at least one optimizer" in i.value for i in at.info)
