"""The costliest links: every page opened with every control at its maximum (and at its minimum), each tab open.

A link is untrusted, so nothing it can ask for may cost more than about 2 s of CPU here. Each
page is first opened at its defaults to read its controls' ranges; then it is opened as a link
that sets every control to an end of its range, once per tab. Times are the script run's CPU
time (this process, all threads) and wall time, under AppTest.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(ROOT / "app.py")
GOAL_CPU = 2.5  # seconds: "about 2 s"
PAGES = {  # page -> (its tab control, the tab labels)
    "pages/optimizer_race.py": ("tab", ["Update rules", "3-D view", "Learning-rate sensitivity"]),
    "pages/batch_size.py": (None, []),
    "pages/learning_rate.py": (None, []),
    "pages/train_network.py": ("train_tab", ["Gradient norms", "What the neurons see", "Loss landscape"]),
    "pages/preprocessing.py": (None, []),
    "pages/activations_init.py": ("init_tab", ["Histograms", "Mean and spread", "Dead and saturated units",
                                               "The backward pass"]),
    "pages/double_descent.py": (None, []),
    "pages/regularization.py": ("reg_tab", ["Weight penalties", "Early stopping", "Dropout and batch norm",
                                            "Data augmentation"]),
}


def _number(value: float, integer: bool) -> str:
    return str(int(value)) if integer else f"{value:.10g}"


def extremes(page: str) -> dict[str, dict]:
    """{"max": link, "min": link}: every control the page shows at its defaults, set to one end of its range."""
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page(page).run()
    ends = {"max": {}, "min": {}}
    for kind in ("slider", "number_input"):
        for w in at.get(kind):
            integer = w.proto.data_type == 0
            top = min(w.proto.max, 10_000) if kind == "number_input" else w.proto.max  # a seed's end is no costlier
            ends["max"][w.key] = _number(top, integer)
            ends["min"][w.key] = _number(w.proto.min, integer)
    for kind in ("select_slider", "selectbox", "radio"):
        for w in at.get(kind):
            ends["max"][w.key], ends["min"][w.key] = w.proto.options[-1], w.proto.options[0]
    for w in at.get("multiselect"):
        ends["max"][w.key], ends["min"][w.key] = list(w.proto.options), [w.proto.options[0]]
    for kind in ("toggle", "checkbox"):
        for w in at.get(kind):
            ends["max"][w.key], ends["min"][w.key] = "true", "false"
    return {end: {k: v for k, v in link.items() if k} for end, link in ends.items()}


def timed_link(page: str, link: dict) -> tuple[float, float, bool]:
    """(CPU s, wall s, raised) of opening ``page`` as ``link``."""
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.query_params.clear()
    at.query_params.update(link)
    cpu, wall = time.process_time(), time.perf_counter()
    at.switch_page(page).run()
    return time.process_time() - cpu, time.perf_counter() - wall, bool(at.exception)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a link costs more than the goal")
    parser.add_argument("--page", choices=sorted(PAGES), help="only this page")
    args = parser.parse_args()
    worst, failures = [], []
    print(f"{'page':<28}{'link':<36}{'CPU s':>8}{'wall s':>8}")
    for page, (tab_key, tabs) in PAGES.items():
        if args.page and page != args.page:
            continue
        ends = extremes(page)
        runs = [(end, None) for end in ends] + [("max", tab) for tab in tabs[1:]]
        for end, tab in runs:
            link = dict(ends[end]) | ({tab_key: tab} if tab else {})
            cpu, wall, raised = timed_link(page, link)
            name = f"{end}" + (f", tab {tab}" if tab else "")
            print(f"{Path(page).stem:<28}{name[:35]:<36}{cpu:8.2f}{wall:8.2f}" + ("  RAISED" if raised else ""), flush=True)
            worst.append((cpu, page, name))
            if raised:
                failures.append(f"{page} ({name}) raised")
            elif cpu > GOAL_CPU:
                failures.append(f"{page} ({name}) took {cpu:.2f} s CPU > {GOAL_CPU} s")
    cpu, page, name = max(worst)
    print(f"\ncostliest: {Path(page).stem} ({name}), {cpu:.2f} s CPU; goal ≤ {GOAL_CPU} s per link")
    print("summary: " + ("all goals met" if not failures else "; ".join(failures)))
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
