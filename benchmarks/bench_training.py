"""Network training: a 2 → 32 → 32 → 1 ReLU MLP, 50 epochs of SGD with momentum on 1000 moons points.

The workload of issue 3: He initialisation, binary cross-entropy, mini-batches of 32
(⌈1000/32⌉ = 32 steps an epoch, 1600 in all), momentum γ = 0.9 with α = 0.05, every epoch
reshuffled. No validation split. Contestants, timed interleaved (best of several repeats,
after one warm-up each):

* engine      optiviz.nn.training.train with record_grid=False, record_params=False: the
              like-for-like run. It still keeps the per-epoch records it returns (training loss
              and accuracy on all 1000 points before the first and after every epoch, ‖W_l‖ of
              each layer, and the root mean square over the epoch's steps of ‖∂L/∂W_l‖);
* engine+rec  the same call with the defaults (a 60 × 60 prediction grid and θ recorded
              every epoch), as the training lab runs it: shown for information only;
* numpy       a minimal hand-written NumPy loop for the same network (forward, backward,
              momentum update, per-epoch shuffle) in this file, importing nothing from
              optiviz.nn. It draws the same He weights and the same shuffles as the engine
              by seeding NumPy the way the engine's streams do (SeedSequence(seed, spawn_key=
              (stream, epoch)), stream 0 for the weights, 1 for the shuffles). It keeps the same
              per-epoch records as the engine, written plainly (one forward pass over all the
              points per epoch, the squared weight gradients summed per step): the same work,
              and checked against the engine's history;
* numpy, training only  the same loop without the records (information: what they cost);
* torch       (optional reference, never a dependency) torch.nn.Sequential of Linear/ReLU in
              float64 on one thread, BCEWithLogitsLoss and torch.optim.SGD(momentum=0.9),
              starting from the engine's initial weights and taking its batches in the
              engine's order (optiviz.nn.training.epoch_batches), so all contestants do the
              same arithmetic; it keeps the same records (under no_grad, checked too);
* torch, training only  the same without the records (information).

Every contestant gathers the shuffled points once per epoch and slices its batches.

Correctness is checked too: the numpy loop starts from the engine's initial weights bit for
bit, and the final weight vectors agree, numpy vs engine to 1e-10 and torch vs engine to 1e-8
(relative, ‖a − b‖ / ‖b‖ over the whole vector θ); the records of the numpy loop (to 1e-10) and of
torch (to 1e-8) equal the engine's history, weight and gradient norms (relative).

Goals (issue 15, measured side by side in this one run): engine / numpy ≤ 1.0 and engine / torch
≤ 0.2 (torch on 1 thread), each doing the same work. The engine here is the one training path (the
network's unchecked cores with their buffers, the gradient written in place into one flat buffer).
The report prints both ratios with PASS or FAIL, and the ratios to the training-only runs for
information.

Many seeds (issue 13), on the training page's default workload (400 spiral points, 30% held out,
2 → 16 → 16 → 1 ReLU, batches of 32, 60 epochs; SGD α = 0.32), timed interleaved:

* 1 seed        train(..., record_grid=False, record_params=False): one run;
* S=10, S=20    optiviz.nn.seeds.train_seeds: S seeds batched on a leading axis;
* S=10 looped   the same S runs as S calls of train (the reference the batched runs equal);
* 4 opt, 1 seed / 4 opt × 10  compare (no grid) against compare_seeds for SGD, momentum, RMSProp, Adam;
* page before / page now  what the page's default Train costs in the engine: compare with a 60 × 60
                grid every epoch (before), and compare_with_seeds over 10 seeds with the four grids
                the page draws (now).

Timed in CPU seconds (time.process_time), interleaved: the page's budget is CPU. Goals (the issue asks
that 10–20 seeds cost about 2× one seed): S=10 ≤ 2.0 × 1 seed, S=20 ≤ 2.5 × 1 seed, 4 opt × 10
seeds ≤ 2.5 × 4 opt, 1 seed. "page now" against "page before" is for
information: the engine costs more, and the page makes it up in its figures (built as plain dicts,
grids drawn only for the epoch shown), so that the whole default view costs no more CPU than before
(measured with AppTest, not here). The batched curves are checked against the looped ones (≤ 1e-12).
Skip this part with --no-seeds.
Exit code 0 (it is a report) unless --check is given: then 1 on a missed goal or a failed check.
"""

