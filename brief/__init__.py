"""brief: cited one-page situation briefs from a pile of news articles.

The front door is :func:`brief.build`; each stage is a module of its own
(ingest, sentences, embed, facts, cluster, figures, summarize, verify, render,
store, nightly) that a Python user can also call directly.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brief.records import Brief

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["build"]


def build(paths: Any, settings: Any = None, **kwargs: Any) -> Brief:
    """Build a brief from article paths; see :func:`brief.pipeline.build`."""
    from brief.pipeline import build as _build

    return _build(paths, settings, **kwargs)
