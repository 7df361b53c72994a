"""Every Streamlit cache under optiviz/ui is bounded (docs/limits.md): each st.cache_data has max_entries and a
ttl; each st.cache_resource has max_entries (a ttl where it holds per-run results)."""

import ast
import importlib
from pathlib import Path

import pytest
from streamlit.runtime.caching.cache_utils import CachedFunc

UI = Path(__file__).resolve().parents[2] / "optiviz" / "ui"


def decorated():
    """(module, function, kind) for every function under optiviz/ui decorated with st.cache_data/cache_resource."""
    found = []
    for path in sorted(UI.rglob("*.py")):
        module = ".".join(("optiviz", "ui", *path.relative_to(UI).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    found.append((module, node.name, target.attr))
    return found


CACHES = decorated()


def test_the_caches_are_found():
    kinds = {kind for *_, kind in CACHES}
    assert len(CACHES) >= 20 and kinds == {"cache_data", "cache_resource"}
    assert ("optiviz.ui.optimizer_race.cache", "sweep", "cache_data") in CACHES


@pytest.mark.parametrize("module, name, kind", CACHES, ids=[f"{m.rsplit('.', 1)[1]}.{n}" for m, n, _ in CACHES])
def test_cache_is_bounded(module, name, kind):
    fn = getattr(importlib.import_module(module), name)
    assert isinstance(fn, CachedFunc), f"{module}.{name} is not a Streamlit cached function"
    info = fn._info  # Streamlit 1.67 keeps the decorator's arguments here (CachedDataFuncInfo / CachedResourceFuncInfo)
    assert isinstance(info.max_entries, int) and 0 < info.max_entries <= 256, f"{module}.{name}: max_entries"
    if kind == "cache_data":
        assert info.ttl is not None and 0 < float(info.ttl) <= 24 * 3600, f"{module}.{name}: ttl {info.ttl!r}"