from __future__ import annotations

import gc
import os
import sys
import time

import numpy as np

from timing import Goal, interleaved, machine, parser, ratio_table, report, torch_flags, torch_setup  # noqa: E402

from optiviz.core.datasets import Split, make_dataset  # noqa: E402
from optiviz.nn import MLP  # noqa: E402
from optiviz.nn.records import Layout  # noqa: E402
from optiviz.core.datasets import train_val_split  # noqa: E402
from optiviz.nn.seeds import compare_seeds, compare_with_seeds, train_seeds  # noqa: E402
from optiviz.nn.training import compare, epoch_batches, stream, train  # noqa: E402

try:
    import torch
except ImportError:  # torch is a reference only, never a dependency
    torch = None

SAMPLES, NOISE, DATASET = 1000, 0.1, "moons"
HIDDEN = (32, 32)
SIZES = (2, *HIDDEN, 1)
BATCH, EPOCHS = 32, 50
GAMMA, LR = 0.9, 0.05
SEED = 0
# engine time ≤ factor × the contestant's time
GOALS = {"torch": 0.2, "numpy": 1.0}
GOAL_TEXT = {"torch": "engine / torch ≤ 0.2", "numpy": "engine / minimal numpy ≤ 1.0"}
TOLERANCE = {"numpy": 1e-10, "torch": 1e-8}  # relative, final θ against the engine's


def make_data(seed: int = SEED) -> Split:
    X, y = make_dataset(DATASET, SAMPLES, NOISE, seed)
    return Split(X, y, np.empty((0, 2)), np.empty(0, dtype=np.int64))


NET = MLP(2, HIDDEN, 1, activation="relu", initializer="he")
OPTIMIZER = {"name": "momentum", "momentum": GAMMA}


# ---------------------------------------------------------------- contestants


def run_engine(data: Split, recording: bool, full: bool = False):
    """The final θ (with ``full``, the TrainingResult too)."""
    kwargs = {} if recording else dict(record_grid=False, record_params=False)
    result = train(NET, data, OPTIMIZER, learning_rate=LR, batch_size=BATCH, epochs=EPOCHS, seed=SEED, **kwargs)
    theta = result.layout.flatten(result.params)
    return (theta, result) if full else theta


def engine_records(result) -> np.ndarray:
    """The engine's rows [train loss, train accuracy, ‖W_l‖…, RMS ‖∂L/∂W_l‖…] for epochs 0…E."""
    h = result.history
    return np.column_stack([h["train_loss"], h["train_acc"], result.weight_norms, result.grad_norms])


def _views(flat, sizes=SIZES):
    """Views (W1, W2, W3), (b1, b2, b3) into a vector laid out like the engine's θ (weights first)."""
    Ws, bs, at = [], [], 0
    for a, b in zip(sizes[:-1], sizes[1:]):
        Ws.append(flat[at : at + a * b].reshape(a, b))
        at += a * b
    for b in sizes[1:]:
        bs.append(flat[at : at + b])
        at += b
    return Ws, bs


