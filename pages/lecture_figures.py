"""Lecture figures: one link per figure of the lecture that optiviz redraws live."""

from urllib.parse import urlencode

import streamlit as st

from optiviz.ui.lecture_figures import LECTURE_FIGURES

st.title("Lecture figures")
st.caption("Each card opens the page that redraws one of the lecture's figures, with the settings that reproduce it, "
           "scrolled to the figure. **Present** shows the figure alone, large, for a projector (and, where the card "
           "has steps, one step at a time). Copy a link into your slides: it opens the same view for every student.")

here = st.context.url or ""
base = here.rsplit("/", 1)[0] if here.startswith("http") else ""
left, right = st.columns(2)
for i, fig in enumerate(LECTURE_FIGURES):
    with (left if i % 2 == 0 else right).container(border=True):
        steps = f" Present walks through {len(fig.steps)} steps: " + " → ".join(s.label for s in fig.steps) + "." \
            if fig.steps else ""
        st.markdown(f"**{fig.label} · {fig.title}**  \n{fig.caption}{steps}")
        name = fig.label if fig.figures != "—" else fig.title  # each link's own name, also to a screen reader
        with st.container(horizontal=True, gap="small"):
            st.page_link(fig.page, label=f"Open {name}", icon=":material/arrow_forward:", query_params=fig.query())
            st.page_link(fig.page, label=f"Present {name}", icon=":material/slideshow:",
                         query_params=fig.query(present=True, step=1 if fig.steps else 0),
                         help="The figure alone, large, with the lecture's sentence: for a projector.")
        if base:
            for query in (fig.query(), fig.query(present=True, step=1 if fig.steps else 0)):
                st.code(f"{base}/{fig.url_path}?{urlencode(query, doseq=True)}", language=None, wrap_lines=True)
