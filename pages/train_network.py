"""Train a network: build an MLP, train it with up to four optimizers, watch it learn."""

import streamlit as st

from optiviz.core.datasets import DATASETS, PREPROCESSINGS, REFLECTIONS
from optiviz.figures.landscape import path_figure, paths_caption, slice_figure, slices_caption
from optiviz.figures.activations_init import activation_label
from optiviz.figures.train_network import (decision_boundary, gradient_norm_panels, learning_curves, neuron_maps,
                                           run_title, seed_statement, seed_summary)
from optiviz.nn import MLP
from optiviz.nn.activations import ACTIVATIONS
from optiviz.nn.initializers import INITIALIZERS
from optiviz.nn.seeds import MAX_SEEDS, affordable_seeds
from optiviz.nn.training import MAX_OPTIMIZERS, max_epochs
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.ui import charts
from optiviz.ui import train_network as cache
from optiviz.ui.controls import DECAY_RATES, LEARNING_RATES, hyperparameter_slider, log_slider, whole_number
from optiviz.ui.optimizer_race.views import RMSPROP_EPS_NOTE

PAGE_MAX_SAMPLES, PAGE_MAX_WIDTH, PAGE_MAX_DEPTH = 1000, 64, 5
PAGE_WORK_SHARE = 0.5  # of the engine's work caps: batch norm, dropout and the figures cost more than they count
BATCH_SIZES = (1, 4, 8, 16, 32, 64, 128, "full batch")
PENALTY_STRENGTHS = tuple(v for v in LEARNING_RATES if v <= 0.1)
# the comparison's seeds: a class presses Train at once, so no more than the default view can pay for
DEFAULT_SEEDS = 10
INIT_LABELS = {"zeros": "zeros", "constant": "constant", "normal": "normal", "uniform": "uniform", "xavier": "Xavier",
               "glorot": "Glorot", "he": "He"}
INIT_HELP = ("Initial weights. Xavier: variance 1/N_in (the lecture's); Glorot: 2/(N_in + N_out); "
             "He: 2/N_in (for ReLU); zeros and constant never break the symmetry between units.")

st.title("Train a network")
st.caption(
    "Lecture: *Optimizing deep neural networks* — mini-batch gradient descent, the optimizers, initialisation, "
    "batch norm, dropout and regularization on toy 2-D data. Set everything in the sidebar, then press **Train** "
    "(the results stay those of the last Train until you do)."
)

# ---- controls: live in the sidebar, but nothing trains before Train is pressed -------------------------
# Every control writes its value to the URL as it changes; the results stay those of the last Train, and a
# notice names what changed since. Rarely used settings sit in expanders, which still draw (and bind) them.
TRAINED = "train_trained_settings"  # session state: the settings the shown results were trained with


def _press_train():
    st.session_state["train_pressed"] = True


# The URL's settings as this session first opened the page: decided once, since an expander whose `expanded`
# changed on a rerun would snap shut under the student's hand as a value came back to its default.
st.session_state.setdefault("train_link_keys", frozenset(st.query_params))


def _opened(*keys: str) -> bool:
    """Open an expander when the link that opened the page set one of its controls away from its default."""
    return any(key in st.session_state["train_link_keys"] for key in keys)


