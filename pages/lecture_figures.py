"""Lecture figures: one link per figure of the lecture that optiviz redraws live."""

from urllib.parse import urlencode

import streamlit as st

from optiviz.ui.lecture_figures import LECTURE_FIGURES

st.title("Lecture figures")
st.caption("Each card opens the page that redraws one of the lecture's figures, with the settings that reproduce it. "
           "Copy a link into your slides: it opens the same view for every student.")

here = st.context.url or ""
base = here.rsplit("/", 1)[0] if here.startswith("http") else ""
left, right = st.columns(2)
for i, fig in enumerate(LECTURE_FIGURES):
    with (left if i % 2 == 0 else right).container(border=True):
        number = f"Figure {fig.figures}" if fig.figures != "—" else "Beyond the figures"
        st.markdown(f"**{number} · {fig.title}**  \n{fig.caption}")
        st.page_link(fig.page, label="Open it", icon=":material/arrow_forward:", query_params=fig.settings)
        if base:
            path = fig.page.removeprefix("pages/").removesuffix(".py").replace("_", "-")
            query = urlencode(fig.settings, doseq=True)
            st.code(f"{base}/{path}" + (f"?{query}" if query else ""), language=None, wrap_lines=True)
