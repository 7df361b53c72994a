"""Exit 0 if the optiviz server on this host is healthy and warmed up, else 1 (Docker's HEALTHCHECK, systemd).

Asks /_stcore/health, then /_stcore/script-health-check, which runs app.py once in a headless
session: it proves that app.py itself runs, and on a plain `streamlit run app.py` it ends Streamlit's
legacy pages/ discovery, which would show the first student on a shared link (/optimizer-race?…)
"Page not found" (`python -m optiviz.ui.serve`, as the image and the unit start it, never uses it).

Follows the server's own settings: STREAMLIT_SERVER_PORT (default 8501) and
STREAMLIT_SERVER_BASE_URL_PATH (default none). With --wait SECONDS it retries until healthy or
the time is up (systemd's ExecStartPost).
"""

import os
import sys
import time
import urllib.request

base = os.environ.get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/")
port = os.environ.get("STREAMLIT_SERVER_PORT", "8501")
root = f"http://127.0.0.1:{port}/{base + '/' if base else ''}_stcore"


def healthy() -> bool:
    try:
        return all(urllib.request.urlopen(f"{root}/{check}", timeout=20).read() == b"ok"
                   for check in ("health", "script-health-check"))
    except OSError:
        return False


wait = float(sys.argv[2]) if len(sys.argv) == 3 and sys.argv[1] == "--wait" else 0.0
deadline = time.monotonic() + wait
while not healthy():
    if time.monotonic() >= deadline:
        sys.exit(1)
    time.sleep(0.5)
sys.exit(0)
