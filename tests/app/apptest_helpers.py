"""What the AppTest files share: open a page, check for exceptions, change controls, submit a settings form, read figures."""

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from optiviz.ui.errors import MESSAGE
from optiviz.ui.lecture_figures import LECTURE_FIGURES, LectureFigure

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


def follow(page: str, settings: dict, timeout: float = 120) -> AppTest:
    """The app opened at ``page`` with ``settings`` in the URL, as a shared link opens it (not yet checked)."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.query_params.clear()
    at.query_params.update(settings)
    return at.switch_page(page).run()


def card(key: str) -> LectureFigure:
    """The lecture-figure card numbered ``key`` ("6–7"), or else the one whose title starts with ``key``."""
    found = [f for f in LECTURE_FIGURES if f.figures == key] or [f for f in LECTURE_FIGURES if f.title.startswith(key)]
    assert len(found) == 1, (key, [f.title for f in found])
    return found[0]


def open_card(key: str, timeout: float = 300, **extra) -> AppTest:
    """The page a card's link opens (plus ``extra`` settings), after asserting the run raised nothing."""
    fig = card(key)
    return clean(follow(fig.page, fig.settings | extra, timeout))


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