with st.sidebar:
    st.button("Train", key="train", type="primary", icon=":material/play_arrow:", use_container_width=True,
              on_click=_press_train, help="Train with the settings below. Until then the page shows the last training.")
    st.header("Data")
    name = st.selectbox("Dataset", list(DATASETS), index=list(DATASETS).index("spiral"),
                        format_func=lambda n: DATASETS[n].label, key="dataset", bind="query-params")
    classes = st.radio("Classes", (2, 3), horizontal=True, key="classes", bind="query-params",
                       help="Three classes: spiral and blobs only.")
    with st.expander("Samples, noise, split",
                     expanded=_opened("samples", "noise", "val_fraction", "preprocessing", "data_seed")):
        samples = st.slider("Samples", 50, PAGE_MAX_SAMPLES, 400, 50, key="samples", bind="query-params",
                            help=f"Training + validation points (at most {PAGE_MAX_SAMPLES} here).")
        noise = st.slider("Noise", 0.0, 0.5, 0.05, 0.01, key="noise", bind="query-params",
                          help="Standard deviation of the jitter on every point.")
        val_fraction = st.slider("Validation fraction", 0.0, 0.5, 0.3, 0.05, key="val_fraction", bind="query-params",
                                 help="Held out to measure generalization and for early stopping.")
        preprocessing = st.selectbox("Preprocessing", list(PREPROCESSINGS), format_func=lambda n: PREPROCESSINGS[n][0],
                                     key="preprocessing", bind="query-params",
                                     help="Fitted on the training split only.")
        data_seed = whole_number("Data seed", 0, 10_000, 0, "data_seed")

    st.header("Network")
    depth = st.slider("Hidden layers", 1, PAGE_MAX_DEPTH, 2, key="depth", bind="query-params",
                      help=f"At most {PAGE_MAX_DEPTH} here.")
    width = st.slider("Units per hidden layer", 1, PAGE_MAX_WIDTH, 16, key="width", bind="query-params",
                      help=f"At most {PAGE_MAX_WIDTH} here.")
    activation = st.selectbox("Activation", list(ACTIVATIONS), index=2, format_func=activation_label, key="activation",
                              bind="query-params")
    with st.expander("Initialisation, batch norm, dropout",
                     expanded=_opened("alpha", "init", "init_scale", "skip", "batch_norm", "dropout")):
        alpha = st.slider("Leaky ReLU / ELU slope α", 0.01, 1.0, 0.1, 0.01, key="alpha", bind="query-params",
                          help="Used by leaky ReLU and ELU only.")
        init = st.selectbox("Initialisation", list(INITIALIZERS), index=list(INITIALIZERS).index("he"),
                            format_func=lambda n: INIT_LABELS.get(n, n), key="init", bind="query-params",
                            help=INIT_HELP)
        init_scale = st.select_slider("Scale of normal σ / uniform a / constant c", (0.001, 0.01, 0.1, 0.5, 1.0, 2.0),
                                      0.1, key="init_scale", bind="query-params",
                                      help="Used by the normal, uniform and constant initialisations only.")
        skip = st.toggle("Skip connections", key="skip", bind="query-params",
                         help="out = x + f(x) between hidden layers of equal width.")
        batch_norm = st.toggle("Batch normalisation", key="batch_norm", bind="query-params",
                               help="Normalise each unit with batch statistics in training, running statistics in "
                                    "evaluation.")
        drop = st.slider("Drop probability p (dropout)", 0.0, 0.6, 0.0, 0.05, key="dropout", bind="query-params",
                         help="The drop probability p: in training each hidden unit is dropped with probability p and "
                              "the kept ones are scaled by 1/(1 − p) (inverted dropout); evaluation uses every unit as "
                              "it is.")

    st.header("Optimization")
    chosen = st.multiselect("Optimizers", list(OPTIMIZERS), default=["sgd", "momentum", "rmsprop", "adam"],
                            max_selections=MAX_OPTIMIZERS, format_func=lambda n: OPTIMIZERS[n].label, key="optimizers",
                            bind="query-params",
                            help=f"Up to {MAX_OPTIMIZERS}: all start from the same weights and see the same "
                                 "mini-batches.")
    runs = []
    for opt in OPTIMIZERS:
        with st.expander(f"{OPTIMIZERS[opt].label} settings"):
            whose = f"{OPTIMIZERS[opt].label} · "  # each control's own name, also to a screen reader
            lr = log_slider(f"{whose}learning rate α₀", LEARNING_RATES, OPTIMIZERS[opt].learning_rate("train_network"),
                            f"train_lr_{opt}")
            hyper = tuple((h.name, hyperparameter_slider(h, f"train_{opt}_{h.name}", whose))
                          for h in OPTIMIZERS[opt].hyperparameters)
        if opt in chosen:
            runs.append((opt, lr, hyper))
    batch = st.select_slider("Batch size", BATCH_SIZES, 32, key="batch_size", bind="query-params",
                             help="1: stochastic gradient descent; full batch: gradient descent. An epoch takes ⌈N/B⌉ "
                                  "steps (the last batch holds what is left); with batch norm a last batch of a single "
                                  "point is merged into the one before, so ⌈N/B⌉ − 1.")
    epochs = st.slider("Epochs", 1, 300, 60, key="epochs", bind="query-params",
                       help="Capped so that one training stays within a few seconds on this shared server.")
    with st.expander("Schedule and seeds",
                     expanded=_opened("train_schedule", "train_decay_rate", "train_seed", "seeds")):
        schedule = st.selectbox("Learning-rate schedule", list(SCHEDULES), format_func=lambda s: SCHEDULES[s][1],
                                key="train_schedule", bind="query-params",
                                help="Counted in epochs: epoch e uses α at t = e − 1. Momentum and Nesterov keep α_t "
                                     "inside the velocity, v ← γv − α_t g, as the lecture writes it; PyTorch's SGD "
                                     "with a scheduler applies it outside (v ← γv + g, W ← W − α_t v), so its runs "
                                     "differ once α changes.")
        decay_rate = log_slider("decay rate k", DECAY_RATES, 0.01, "train_decay_rate",
                                "Used by the decaying schedules only.")
        seed = whole_number("Training seed", 0, 10_000, 0, "train_seed",
                            help="Initial weights, shuffles, dropout masks. The decision boundaries and neurons are "
                                 "this seed's.")
        wanted_seeds = st.slider("Seeds to compare", 1, MAX_SEEDS, DEFAULT_SEEDS, key="seeds", bind="query-params",
                                 help="Each optimizer is trained from the training seed and the next ones: the "
                                      "learning curves show the median and the 10–90% band over them, and the counts "
                                      "say in how many seeds one optimizer ends below another. One seed can flip a "
                                      "conclusion.")

    st.header("Regularization")
    with st.expander("Penalty, early stopping, augmentation",
                     expanded=_opened("penalty", "penalty_strength", "patience", "jitter", "rotation", "reflect")):
        penalty = st.selectbox("Penalty", ("none", "L1", "L2", "elastic net"), key="penalty", bind="query-params",
                               help="On weights only: L1 λΣ|W|, L2 (λ/2)ΣW², elastic net both.")
        strength = log_slider("penalty strength λ", PENALTY_STRENGTHS, 0.001, "penalty_strength")
        patience = st.slider("Early stopping patience (0 = off)", 0, 50, 0, key="patience", bind="query-params",
                             help="Stop when the validation loss has not improved for this many epochs; keep the best "
                                  "weights.")
        jitter = st.slider("Augment: jitter σ", 0.0, 0.3, 0.0, 0.01, key="jitter", bind="query-params")
        rotation = st.slider("Augment: rotation ±degrees", 0, 180, 0, 5, key="rotation", bind="query-params")
        reflect = st.selectbox("Augment: reflection", list(REFLECTIONS), key="reflect", bind="query-params")
    st.caption(f"Caps here: {PAGE_MAX_SAMPLES} samples, {PAGE_MAX_DEPTH} × {PAGE_MAX_WIDTH} units, and the epochs the "
               "work allows (a bigger network, more samples or smaller batches allow fewer; you will be told).")