def numpy_init(seed: int, sizes=SIZES):
    """θ with He weights W ~ N(0, 2/n_in) drawn layer by layer (seeded as the engine's "init" stream), biases 0."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, 0)))
    theta = np.zeros(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes[1:]))
    for W in _views(theta, sizes)[0]:
        W[...] = rng.normal(0.0, np.sqrt(2.0 / W.shape[0]), size=W.shape)
    return theta


def numpy_records(X, Y, theta):
    """[BCE loss, accuracy] on all the points, and ‖W_l‖ per layer, of the network θ."""
    (W1, W2, W3), (b1, b2, b3) = _views(theta)
    z = np.maximum(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, 0.0) @ W3 + b3
    loss = np.mean(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - Y * z)
    return [loss, np.mean((z > 0) == (Y > 0.5))], [np.sqrt(np.sum(W * W)) for W in (W1, W2, W3)]


def run_numpy(data: Split, records: bool = True):
    """The minimal loop: 2 → 32 → 32 → 1 ReLU, BCE on logits, v ← γv − αg, θ ← θ + v.

    With ``records``, returns (θ, rows of [loss, accuracy, ‖W_l‖…, RMS ‖∂L/∂W_l‖…] for epochs 0…E), else θ.
    """
    X = np.asarray(data.X_train, dtype=float)
    Y = data.y_train.astype(float)[:, None]
    n = len(X)
    theta = numpy_init(SEED)
    (W1, W2, W3), (b1, b2, b3) = _views(theta)  # one in-place update of θ moves them all
    grad = np.zeros_like(theta)  # the gradient, written in place through views laid out like θ
    (gW1, gW2, gW3), (gb1, gb2, gb3) = _views(grad)
    v = np.zeros_like(theta)
    n_w = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))
    starts = np.cumsum([0] + [a * b for a, b in zip(SIZES[:-2], SIZES[1:-1])])
    if records:
        loss_acc, w_norms = numpy_records(X, Y, theta)
        rows = [loss_acc + w_norms + [np.nan] * 3]
        squares, square = np.zeros(n_w), np.empty(n_w)
    for epoch in range(1, EPOCHS + 1):
        order = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(1, epoch))).permutation(n)
        Xe, Ye = X[order], Y[order]
        for a in range(0, n, BATCH):
            x, y = Xe[a : a + BATCH], Ye[a : a + BATCH]
            z1 = x @ W1 + b1
            h1 = np.maximum(z1, 0.0)
            z2 = h1 @ W2 + b2
            h2 = np.maximum(z2, 0.0)
            z3 = h2 @ W3 + b3
            e = np.exp(-np.abs(z3))  # σ(z3) without overflow
            d3 = (np.where(z3 >= 0, 1.0 / (1.0 + e), e / (1.0 + e)) - y) / len(x)
            np.matmul(h2.T, d3, out=gW3)
            d3.sum(axis=0, out=gb3)
            d2 = (d3 @ W3.T) * (z2 > 0)
            np.matmul(h1.T, d2, out=gW2)
            d2.sum(axis=0, out=gb2)
            d1 = (d2 @ W2.T) * (z1 > 0)
            np.matmul(x.T, d1, out=gW1)
            d1.sum(axis=0, out=gb1)
            if records:
                np.multiply(grad[:n_w], grad[:n_w], out=square)
                squares += square
            v *= GAMMA
            v -= LR * grad
            theta += v
        if records:
            loss_acc, w_norms = numpy_records(X, Y, theta)
            rows.append(loss_acc + w_norms + list(np.sqrt(np.add.reduceat(squares, starts) / -(-n // BATCH))))
            squares[:] = 0.0
    return (theta, np.array(rows)) if records else theta


def run_torch(data: Split, initial: list[dict], records: bool = True):
    """torch.nn + torch.optim.SGD(momentum), float64, the engine's initial weights and batch order.

    With ``records``, keeps the engine's per-epoch records too (under no_grad) and returns (θ, rows) as
    :func:`run_numpy` does; else θ.
    """
    f64 = torch.float64
    linears = [torch.nn.Linear(a, b, dtype=f64) for a, b in zip(SIZES[:-1], SIZES[1:])]
    with torch.no_grad():
        for lin, p in zip(linears, initial):
            lin.weight.copy_(torch.from_numpy(p["W"].T))
            lin.bias.copy_(torch.from_numpy(p["b"]))
    model = torch.nn.Sequential(linears[0], torch.nn.ReLU(), linears[1], torch.nn.ReLU(), linears[2])
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=GAMMA)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    X = torch.from_numpy(np.asarray(data.X_train, dtype=float))
    Y = torch.from_numpy(data.y_train.astype(float)[:, None])
    n = len(X)
    rows, squares = [], [torch.zeros_like(lin.weight) for lin in linears]

    def record(grad_norms):
        with torch.no_grad():
            z = model(X)
            rows.append([loss_fn(z, Y).item(), ((z > 0) == (Y > 0.5)).double().mean().item()]
                        + [lin.weight.norm().item() for lin in linears] + grad_norms)

    if records:
        record([np.nan] * len(linears))
    for epoch in range(1, EPOCHS + 1):
        batches = epoch_batches(n, BATCH, SEED, epoch)
        order = torch.from_numpy(np.concatenate(batches))
        Xe, Ye = X[order], Y[order]
        a = 0
        for idx in batches:
            b = a + len(idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xe[a:b]), Ye[a:b])
            loss.backward()
            if records:
                for square, lin in zip(squares, linears):
                    square.addcmul_(lin.weight.grad, lin.weight.grad)
            opt.step()
            a = b
        if records:
            record([float(np.sqrt(square.sum().item() / len(batches))) for square in squares])
            for square in squares:
                square.zero_()
    ws = [lin.weight.detach().numpy().T.ravel() for lin in linears]
    bs = [lin.bias.detach().numpy() for lin in linears]
    theta = np.concatenate(ws + bs)
    return (theta, np.array(rows)) if records else theta


# ---------------------------------------------------------------- many seeds

PAGE_NET = MLP(2, (16, 16), 1, activation="relu", initializer="he")
PAGE_RUNS = ({"name": "sgd", "learning_rate": 0.32}, {"name": "momentum", "learning_rate": 0.05},
             {"name": "rmsprop", "learning_rate": 0.01}, {"name": "adam", "learning_rate": 0.01})
PAGE_SETTINGS = dict(batch_size=32, epochs=60)


def page_data() -> Split:
    X, y = make_dataset("spiral", 400, 0.05, 0, 2)
    return train_val_split(X, y, 0.3, 0)


def cpu_interleaved(contestants, repeat: int):
    """Like timing.interleaved, but CPU seconds of this process (time.process_time): the page's budget is CPU,
    and on a shared machine wall time mostly measures the neighbours."""
    results = {name: fn() for name, fn in contestants.items()}  # warm-up
    times = {name: [] for name in contestants}
    names = list(contestants)
    for r in range(repeat):
        for name in names[r % len(names):] + names[: r % len(names)]:
            gc.collect()
            t0 = time.process_time()
            results[name] = contestants[name]()
            times[name].append(time.process_time() - t0)
    print(f"load average {os.getloadavg()[0]:.2f} at end (CPU seconds of this process)", flush=True)
    return times, results


def seeds_part(args) -> tuple[list[str], list[str]]:
    """Time the batched seeds against one seed and the loop; check the batched curves equal the looped runs."""
    data = page_data()
    sgd = PAGE_RUNS[0]

    def looped(n):
        return [train(PAGE_NET, data, sgd, seed=s, record_grid=False, record_params=False, **PAGE_SETTINGS).history
                for s in range(n)]

    contestants = {
        "1 seed": lambda: train(PAGE_NET, data, sgd, seed=0, record_grid=False, record_params=False, **PAGE_SETTINGS),
        "S=10": lambda: train_seeds(PAGE_NET, data, sgd, seeds=range(10), **PAGE_SETTINGS),
        "S=20": lambda: train_seeds(PAGE_NET, data, sgd, seeds=range(20), **PAGE_SETTINGS),
        "S=10 looped": lambda: looped(10),
        "4 opt, 1 seed": lambda: compare(PAGE_NET, data, PAGE_RUNS, seed=0, record_grid=False, record_params=False,
                                         **PAGE_SETTINGS),
        "4 opt × 10": lambda: compare_seeds(PAGE_NET, data, PAGE_RUNS, seeds=range(10), **PAGE_SETTINGS),
        "page before": lambda: compare(PAGE_NET, data, PAGE_RUNS, seed=0, **PAGE_SETTINGS),
        "page now": lambda: [r.grid_at(PAGE_SETTINGS["epochs"]) for r in
                             compare_with_seeds(PAGE_NET, data, PAGE_RUNS, seed=0, seeds=10, **PAGE_SETTINGS)],
    }
    print(f"\nmany seeds: the training page's default, {len(data.X_train)} + {len(data.X_val)} spiral points, "
          f"2 → 16 → 16 → 1 ReLU, batch 32, {PAGE_SETTINGS['epochs']} epochs", flush=True)
    times, results = cpu_interleaved(contestants, max(3, args.repeat // 2))
    base = {"S=10": "1 seed", "S=20": "1 seed", "S=10 looped": "1 seed", "4 opt × 10": "4 opt, 1 seed",
            "page now": "page before"}
    goals = {"S=10": Goal("≤ 2.0× 1 seed", 2.0, "1 seed"), "S=20": Goal("≤ 2.5× 1 seed", 2.5, "1 seed"),
             "S=10 looped": "(information: what batching saves)",
             "4 opt × 10": Goal("≤ 2.5× 4 opt, 1 seed (issue: about 2×)", 2.5, "4 opt, 1 seed"),
             "page now": "(information: the page's figures pay the rest)"}
    failures = ratio_table(times, base, goals)
    curves, runs = results["S=10"], results["S=10 looped"]
    worst = max(float(np.nanmax(np.abs(getattr(curves, c)[i, :len(h)] - h[c].to_numpy(float))))
                for i, h in enumerate(runs) for c in ("train_loss", "val_loss", "train_acc", "val_acc"))
    ok = worst <= 1e-12
    checks = [f"batched S=10 curves vs 10 looped train runs: max |Δ| {worst:.1e}  {'ok' if ok else 'FAIL'} (≤ 1e-12)"]
    if not ok:
        failures.append("the batched seeds differ from the looped runs")
    return checks, failures


# ---------------------------------------------------------------- timing


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / ‖b‖ over whole vectors."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), np.finfo(float).tiny))


def correctness(data: Split, params0, results: dict, steps: int) -> tuple[list[str], list[str]]:
    """(check lines, failures): the same start, recording changes nothing, the same records and final θ."""
    failures = []
    engine = results["engine"]
    theta0 = numpy_init(SEED)
    same_start = np.array_equal(theta0, Layout.of(params0).flatten(params0))
    checks = [f"numpy loop's initial weights == engine's, bit for bit: {'ok' if same_start else 'FAIL'}"]
    if not same_start:
        failures.append("numpy loop starts elsewhere")
    same_rec = np.array_equal(results["engine+rec"], engine)
    checks.append(f"engine with recording == without, final θ bit for bit: {'ok' if same_rec else 'FAIL'}")
    if not same_rec:
        failures.append("recording changes the engine's result")
    moved = relative_error(engine, theta0)
    checks.append(f"final θ moved {moved:.2f} (relative) from the initial one over {steps * EPOCHS} steps")
    ours = engine_records(run_engine(data, False, full=True)[1])
    others = {"numpy": lambda: run_numpy(data)[1]}
    if "torch" in results:
        others["torch"] = lambda: run_torch(data, params0)[1]
    for name, records_of in others.items():
        theirs = records_of()
        rows_ok = ours.shape == theirs.shape
        worst = float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(ours), 1e-300), where=~np.isnan(ours),
                             initial=0.0)) if rows_ok else np.inf
        ok = rows_ok and np.array_equal(np.isnan(ours), np.isnan(theirs)) and worst <= TOLERANCE[name]
        checks.append(f"{name}'s records ({theirs.shape[0]} epochs × loss, accuracy, 3 weight and 3 gradient "
                      f"norms) vs the engine's: max relative |Δ| {worst:.1e}  {'ok' if ok else 'FAIL'} "
                      f"(≤ {TOLERANCE[name]:g})")
        if not ok:
            failures.append(f"{name}'s records differ from the engine's")
    for name in ("numpy", "numpy, training only", "torch", "torch, training only"):
        if name not in results:
            continue
        err = relative_error(results[name], engine)
        ok = err <= TOLERANCE[name.split(",")[0]]
        checks.append(
            f"{name} vs engine final θ ({engine.size} values): relative error {err:.1e}, "
            f"max |Δ| {np.max(np.abs(results[name] - engine)):.1e}  {'ok' if ok else 'FAIL'} "
            f"(≤ {TOLERANCE[name.split(',')[0]]:g})"
        )
        if not ok:
            failures.append(f"{name} differs from the engine")
    for k in np.linspace(0, engine.size - 1, 4).round().astype(int):
        line = f"    θ[{k:4d}] engine {engine[k]: .12f}  numpy {results['numpy'][k]: .12f}"
        if "torch" in results:
            line += f"  torch {results['torch'][k]: .12f}"
        checks.append(line)
    return checks, failures


def main(argv=None) -> int:
    p = parser(__doc__, repeat=7)
    torch_flags(p)
    p.add_argument("--no-seeds", action="store_true", help="skip the many-seeds part")
    args = p.parse_args(argv)
    use_torch, note = torch_setup(torch, args)

    data = make_data()
    params0, _ = NET.init(stream(SEED, "init"))
    steps = len(epoch_batches(SAMPLES, BATCH, SEED, 1))
    print(
        f"bench_training: MLP 2 → {' → '.join(map(str, HIDDEN))} → 1 ReLU (He), BCE, {SAMPLES} {DATASET} points "
        f"(noise {NOISE}), batch {BATCH} ({steps} steps/epoch), {EPOCHS} epochs, momentum γ {GAMMA}, α {LR}"
    )
    print(machine(note), flush=True)  # BLAS threads move the engine

    contestants = {
        "engine": lambda: run_engine(data, False),
        "engine+rec": lambda: run_engine(data, True),
        "numpy": lambda: run_numpy(data)[0],
        "numpy, training only": lambda: run_numpy(data, records=False),
    }
    if use_torch:
        contestants["torch"] = lambda: run_torch(data, params0)[0]
        contestants["torch, training only"] = lambda: run_torch(data, params0, records=False)
    times, results = interleaved(contestants, args.repeat)

    checks, failures = correctness(data, params0, results, steps)

    # ------------------------------------------------------------ table
    labels = {
        "engine": "engine: train, no recording",
        "engine+rec": "engine+rec: train, grid+θ each epoch",
        "numpy": "numpy: minimal loop + the same records",
        "numpy, training only": "numpy, training only (no records)",
        "torch": "torch: nn + optim.SGD + the same records, 1 thread",
        "torch, training only": "torch, training only (no records)",
    }
    goals = {name: Goal(GOAL_TEXT[name], GOALS[name], name, "engine") for name in GOALS}
    failures += ratio_table(times, "engine", goals | {"engine+rec": "(information)", "numpy, training only":
                                                      "(information)", "torch, training only": "(information)"},
                            labels)
    if not use_torch:
        print(f"torch ({GOAL_TEXT['torch']}): SKIP ({'torch not installed' if torch is None else '--no-torch'})")
    per_step = {name: min(ts) / (steps * EPOCHS) * 1e6 for name, ts in times.items()}
    print("µs per step: " + ", ".join(f"{name} {us:.1f}" for name, us in per_step.items()))
    for name in GOALS:
        if name in times:
            ratio = min(times["engine"]) / min(times[name])
            verdict = "PASS" if ratio <= GOALS[name] else "FAIL"
            print(f"engine / {name} = {ratio:.2f}  (goal ≤ {GOALS[name]:g})  {verdict}")
    for name in ("numpy, training only", "torch, training only"):
        if name in times:
            ratio = min(times["engine"]) / min(times[name])
            print(f"engine / {name} = {ratio:.2f}  (information: that run keeps no records)")
    if not args.no_seeds:
        more_checks, more_failures = seeds_part(args)
        checks += more_checks
        failures += more_failures
    return report(checks, failures, args.check)


if __name__ == "__main__":
    sys.exit(main())
