"""PyTorch for the parity tests: skipped without it, except in CI (CI=true), where a missing torch fails.

``bash .ci/run`` installs it from requirements-torch.txt, as it installs Chromium for the browser tests.
"""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_torch():
    """``import torch``; if it is missing, fail under CI=true and skip elsewhere (also at module level)."""
    try:
        import torch
    except ImportError:
        reason = "torch is not installed"
        if IN_CI:
            pytest.fail(f"{reason}: CI runs the PyTorch parity tests (bash .ci/run installs requirements-torch.txt)",
                        pytrace=False)
        pytest.skip(reason, allow_module_level=True)
    return torch