# ---- what is shown: the settings of the last Train (a first visit, or a link, trains what it asks for) ----
SETTING_NAMES = {  # each setting's name on screen, for the notice that says what changed since the last Train
    "name": "Dataset", "classes": "Classes", "samples": "Samples", "noise": "Noise",
    "val_fraction": "Validation fraction", "preprocessing": "Preprocessing", "data_seed": "Data seed",
    "depth": "Hidden layers", "width": "Units per hidden layer",
    "activation": "Activation", "alpha": "Leaky ReLU / ELU slope α", "init": "Initialisation",
    "init_scale": "Scale of normal σ / uniform a / constant c", "skip": "Skip connections",
    "batch_norm": "Batch normalisation", "drop": "Drop probability p", "chosen": "Optimizers", "runs": "runs",
    "batch": "Batch size", "epochs": "Epochs", "schedule": "Learning-rate schedule", "decay_rate": "decay rate k",
    "seed": "Training seed", "wanted_seeds": "Seeds to compare", "penalty": "Penalty", "strength": "penalty strength λ",
    "patience": "Early stopping patience", "jitter": "Augment: jitter σ", "rotation": "Augment: rotation",
    "reflect": "Augment: reflection",
}
current = dict(zip(SETTING_NAMES, (name, classes, samples, noise, val_fraction, preprocessing, data_seed, depth, width,
                                   activation, alpha, init, init_scale, skip, batch_norm, drop, tuple(chosen),
                                   tuple(runs), batch, epochs, schedule, decay_rate, seed, wanted_seeds, penalty,
                                   strength, patience, jitter, rotation, reflect)))
