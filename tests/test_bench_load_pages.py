"""benchmarks/bench_load.py knows every page: its sliders (PAGE_CONTROLS), buttons (PAGE_TRIGGERS) and the
hammer's link are widgets the pages really have (AppTest), so a class can be benchmarked on any page."""

import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_load import HAMMER_LINK, HAMMER_PAGE, PAGE_CONTROLS, PAGE_TRIGGERS  # noqa: E402

APP = str(ROOT / "app.py")


def app_pages() -> dict[str, str]:
    """{url path: script} of every page app.py registers (the home page's url path is "")."""
    text = (ROOT / "app.py").read_text()
    scripts = re.findall(r'page\("(\w+)"', text)
    pages = {name.replace("_", "-"): f"pages/{name}.py" for name in scripts}
    assert 'st.Page("pages/home.py"' in text
    return {"": "pages/home.py"} | pages


def opened(script: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    if query:
        at.query_params.clear()
        at.query_params.update(query)
    at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_has_its_controls():
    assert set(PAGE_CONTROLS) == set(app_pages())


@pytest.mark.parametrize("page", sorted(PAGE_CONTROLS))
def test_the_controls_are_sliders_of_the_page(page):
    at = opened(app_pages()[page])
    sliders = {s.key for s in at.slider}
    keys = [k for k in PAGE_CONTROLS[page].split(",") if k]
    assert set(keys) <= sliders, f"/{page}: no slider {set(keys) - sliders}; its sliders: {sorted(sliders)}"
    if page in PAGE_TRIGGERS:
        assert PAGE_TRIGGERS[page] in {b.key for b in at.button}


def test_the_hammer_link_opens_the_costliest_training():
    at = opened(app_pages()[HAMMER_PAGE], HAMMER_LINK)
    assert at.slider(key="samples").value == 1000 and at.slider(key="depth").value == 5
    assert at.slider(key="width").value == 64 and at.toggle(key="batch_norm").value
    assert at.select_slider(key="batch_size").value == "full batch" and at.radio(key="classes").value == 3
    assert "noise" in PAGE_CONTROLS[HAMMER_PAGE] and HAMMER_PAGE in PAGE_TRIGGERS  # what the hammer changes and presses
