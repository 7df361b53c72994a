"""Lecture mode (present=1) in a real browser at 1920×1080, for every lecture-figure card: no sidebar and no
toolbar; the card's title and sentence, and of the page only the card's charts; the first of them whole on
the first screen; every tick label those charts draw at least 18 px. Steps are links; ?embed=true is clean."""

import pytest
from lecture_lab import BOXES, SHOWN_CHARTS, card_url, one_page, open_card, visible_share
from playwright.sync_api import expect

from optiviz.figures.projector import MIN_FONT
from optiviz.ui.lecture_figures import LECTURE_FIGURES

WIDTH, HEIGHT = 1920, 1080
RAVINE = next(c for c in LECTURE_FIGURES if c.slug == "12-13")
MOMENTUM = next(c for c in LECTURE_FIGURES if c.slug == "14")


@pytest.fixture(scope="module")
def screen(browser):
    """One page at 1920×1080 for every card."""
    yield from one_page(browser, WIDTH, HEIGHT)


def legend(page, key: str) -> list[str]:
    return page.evaluate("(k) => [...document.querySelectorAll('.st-key-' + k + ' .legendtext')].map(t => t.textContent)", key)


@pytest.mark.parametrize("card", LECTURE_FIGURES, ids=lambda c: c.slug)
def test_lecture_mode_shows_the_figure_alone_and_large(screen, app_url, card):
    open_card(screen, card_url(app_url, card, present=True, step=1 if card.steps else 0), card.focus)
    expect(screen.locator("[data-testid='stSidebar']")).to_be_hidden()
    expect(screen.locator("[data-testid='stHeader']")).to_be_hidden()
    title = f"{card.label} · {card.title}"
    expect(screen.get_by_role("heading", name=title)).to_be_visible()
    sentence = card.steps[0].sentence if card.steps else card.caption
    expect(screen.get_by_text(sentence)).to_be_visible()
    assert set(screen.evaluate(SHOWN_CHARTS)) == set(card.focus)  # nothing else of the page
    assert [h.inner_text() for h in screen.locator("[data-testid='stMain'] h1").all() if h.is_visible()] == [title]
    boxes = screen.evaluate(BOXES, list(card.focus))
    first = boxes[0]
    assert first["top"] >= 0 and visible_share(first, HEIGHT) > 0.999, first  # whole on the first screen
    assert first["left"] >= 0 and first["right"] <= WIDTH, first
    ticks = [size for box in boxes for size in box["ticks"]]
    assert ticks, boxes  # tick labels are drawn, and every one at projector size
    assert min(ticks) >= MIN_FONT, {b["key"]: sorted(set(b["ticks"])) for b in boxes}


def test_the_same_charts_on_the_page_itself_are_small(screen, app_url):
    """The check above can fail: without present=1 the race draws its ticks at 12 px."""
    open_card(screen, card_url(app_url, MOMENTUM), MOMENTUM.focus)
    assert max(screen.evaluate(BOXES, ["race_map"])[0]["ticks"]) < MIN_FONT
    expect(screen.locator("[data-testid='stSidebar']")).to_be_visible()


def test_steps_walk_forward_and_back_and_lead_to_the_whole_page(screen, app_url):
    open_card(screen, card_url(app_url, RAVINE, present=True, step=1), RAVINE.focus)
    assert legend(screen, "race_map") == ["SGD"]
    expect(screen.get_by_text(f"Step 1 of {len(RAVINE.steps)}")).to_be_visible()
    screen.get_by_role("link", name=f"{RAVINE.steps[1].label} →").click()
    screen.wait_for_url("**step=2**", timeout=30_000)
    screen.wait_for_function("() => [...document.querySelectorAll('.st-key-race_map .legendtext')].length === 2",
                             timeout=60_000)
    assert legend(screen, "race_map") == ["SGD", "Momentum"]
    expect(screen.get_by_text(RAVINE.steps[1].sentence)).to_be_visible()
    screen.get_by_role("link", name=f"← {RAVINE.steps[0].label}").click()
    screen.wait_for_url("**step=1**", timeout=30_000)
    screen.wait_for_function("() => [...document.querySelectorAll('.st-key-race_map .legendtext')].length === 1",
                             timeout=60_000)
    screen.get_by_role("link", name="Whole page").click()
    expect(screen.locator("[data-testid='stSidebar']")).to_be_visible(timeout=60_000)
    assert "present" not in screen.url and "figure=12-13" in screen.url


def test_a_cards_present_link_opens_lecture_mode(screen, app_url):
    screen.goto(f"{app_url}/lecture-figures")
    screen.locator("a[href*='figure=14&present=1']").first.click()
    screen.wait_for_function("() => document.querySelector('.st-key-race_map .main-svg')", timeout=60_000)
    expect(screen.get_by_role("heading", name=f"Figure 14 · {MOMENTUM.title}")).to_be_visible()
    expect(screen.locator("[data-testid='stSidebar']")).to_be_hidden()


@pytest.mark.parametrize("size", [(1280, 720), (960, 540)])
def test_an_embedded_card_shows_its_figure_first(browser, app_url, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        open_card(page, card_url(app_url, MOMENTUM, embed="true"), MOMENTUM.focus)
        expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
        assert set(page.evaluate(SHOWN_CHARTS)) == {"race_map"}
        box = page.evaluate(BOXES, ["race_map"])[0]
        assert 0 <= box["top"] < size[1] / 3 and visible_share(box, size[1]) > 0.5, box
        link = page.get_by_role("link", name="Open in optiviz ↗")
        assert "embed" not in link.get_attribute("href") and link.get_attribute("target") == "_blank"
    finally:
        context.close()


def test_embedded_without_a_figure_folds_the_sidebar_away(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        open_card(page, f"{app_url}/optimizer-race?surface=Ravine&embed=true", ("race_map",))
        assert page.evaluate("() => document.querySelector(\"[data-testid='stSidebar']\")?.getBoundingClientRect().width ?? 0") < 50
        box = page.evaluate(BOXES, ["race_map"])[0]
        assert box["top"] < 720 / 2, box  # the figure starts on the first screen
    finally:
        context.close()


# The first map's drawn scale, from where its tick labels are drawn: pixels per data unit across and up.
UNITS = """(k) => {
  const plot = document.querySelector('.st-key-' + k + ' .js-plotly-plot .subplot.xy');
  const scale = (selector, across) => {
    const ticks = [...plot.querySelectorAll(selector)].map(t => {
      const r = t.getBoundingClientRect();
      return [Number(t.textContent.replace('\u2212', '-')), across ? r.left + r.width / 2 : r.top + r.height / 2];
    }).filter(([v]) => Number.isFinite(v));
    const [v0, p0] = ticks[0], [v1, p1] = ticks[ticks.length - 1];
    return Math.abs((p1 - p0) / (v1 - v0));
  };
  return [scale('.xaxislayer-above .xtick text', true), scale('.yaxislayer-above .ytick text', false)];
}"""
MAPS = [("14", "race_map"), ("10", "bs_map"), ("3", "landscape_False")]


@pytest.mark.parametrize("slug, key", MAPS)
def test_maps_keep_true_angles_whatever_the_window(browser, app_url, slug, key):
    """One unit is as long across as up on the drawn map, on a projector and on a laptop: path angles do not
    change with the window."""
    card = next(c for c in LECTURE_FIGURES if c.slug == slug)
    for width, height in ((1920, 1080), (1280, 720)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        try:
            open_card(page, card_url(app_url, card, present=True), card.focus)
            across, up = page.evaluate(UNITS, key)
            assert across == pytest.approx(up, rel=0.02), (width, across, up)
        finally:
            context.close()
