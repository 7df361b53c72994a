"""Shareable links: every control is bound to the URL; a link's values are untrusted.

Streamlit already refuses a bound value it cannot use (a non-number, NaN, inf, an unknown
option, a value out of range): the control starts from its default and the value leaves the
URL. These helpers make that visible, naming each refused value and what is used instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitAPIException

Params = dict[str, list[str]]


def requested() -> Params:
    """The URL's query parameters as the page was asked for them, before any control reads them."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _drop(key: str) -> None:
    """Take ``key`` out of the URL, unless a control of the last run holds it (the control then owns the value)."""
    try:
        del st.query_params[key]
    except StreamlitAPIException:
        pass


def _shown(values: list[str]) -> str:
    return ", ".join(values) if values else "(empty)"


def _same(values: list[str], value) -> bool:
    """Whether a control holds the value the URL asked for (0.50 is 0.5; true is True; SGD is sgd)."""
    if isinstance(value, (list, tuple)):  # a multiselect: its options by name (SGD is sgd)
        return sorted(v.strip().lower() for v in values) == sorted(str(v).lower() for v in value)
    if len(values) != 1:
        return False
    try:
        return float(values[0]) == float(value)
    except (TypeError, ValueError):
        return values[0].strip().lower() == str(value).lower()


def problems(asked: Params, kept: Params, controls: Mapping[str, object]) -> list[str]:
    """One line per refused or changed link value: ``asked`` before the controls ran, ``kept`` after.

    ``controls`` maps each control's key to the value it now holds. Streamlit drops a value from
    the URL both when it refuses it and when it equals the default, so a dropped value counts as
    refused only when the control does not hold it.
    """
    lines = []
    for key, values in asked.items():
        if key not in controls:
            lines.append(f"`{key}={_shown(values)}` is not a setting of this page (or not used with these settings): ignored.")
        elif kept.get(key) != values and not _same(values, controls[key]):
            value = controls[key]
            used = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else f"{value:g}" if isinstance(value, float) else str(value)
            lines.append(f"`{key}={_shown(values)}` is not allowed here: using {used}.")
    return lines


def report(asked: Params, place, checked: Mapping[str, str | None] | None = None) -> None:
    """Show in ``place`` (an ``st.empty()``) which of the link's values were refused; drop unknown names from the URL.

    Call it after the page ran, so that every control has read its value. ``checked`` holds values read by
    something other than a control (lecture mode's): each with the line that refuses it, or None.
    """
    checked = checked or {}
    asked = {k: v for k, v in asked.items() if k not in checked}
    lines = [line for line in checked.values() if line]
    lines += problems(asked, requested(), {k: st.session_state[k] for k in asked if k in st.session_state})
    if not lines:
        return
    for key in asked:
        if key not in st.session_state and key in st.query_params:
            _drop(key)
    place.info("**This link asked for settings that cannot be used:**\n\n" + "\n".join(f"- {line}" for line in lines),
            icon=":material/link_off:")
