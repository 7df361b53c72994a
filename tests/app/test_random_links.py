"""Randomized links (hypothesis): any combination of any page's control values, valid or not, never raises.

Each page is opened once to learn its controls and their ranges; then hypothesis draws URLs that set
a random subset of them, to allowed values (snapped to the slider's step or not) or to garbage.
"""

import functools

import pytest
from apptest_helpers import failures, follow, open_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_links import notes

PAGES = ("pages/optimizer_race.py", "pages/train_network.py", "pages/activations_init.py", "pages/batch_size.py",
         "pages/learning_rate.py", "pages/preprocessing.py", "pages/double_descent.py", "pages/regularization.py")
GARBAGE = st.sampled_from(["nan", "inf", "-inf", "", "abc", "1e308", "-1e308", "0", "-1", "10000000000", "True", "🙂"])


@functools.cache
def domains(page: str) -> dict:
    """{key: strategy of URL values} for every bound control the page shows at its defaults."""
    at = open_page(page)
    found = {}
    for kind in ("slider", "number_input"):
        for w in at.get(kind):
            p, integer = w.proto, w.proto.data_type == 0
            k = st.integers(0, min(int((p.max - p.min) / p.step), 10_000))
            found[w.key] = k.map(lambda i, p=p, integer=integer: str(int(p.min + i * p.step)) if integer
                                  else f"{p.min + i * p.step:.6g}")
            found[w.key] |= st.floats(allow_nan=True, allow_infinity=True).map(repr)  # off the step, out of range
    for kind in ("select_slider", "selectbox", "radio"):
        for w in at.get(kind):
            found[w.key] = st.sampled_from(list(w.proto.options))
    for w in at.get("multiselect"):
        found[w.key] = st.lists(st.sampled_from(list(w.proto.options)), max_size=len(w.proto.options) + 1)
    for kind in ("toggle", "checkbox"):
        for w in at.get(kind):
            found[w.key] = st.sampled_from(["true", "false", "1", "yes"])
    return {key: strategy | GARBAGE for key, strategy in found.items() if key}


@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_link_opens_the_page_without_an_exception(page, data):
    controls = domains(page)
    keys = data.draw(st.lists(st.sampled_from(sorted(controls)), max_size=6, unique=True), label="keys")
    link = {key: data.draw(controls[key], label=key) for key in keys}
    at = follow(page, link)
    assert not failures(at), (link, failures(at))
    assert all("`" in n for n in notes(at))  # a note, if any, names the values it refused
