"""Streamlit glue: shared controls and cached engine calls. The only package importing streamlit."""
