"""Which code made a result: stored with runs, comparisons and sweeps so a figure can be
re-created."""
from __future__ import annotations

import subprocess
from pathlib import Path


def code_version() -> str:
    """The package version and, in a git checkout, the commit (with +dirty if edited)."""
    from mmabm import __version__
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty=+dirty"], cwd=here,
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__
