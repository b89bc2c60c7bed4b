"""Writing results so that nothing is ever half-written or mixed with an older run's files.

A run's folder is written into a hidden temporary folder beside it and renamed into place at the
end; single files are written to a temporary name and renamed. JSON is strict: a value that does
not exist (NaN, infinite) is written as null, which every JSON parser reads.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def strict(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None (JSON's null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):    # numpy scalars
        return strict(value.item())
    return value


def json_text(value: Any) -> str:
    """Strict JSON (null for values that do not exist), indented for reading."""
    return json.dumps(strict(value), indent=1, allow_nan=False)


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it to `path`: a crash or
    Ctrl-C mid-write leaves the old file (or none), never a half file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def check_out_dir(out: Path) -> None:
    """An output folder must be a folder (or not exist yet): refuse a file before any work."""
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"--out {out} is a file, not a folder")


@contextmanager
def staged_dir(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out` to write a whole result into; on success it replaces
    `out` (the old folder, if any, is removed), on any failure or Ctrl-C it is removed and
    `out` is left as it was."""
    out = Path(out)
    check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield tmp
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["check_out_dir", "json_text", "staged_dir", "strict", "write_atomic"]
