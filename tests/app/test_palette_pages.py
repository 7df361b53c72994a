"""Every figure of every page at its defaults, and of every lecture-figure card: colour-blind safe, and readable
on Streamlit's light and dark themes (AppTest; what counts as a series: tests/palette_marks.py)."""

import pytest
from apptest_helpers import figures, open_card, open_page

from optiviz.ui.lecture_figures import LECTURE_FIGURES
from tests.palette_marks import hard_coded_ink, marks, too_close, unreadable

PAGES = ("pages/optimizer_race.py", "pages/batch_size.py", "pages/learning_rate.py", "pages/train_network.py",
         "pages/preprocessing.py", "pages/activations_init.py", "pages/double_descent.py", "pages/regularization.py")
CARDS = [f.figures if f.figures != "—" else f.title for f in LECTURE_FIGURES]


def _name(fig: dict) -> str:
    return (fig.get("layout", {}).get("meta") or {}).get("name", "a figure")


def _problems(figs: list[dict]) -> list[str]:
    found = []
    for fig in figs:
        found += [f"{_name(fig)}: ΔE {d} between {a.series} {a.colour} and {b.series} {b.colour}, both {a.style}"
                  for d, a, b in too_close(fig)]
        found += [f"{_name(fig)}: {m.series} in {m.colour} (outline {m.outline}) is under 3:1 on a theme"
                  for m in unreadable(fig)]
        found += [f"{_name(fig)}: {ink}" for ink in hard_coded_ink(fig)]
    return found


def _check(figs: list[dict]) -> None:
    assert figs, "no figure drawn"
    assert any(marks(f) for f in figs)  # the check saw series
    assert not _problems(figs), "\n".join(_problems(figs))


@pytest.mark.parametrize("page", PAGES)
def test_page_defaults(page):
    _check(figures(open_page(page)))


@pytest.mark.parametrize("key", CARDS)
def test_lecture_figure_card(key):
    _check(figures(open_card(key)))