if st.session_state.pop("train_pressed", False) or TRAINED not in st.session_state:
    st.session_state[TRAINED] = current
trained = st.session_state[TRAINED]


SHOWN_AS = {"name": lambda n: DATASETS[n].label, "preprocessing": lambda n: PREPROCESSINGS[n][0],
            "activation": activation_label, "init": lambda n: INIT_LABELS.get(n, n),
            "schedule": lambda s: SCHEDULES[s][1], "skip": lambda on: "on" if on else "off",
            "batch_norm": lambda on: "on" if on else "off"}  # as the controls show them, never an identifier


def _changes(old: dict, new: dict) -> list[str]:
    """What differs between two settings, in the words on screen: "Noise 0.05 → 0.1", "Adam's settings"."""
    def shown(key, value):
        return SHOWN_AS[key](value) if key in SHOWN_AS else f"{value:g}" if isinstance(value, float) else str(value)
    out = [f"{SETTING_NAMES[k]} {shown(k, old[k])} → {shown(k, new[k])}" for k in SETTING_NAMES
           if k not in ("chosen", "runs") and old[k] != new[k]]
    if old["chosen"] != new["chosen"]:
        out.append("Optimizers")
    else:
        out += [f"{OPTIMIZERS[a[0]].label}'s settings" for a, b in zip(old["runs"], new["runs"]) if a != b]
    return out


changed = _changes(trained, current)
if changed:
    with st.container(border=True):
        st.warning("**These results are for the previous settings**: press **Train** to train with the new ones. "
                   "Changed since: " + "; ".join(changed) + ".", icon=":material/history:")
        st.button("Train with the new settings", key="train_again", type="primary", icon=":material/play_arrow:",
                  on_click=_press_train)
(name, classes, samples, noise, val_fraction, preprocessing, data_seed, depth, width, activation, alpha, init,
 init_scale, skip, batch_norm, drop, chosen, runs, batch, epochs, schedule, decay_rate, seed, wanted_seeds, penalty,
 strength, patience, jitter, rotation, reflect) = trained.values()
runs = list(runs)

# ---- checks that need several controls at once -------------------------------------------------
if classes not in DATASETS[name].classes:
    st.info(f"{DATASETS[name].label} comes with {DATASETS[name].classes[0]} classes; using that.",
            icon=":material/info:")
    classes = DATASETS[name].classes[0]
if not runs:
    st.warning("Tick at least one optimizer in the sidebar, then press Train.", icon=":material/warning:")
    st.stop()
if patience and val_fraction == 0:
    st.info("Early stopping needs validation points: it is off while the validation fraction is 0.",
            icon=":material/info:")
    patience = 0
if batch_norm and batch == 1:
    st.info("Batch norm needs at least 2 points per batch: using batches of 2.", icon=":material/info:")
    batch = 2

data = (name, samples, noise, classes, val_fraction, data_seed)
split = cache.dataset(data)
net = MLP(2, (width,) * depth, 1 if classes == 2 else classes, activation=activation,
          alpha=alpha if activation in ("leaky_relu", "elu") else None, initializer=init,
          init_params={"normal": {"sigma": init_scale}, "uniform": {"a": init_scale},
                       "constant": {"c": init_scale}}.get(init, {}),
          skip=skip, batch_norm=batch_norm, keep_prob=1 - drop)
batch_size = None if batch == "full batch" else batch
cap = int(max_epochs(net, len(split.X_train), len(split.X_val), batch_size) * PAGE_WORK_SHARE) // len(runs)
if epochs > cap:
    st.info(f"This network, data and batch size allow at most {cap} epochs for {len(runs)} optimizers on this shared "
            f"server: training {cap}.", icon=":material/speed:")
    epochs = max(cap, 1)
n_seeds = affordable_seeds(net, len(split.X_train), len(split.X_val), batch_size, epochs, len(runs), wanted_seeds,
                           PAGE_WORK_SHARE)
if n_seeds < wanted_seeds:
    st.info(f"This network, data and batch size allow {n_seeds} seed{'s' if n_seeds > 1 else ''} per optimizer for "
            f"{epochs} epochs on this shared server: training {n_seeds}.", icon=":material/speed:")
