"""Atomic writes: readers see the old file (or folder) or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see the old file or the new, never half.

    Args:
        path: the file to (re)place; its folder is created if missing.
        data: the complete new contents.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_folder(folder: Path, files: Sequence[tuple[str, str]]) -> None:
    """Replace ``folder`` with one holding exactly ``files``.

    The new folder is written and synced beside the old one, then swapped in
    with two renames; the old one is deleted only once the new one is in place.

    Args:
        folder: the folder to (re)place.
        files: ``(file name, text)`` pairs.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        for name, text in files:
            atomic_write(tmp / name, text.encode("utf-8"))
        os.chmod(tmp, 0o755)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:8]}.old"
    had_old = folder.exists()
    if had_old:
        os.replace(folder, old)
    try:
        os.replace(tmp, folder)
    except BaseException:
        if had_old:
            os.replace(old, folder)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(folder.parent)
    shutil.rmtree(old, ignore_errors=True)
