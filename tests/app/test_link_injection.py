"""A link's names and values are echoed in the note as literal text: no link, image, heading, colour, maths or
flipped text can be injected (issue 16 §1); a link with very many names costs one address update (§2)."""

import re

import pytest
from apptest_helpers import clean, follow
from streamlit.runtime.state.query_params import QueryParams

from optiviz.ui import links
from optiviz.ui.lecture_figures import FIGURE

NOTE = "This link asked for settings that cannot be used"
EVIL = "http://evil.invalid/p.png"
VALUES = {  # the vectors of issue 16 §1, in a value
    "backtick": f"x` [log in]({EVIL}) `y",
    "double backtick": f"x`` [log in]({EVIL}) ``y",
    "image": f"![t]({EVIL})",
    "directive": ":red[**x**]",
    "heading": "a\n\n# Heading",
    "autolink": "<http://evil.invalid/a>",
    "www": "www.evil.invalid",
    "link": f"[a]({EVIL})",
    "emoji": ":smile: :material/home:",
    "maths": "$x^2$ and $$y$$",
    "html": "<img src=http://127.0.0.2:8711/p.png>",
}


def spans(body: str) -> tuple[str, list[str]]:
    """``body`` split as CommonMark splits code spans: the text outside them, and each span's content.

    A run of n backticks opens a span closed by the next run of exactly n backticks; unmatched, it is text."""
    outside, inside, i = [], [], 0
    while i < len(body):
        run = re.match(r"`+", body[i:])
        if not run:
            outside.append(body[i])
            i += 1
            continue
        n, start = len(run.group()), i + len(run.group())
        close = next((m for m in re.finditer(r"`+", body[start:]) if len(m.group()) == n), None)
        if close is None:
            outside.append(run.group())
            i = start
            continue
        content = body[start:start + close.start()]
        inside.append(content[1:-1] if len(content) > 2 and content[0] == content[-1] == " " else content)
        i = start + close.end()
    return "".join(outside), inside


def note(at) -> str:
    found = [i.value for i in at.info if NOTE in i.value]
    assert len(found) == 1, found
    return found[0]


def assert_inert(body: str) -> tuple[str, list[str]]:
    """Nothing of the link is Markdown: outside the code spans only the app's own words, no blank line but the
    header's, every line a list item."""
    body = body.replace(":material\u2060/", ":material/")  # the only invisible character: see links.quote
    outside, inside = spans(body)
    header, _, items = body.partition("\n\n")
    assert "\n\n" not in items and header.startswith("**" + NOTE)
    assert all(line.startswith("- ") for line in items.split("\n")), items
    for token in ("evil", "](", "![", "<", "www.", ":red", ":smile", "$", "#", "\\", "\u202e", "127.0.0.2"):
        assert token not in outside, (token, outside)
    assert not any(unicode_hidden(c) for c in body.replace("\n", "")), body
    return outside, inside


def unicode_hidden(c: str) -> bool:
    import unicodedata

    return unicodedata.category(c) in links.HIDDEN


@pytest.mark.parametrize("name", VALUES)
def test_a_value_is_shown_literally(name):
    value = VALUES[name]
    at = clean(follow("pages/optimizer_race.py", {"zz": value, "steps": value}))
    assert at.session_state["steps"] == 200
    _, inside = assert_inert(note(at))
    shown = "zz=" + links.plain(value)
    assert shown in inside, (shown, inside)  # the whole (cut) value, as typed, in one code span
    assert any(s.startswith("steps=") for s in inside)
    assert "zz" not in at.query_params


@pytest.mark.parametrize("name", ["x\n\n# Heading", f"[k]({EVIL})", f"![k]({EVIL})", "k`` [a](http://evil.invalid) ``",
                                  ":red[**k**]", "www.evil.invalid"])
def test_a_name_is_shown_literally(name):
    at = clean(follow("pages/optimizer_race.py", {name: "1"}))
    _, inside = assert_inert(note(at))
    assert f"{links.plain(name)}=1" in inside
    assert name not in at.query_params


