"""The tree is laid out by lab (issue 15): each page's stem names its engine, its figures and its Streamlit glue."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_LABS = {"home", "lecture_figures"}  # the pages that link to the labs
LABS = sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem not in NOT_LABS)


def module_or_package(folder: Path, stem: str) -> bool:
    return (folder / f"{stem}.py").is_file() or (folder / stem / "__init__.py").is_file()


def test_every_lab_page_is_found():
    assert len(LABS) == 8 and "optimizer_race" in LABS and "train_network" in LABS


@pytest.mark.parametrize("stem", LABS)
@pytest.mark.parametrize("layer", ["labs", "figures", "ui"])
def test_each_lab_has_one_stem_in_every_layer(stem, layer):
    assert module_or_package(ROOT / "optiviz" / layer, stem), f"optiviz/{layer}/ has no {stem}"


def test_the_old_names_are_gone():
    old = ["optiviz/minibatch.py", "optiviz/preprocessing_lab.py", "optiviz/regularization_lab.py",
           "optiviz/penalty_paths.py", "optiviz/nn/init_stats.py", "optiviz/nn/init_training.py", "optiviz/ui/cache.py",
           "optiviz/figures/race.py", "optiviz/figures/init.py", "optiviz/figures/training.py",
           "optiviz/ui/minibatch_cache.py", "optiviz/ui/race_controls.py", "optiviz/ui/race_views.py"]
    assert [name for name in old if (ROOT / name).exists()] == []
