"""The learning-rate page's three CSV downloads, pressed in Chromium: each is made from the cache when pressed
(the tab keeps only the cache arguments), and holds the table the page draws."""

import csv
import io

import pytest
from playwright.sync_api import expect

DOWNLOADS = {
    "Download Figure 11 (CSV)": ("run", {"very high", "high", "good", "low", "your α"}),
    "Download the range test (CSV)": ("learning_rate", None),
    "Download the annealing runs (CSV)": ("run", {"constant", "exp", "inv", "step"}),
}


@pytest.mark.parametrize("label", list(DOWNLOADS))
def test_each_download_holds_its_table(page, app_url, label):
    page.goto(f"{app_url.rstrip('/')}/learning-rate")
    button = page.get_by_role("button", name=label)
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    column, expected = DOWNLOADS[label]
    assert len(rows) > 10 and column in rows[0]
    if expected is not None:
        assert {row[column] for row in rows} == expected
    else:  # the range test: the 41 swept rates, rising, with a loss after the long run
        rates = [float(row["learning_rate"]) for row in rows]
        assert len(rates) == 41 and rates == sorted(rates)
        assert any(key.startswith("loss after ") for key in rows[0])
