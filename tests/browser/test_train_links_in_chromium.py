"""Train a network in Chromium: the address bar follows every control at once, the old results say they are old,
the epoch slider is in the address and moves the boundary without rerunning the page, and Train is in view on a
laptop (1280 × 720)."""

import re

from lab import CHARTS, assert_no_exception
from playwright.sync_api import expect

SMALL = "samples=100&epochs=20&seeds=2"
LAPTOP = {"width": 1280, "height": 720}


def open_training(page, app_url: str, query: str) -> None:
    page.set_viewport_size(LAPTOP)
    page.goto(f"{app_url}/train-network?{query}")
    expect(page.locator(CHARTS)).to_have_count(9, timeout=120_000)  # 4 boundaries, the curves, 4 gradient norms


def boundary_title(page) -> str:
    return page.locator(CHARTS).first.locator("g.annotation-text-g text").first.text_content()


def test_train_is_in_view_on_a_laptop(page, app_url):
    open_training(page, app_url, SMALL)
    train = page.get_by_role("button", name="Train", exact=True)
    box = train.bounding_box()
    assert box and box["y"] + box["height"] <= LAPTOP["height"], box  # was 3,720 px down a 3,872 px sidebar


def test_a_change_is_in_the_address_at_once_and_the_old_results_say_so(page, app_url):
    open_training(page, app_url, SMALL)
    assert "epoch 20" in boundary_title(page)
    page.locator("input[type=range][aria-label='Epochs']").focus()
    page.keyboard.press("ArrowLeft")  # 20 -> 19 epochs, not trained yet
    page.wait_for_function("() => location.search.includes('epochs=19')", timeout=30_000)
    notice = page.get_by_text("These results are for the previous settings")
    expect(notice).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stAlert']").filter(has_text="Epochs 20 → 19")).to_have_count(1)
    assert "epoch 20" in boundary_title(page)  # the old results, still there
    page.get_by_role("button", name="Train with the new settings").click()
    expect(notice).to_have_count(0, timeout=60_000)
    page.wait_for_function(f"""() => document.querySelector("{CHARTS} g.annotation-text-g text")
        .textContent.includes('epoch 19')""", timeout=60_000)
    assert_no_exception(page)


def test_the_epoch_is_in_the_address_and_reruns_only_the_boundaries(page, app_url):
    frames = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f if isinstance(f, bytes) else f.encode())))
    open_training(page, app_url, SMALL + "&epoch=5")
    assert "epoch 5 " in boundary_title(page)  # the link's epoch
    frames.clear()
    page.locator("input[type=range][aria-label='Epoch']").focus()  # "Epochs" is the training's length
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('epoch=6')", timeout=30_000)
    page.wait_for_function(f"""() => document.querySelector("{CHARTS} g.annotation-text-g text")
        .textContent.includes('epoch 6 ')""", timeout=60_000)
    sent = b"".join(frames)
    assert re.search(rb"epoch 6 ", sent)  # the boundaries came back ...
    assert b"Units per hidden layer" not in sent and b"Learning curves" not in sent  # ... and nothing else did
    frames.clear()  # the control: a sidebar control reruns the page, and those labels do come back
    page.locator("input[type=range][aria-label='Epochs']").focus()
    page.keyboard.press("ArrowLeft")
    page.get_by_text("These results are for the previous settings").wait_for(timeout=30_000)
    assert b"Units per hidden layer" in b"".join(frames) and b"Learning curves" in b"".join(frames)
    assert_no_exception(page)


def test_a_group_stays_open_when_its_value_returns_to_the_default(page, app_url):
    open_training(page, app_url, SMALL.replace("samples=100&", ""))  # the data group starts closed
    group = page.locator("[data-testid='stExpander'] details").filter(has_text="Samples, noise, split")
    assert group.get_attribute("open") is None
    page.get_by_text("Samples, noise, split").click()
    noise = page.locator("input[type=range][aria-label='Noise']")
    noise.focus()
    page.keyboard.press("ArrowRight")  # 0.05 -> 0.06: into the URL
    page.wait_for_function("() => location.search.includes('noise=0.06')", timeout=30_000)
    noise.focus()
    page.keyboard.press("ArrowLeft")  # back to the default: out of the URL
    page.wait_for_function("() => !location.search.includes('noise')", timeout=30_000)
    expect(page.get_by_text("These results are for the previous settings")).to_have_count(0, timeout=30_000)
    assert group.get_attribute("open") is not None  # it used to snap shut here
