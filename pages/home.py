"""Home: what optiviz is, and which page shows each section of the lecture."""

import streamlit as st

st.title("optiviz")
st.markdown(
    "**See how deep networks are trained.** Every page turns a section of the lecture "
    "*Deep neural networks* into something you can touch: move the sliders and watch."
)

SECTIONS = [
    ("Optimizers: SGD, momentum, RMSProp, Adam", "pages/optimizer_race.py", "Optimizer race",
     "Race the update rules over Beale, the long valley, the ravine, Rosenbrock and a saddle (Figures 12–16)."),
    ("Selecting and annealing the learning rate", "pages/optimizer_race.py", "Optimizer race",
     "The learning-rate sensitivity sweep, and exponential, 1/t and step decay (Figure 11)."),
]
for section, page, title, what in SECTIONS:
    with st.container(border=True):
        st.markdown(f"**{section}**  \n{what}")
        st.page_link(page, label=f"Open {title}", icon=":material/arrow_forward:")

st.caption("More labs follow: training a network, activations and initialisation, batch size and preprocessing, "
           "and generalization (double descent, regularization, dropout).")
