"""A hostile link in a real browser (issue 16 §1): its names and values are shown as typed, never as a link,
an image, a heading, coloured text, maths or an emoji, and the page makes no request to the link's hosts."""

from urllib.parse import quote, urlencode, urlsplit

import pytest
from playwright.sync_api import expect
from lab import assert_no_exception

NOTE = "This link asked for settings that cannot be used"
HOSTS = ("evil.invalid", "127.0.0.2")
GROUPS = {  # at most 8 refused names a link: the note names 8, then "and N more"
    "links": {
        "zz": "x` [log in](http://evil.invalid/a) `y",
        "img": "![t](http://evil.invalid/p.png)",
        "img2": "![t](http://127.0.0.2:8719/p.png)",
        "auto": "<http://evil.invalid/b>",
        "www": "www.evil.invalid",
        "link": "[a](http://evil.invalid/c)",
        "[k](http://evil.invalid/d)": "1",
        "raw": "<img src=http://127.0.0.2:8718/q.png>",
    },
    "text": {
        "red": ":red[**x**]",
        "head": "a\n\n# Heading",
        "n\n\n# Name": "1",
        "emoji": ":smile:",
        "icon": ":material/home:",
        "tex": "$x^2$",
        "bidi": "abc\u202edef",
        "steps": "x``![t](http://evil.invalid/s.png)``",
    },
}
SHOWN = {  # what the note must show, as typed (newlines and U+202E removed)
    "links": ["zz=x` [log in](http://evil.invalid/a) `y", "img=![t](http://evil.invalid/p.png)", "www=www.evil.invalid",
              "auto=<http://evil.invalid/b>", "link=[a](http://evil.invalid/c)", "[k](http://evil.invalid/d)=1"],
    "text": ["red=:red[**x**]", "head=a# Heading", "n# Name=1", "emoji=:smile:", "icon=:material/home:", "tex=$x^2$",
             "bidi=abcdef"],
}
# Colours, links, images, headings, maths or emoji that Markdown would have made of the link.
MADE = """(note) => ({
  anchors: [...note.querySelectorAll('a')].map(a => a.href),
  images: note.querySelectorAll('img, picture, svg image').length,
  headings: note.querySelectorAll('h1, h2, h3, h4, h5, h6').length,
  maths: note.querySelectorAll('.katex, math').length,
  coloured: [...note.querySelectorAll('[style*="color"], [class*="Colored"], [class*="colored"]')].length,
  colours: [...new Set([...note.querySelectorAll('code')].map(c => getComputedStyle(c).color))],
  strong: [...note.querySelectorAll('strong')].map(s => s.textContent),
  text: note.innerText,
})"""


@pytest.mark.parametrize("group", GROUPS)
def test_a_hostile_link_is_shown_as_typed_and_fetches_nothing(page, app_url, group):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{app_url}/optimizer-race?{urlencode(GROUPS[group], quote_via=quote)}")
    note = page.locator(".st-key-link_note")
    expect(note.get_by_text(NOTE)).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # time for any image or prefetch to be requested
    made = note.evaluate(MADE)
    assert made["anchors"] == [] and made["images"] == 0 and made["headings"] == 0 and made["maths"] == 0, made
    assert made["coloured"] == 0 and len(made["colours"]) == 1, made  # every code span one colour: no :red[]
    assert made["strong"] == [NOTE + ":"], made  # the app's own bold heading only: no **x** from the link
    text = made["text"].replace("\u2060", "")  # the word joiner that keeps ":material/" from Streamlit's rewrite
    assert "\u202e" not in text and "Heading\n" not in text and "😄" not in text
    for shown in SHOWN[group]:
        assert shown in text, (shown, text.split("\n"))
        visible = shown.partition("/home:")[0]  # (get_by_text does not skip the word joiner)
        expect(note.get_by_text(visible, exact=False).first).to_be_visible()
    hosts = {urlsplit(u).hostname for u in requests}
    assert not [h for h in hosts if h and h.endswith(HOSTS)], hosts  # not the link's hosts (only its own page's)
    assert hosts == {"127.0.0.1"}, hosts
    assert page.locator("a[href*='evil'], img[src*='evil'], img[src*='127.0.0.2']").count() == 0
    assert_no_exception(page)
