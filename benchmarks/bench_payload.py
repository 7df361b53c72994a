"""Bytes of the optimizer page's figures as Streamlit sends them, at the defaults and with twice the steps.

Goal: at most 600 KB at the defaults, and doubling the steps at most doubles it.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from streamlit.testing.v1 import AppTest  # noqa: E402

from optiviz.core.surfaces import SURFACES  # noqa: E402

LIMIT = 600_000


def payload(at: AppTest) -> int:
    assert not at.exception, [e.value for e in at.exception]
    return sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))


def main() -> int:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/optimizer_race.py").run()
    default_steps = at.slider(key="steps").value
    rows, ok = [], True
    for surface in SURFACES:
        at.selectbox(key="surface").set_value(surface)
        at.slider(key="steps").set_value(default_steps).run()
        base = payload(at)
        at.slider(key="steps").set_value(2 * default_steps).run()
        doubled = payload(at)
        ok &= base <= LIMIT and doubled <= 2 * base
        rows.append((surface, base, doubled, doubled / base))
    print(f"Optimizer page figures (map + loss curves), {default_steps} steps vs {2 * default_steps} steps")
    print(f"{'surface':<12} {'default':>10} {'2x steps':>10} {'ratio':>6}")
    for surface, base, doubled, ratio in rows:
        print(f"{surface:<12} {base / 1000:>8.0f}KB {doubled / 1000:>8.0f}KB {ratio:>6.2f}")
    print(f"goal: default <= {LIMIT / 1000:.0f} KB and ratio <= 2.00: {'PASS' if ok else 'FAIL'}")
    return 0 if ok or "--check" not in sys.argv else 1


if __name__ == "__main__":
    sys.exit(main())
