"""optiviz: see how deep networks are trained. Run with ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="optiviz", page_icon="📉", layout="wide")

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
race = st.Page("pages/optimizer_race.py", title="Optimizer race", icon=":material/sports_score:", url_path="optimizer-race")
train = st.Page("pages/train_network.py", title="Train a network", icon=":material/model_training:", url_path="train-network")
init = st.Page("pages/activations_init.py", title="Activations and initialisation", icon=":material/stacked_line_chart:",
               url_path="activations-init")
st.navigation({"": [home], "Optimization": [race, train, init]}).run()
