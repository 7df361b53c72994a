"""The yardstick for bench_browser.py: a Streamlit page with one sidebar slider and one small Plotly chart."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

value = st.sidebar.slider("frequency", 1, 100, 10, key="value")
x = np.linspace(0, 1, 200)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(2 * np.pi * value * x / 10), mode="lines")), key="chart")
