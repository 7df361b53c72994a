"""Run every benchmarks/bench_*.py in turn, each as its own process, and show its output.

    python benchmarks/run.py

Each benchmark prints its own table and goals; run one directly (``python
benchmarks/bench_sweep.py --help``) for its options. Exits 1 if a benchmark crashed
(a missed goal is only reported; pass --check to a benchmark itself to fail on it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print(f"no bench_*.py in {HERE}")
        return 1
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    crashed = []
    for script in scripts:  # one at a time: the machine is small and shared
        print(f"=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env).returncode
        print(f"=== {script.name}: exit {rc}, {time.perf_counter() - t0:.0f} s ===\n", flush=True)
        if rc:
            crashed.append(script.name)
    if crashed:
        print("failed: " + ", ".join(crashed))
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
