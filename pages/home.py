"""Home: what optiviz is, and which page shows each section of the lecture."""

import streamlit as st

st.title("optiviz")
st.markdown(
    "**See how deep networks are trained.** Each page turns a section of the lecture "
    "*Deep neural networks* into something you can touch: move a slider, press play, watch what changes."
)

# (lecture section, what you can do there, page script, what the link opens)
SECTIONS = [
    ("Optimizers: SGD, momentum, RMSProp, Adam",
     "Race the update rules over Beale, the long valley, the ravine, Rosenbrock and a saddle point "
     "(Figures 12–16), each with its formula filled in.", "pages/optimizer_race.py", "the optimizer race"),
    ("Batch, stochastic and mini-batch gradient descent",
     "Full-batch, mini-batch and single-sample descent race over the loss contours of a two-weight model; "
     "count steps, epochs and gradient evaluations (Figure 10).", "pages/batch_size.py", "the batch-size lab"),
    ("Selecting and annealing the learning rate",
     "Too high, high, good and low learning rates (Figure 11), a learning-rate range test, and exponential, "
     "1/t and step decay.", "pages/learning_rate.py", "the learning-rate lab"),
    ("Training a network: mini-batches, optimizers, batch norm, dropout",
     "Build a network, train it with up to four optimizers on toy data, and watch the decision boundary, the "
     "learning curves, the gradients, each neuron and the loss landscape (Figure 3).", "pages/train_network.py",
     "the training lab"),
    ("Data pre-processing",
     "Zero-centre, standardise and whiten a data cloud, and see what each does to the loss surface in weight space "
     "(Figures 5–7).", "pages/preprocessing.py", "the preprocessing lab"),
    ("Activations, vanishing gradients, dead ReLUs, initialisation",
     "Activation and gradient statistics layer by layer for six initialisation schemes (Figures 4, 8, 9).",
     "pages/activations_init.py", "the activations lab"),
    ("Generalization: double descent",
     "Test error against the number of features, past the interpolation threshold p = n (Figures 17–18).",
     "pages/double_descent.py", "the double-descent lab"),
    ("Regularization",
     "L1, L2 and elastic-net paths, early stopping, dropout, batch norm and data augmentation (Figures 19–20).",
     "pages/regularization.py", "the regularization lab"),
]

left, right = st.columns(2)
for i, (section, what, page, title) in enumerate(SECTIONS):
    with (left if i % 2 == 0 else right).container(border=True):
        st.markdown(f"**{section}**  \n{what}")
        st.page_link(page, label=f"Open {title}", icon=":material/arrow_forward:")

with st.container(border=True):
    st.markdown("**Teaching with optiviz?** Every control is saved in the page's address, so a link reproduces "
                "exactly what you see. The lecture-figures page has a ready link for each figure of the lecture, "
                "which opens its page scrolled to the figure, and a **Present** link that shows the figure alone, "
                "large, for a projector (some step by step: SGD, then + momentum, + RMSProp, + Adam). "
                "In a frame (`?embed=true`), a figure's link shows the figure first, without the sidebar.")
    st.page_link("pages/lecture_figures.py", label="Open the lecture figures", icon=":material/slideshow:")

st.caption("Every figure is computed live in NumPy from the lecture's formulas; nothing is pre-recorded.")
