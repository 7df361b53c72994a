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

import logging
import sys
import threading
import time
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[2] / "app.py"


def warm() -> None:
    """Compute what a first visit to the optimizer race needs before anyone asks: the imports, every surface's
    map background and the default race's paths, into the caches every session shares (``st.cache_resource``)."""
    from optiviz.ui.optimizer_race import cache
    from optiviz.ui.optimizer_race.controls import default_settings
    from optiviz.core.surfaces import SURFACES

    for name in SURFACES:
        cache.surface_layers(name)
    cache.race(*default_settings().race())


def _warm_quietly() -> None:
    """``warm`` once the runtime exists (the caches' modules then import without "no runtime" warnings)."""
    from streamlit import runtime

    for _ in range(600):
        if runtime.exists():
            break
        time.sleep(0.05)
    try:
        warm()
    except Exception:  # a warm-up that fails only leaves the caches cold
        logging.getLogger(__name__).exception("start-up warm-up failed; the first visit computes it")


def main(options: list[str]) -> None:
    """``streamlit run app.py *options``, app.py navigating every run (never the legacy pages/ discovery), with the
    race's default view computed in the background while the server starts."""
    PagesManager.uses_pages_directory = False  # what st.navigation sets on its first call
    threading.Thread(target=_warm_quietly, name="optiviz-warm-up", daemon=True).start()
    cli.main(["run", str(APP), *options], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
