"""Keyboard reach, accessible names and readable text for what Plotly and Streamlit draw.

``enable()`` (app.py calls it once per run) puts two static assets in the page: ``keyboard.js``
(▶ Play / ❚❚ Pause and plotly's step sliders reachable with Tab and driven by keys, each chart
named after ``layout.meta.name``, repeated toolbar names told apart) and ``keyboard.css`` (chart
text in the theme's text colour, a visible focus ring). ``st.html`` runs the script in the page
itself, not in an iframe, so it reaches the charts; no text from a user or a link goes into it.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent
# st.html's sanitizer (DOMPurify) removes a <script> or <style> whose text holds "<" before a letter or
# "/" (an mXSS guard), so the style travels inside the script as JSON with every "<" escaped, and the
# script adds it to the page's head; keyboard.js itself has none (tests/app/test_keyboard_asset.py).
_CSS = json.dumps((_HERE / "keyboard.css").read_text(encoding="utf-8")).replace("<", "\\u003c")
_HTML = (f"<span hidden data-optiviz-a11y></span><script>window.__optivizCss = {_CSS};\n"
         + (_HERE / "keyboard.js").read_text(encoding="utf-8") + "</script>")


def enable() -> None:
    """Add the accessibility script and style to the page (once per run; the script guards itself)."""
    st.html(_HTML, width="content", unsafe_allow_javascript=True)