def test_bidi_and_control_characters_are_removed_and_long_values_cut():
    value = "abc\u202edef\u2066g\u200fh\u061c\x00\x1b[31m\u2028" + "x" * 5000
    at = clean(follow("pages/optimizer_race.py", {"zz\u202e": value}))
    _, inside = assert_inert(note(at))
    assert inside[0] == "zz=abcdefgh[31m" + "x" * 27 + "…", inside  # 40 characters of the value
    assert len(inside[0]) <= 3 + links.SHOWN


def test_lecture_mode_values_go_through_the_same_quote():
    at = clean(follow("pages/optimizer_race.py", {FIGURE: VALUES["backtick"], "present": ":red[x]", "step": "\u202e1"}))
    _, inside = assert_inert(note(at))
    assert f"figure={links.plain(VALUES['backtick'])}" in inside
    assert "present=:red[x]" in inside and "step=1" in inside


@pytest.mark.parametrize("text, expected", [
    ("a", "`k=a`"), ("a`b", "``k=a`b``"), ("a``b`", "``` k=a``b` ```"), (" a ", "` k= a  `"),
])
def test_quote_fences_every_backtick_run(text, expected):
    assert links.quote("k", [text]) == expected
    _, inside = spans(expected)
    assert inside == [f"k={text}"]


@pytest.fixture
def address_updates(monkeypatch):
    """Every address update the app sends (a ForwardMsg with the whole query string), by its length."""
    sent = []
    send = QueryParams._send_query_param_msg

    def counting(self):
        from urllib.parse import urlencode

        sent.append(len(urlencode(self._query_params, doseq=True)))
        return send(self)

    monkeypatch.setattr(QueryParams, "_send_query_param_msg", counting)
    return sent


def test_many_unknown_names_cost_one_address_update_and_a_bounded_note(address_updates):
    names = {f"k{i:03d}": f"[v]({EVIL})" for i in range(997)}  # 999 names in all: Streamlit reads up to 1000
    at = follow("pages/optimizer_race.py", {"steps": "350", "surface": "Ravine"} | names, timeout=300)
    clean(at)
    body = note(at)
    assert len(address_updates) == 1, address_updates  # one assignment, not one per name
    read = links.MAX_NAMES - 2  # the unknown names among the first MAX_NAMES
    assert f"and {read - links.MAX_LINES} more" in body
    assert f"{len(names) - read} more names after the first {links.MAX_NAMES} were not read" in body
    assert body.count("\n- ") <= links.MAX_LINES + 2 and len(body) < 2000, len(body)
    assert_inert(body)
    assert at.session_state["steps"] == 350 and at.session_state["surface"] == "ravine"  # the controls keep theirs
    assert dict(at.query_params) == {"steps": "350", "surface": "Ravine"}  # bound values stay, the rest leave


def test_a_bound_value_stays_when_unknown_names_leave(address_updates):
    at = clean(follow("pages/optimizer_race.py", {"a": "1", "b": "2", "steps": "300"}))
    assert len(address_updates) == 1
    assert dict(at.query_params) == {"steps": "300"}
    assert at.session_state["steps"] == 300


def test_a_plain_link_sends_no_address_update(address_updates):
    at = clean(follow("pages/optimizer_race.py", {"steps": "300"}))
    assert address_updates == [] and not [i for i in at.info if NOTE in i.value]


def test_what_is_read_of_a_link_is_bounded():
    at = follow("pages/optimizer_race.py", {"a": ["y" * 3000] * 60} | {f"n{i}": "1" for i in range(70)})
    clean(at)
    body = note(at)
    assert_inert(body)
    assert len(body) < 2000 and "21 more names after the first 50 were not read" in body
    assert not at.query_params


class FakeParams(dict):
    def get_all(self, key):
        return self[key]


def test_requested_reads_a_bounded_part_of_the_link(monkeypatch):
    asked = {f"n{i}": ["v" * 9000] * 99 for i in range(120)}
    monkeypatch.setattr(links, "st", type("St", (), {"query_params": FakeParams(asked)}))
    read = links.requested()
    assert list(read) == [f"n{i}" for i in range(links.MAX_NAMES)]
    assert all(v == ["v" * links.MAX_CHARS] * links.MAX_VALUES for v in read.values())
