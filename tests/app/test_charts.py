"""Every chart is drawn through optiviz.ui.charts.show: each has its own accessible name and keeps its zoom."""

from collections import Counter
from pathlib import Path

import pytest
from apptest_helpers import figures, open_card, open_page

PAGES = sorted(f"pages/{p.name}" for p in (Path(__file__).resolve().parents[2] / "pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_unique_name_and_a_ui_revision(page):
    charts = figures(open_page(page))
    names = [f["layout"].get("meta", {}).get("name", "") for f in charts]
    assert all(len(name) > 10 for name in names), names  # a sentence a screen reader can say, not a key
    assert not {n for n, k in Counter(names).items() if k > 1}, names
    assert all(f["layout"].get("uirevision") for f in charts)


def test_only_charts_show_calls_plotly_chart():
    root = Path(__file__).resolve().parents[2]
    callers = [p.relative_to(root).as_posix() for p in [*root.glob("pages/*.py"), *root.glob("optiviz/**/*.py")]
               if "plotly_chart(" in p.read_text()]
    assert callers == ["optiviz/ui/charts.py"]


def test_the_landscape_tab_names_each_slice_and_path_apart():
    names = [f["layout"]["meta"]["name"] for f in figures(open_card("3"))]
    assert len([n for n in names if "skip connections" in n]) == 4 and len(set(names)) == len(names), names
