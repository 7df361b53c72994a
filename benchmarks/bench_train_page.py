"""The training page's work per Train press, before and after issue 16 §4, measured side by side (CPU seconds).

For each setting below, the engine call the page makes (``optiviz.ui.train_network.comparison``'s body, settings
capped as pages/train_network.py caps them) and then the boundary it draws (the shown epoch's grid and
figure for every optimizer), timed in turns, best of ``--repeats``:

* before: one seed trained by ``compare`` recording the grid after every epoch; many seeds by
  ``compare_with_seeds`` (already drawn on demand);
* after: one seed by ``optiviz.nn.boundary.compare_drawn_on_demand`` (θ every epoch, the shown grid drawn
  on demand; batch norm and θ too big to keep fall back to recorded grids); many seeds unchanged.

Then the costliest link (HAMMER_LINK of bench_load.py: full batch, batch norm, 5 × 64, 1000 points, 3
classes) with OpenBLAS's own threads against one thread (``optiviz.core.blas_threads``, what the server sets
at its first training): CPU and wall seconds, in turns. Its gap grows with the machine's load.

It checks that the drawn grid is the same (to float32) and reports the ratio. Run:

    python benchmarks/bench_train_page.py [--repeats 3] [--check]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.timing import report  # noqa: E402
from optiviz.core.datasets import make_dataset, train_val_split  # noqa: E402
from optiviz.figures.train_network import decision_boundary  # noqa: E402
from optiviz.nn import MLP  # noqa: E402
from optiviz.nn.boundary import compare_drawn_on_demand  # noqa: E402
from optiviz.nn.seeds import affordable_seeds, compare_with_seeds  # noqa: E402
from optiviz.nn.training import OptimizerSetting, compare, max_epochs  # noqa: E402
from optiviz.core.optimizers import OPTIMIZERS  # noqa: E402
from optiviz.core.blas_threads import blas_threads, set_blas_threads  # noqa: E402

PAGE_WORK_SHARE = 0.5  # pages/train_network.py
OPTIMIZER_NAMES = ("sgd", "momentum", "rmsprop", "adam")

# name: (dataset, samples, classes, noise, hidden, activation, batch norm, keep prob, batch, epochs, seeds wanted)
SETTINGS = {
    "default view (4 optimizers x 10 seeds)": ("spiral", 400, 2, 0.05, (16, 16), "relu", False, 1.0, 32, 60, 10),
    "defaults, one seed": ("spiral", 400, 2, 0.05, (16, 16), "relu", False, 1.0, 32, 60, 1),
    "a big network: 1000 points, 3 x 32, 3 classes": ("spiral", 1000, 3, 0.05, (32, 32, 32), "tanh", False, 1.0, 32,
                                                       300, 20),
    "the worst link: 1000 points, 5 x 64, 3 classes": ("spiral", 1000, 3, 0.05, (64,) * 5, "relu", False, 1.0, 128,
                                                       300, 20),
    "the worst link with batch norm (recorded grids)": ("spiral", 1000, 3, 0.05, (64,) * 5, "relu", True, 1.0, 128,
                                                        300, 20),
}
COSTLIEST = ("spiral", 1000, 3, 0.05, (64,) * 5, "relu", True, 1.0, None, 300, 20)  # bench_load.HAMMER_LINK


def page_call(setting):
    """(net, split, runs, settings, seeds) as the page builds them for ``setting`` (its caps included)."""
    name, samples, classes, noise, hidden, activation, bn, keep, batch, epochs, wanted = setting
    X, y = make_dataset(name, samples, noise, 0, classes)
    split = train_val_split(X, y, 0.3, 0)
    net = MLP(2, hidden, 1 if classes == 2 else classes, activation=activation, initializer="he", batch_norm=bn,
              keep_prob=keep)
    runs = [OptimizerSetting(n, OPTIMIZERS[n].learning_rate("train_network"), ()) for n in OPTIMIZER_NAMES]
    cap = int(max_epochs(net, len(split.X_train), len(split.X_val), batch) * PAGE_WORK_SHARE) // len(runs)
    epochs = max(min(epochs, cap), 1)
    seeds = affordable_seeds(net, len(split.X_train), len(split.X_val), batch, epochs, len(runs), wanted,
                             PAGE_WORK_SHARE)
    return net, split, runs, dict(batch_size=batch, epochs=epochs), seeds


def train_before(net, split, runs, settings, seeds):
    if seeds > 1:
        return compare_with_seeds(net, split, runs, seed=0, seeds=seeds, **settings)
    return compare(net, split, runs, seed=0, **settings)


def train_after(net, split, runs, settings, seeds):
    if seeds > 1:
        return compare_with_seeds(net, split, runs, seed=0, seeds=seeds, **settings)
    return compare_drawn_on_demand(net, split, runs, seed=0, **settings)


def press(train, call):
    """One Train press: the training, then the last epoch's boundary of every optimizer. (CPU s, grids)."""
    net, split, *_ = call
    points = {"train": (split.X_train, split.y_train), "validation": (split.X_val, split.y_val)}
    start = time.process_time()
    result = train(*call)
    epoch = max(r.epochs_run for r in result)
    grids = [r.grid_at(epoch) for r in result]
    for r in result:
        decision_boundary(r, epoch, points)
    return time.process_time() - start, grids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 unless the goals are met")
    args = parser.parse_args()
    checks, failures = [], []
    print(f"{'setting':<50} {'epochs':>6} {'seeds':>5} {'before':>8} {'after':>8} {'ratio':>6}  (CPU s, best of "
          f"{args.repeats}, in turns)")
    for label, setting in SETTINGS.items():
        call = page_call(setting)
        before, after = [], []
        for _ in range(args.repeats):
            b, grids_b = press(train_before, call)
            a, grids_a = press(train_after, call)
            before.append(b)
            after.append(a)
        same = all(np.allclose(x, y, rtol=0, atol=float(np.finfo(np.float32).eps), equal_nan=True)
                   for x, y in zip(grids_a, grids_b))
        ratio = min(before) / min(after)
        print(f"{label:<50} {call[3]['epochs']:>6} {call[4]:>5} {min(before):8.3f} {min(after):8.3f} {ratio:5.2f}x"
              f"  drawn boundary {'identical' if same else 'DIFFERS'}")
        checks.append(f"{label}: {ratio:.2f}x, boundary {'identical' if same else 'differs'}")
        if not same:
            failures.append(f"{label}: the drawn boundary differs")
    threads = [os.cpu_count() or 1] if blas_threads() else []  # OpenBLAS's own count; import optiviz set 1
    if threads and max(threads) > 1:
        call, timed = page_call(COSTLIEST), {max(threads): [], 1: []}
        for _ in range(args.repeats):
            for count in timed:
                set_blas_threads(count)
                wall = time.perf_counter()
                cpu, _ = press(train_after, call)
                timed[count].append((cpu, time.perf_counter() - wall))
        set_blas_threads(1)
        (cpu_n, wall_n), (cpu_1, wall_1) = (min(timed[c]) for c in timed)
        print(f"\nthe costliest link ({call[3]['epochs']} epochs, {call[4]} seed): OpenBLAS with {max(threads)} threads "
              f"{cpu_n:.2f} s CPU / {wall_n:.2f} s wall, with 1 thread {cpu_1:.2f} s / {wall_1:.2f} s "
              f"({cpu_n / cpu_1:.1f}x the CPU), load {os.getloadavg()[0]:.1f}")
        checks.append(f"costliest link: {cpu_n / cpu_1:.1f}x the CPU with OpenBLAS's threads")
    else:
        print("\nOpenBLAS runs one thread here already (or is not found): the thread comparison is skipped")
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