l1 = strength if penalty in ("L1", "elastic net") else 0.0
l2 = strength if penalty in ("L2", "elastic net") else 0.0
options = (("batch_size", batch_size), ("epochs", epochs), ("schedule", schedule), ("decay_rate", decay_rate),
           ("l1", l1), ("l2", l2), ("patience", patience or None), ("jitter", jitter), ("rotation", float(rotation)),
           ("reflect", reflect), ("preprocessing", preprocessing)) + ((("seeds", n_seeds),) if n_seeds > 1 else ())
args = (data, net, tuple(runs), options, seed)

try:
    result = cache.comparison(*args)
except cache.QueueFull:  # the fair share: more students wait to train than this server lets queue
    st.warning("The server is training for many students right now: press **Train** again in a minute.",
               icon=":material/hourglass_top:")
    st.stop()

# ---- results ---------------------------------------------------------------------------------------
seeds = result.seeds  # None with one seed
for k, (col, r) in enumerate(zip(st.columns(len(result)), result)):
    last = r.history.iloc[-1]
    note = (f"diverged at epoch {r.diverged_at}" if r.diverged_at is not None else
            f"stopped early at epoch {r.stopped_at}, best {r.best_epoch}" if r.stopped_at is not None else
            f"{r.epochs_run} epochs")
    metric = "val_acc" if last["val_acc"] == last["val_acc"] else "train_acc"
    where = "validation" if metric == "val_acc" else "training"
    if seeds:
        median, low, high, curve = seed_summary(seeds[k], metric)
        n, gone = len(seeds[k].seeds), int((seeds[k].diverged_at >= 0).sum())
        value, spread_note = (("—", f"diverged in all {n} seeds") if gone == n else
                              (f"{median:.1%}",
                               f"{n} seeds: {low:.0%}–{high:.0%}" + (f", {gone} diverged" if gone else "")))
        col.metric(run_title(r.optimizer), value, spread_note,
                   delta_color="off", delta_arrow="off", chart_data=curve, border=True,
                   help=f"Median {where} accuracy at the end over {len(seeds[k].seeds)} seeds, and the 10–90% range "
                        f"of the seeds; the sparkline is the median's history. Seed {seed} alone: {last[metric]:.1%}, "
                        f"{note}.")
    else:
        col.metric(run_title(r.optimizer), f"{last[metric]:.1%}", note,
                   delta_color="off", delta_arrow="off", chart_data=r.history[metric].round(4).tolist(), border=True,
                   help=f"Accuracy on the {where} points at the end; the sparkline is its history.")
    if r.diverged_at is not None:
        st.warning(f"{run_title(r.optimizer)} diverged at epoch {r.diverged_at} (seed {seed}): its loss overflowed. "
                   "Try a smaller learning rate.",
                   icon=":material/warning:")
if any(name == "rmsprop" for name, _, _ in runs):
    st.caption(RMSPROP_EPS_NOTE)


def _panel_columns(n: int) -> list:
    """Columns for n panels, a figure each: 2 × 2 for four, else one row; a phone stacks them at full width."""
    per_row = 2 if n == 4 else n
    return [col for _ in range(0, n, per_row) for col in st.columns(per_row)]


@st.fragment
def boundary(trained_with: tuple):
    # Bound to the URL, so that "the boundary at epoch 30" can be shared; dragging it reruns this fragment only.
    # A link's epoch beyond this training's last is refused by the slider: app.py's links.report names it.
    # The session keeps this fragment, its arguments and this page's globals: so it takes only the settings and
    # reads the training from the cache each time it runs (a hit), never holding a copy of its own (issue 16).
    result, split = cache.comparison(*trained_with), cache.dataset(trained_with[0])
    points = {"train": (split.X_train, split.y_train), "validation": (split.X_val, split.y_val)}
    last_epoch = max(r.epochs_run for r in result)
    if not 0 <= st.session_state.get("epoch", 0) <= last_epoch:  # an epoch of a longer training: start at the end
        del st.session_state["epoch"]
    epoch = st.slider("Epoch", 0, last_epoch, last_epoch, key="epoch", bind="query-params",
                      help="Drag to see the decision boundary as training went on.")
    for k, (col, r) in enumerate(zip(_panel_columns(len(result)), result)):
        charts.show(decision_boundary(r, epoch, points), f"boundary_{k}", where=col,
                    name=f"Decision boundary of the network trained with {run_title(r.optimizer)}")


