"""optiviz: see how deep networks are trained. Run with ``python -m optiviz.ui.serve`` (``streamlit run app.py``)."""

import streamlit as st

from optiviz.ui import errors, keyboard, lecture_mode, links

# Embedded (?embed=true) without a lecture figure: the page, its sidebar folded away (lecture_mode explains).
st.set_page_config(page_title="optiviz", page_icon="📉", layout="wide",
                   initial_sidebar_state="collapsed" if st.context.is_embedded else "auto")


def page(script: str, title: str, icon: str) -> st.Page:
    """A lab page served at /<script name with dashes>."""
    return st.Page(f"pages/{script}.py", title=title, icon=f":material/{icon}:", url_path=script.replace("_", "-"))


lab = st.navigation({
    "": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
         page("lecture_figures", "Lecture figures", "slideshow")],
    "Optimization": [
        page("optimizer_race", "Optimizer race", "sports_score"),
        page("batch_size", "Batch size", "grain"),
        page("learning_rate", "Learning rate", "speed"),
        page("train_network", "Train a network", "model_training"),
    ],
    "Data and initialisation": [
        page("preprocessing", "Data preprocessing", "scatter_plot"),
        page("activations_init", "Activations and initialisation", "stacked_line_chart"),
    ],
    "Generalization": [
        page("double_descent", "Double descent", "show_chart"),
        page("regularization", "Regularization", "shield"),
    ],
})
asked, note = links.requested(), st.container(key=lecture_mode.NOTE).empty()  # where to say which were refused
view, checked = lecture_mode.begin(lab.url_path, asked)  # a lecture figure's link: its view, and its values' check
keyboard.enable()  # Tab and keys reach plotly's players; charts get names; chart text readable
try:
    lab.run()
except Exception:  # a bug: a kind word for the student, the traceback for the log (st.stop and reruns pass)
    errors.report_failure()
finally:
    links.report(asked, note, checked)
    lecture_mode.land(view)
