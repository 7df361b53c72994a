"""What a student sees when a page fails: a kind message, never a traceback (the server's log keeps it)."""

import logging

import streamlit as st

MESSAGE = ("Something went wrong while drawing this page with these settings. Try other settings, or open the "
           "page again from the sidebar. The details went to the server's log for your teacher.")


def report_failure() -> None:
    """Call inside ``except Exception``: log the traceback, show the student ``MESSAGE``."""
    logging.getLogger("optiviz").exception("a page failed")
    st.error(MESSAGE, icon=":material/sentiment_dissatisfied:")