st.subheader("Decision boundary")
st.caption("Shading: the network's predicted probability of the orange class (the black line is 50%). "
           "Filled dots are training points, rings are validation points."
           + (f" One seed's networks (training seed {seed}); the curves below are over {n_seeds} seeds."
              if seeds else ""))
boundary(args)

st.subheader("Learning curves")
if seeds:
    st.markdown(seed_statement(seeds))
    st.caption(f"Over {n_seeds} seeds (training seed {seed} and the next {n_seeds - 1}): lines are the median, "
               "shading the 10–90% band of the seeds, training dashed, validation solid; the dots at the right are "
               "each seed's final loss. A gap that opens up between training and validation is overfitting.")
else:
    st.caption("Training loss dashed, validation loss solid. A gap that opens up is overfitting.")
charts.show(learning_curves(result.history, seeds), "curves", name="Training and validation loss against epochs")

tabs = st.tabs(["Gradient norms", "What the neurons see", "Loss landscape"], key="train_tab", bind="query-params",
               on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        st.caption("The size of each layer's weight gradient, ‖∂J/∂W‖, averaged over the epoch's steps. Layers whose "
                   "curves fall decades below the others are barely learning: vanishing gradients."
                   + (f" Training seed {seed}." if seeds else ""))
        for k, (col, fig) in enumerate(zip(_panel_columns(len(result)), gradient_norm_panels(result))):
            charts.show(fig, f"grad_norms_{k}", where=col,
                        name=f"Gradient norm of each layer against epochs, {run_title(result[k].optimizer)}")
with tabs[1]:
    if tabs[1].open:
        c1, c2 = st.columns(2)
        label = c1.selectbox("Optimizer", result.labels, format_func=run_title, key="neuron_optimizer",
                             bind="query-params")
        layer = c2.selectbox("Hidden layer", range(depth), format_func=lambda i: f"hidden layer {i + 1}",
                             key="neuron_layer", bind="query-params")
        chosen_run = result[label]
        st.caption(f"Each square is one unit of hidden layer {layer + 1}: its output f(z) at every point of the input "
                   "plane, after training (as in TensorFlow Playground). Units that are flat everywhere are dead."
                   + (f" Training seed {seed}'s network." if seeds else ""))
        charts.show(neuron_maps(*chosen_run.neuron_tiles(layer), activation_label(activation)), "neurons",
                    name="What each neuron of a layer responds to")
with tabs[2]:
    if tabs[2].open:
        label = st.selectbox("Optimizer", result.labels, format_func=run_title, key="landscape_optimizer",
                             bind="query-params")
        with st.spinner("Training the twin network and evaluating the loss on four 25 × 25 planes…"):
            view = cache.loss_landscape(*args, label)
        if view.rows < len(split.X_train):
            st.info(f"This network is big for a shared server: the surfaces are the loss on {view.rows} of the "
                    f"{len(split.X_train)} training points.", icon=":material/speed:")
        st.markdown("**Random slices: is the loss convex?**")
        st.caption(slices_caption(view))
        for col, random_slice in zip(st.columns(len(view.slices)), view.slices):  # side by side; stacked on a phone
            charts.show(slice_figure(random_slice), f"landscape_{random_slice.skip}",
                        name="A random 2-D slice through the loss landscape, "
                             f"{'with' if random_slice.skip else 'without'} skip connections", where=col)
        if view.paths:
            st.markdown("**The training path, on its own plane**")
            st.caption(paths_caption(view))
            for col, plane in zip(st.columns(len(view.paths)), view.paths):
                charts.show(path_figure(plane, label), f"landscape_path_{plane.skip}",
                            name=f"The training path on its plane, {'with' if plane.skip else 'without'} skip "
                                 "connections", where=col)

# ---- nothing of the training stays with the session ----------------------------------------------------
# The epoch slider's fragment lives as long as the session, and with it this page's globals: the copies of the
# cached results above (each cache_data call returns its own) would stay with every open tab, 1 MB or more each.
for _big in ("result", "seeds", "split", "r", "chosen_run", "view", "random_slice", "plane", "fig", "curve", "last"):
    globals().pop(_big, None)
