"""optiviz/ui/keyboard.py puts one static script in every page, and st.html's sanitizer keeps it.

The sanitizer (DOMPurify, in Streamlit's frontend) removes a <script> whose text holds "<" before a letter
or "/": the script and the style it carries must hold none. The browser behaviour itself is tested in
tests/browser/test_accessibility.py.
"""

import json
import re

from apptest_helpers import open_page

from optiviz.ui import keyboard


def test_the_script_survives_the_sanitizer_and_carries_the_style():
    body = keyboard._HTML.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    assert not re.search(r"<[/\w]", body)
    css = json.loads(body.split("window.__optivizCss = ", 1)[1].split(";\n", 1)[0])
    assert "fill: currentColor !important" in css
    assert keyboard._HTML.startswith("<span hidden data-optiviz-a11y></span><script>")  # a leading <script> is dropped


def test_every_page_gets_the_script_once():
    at = open_page("pages/optimizer_race.py")
    scripts = [h for h in at.get("html") if "__optivizA11y" in h.proto.body]
    assert len(scripts) == 1 and scripts[0].proto.unsafe_allow_javascript
