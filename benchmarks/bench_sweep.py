"""Vectorised sweep: 4096 Adam runs × 500 steps on Beale in one call, as the learning-rate tab runs it.

Contestants, timed interleaved (best of several repeats, after one warm-up each):

* engine      optiviz.core.descent.run_ends on starts (4096, 2) with 4096 learning rates: each run's
              last point and loss and the step it diverged at, checked step by step (what
              ``descent.sweep`` and the page's sensitivity tab use; Beale is bounded, so the check
              is the box alone and f is evaluated at the last step only);
* paths       optiviz.core.descent.descend on the same runs, keeping every step's point, loss and
              gradient norm (for information: what the race map needs, for a few runs);
* minimal     a short hand-written NumPy loop: Beale's gradient and Adam with one rate per run, x and y as
              contiguous rows of (2, 4096) arrays, every step written in place with ``out=``, no divergence
              check (the engine's per-step check and loss are work it skips); the same operations in the same
              order, so the same bits;
* loop        the engine one setting at a time (run_ends with a single start);
              an evenly spaced subset is timed and scaled linearly to all runs;
* torch       (optional reference, never a dependency) a hand-written Adam on one
              (4096, 2) float64 leaf tensor with a per-run learning-rate tensor
              (4096, 1), gradient by autograd of beale(w).sum();
* torch.optim torch.optim.Adam on the same tensor, but with a single learning rate
              for every row (torch.optim cannot take one lr per row short of 4096
              parameter groups), so it does less work: shown for information only.

Both torch contestants keep the last point and loss, as the engine does (they skip the
engine's step-by-step divergence check, which favours them slightly).

Correctness is checked too: the loop's ends equal the batched ones bit for bit, the engine's
equal the last rows of ``descend``'s paths, and the engine's final points match torch's at
the same learning rate to 1e-8 relative.

Goals (issue 15): engine ≤ 1.1× the minimal loop's time and ≤ 0.3× torch's (the per-run-lr one, 1 thread);
engine ≥ 50× faster than the loop.
Exit code 0 (it is a report) unless --check is given: then 1 on a missed goal or a failed check.
"""

from __future__ import annotations

import sys

import numpy as np

from timing import Goal, at_least_one, interleaved, machine, parser, ratio_table, report, torch_flags, torch_setup  # noqa: E402

from optiviz.core.descent import descend, run_ends  # noqa: E402
from optiviz.core.optimizers import make_optimizer  # noqa: E402
from optiviz.core.surfaces import get_surface  # noqa: E402

try:
    import torch
except ImportError:  # torch is a reference only, never a dependency
    torch = None

RUNS, STEPS = 4096, 500
START = (1.0, 1.5)
LR_RANGE = (1e-4, 1.0)
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
TORCH_OPTIM_LR = 0.03  # the sweep's rate nearest this is the single rate torch.optim.Adam runs with
GOALS = {"loop": 50.0}  # engine must be at least this many times faster
MINIMAL_GOAL, TORCH_GOAL = 1.1, 0.3  # engine time ≤ this × the minimal loop's, ≤ this × torch's
TOLERANCE = 1e-8  # relative, engine against torch final points
MINIMAL_TOLERANCE = 1e-15  # relative, engine against the minimal loop's final points


# ---------------------------------------------------------------- contestants


def run_engine(lrs: np.ndarray):
    """(W_T, f(W_T), diverged_at) of every run."""
    return run_ends(get_surface("beale"), make_optimizer("adam"), np.tile(START, (lrs.size, 1)), STEPS, lrs)


def run_paths(lrs: np.ndarray):
    return descend(get_surface("beale"), make_optimizer("adam"), np.tile(START, (lrs.size, 1)), STEPS, lrs)


def run_loop(lrs: np.ndarray):
    """The same engine, one setting at a time: a list of single-run ends."""
    surface, optimizer = get_surface("beale"), make_optimizer("adam")
    return [run_ends(surface, optimizer, [START], STEPS, lr) for lr in lrs]


