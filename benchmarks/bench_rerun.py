"""The optimizer page's rerun after a slider change, against a one-slider page, timed side by side.

Both run under AppTest in this process, interleaved, so machine noise hits them alike.
Every measured change moves the slider to a value not seen before (no cache hit).
Goal: the page's median rerun costs at most 10x the trivial page's.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from streamlit.testing.v1 import AppTest  # noqa: E402

from optiviz.ui.controls import LEARNING_RATES  # noqa: E402

GOAL = 10.0
ROUNDS = 20


def timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    return elapsed


def main() -> int:
    trivial = AppTest.from_file(str(ROOT / "benchmarks" / "trivial_page.py"), default_timeout=60).run()
    race = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    race.switch_page("pages/optimizer_race.py").run()
    for _ in range(2):  # warm up imports and the surface cache
        race.slider(key="steps").set_value(500).run()  # values the measured changes never use
        race.slider(key="steps").set_value(200).run()
    lrs = [lr for lr in LEARNING_RATES if 1e-4 <= lr <= 1e-2]
    times = {"trivial page": [], "race: one optimizer's α": [], "race: steps (all optimizers)": []}
    for i in range(ROUNDS):  # the three interleaved, so that a slow spell of the machine hits them all
        trivial.slider(key="value").set_value(i)
        times["trivial page"].append(timed(trivial))
        race.select_slider(key="lr_beale_adam").set_value(lrs[i % len(lrs)])  # the other paths come from the cache
        times["race: one optimizer's α"].append(timed(race))
        trivial.slider(key="value").set_value(500 + i)
        times["trivial page"].append(timed(trivial))
        race.slider(key="steps").set_value(200 + 10 * (i // 2 + 1) * (-1) ** i)  # 190, 210, 180, …: every path reruns
        times["race: steps (all optimizers)"].append(timed(race))
    base = statistics.median(times["trivial page"])
    ok = True
    print(f"median rerun over {ROUNDS} slider changes (AppTest, same process, interleaved)")
    for name, values in times.items():
        ratio = statistics.median(values) / base
        if name != "trivial page":
            ok &= ratio <= GOAL
        print(f"{name:<32} {statistics.median(values) * 1000:8.1f} ms  {ratio:6.1f}x")
    print(f"goal: each page rerun <= {GOAL:.0f}x the trivial page: {'PASS' if ok else 'FAIL'}")
    return 0 if ok or "--check" not in sys.argv else 1


if __name__ == "__main__":
    sys.exit(main())
