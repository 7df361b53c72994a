"""Home: what optiviz is, and which page shows each section of the lecture."""

import streamlit as st

st.title("optiviz")
st.markdown(
    "**See how deep networks are trained.** Each page turns a section of the lecture "
    "*Deep neural networks* into something you can touch: move a slider, press play, watch what changes."
)

# (lecture section, what you can do there, page script or None while it is being built)
SECTIONS = [
    ("Optimizers: SGD, momentum, RMSProp, Adam",
     "Race the update rules over Beale, the long valley, the ravine, Rosenbrock and a saddle point "
     "(Figures 12–16), each with its formula filled in.", "pages/optimizer_race.py"),
    ("Selecting and annealing the learning rate",
     "Sweep the learning rate for every optimizer at once, and try exponential, 1/t and step decay (Figure 11).",
     "pages/optimizer_race.py"),
    ("Training a network: mini-batches, optimizers, batch norm, dropout",
     "Build a network, train it with up to four optimizers on toy data, and watch the decision boundary, the "
     "learning curves, the gradients, each neuron and the loss landscape.", "pages/train_network.py"),
    ("Activations, vanishing gradients, dead ReLUs, initialisation",
     "Activation and gradient statistics layer by layer for six initialisation schemes (Figures 4, 8, 9).",
     "pages/activations_init.py"),
    ("Batch size and preprocessing", "Mini-batches, epochs and whitening (Figure 10).", None),
    ("Generalization", "Double descent, regularization, early stopping and dropout (Figures 17–19).", None),
]

left, right = st.columns(2)
for i, (section, what, page) in enumerate(SECTIONS):
    with (left if i % 2 == 0 else right).container(border=True):
        st.markdown(f"**{section}**  \n{what}")
        if page:
            title = {"pages/optimizer_race.py": "the optimizer race", "pages/train_network.py": "the training lab"}.get(
                page, "the activations lab")
            st.page_link(page, label=f"Open {title}", icon=":material/arrow_forward:")
        else:
            st.caption(":material/construction: coming soon")

st.caption("Every figure is computed live in NumPy from the lecture's formulas; nothing is pre-recorded.")
