"""Which code made a result: stored with runs, comparisons and sweeps so a figure can be
re-created."""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any


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


def run_id(config: Any, seed: int) -> str:
    """A stable name for a run: a hash of its resolved config (a Config or its dict) and seed,
    so a sweep or a comparison that is run again finds the runs it has already done."""
    data = config if isinstance(config, dict) else config.to_dict()
    text = json.dumps({"config": data, "seed": seed}, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:12]
