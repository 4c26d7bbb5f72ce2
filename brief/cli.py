"""The ``brief`` command line: parse options, call one library function, present.

Each command turns the library's :class:`~brief.errors.BriefError` into a
one-line message and a non-zero exit code. Commands are added below ``main``,
one function each.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from brief.errors import BriefError

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn library errors into a one-line message and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BriefError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


@click.group()
@click.option("--verbose", "-v", is_flag=True, help="Log what each stage does to stderr.")
@click.version_option(package_name="brief")
def main(verbose: bool) -> None:
    """Turn news articles about one event into a dated, cited situation brief.

    Example:

        brief build seeds/
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


if TYPE_CHECKING:
    from brief.records import Article, Sentence


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of articles instead of text.")
@reports_errors
def inspect(sources: tuple[str, ...], as_json: bool) -> None:
    """Show what ingest makes of SOURCES: title, outlet, date, sentences, dropped lines.

    SOURCES are folders (searched for .txt, .md, .markdown, .html, .htm and .jsonl
    files; hidden files are ignored), single files, or JSONL files with one article a
    line ("text" or "html", optional "title", "url", "source", "published").
    Files (and JSONL records) over max_article_bytes, 5 MB by default, are skipped
    with a warning, as are binary, empty and non-English files.

    Example:

        brief inspect seeds/

        brief inspect seeds/000_256869cf17324826.txt --json
    """
    from brief.config import Settings
    from brief.ingest import load_report
    from brief.sentences import split

    loaded = load_report(list(sources), Settings.load())
    for skipped in loaded.skipped:
        click.echo(f"Warning: skipped {skipped.path}: {skipped.reason}", err=True)
    if as_json:
        import json

        records = [_inspect_record(article, split(article)) for article in loaded.articles]
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    for article in loaded.articles:
        click.echo(_inspect_text(article, split(article)))


def _inspect_record(article: Article, sentences: list[Sentence]) -> dict[str, Any]:
    """One article as the JSON object ``brief inspect --json`` prints."""
    return {
        "id": article.id,
        "path": article.path,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "published_from": article.published_from,
        "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text} for s in sentences],
        "dropped": [{"text": d.text, "reason": d.reason} for d in article.dropped],
    }


def _inspect_text(article: Article, sentences: list[Sentence]) -> str:
    """One article as the readable block ``brief inspect`` prints."""
    date = "unknown"
    if article.published:
        date = f"{article.published.isoformat()} (from {article.published_from})"
    lines = [
        f"== {article.path}",
        f"id:        {article.id}",
        f"title:     {article.title}",
        f"outlet:    {article.outlet or 'unknown'}",
        f"published: {date}",
        f"sentences: {len(sentences)}",
        *(f"  {s.index:>3}  {s.text}" for s in sentences),
        f"dropped:   {len(article.dropped)}",
        *(f"  [{d.reason}] {_clip(d.text, 100)}" for d in article.dropped),
        "",
    ]
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"
