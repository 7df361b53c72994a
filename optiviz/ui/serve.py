"""Start the optiviz server: ``streamlit run app.py``, with every deep link served through app.py from the first.

    python -m optiviz.ui.serve [streamlit run options, e.g. --server.port=8502]

Streamlit serves the first script run of a process through its legacy ``pages/`` discovery
(pages named after their files), because a ``pages/`` folder sits beside app.py; only app.py's
``st.navigation`` turns that off. So the first student to open a teacher's link on a fresh server
(``/optimizer-race?…``) saw "Page not found" (docs/facts.md). This launcher turns it off before
the first run, exactly as ``st.navigation`` does on its first call, then runs ``streamlit run``
in this process. ``streamlit run app.py`` still works; its first deep link shows the dialog.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[2] / "app.py"


def main(options: list[str]) -> None:
    """``streamlit run app.py *options``, app.py navigating every run (never the legacy pages/ discovery)."""
    PagesManager.uses_pages_directory = False  # what st.navigation sets on its first call
    cli.main(["run", str(APP), *options], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