def _minimal_beale_grad(x, y, gx, gy, tmp):
    """∂f/∂x = −2 Σₖ rₖ pₖ, ∂f/∂y = 2x (r₁ + y (2 r₂ + 3 r₃ y)), rₖ = cₖ − x pₖ, pₖ = 1 − yᵏ, into gx and gy."""
    y2, p1, p2, p3, r1, r2, r3, a = tmp
    np.multiply(y, y, out=y2)
    np.subtract(1.0, y, out=p1)
    np.subtract(1.0, y2, out=p2)
    np.subtract(1.0, np.multiply(y2, y, out=p3), out=p3)
    np.subtract(1.5, np.multiply(x, p1, out=r1), out=r1)
    np.subtract(2.25, np.multiply(x, p2, out=r2), out=r2)
    np.subtract(2.625, np.multiply(x, p3, out=r3), out=r3)
    np.multiply(r1, p1, out=gx)
    np.add(gx, np.multiply(r2, p2, out=a), out=gx)
    np.add(gx, np.multiply(r3, p3, out=a), out=gx)
    np.multiply(gx, -2.0, out=gx)
    np.multiply(np.multiply(r3, 3.0, out=a), y, out=a)
    np.add(np.multiply(r2, 2.0, out=gy), a, out=a)
    np.add(np.multiply(a, y, out=a), r1, out=a)
    np.multiply(np.multiply(x, 2.0, out=gy), a, out=gy)


def run_minimal(lrs: np.ndarray):
    """Adam on Beale by hand, in place: (W_T as (B, 2), f(W_T))."""
    batch = lrs.size
    w = np.empty((2, batch))
    w[0], w[1] = START
    m, v, g, step, den = (np.zeros((2, batch)) for _ in range(5))
    tmp = [np.empty(batch) for _ in range(8)]
    neg_lr = -lrs
    _minimal_beale_grad(w[0], w[1], g[0], g[1], tmp)
    for t in range(1, STEPS + 1):
        m *= BETA1
        m += np.multiply(g, 1 - BETA1, out=step)
        v *= BETA2
        v += np.multiply(np.multiply(g, g, out=step), 1 - BETA2, out=step)
        np.add(np.sqrt(np.divide(v, 1 - BETA2**t, out=den), out=den), EPS, out=den)
        np.divide(m, 1 - BETA1**t, out=step)
        step *= neg_lr
        step /= den
        w += step
        _minimal_beale_grad(w[0], w[1], g[0], g[1], tmp)
    x, y = w
    return w.T, _torch_beale(np.stack([x, y], axis=1))


def _torch_beale(w):
    x, y = w[:, 0], w[:, 1]
    y2 = y * y
    y3 = y2 * y
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y2
    c = 2.625 - x + x * y3
    return a * a + b * b + c * c


def run_torch(lrs: np.ndarray):
    """Adam written out in torch with one learning rate per run (lr tensor (B, 1)), autograd gradients:
    the last points and losses."""
    batch = lrs.size
    f64 = torch.float64
    w = torch.tensor(START, dtype=f64).repeat(batch, 1).requires_grad_(True)
    lr = torch.from_numpy(lrs).to(f64).reshape(batch, 1)
    m = torch.zeros(batch, 2, dtype=f64)
    v = torch.zeros(batch, 2, dtype=f64)
    f = _torch_beale(w)
    (g,) = torch.autograd.grad(f.sum(), w)
    for t in range(1, STEPS + 1):
        with torch.no_grad():
            m.mul_(BETA1).add_(g, alpha=1 - BETA1)
            v.mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
            m_hat = m / (1 - BETA1**t)
            v_hat = v / (1 - BETA2**t)
            w.sub_(lr * m_hat / (v_hat.sqrt_().add_(EPS)))
        f = _torch_beale(w)
        (g,) = torch.autograd.grad(f.sum(), w)
    return w.detach(), f.detach()


def run_torch_optim(lr: float, batch: int):
    """torch.optim.Adam, one learning rate for all ``batch`` rows: the last points and losses."""
    f64 = torch.float64
    w = torch.tensor(START, dtype=f64).repeat(batch, 1).requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr, betas=(BETA1, BETA2), eps=EPS)
    for t in range(STEPS + 1):
        opt.zero_grad(set_to_none=True)
        f = _torch_beale(w)
        f.sum().backward()
        if t < STEPS:
            opt.step()
    return w.detach(), f.detach()


