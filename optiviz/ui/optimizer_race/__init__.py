"""The optimizer race page's Streamlit glue: its cached engine calls, sidebar and views."""
