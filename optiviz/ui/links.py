"""Shareable links: every control is bound to the URL; a link's values are untrusted.

Streamlit already refuses a bound value it cannot use (a non-number, NaN, inf, an unknown
option, a value out of range): the control starts from its default and the value leaves the
URL. These helpers make that visible, naming each refused value and what is used instead.

A link's names and values are shown only through ``quote``: as literal text (a Markdown code span
that nothing in them can close), without control or bidi characters, cut short. Only the first
``MAX_NAMES`` names are read, and the note names at most ``MAX_LINES`` of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import streamlit as st
from streamlit.errors import StreamlitAPIException

Params = dict[str, list[str]]
MAX_NAMES, MAX_VALUES, MAX_CHARS = 50, 50, 2000  # what is read of a link: names, values per name, characters per value
MAX_LINES, SHOWN = 8, 40  # the note: lines before "and N more"; characters shown of a name or a value
# control, format (bidi), surrogate, private, unassigned, line breaks
HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def requested() -> Params:
    """The URL's query parameters as the page was asked for them, before any control reads them: the first
    ``MAX_NAMES`` names, ``MAX_VALUES`` values each, each value cut to ``MAX_CHARS`` characters."""
    asked: Params = {}
    for key in st.query_params:
        if len(asked) == MAX_NAMES:
            break
        asked[key] = _values(key)
    return asked


def _values(key: str) -> list[str]:
    """The URL's values for ``key``, as much of them as is read (``MAX_VALUES`` of ``MAX_CHARS`` characters)."""
    return [v[:MAX_CHARS] for v in st.query_params.get_all(key)[:MAX_VALUES]]


def _drop(key: str) -> None:
    """Take ``key`` out of the URL, unless a control of the last run holds it (the control then owns the value)."""
    try:
        del st.query_params[key]
    except StreamlitAPIException:
        pass


def _drop_all(keys: Iterable[str]) -> None:
    """Take ``keys`` out of the URL in ONE address update (each deletion sends the whole query string); a key
    bound to a control stays (Streamlit refuses to delete it)."""
    keys = [k for k in keys if k in st.query_params]
    if len(keys) <= 1:
        return _drop(keys[0]) if keys else None
    try:
        from streamlit.runtime.state import get_session_state  # the URL's store: remove quietly, then send once

        with get_session_state().query_params() as qp:
            for key in keys:
                if not qp.is_bound(key):
                    qp.discard_param_no_forward_msg(key)
            qp.update(())  # one message with the remaining query string
    except (ImportError, AttributeError):  # another Streamlit: one deletion each, as before
        for key in keys:
            _drop(key)


def plain(text: str, limit: int = SHOWN) -> str:
    """``text`` without control, bidi/format or line-break characters (Unicode Cc, Cf, Zl, Zp, ...), cut to
    ``limit`` characters with "…"."""
    text = "".join(c for c in text if unicodedata.category(c) not in HIDDEN)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def quote(key: str, values: list[str]) -> str:
    """``key=value`` from a link as a note shows it: literal text, never Markdown.

    ``plain`` key and values, in a code span fenced by a backtick run of a length that does not occur inside
    (CommonMark: nothing in a code span is parsed: no link, image, heading, emoji, :red[...] or $maths$). An
    invisible word joiner keeps ":material/" as typed: Streamlit rewrites it before parsing, even in code."""
    text = f"{plain(key)}={plain(', '.join(values)) if values else '(empty)'}"
    text = text.replace(":material/", ":material\u2060/")  # Streamlit rewrites that to ":material_" even in code
    runs = {len(run) for run in re.findall("`+", text)}
    fence = "`" * min(set(range(1, len(runs) + 2)) - runs)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""  # one space each side is stripped again
    return f"{fence}{pad}{text}{pad}{fence}"


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
            lines.append(f"{quote(key, values)} is not a setting of this page (or not used with these settings): "
                         "ignored.")
        elif kept.get(key) != values and not _same(values, controls[key]):
            value = controls[key]
            used = (", ".join(map(str, value)) if isinstance(value, (list, tuple))
                    else f"{value:g}" if isinstance(value, float) else str(value))
            lines.append(f"{quote(key, values)} is not allowed here: using {used}.")
    return lines


def report(asked: Params, place, checked: Mapping[str, str | None] | None = None) -> None:
    """Show in ``place`` (an ``st.empty()``) which of the link's values were refused; drop unknown names from the URL.

    Call it after the page ran, so that every control has read its value. ``checked`` holds values read by
    something other than a control (lecture mode's): each with the line that refuses it, or None.
    """
    checked = checked or {}
    asked = {k: v for k, v in asked.items() if k not in checked}
    lines = [line for line in checked.values() if line]
    kept = {k: _values(k) for k in asked if k in st.query_params}
    lines += problems(asked, kept, {k: st.session_state[k] for k in asked if k in st.session_state})
    unread = [k for k in st.query_params if k not in asked and k not in checked and k not in st.session_state]
    if not lines and not unread:
        return
    _drop_all(k for k in st.query_params if k not in st.session_state and k not in checked)
    shown = [f"- {line}" for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f"- and {len(lines) - MAX_LINES} more.")
    if unread:
        shown.append(f"- {len(unread)} more names after the first {MAX_NAMES} were not read: ignored.")
    place.info("**This link asked for settings that cannot be used:**\n\n" + "\n".join(shown),
               icon=":material/link_off:")
