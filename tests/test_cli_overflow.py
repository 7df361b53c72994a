"""Huge inputs on the command line: a one-line message naming the input, never Python's RuntimeWarning
with a file path and source line (issue 16, "Serving": the CLI)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# argv, exit status, what stderr must say (a regular expression; "" for nothing at all)
CASES = [
    (["path", "--noise", "1e308"], 0, r"diverged at step \d+\n"),
    (["path", "--schedule", "step", "--decay-rate", "1e308", "--steps", "10000"], 0, ""),
    (["path", "--schedule", "inv", "--decay-rate", "1e308", "--steps", "50"], 0, ""),
    (["path", "--lr", "1e308"], 0, r"diverged at step \d+\n"),
    (["train", "--noise", "1e308", "--epochs", "3"], 2,
     r"optiviz train: error: --noise must be a finite number in \[0, 1e\+06\], got 1e\+308\n"),
    (["train", "--lr", "1e308", "--epochs", "3"], 0, r"diverged at epoch \d+\n"),
    (["train", "--schedule", "inv", "--decay-rate", "1e308", "--epochs", "3"], 0, ""),
]


def cli(argv):
    return subprocess.run([sys.executable, "-W", "default", "-m", "optiviz", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("argv, status, message", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_huge_input_gives_a_clean_message(argv, status, message):
    done = cli(argv)
    assert done.returncode == status, done.stderr
    assert "Warning" not in done.stderr and "Traceback" not in done.stderr
    assert not re.search(r"\.py\b|/optiviz/", done.stderr), done.stderr  # no file path or source line
    assert re.fullmatch(message, done.stderr), done.stderr
    if status == 0:  # the CSV is still written, every row complete
        rows = done.stdout.splitlines()
        assert len(rows) >= 2 and len({len(r.split(",")) for r in rows}) == 1


def test_the_step_schedule_with_a_huge_rate_halves_to_zero():
    """2^(−⌊kt⌋) with k = 1e308: α₀ at t = 0, then 0 (an underflow, not a divergence)."""
    rows = cli(["path", "--schedule", "step", "--decay-rate", "1e308", "--steps", "5"]).stdout.splitlines()
    rates = [float(r.split(",")[-1]) for r in rows[1:]]
    assert rates[0] > 0 and rates[1:] == [0.0] * (len(rates) - 1)


def test_largest_train_noise_is_accepted():
    assert cli(["train", "--noise", "1e6", "--epochs", "2", "--samples", "40"]).returncode == 0
