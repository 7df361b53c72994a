"""A lecture-figure card's link lands on its figure: at 1280×720, once the page has settled, the figure the
card names is on the screen (its top below Streamlit's header bar, and most of it in view), not 1–3 screens
below the page's top. Read from where the browser draws it."""

import pytest
from lecture_lab import BOXES, card_url, one_page, open_card, visible_share

from optiviz.ui.lecture_figures import LECTURE_FIGURES

WIDTH, HEIGHT = 1280, 720
HEADER = "() => document.querySelector(\"[data-testid='stHeader']\").getBoundingClientRect().bottom"


@pytest.fixture(scope="module")
def laptop(browser):
    """One page at 1280×720 for every card."""
    yield from one_page(browser, WIDTH, HEIGHT)


@pytest.mark.parametrize("card", LECTURE_FIGURES, ids=lambda c: c.slug)
def test_a_card_lands_on_its_figure(laptop, app_url, card):
    key = card.focus[0]
    open_card(laptop, card_url(app_url, card), (key,))
    header = laptop.evaluate(HEADER)
    # The script lands once the chart is drawn, and follows it while the page above settles.
    laptop.wait_for_function(
        """([k, header, height]) => { const r = document.querySelector('.st-key-' + k).getBoundingClientRect();
             return r.top >= header - 1 && r.top < height / 2; }""", arg=[key, header, HEIGHT], timeout=30_000)
    laptop.wait_for_timeout(1_000)  # still there a second later
    box = laptop.evaluate(BOXES, [key])[0]
    assert header - 1 <= box["top"] < HEIGHT / 2, box
    assert visible_share(box, HEIGHT, header) >= 0.75 or box["bottom"] - box["top"] >= HEIGHT, box
    assert laptop.evaluate("() => document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect().width") > 0


def test_landing_lets_go_once_the_student_scrolls(laptop, app_url):
    card = next(c for c in LECTURE_FIGURES if c.slug == "5")
    open_card(laptop, card_url(app_url, card), card.focus)
    laptop.wait_for_function("(k) => document.querySelector('.st-key-' + k).getBoundingClientRect().top < 360",
                             arg=card.focus[0], timeout=30_000)
    laptop.mouse.move(700, 400)
    laptop.mouse.wheel(0, -600)  # back up the page
    laptop.wait_for_timeout(1_500)
    assert laptop.evaluate(BOXES, [card.focus[0]])[0]["top"] > 300  # not pulled back down to the figure
