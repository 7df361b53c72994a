"""Shared links in a real browser: a lecture-figure link opens its page with its settings, and the
address follows the controls, so copying it shares the view."""

from urllib.parse import urlencode

from playwright.sync_api import expect
from lab import BASE_PATH_PROBES, PATH_LENGTHS, assert_no_exception
from lab import CHARTS as MAP

NOTE = "This link asked for settings that cannot be used"


def test_a_lecture_figure_link_opens_the_ravine_race(page, app_url):
    query = urlencode({"surface": "Ravine", "optimizers": ["SGD", "Momentum"], "steps": "120"}, doseq=True)
    page.goto(f"{app_url}/optimizer-race?{query}")
    expect(page.get_by_role("heading", name="Ravine")).to_be_visible(timeout=30_000)
    page.wait_for_function(f"() => ({PATH_LENGTHS})().length === 2", timeout=30_000)
    assert set(page.evaluate(PATH_LENGTHS)) <= {121}  # both paths, 120 steps each
    expect(page.get_by_role("link", name="Lecture figures")).to_be_visible()  # app.py ran: its navigation is there
    expect(page.get_by_text(NOTE)).to_have_count(0)
    assert_no_exception(page)
    assert [e for e in page.errors if not any(p in e for p in BASE_PATH_PROBES)] == []


def test_a_bad_link_is_named_and_falls_back(page, app_url):
    page.goto(f"{app_url}/optimizer-race?steps=nan&colour=red")
    expect(page.get_by_text(NOTE)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("steps=nan")).to_be_visible()
    expect(page.locator(MAP)).to_have_count(1, timeout=30_000)  # the race map, with its loss strip
    page.wait_for_function(f"() => ({PATH_LENGTHS})().every(n => n === 201)", timeout=30_000)  # the default 200 steps
    assert_no_exception(page)


def test_the_address_follows_the_controls(page, app_url):
    page.goto(f"{app_url}/optimizer-race")
    expect(page.locator(MAP)).to_have_count(1, timeout=30_000)  # the race map, with its loss strip
    page.get_by_role("slider", name="Steps").focus()
    page.keyboard.press("ArrowLeft")  # 200 -> 190 steps
    page.wait_for_url("**steps=190**", timeout=30_000)
    shared = page.url
    other = page.context.new_page()  # a student opening the copied link
    other.goto(shared)
    other.wait_for_function(f"() => ({PATH_LENGTHS})().length === 4 && ({PATH_LENGTHS})().every(n => n === 191)",
                            timeout=30_000)
    other.close()


def test_the_lecture_figures_page_shows_copyable_links(page, app_url):
    page.goto(f"{app_url}/lecture-figures")
    expect(page.get_by_role("heading", name="Lecture figures")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Figure 17 · Double descent")).to_be_visible()
    expect(page.get_by_text(f"{app_url}/optimizer-race?surface=Ravine").first).to_be_visible()
    page.get_by_role("link", name="Open Figure 3", exact=True).click()
    expect(page.get_by_role("heading", name="Train a network")).to_be_visible(timeout=60_000)
    assert_no_exception(page)
