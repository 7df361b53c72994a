"""Every control has its own accessible name: a unique label, in plain text (a screen reader reads it as written)."""

from collections import Counter
from pathlib import Path

import pytest
from apptest_helpers import open_page

PAGES = sorted(f"pages/{p.name}" for p in (Path(__file__).resolve().parents[2] / "pages").glob("*.py"))
KINDS = ("slider", "select_slider", "selectbox", "multiselect", "number_input", "text_input", "checkbox", "toggle",
         "radio", "button")


@pytest.mark.parametrize("page", PAGES)
def test_every_control_has_a_unique_plain_text_name(page):
    at = open_page(page)
    labels = [w.label for kind in KINDS for w in at.get(kind)]
    repeated = {label: n for label, n in Counter(labels).items() if n > 1}
    assert not repeated, repeated
    assert not [label for label in labels if "$" in label or "\\" in label]  # no raw LaTeX such as `momentum $\gamma$`
