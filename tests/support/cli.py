"""One subcommand of the command line run in-process, its CSV read back with pandas (tests/test_cli_*.py)."""

from __future__ import annotations

import io

import pandas as pd

from optiviz import cli


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``python -m optiviz argv``, in-process; what was written before (Streamlit's
    bare-mode warnings while a test computes the page's numbers) is dropped."""
    capsys.readouterr()
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def table(capsys, argv: list[str]) -> pd.DataFrame:
    """The CSV the subcommand prints, as a table; it must succeed with nothing on stderr."""
    code, out, err = run(capsys, argv)
    assert code == 0 and err == "", err
    return pd.read_csv(io.StringIO(out))


def assert_same(printed: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The printed table equals the engine's exactly (repr round-trips every float): columns, rows and order.
    Nullable integers (NA) compare as floats (nan), as the CSV writes them."""
    expected = expected.reset_index(drop=True)
    expected = expected.astype({c: float for c in expected.columns if str(expected[c].dtype) == "Int64"})
    pd.testing.assert_frame_equal(printed, expected, check_dtype=False, check_exact=True)


def assert_refused(capsys, argv: list[str], flag: str) -> str:
    """Exit status 2, nothing on stdout, one line on stderr naming ``flag`` (no traceback)."""
    code, out, err = run(capsys, argv)
    assert code == 2 and out == "", (argv, err)
    assert err.count("\n") == 1 and err.startswith("optiviz") and "error: " in err, err
    assert flag in err and "Traceback" not in err, err
    return err


def assert_help_lists(capsys, command: str, names) -> None:
    """``command --help`` succeeds and names every one of ``names`` (a registry's, say)."""
    code, out, _ = run(capsys, [command, "--help"])
    assert code == 0
    assert [name for name in names if name not in out] == []
