"""The yardstick for bench_rerun.py: a page with one slider."""

import streamlit as st

value = st.slider("value", 0, 1000, 500, key="value")
st.write(value)
