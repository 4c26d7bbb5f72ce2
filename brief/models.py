"""Which model each role uses, and where its weights come from.

The registry (``models/registry.toml``) names the packaged defaults. A GGUF file
split across chunk packages is joined once into the cache folder and checked
against the sha256 of the official release before anything loads it: the chunk
publisher is anonymous, so a file that does not match is refused.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brief
from brief.errors import ModelError

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class ModelSource:
    """Where a model's weights are: a GGUF file, or a folder / hub id for transformers."""

    kind: str  # "gguf" or "transformers"
    location: str
    name: str


def registry() -> dict[str, Any]:
    """The packaged model registry, from the source tree or the installed wheel."""
    package = Path(brief.__file__).parent
    for candidate in (package.parent / "models" / "registry.toml", package / "_models" / "registry.toml"):
        if candidate.is_file():
            return tomllib.loads(candidate.read_text(encoding="utf-8"))
    raise ModelError("the model registry (models/registry.toml) is missing from this installation")


def resolve_generator(name: str, cache_dir: Path) -> ModelSource:
    """Find the weights for a summariser/judge setting.

    Args:
        name: a registry name (the packaged default), a ``.gguf`` file, a local
            model folder, or a hub id (used as given by transformers).
        cache_dir: where assembled model files are kept.

    Returns:
        The kind of model and where to load it from.
    """
    entries = {entry.get("name"): entry for entry in registry().values() if isinstance(entry, dict)}
    entry = entries.get(name)
    if entry is not None and entry.get("kind") == "gguf":
        return ModelSource("gguf", str(packaged_gguf(entry, cache_dir)), name)
    path = Path(name).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelError(f"model file not found: {path}")
        return ModelSource("gguf", str(path), path.name)
    if path.is_dir() or "/" in name:
        return ModelSource("transformers", str(path) if path.is_dir() else name, name)
    raise ModelError(f"unknown model {name!r}: give a registry name, a .gguf file, a model folder or a hub id")


def packaged_gguf(entry: dict[str, Any], cache_dir: Path) -> Path:
    """The path of a packaged GGUF, assembling its chunk packages on first use."""
    if "parts" not in entry:
        return _package_folder(entry["module"], entry["package"]) / entry["file_name"]
    target = Path(cache_dir) / entry["file_name"]
    stamp = target.with_suffix(target.suffix + ".sha256")
    expected = entry["sha256"]
    if target.is_file() and stamp.is_file() and _stamp_matches(target, stamp, expected):
        return target
    parts = [_part_path(entry, n) for n in range(1, int(entry["parts"]) + 1)]
    assemble(parts, target, expected)
    stamp.write_text(f"{expected}\n{target.stat().st_size}\n")
    return target


def assemble(parts: list[Path], target: Path, sha256: str) -> Path:
    """Join ``parts`` in order into ``target`` if, and only if, the result has ``sha256``.

    The file is written under a temporary name and renamed into place, so a
    crash or a mismatch never leaves a partial model where a good one is expected.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with open(part, "rb") as chunk_file:
                    while chunk := chunk_file.read(CHUNK_BYTES):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ModelError(
                f"assembled model {target.name} has sha256 {digest.hexdigest()[:16]}..., expected "
                f"{sha256[:16]}...: refusing to use it (reinstall the model part packages)"
            )
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    log.info("assembled %s from %d parts", target, len(parts))
    return target


def _stamp_matches(target: Path, stamp: Path, sha256: str) -> bool:
    """Whether the stamp written after a verified assembly still describes ``target``.

    Re-hashing 1 GB on every run costs seconds; the stamp records the hash that
    was verified and the size, and a changed size means the file was touched.
    """
    fields = stamp.read_text().split()
    return fields[:1] == [sha256] and fields[1:2] == [str(target.stat().st_size)]


def _part_path(entry: dict[str, Any], number: int) -> Path:
    module_name = entry["part_module"].format(n=number)
    module = _import(module_name, module_name.replace("_", "-"))
    return Path(module.get_part_path())


def _package_folder(module_name: str, package: str) -> Path:
    """A package's folder, found without importing it (some wrap plugins we do not need)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the packaged model needs the package {package}; install it with pip")
    return Path(next(iter(spec.submodule_search_locations)))


def _import(module_name: str, package: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelError(f"the packaged model needs the package {package}; install brief with pip") from exc