# ---------------------------------------------------------------- timing


def relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row: ‖a − b‖ / ‖b‖ of final points (B, 2)."""
    return np.linalg.norm(a - b, axis=-1) / np.maximum(np.linalg.norm(b, axis=-1), np.finfo(float).tiny)


def correctness(results, lrs, loop_idx, k_optim: int, use_torch: bool) -> tuple[list[str], list[str]]:
    """(the lines of the correctness report, the failures): loop, paths, torch and the minimal loop against the engine."""
    failures = []
    engine = results["engine"]  # (W_T, f(W_T), diverged_at)
    mismatched = [
        int(k)
        for k, one in zip(loop_idx, results["loop"])
        if not all(np.array_equal(a[0], b[k], equal_nan=True) for a, b in zip(one, engine))
    ]
    checks = [f"loop == batched, bit for bit, on {loop_idx.size} runs: {'ok' if not mismatched else f'FAIL on runs {mismatched[:5]}'}"]
    paths = results["paths"]
    same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(engine, (paths.points[-1], paths.loss[-1], paths.diverged_at)))
    checks.append(f"ends == the last rows of descend's paths, bit for bit, all {RUNS} runs: {'ok' if same else 'FAIL'}")
    if not same:
        failures.append("run_ends differs from descend")
    if mismatched:
        failures.append("loop differs from batched")
    if use_torch:
        finals = engine[0]
        err = relative_error(finals, results["torch"][0].numpy())
        worst = int(np.argmax(err))
        ok = bool(np.all(err <= TOLERANCE))
        checks.append(
            f"engine vs torch final points, all {RUNS} lrs: max relative error {err[worst]:.1e} (lr {lrs[worst]:.3g}) "
            f"{'ok' if ok else 'FAIL'} (≤ {TOLERANCE:g})"
        )
        for k in np.linspace(0, RUNS - 1, 5).round().astype(int):
            checks.append(f"    lr {lrs[k]:<9.3g} engine {finals[k].round(10)}  torch {results['torch'][0][k].numpy().round(10)}")
        e2 = relative_error(finals[k_optim][None], results["torch.optim"][0].numpy()).max()
        ok2 = bool(e2 <= TOLERANCE)
        checks.append(f"engine vs torch.optim.Adam final points at lr {lrs[k_optim]:.3g}: relative error {e2:.1e} {'ok' if ok2 else 'FAIL'}")
        if not ok:
            failures.append("engine differs from torch")
        if not ok2:
            failures.append("engine differs from torch.optim")
    kept = engine[2] < 0  # the minimal loop does not stop diverged runs
    mine = results["minimal"][0]
    err_min = relative_error(engine[0][kept], mine[kept]).max(initial=0.0)
    ok_min = bool(err_min <= MINIMAL_TOLERANCE)
    checks.append(f"engine vs minimal loop final points, {int(kept.sum())} runs that stayed in the box: max relative "
                  f"error {err_min:.1e} {'ok' if ok_min else 'FAIL'} (≤ {MINIMAL_TOLERANCE:g}); bit for bit: "
                  f"{'yes' if np.array_equal(engine[0][kept], mine[kept]) else 'no'}")
    if not ok_min:
        failures.append("engine differs from the minimal loop")
    diverged = int(np.sum(engine[2] >= 0))
    checks.append(f"runs that diverged: {diverged} of {RUNS}" + ("" if not diverged else " (torch does not stop them: compare with care)"))

    return checks, failures


def ratios(times, loop_idx, optim_lr: float, use_torch: bool) -> list[str]:
    """Print the table (the loop's times scaled to all runs), the goals' ratios and the footnotes; the failures."""
    loop_scale = RUNS / loop_idx.size
    loop_best = min(times["loop"])
    times["loop"] = [t * loop_scale for t in times["loop"]]
    labels = {
        "engine": "engine: one batched run_ends",
        "paths": "descend, keeping the paths",
        "minimal": "minimal NumPy loop, in place",
        "loop": "loop: run_ends per setting (*)",
        "torch": "torch: Adam, per-run lr tensor",
        "torch.optim": "torch.optim.Adam, one lr (†)",
    }
    goals = {name: Goal(f"engine ≥ {factor:g}× faster", 1 / factor, name, "engine") for name, factor in GOALS.items()}
    goals["minimal"] = Goal(f"engine ≤ {MINIMAL_GOAL:g}× minimal", MINIMAL_GOAL, "minimal", "engine")
    goals["torch"] = Goal(f"engine ≤ {TORCH_GOAL:g}× torch", TORCH_GOAL, "torch", "engine")
    failures = ratio_table(times, "engine", goals | {"torch.optim": "(information)", "paths": "(information)"}, labels)
    best = {name: min(ts) for name, ts in times.items()}
    for name, goal in (("minimal", MINIMAL_GOAL), ("torch", TORCH_GOAL)):
        if name in best:
            r = best["engine"] / best[name]
            print(f"engine / {name} = {r:.2f} (goal ≤ {goal:g}): {'PASS' if r <= goal else 'FAIL'}")
    if not use_torch:
        print(f"engine / torch (goal ≤ {TORCH_GOAL:g}): SKIP ({'torch not installed' if torch is None else '--no-torch'})")
    if loop_idx.size < RUNS:
        print(
            f"(*) {loop_idx.size} evenly spaced settings timed ({loop_best:.2f} s best of {len(times['loop'])}), "
            f"scaled linearly × {loop_scale:g} to {RUNS}; --loop-runs {RUNS} times them all."
        )
    else:
        print(f"(*) all {RUNS} settings timed, best of {len(times['loop'])}, no scaling.")
    if use_torch:
        print(
            f"(†) one learning rate ({optim_lr:.3g}) for all rows: torch.optim cannot give each row its own rate "
            "short of one parameter group per run, so this does less work than the others."
        )
    return failures


def main(argv=None) -> int:
    p = parser(__doc__, what="engine and torch")
    p.add_argument("--loop-runs", type=int, default=256, help=f"settings the loop times, evenly spaced, scaled to {RUNS} (default 256)")
    p.add_argument("--loop-repeat", type=at_least_one, default=3, help="timed repeats of the loop (default 3)")
    torch_flags(p, "contestants")
    args = p.parse_args(argv)
    if not 1 <= args.loop_runs <= RUNS:
        p.error(f"--loop-runs must be in [1, {RUNS}]")

    lrs = np.logspace(np.log10(LR_RANGE[0]), np.log10(LR_RANGE[1]), RUNS)
    loop_idx = np.unique(np.linspace(0, RUNS - 1, args.loop_runs).round().astype(int))
    k_optim = int(np.argmin(np.abs(np.log(lrs / TORCH_OPTIM_LR))))
    use_torch, note = torch_setup(torch, args)

    print(f"bench_sweep: {RUNS} Adam runs × {STEPS} steps on Beale from {START}, lr log-spaced {LR_RANGE[0]:g}..{LR_RANGE[1]:g}")
    print(machine(note), flush=True)

    contestants = {
        "engine": lambda: run_engine(lrs),
        "minimal": lambda: run_minimal(lrs),
        "paths": lambda: run_paths(lrs),
        "loop": lambda: run_loop(lrs[loop_idx]),
    }
    if use_torch:
        contestants["torch"] = lambda: run_torch(lrs)
        contestants["torch.optim"] = lambda: run_torch_optim(float(lrs[k_optim]), RUNS)

    # warm-up: each once (the loop on one setting only)
    run_loop(lrs[:1])
    for name, fn in contestants.items():
        if name != "loop":
            fn()

    repeats = {name: args.loop_repeat if name == "loop" else args.repeat for name in contestants}
    times, results = interleaved(contestants, repeats, warm_up=False)

    checks, failures = correctness(results, lrs, loop_idx, k_optim, use_torch)
    failures += ratios(times, loop_idx, lrs[k_optim], use_torch)
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
