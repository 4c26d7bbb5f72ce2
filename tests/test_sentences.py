"""Tests for brief.sentences: exact offsets, paragraph boundaries, fragments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from brief import ingest
from brief.records import Article
from brief.sentences import split, split_all

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _article(text: str, published: dt.date | None = None) -> Article:
    """An article with the given clean text."""
    return Article(ingest.article_id(text), "x.txt", "T", None, published, text)


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    """The seed articles, loaded once."""
    return ingest.load([SEEDS])


def test_offsets_are_exact_on_every_seed(seeds: list[Article]) -> None:
    by_id = {a.id: a for a in seeds}
    sentences = split_all(seeds)
    assert len(sentences) > 100
    for s in sentences:
        assert by_id[s.article_id].text[s.start : s.end] == s.text
        assert s.published == by_id[s.article_id].published


def test_indexes_are_contiguous_per_article(seeds: list[Article]) -> None:
    for article in seeds:
        assert [s.index for s in split(article)] == list(range(len(split(article))))


def test_seed_sentences_split_where_expected(seeds: list[Article]) -> None:
    texts = [s.text for s in split(seeds[0])]
    assert "Islamic State militants said they were responsible." in texts
    assert any(t.startswith("Up until now, Russia had played down") for t in texts)
    # Abbreviations do not end a sentence.
    assert any("U.S. Secretary of State John Kerry on November 17 in Paris" in t for t in texts)


def test_paragraph_break_is_a_hard_boundary() -> None:
    article = _article(
        "Officials said the road was closed for repairs\n\nThe bridge will reopen next week, they said."
    )
    texts = [s.text for s in split(article)]
    assert texts == [
        "Officials said the road was closed for repairs",
        "The bridge will reopen next week, they said.",
    ]


def test_fragments_are_dropped_and_indexes_stay_contiguous() -> None:
    text = "The water rose quickly overnight. He said.\n\n...\n\nResidents left their homes before dawn."
    sentences = split(_article(text, dt.date(2020, 1, 2)))
    assert [s.text for s in sentences] == [
        "The water rose quickly overnight.",
        "Residents left their homes before dawn.",
    ]
    assert [s.index for s in sentences] == [0, 1]
    assert all(s.published == dt.date(2020, 1, 2) for s in sentences)
    assert sentences[1].key.endswith(":1")


def test_repeated_sentences_get_their_own_offsets() -> None:
    text = "The levee held through the night. The levee held through the night. Then it broke in the morning."
    sentences = split(_article(text))
    assert [s.start for s in sentences][:2] == [0, 34]
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_odd_whitespace_and_quotes_keep_offsets() -> None:
    text = "  “We are safe,” she said.  Crews\tworked all night.\n \n\n(Officials gave no figure.) Water fell by noon!  "
    for s in split(_article(text)):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()


def test_offsets_are_exact_on_html_jsonl_and_markdown() -> None:
    data = Path(__file__).resolve().parent / "data" / "ingest"
    articles = ingest.load([data / "page.html", data / "feed.jsonl", data / "story.md"])
    assert len(articles) == 5
    for article in articles:
        sentences = split(article)
        assert sentences
        assert all(article.text[s.start : s.end] == s.text for s in sentences)
