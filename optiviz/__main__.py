"""``python -m optiviz``: the command-line interface."""

import sys

from optiviz.cli import main

sys.exit(main())
