"""What the AppTest files share: open a page, check for exceptions, change controls, submit a settings form, read figures."""

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from optiviz.ui.errors import MESSAGE

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def failures(at: AppTest) -> list[str]:
    """The last run's uncaught exceptions, and the failures app.py caught and showed as errors.MESSAGE."""
    return [e.value for e in at.exception] + [e.value for e in at.error if MESSAGE in e.value]


def clean(at: AppTest) -> AppTest:
    """``at`` after asserting its last run raised no exception."""
    assert not failures(at), failures(at)
    return at


def open_page(page: str | None = None) -> AppTest:
    """The app, switched to ``page`` (a script under pages/), run once."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    if page:
        at.switch_page(page).run()
    return clean(at)


def change(at: AppTest, **values) -> AppTest:
    """Set controls by key, rerun, and check the run raised nothing."""
    for key, value in values.items():
        at.session_state[key] = value
    return clean(at.run())


def submit(at: AppTest, form: str, button: str, **values) -> AppTest:
    """Set the form's controls by key, then press its submit button."""
    for key, value in values.items():
        at.session_state[key] = value
    at.button(key=f"FormSubmitter:{form}-{button}").click().run()
    return clean(at)


def figures(at: AppTest) -> list[dict]:
    """Every Plotly figure on the page, as Streamlit sends it."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def numbers(array) -> np.ndarray:
    """A trace's x or y as numbers, whether sent as a list or as a plotly typed array."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).astype(float)
    return np.asarray(array, dtype=float)
