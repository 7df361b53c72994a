"""Plotly figure builders: data in, plain dicts out, wrapped as a figure by ``plain``; no streamlit here."""
