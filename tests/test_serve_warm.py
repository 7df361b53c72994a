"""The server's start-up warm-up computes exactly what a first visit to the optimizer race asks for."""

import pytest
from streamlit.testing.v1 import AppTest

from optiviz.core import descent
from optiviz.ui import serve
from optiviz.ui.optimizer_race import cache
from tests.app.apptest_helpers import APP


def test_after_the_warm_up_the_race_default_is_a_cache_hit(monkeypatch):
    cache._stored_path.clear()
    cache.surface_layers.clear()
    serve.warm()

    def no_compute(*args, **kwargs):
        raise AssertionError("the race's default view was not warmed")

    monkeypatch.setattr(descent, "race_paths", no_compute)
    monkeypatch.setattr(cache, "_surface_layers", no_compute)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/optimizer_race.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), "the race map is drawn"
    # and the check can fail: another surface's paths were not warmed
    at.selectbox(key="surface").set_value("ravine").run()
    assert not at.get("plotly_chart")  # the map needs paths that were not computed


@pytest.fixture(autouse=True)
def _fresh_caches():
    yield
    cache._stored_path.clear()
