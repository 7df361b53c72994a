"""The optimizer race's experiment, as its page and the command line run it (the engine: optiviz.core.descent)."""

from __future__ import annotations

from optiviz.core.choices import LEARNING_RATES

STEPS = 200  # the race's first view: every optimizer takes this many steps
SWEEP_RATES = LEARNING_RATES[::2]  # the Learning-rate sensitivity tab's α₀: every other rate a student can pick
