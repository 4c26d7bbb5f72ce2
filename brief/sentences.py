"""Split an article's clean text into :class:`~brief.records.Sentence` records.

pysbd finds the boundaries; the offsets are then aligned against the article text
ourselves, so ``article.text[s.start:s.end] == s.text`` holds for every sentence
whatever pysbd does to whitespace. Blank lines are hard boundaries: a sentence
never runs across paragraphs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import pysbd

from brief.records import Article, Sentence

logger = logging.getLogger(__name__)

MIN_WORDS = 3  # shorter pieces are fragments ("he said.", "-- AP"), not statements
_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t\u00a0]*\n))+")
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_PROBE = 24  # characters of a segment used to find where it starts in the source


def split(article: Article) -> list[Sentence]:
    """The sentences of one article, with exact character offsets.

    Args:
        article: an article whose ``text`` is its clean body.

    Returns:
        Sentences in order, numbered 0.. over the kept ones; fragments of fewer than
        three words are left out.
    """
    return _split(article, _segmenter())


def split_all(articles: Iterable[Article]) -> list[Sentence]:
    """The sentences of several articles, in article order.

    Args:
        articles: the articles, e.g. from :func:`brief.ingest.load`.

    Returns:
        All their sentences; each article's are numbered from 0.
    """
    segmenter = _segmenter()
    return [sentence for article in articles for sentence in _split(article, segmenter)]


def _segmenter() -> pysbd.Segmenter:
    """pysbd for English, leaving the text as it is so offsets stay valid."""
    return pysbd.Segmenter(language="en", clean=False)


def _split(article: Article, segmenter: pysbd.Segmenter) -> list[Sentence]:
    """Sentences of one article with a given segmenter."""
    sentences: list[Sentence] = []
    for start, end in _paragraphs(article.text):
        for s, e in _spans(article.text[start:end], segmenter):
            text = article.text[start + s : start + e]
            if len(_WORD.findall(text)) < MIN_WORDS:
                continue
            sentences.append(
                Sentence(article.id, len(sentences), start + s, start + e, text, article.published)
            )
    return sentences


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, without surrounding whitespace."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        chunk = match.group()
        stripped = chunk.strip()
        if stripped:
            start = match.start() + len(chunk) - len(chunk.lstrip())
            spans.append((start, start + len(stripped)))
    return spans


def _spans(paragraph: str, segmenter: pysbd.Segmenter) -> list[tuple[int, int]]:
    """(start, end) of each sentence in a paragraph, found by locating where pysbd's segments begin.

    Only the segment starts are searched for, and each sentence runs to the next
    start, so a segment that pysbd altered inside still gets exact offsets.
    """
    starts: list[int] = []
    cursor = 0
    for segment in segmenter.segment(paragraph):
        whole = segment.strip()
        probe = whole[:_PROBE]
        if not probe:
            continue
        found = paragraph.find(probe, cursor)
        if found < 0:
            logger.debug("cannot align segment %r; joining it to the previous sentence", probe)
            continue
        if not starts or found > starts[-1]:
            starts.append(found)
        # Skip past the whole segment when it is verbatim, so its inside is not searched again.
        cursor = found + (len(whole) if paragraph.startswith(whole, found) else len(probe))
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = [*starts[1:], len(paragraph)]
    spans = []
    for start, end in zip(starts, bounds, strict=True):
        piece = paragraph[start:end]
        lead = len(piece) - len(piece.lstrip())
        tail = len(piece.rstrip())
        if tail > lead:
            spans.append((start + lead, start + tail))
    return spans
