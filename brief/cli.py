"""The ``brief`` command line: parse options, call one library function, present.

Each command turns the library's :class:`~brief.errors.BriefError` into a
one-line message and a non-zero exit code. Commands are added below ``main``,
one function each.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
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
    # Model loaders draw their own bars ("Loading weights"); the CLI draws one per stage instead.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


if TYPE_CHECKING:
    from brief.records import Article, Sentence


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of articles instead of text.")
@reports_errors
def inspect(sources: tuple[str, ...], as_json: bool) -> None:
    """Show what ingest makes of SOURCES: title, outlet, URL, date, sentences, dropped lines.

    SOURCES are folders (searched for .txt, .md, .markdown, .html, .htm and .jsonl
    files; hidden files are ignored), single files, or JSONL files with one article a
    line ("text" or "html", optional "title", "url", "source", "published", "author").
    Metadata is read from YAML front matter, a "Title:/Source:/Date:" header block,
    HTML meta tags and JSON-LD, or JSONL fields; each field shows where it came from
    (metadata, url, dateline, filename or text).
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
        "url": article.url,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "published_from": article.published_from,
        # Where each field came from: "metadata", "url", "dateline", "filename" or "text".
        "provenance": dict(article.provenance),
        "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text} for s in sentences],
        "dropped": [{"text": d.text, "reason": d.reason} for d in article.dropped],
    }


def _inspect_text(article: Article, sentences: list[Sentence]) -> str:
    """One article as the readable block ``brief inspect`` prints."""
    def shown(name: str, value: str | None) -> str:
        origin = article.origin(name) or (article.published_from if name == "published" else None)
        return f"{value} (from {origin})" if value and origin else value or "unknown"

    lines = [
        f"== {article.path}",
        f"id:        {article.id}",
        f"title:     {shown('title', article.title)}",
        f"outlet:    {shown('outlet', article.outlet)}",
        f"url:       {shown('url', article.url)}",
        *([f"author:    {shown('author', article.author)}"] if article.author else []),
        f"published: {shown('published', article.published.isoformat() if article.published else None)}",
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


def output_options(command: F) -> F:
    """--out, --templates and --full-digests, shared by the commands that write a brief."""
    command = click.option(
        "--full-digests", is_flag=True, default=None,
        help="Also write summaries for topics the page has no room for (costs model time; default: their digests list facts only).",
    )(command)
    command = click.option(
        "--templates", "templates_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Your templates folder; missing templates fall back to the built-in ones.",
    )(command)
    return click.option(
        "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: output/)."
    )(command)


def ray_option(command: F) -> F:
    """--ray, shared by the commands that build briefs."""
    return click.option(
        "--ray", "ray_address", metavar="local|auto|ADDRESS",
        help="Run the per-story and per-topic work on Ray: 'local' starts Ray on this machine, 'auto' joins "
        "the cluster this machine belongs to, HOST:PORT joins that cluster. Needs pip install -e '.[ray]'.",
    )(command)  # fmt: skip


def story_options(command: F) -> F:
    """--stories and --about: which of the stories in the sources get a brief."""
    command = click.option(
        "--about", metavar="TEXT",
        help="Brief the one story nearest TEXT (by embedding similarity) instead of the largest.",
    )(command)  # fmt: skip
    return click.option(
        "--stories", "stories_mode", type=click.Choice(["largest", "all"]), default="largest", show_default=True,
        help="largest: brief the largest story and list the other articles as set aside. all: one brief per "
        "story with min_story_articles (3) or more articles, named brief-DATE-SLUG.*, and OUT/index.json.",
    )(command)  # fmt: skip


@contextlib.contextmanager
def _runner(ray_address: str | None, config: Any) -> Iterator[Any]:
    """The runner --ray asks for (None: in process), stopped when the command ends."""
    if ray_address is None:
        yield None
        return
    from brief.runner import ray_runner

    runner = ray_runner(ray_address, config)
    try:
        yield runner
    finally:
        runner.close()


def model_options(command: F) -> F:
    """The options every model-backed command shares."""
    options = [
        click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A TOML settings file."),
        click.option("--model", "summarizer", help="Summariser: a .gguf file, a model folder or a hub id (default: the packaged Qwen2.5-Coder-1.5B-Instruct GGUF)."),
        click.option("--judge", help="Entailment judge: an NLI cross-encoder folder or an instruction model (default: the summariser)."),
        click.option("--embedder", help="Sentence-transformers model name or folder (default: the packaged all-MiniLM-L6-v2)."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (for cron)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _quiet_logs(quiet: bool) -> None:
    """Cron mails whatever a job prints: keep library warnings (fonts, skipped files) out of it."""
    if quiet:
        logging.getLogger().setLevel(logging.ERROR)


def _settings(config_file: Path | None, **overrides: Any) -> Any:
    from brief.config import Settings

    return Settings.load(config_file, **overrides)


class _Bars:
    """One progress bar per pipeline step, on stderr so stdout stays clean."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bars: dict[str, Any] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if self.quiet:
            return
        from tqdm import tqdm

        bar = self.bars.get(step)
        if bar is None:
            bar = self.bars[step] = tqdm(total=total, desc=step, unit="step", file=sys.stderr, leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--date", "brief_date", type=click.DateTime(["%Y-%m-%d"]), help="The brief's date (default: newest article date, else today).")
@click.option("--title", help="The brief's title.")
@output_options
@ray_option
@story_options
@model_options
@reports_errors
def build(
    sources: tuple[str, ...],
    brief_date: Any,
    title: str | None,
    out_dir: Path | None,
    templates_dir: Path | None,
    full_digests: bool | None,
    ray_address: str | None,
    stories_mode: str,
    about: str | None,
    config_file: Path | None,
    summarizer: str | None,
    judge: str | None,
    embedder: str | None,
    quiet: bool,
) -> None:
    """Make the dated one-page PDF brief, its JSON and per-topic Markdown digests.

    Writes OUT/brief-DATE.pdf, OUT/brief-DATE.html (the whole brief as a web page),
    OUT/brief-DATE.json and OUT/digests/DATE/NN-topic.md, each atomically, updates
    OUT/index.html (every brief in OUT) and prints the paths.

    The articles are first grouped into stories (by title and lead, within
    story_window_days). The largest story gets the brief; the other articles are
    listed under "set_aside" in the JSON and never cited. --stories all writes one
    brief per story (OUT/brief-DATE-SLUG.*, OUT/digests/DATE-SLUG/) and OUT/index.json;
    --about TEXT briefs the story nearest TEXT.

    Example:

        brief build seeds/

        brief build seeds/ --date 2015-11-17 --out /tmp/briefs --model ./my-model.gguf

        brief build inbox/ --ray auto

        brief build inbox/ --stories all --out /tmp/briefs

        brief build inbox/ --about "earthquake relief"
    """
    from brief import render
    from brief.pipeline import build_stories

    _quiet_logs(quiet)
    if about is not None and stories_mode == "all":
        raise click.UsageError("--about picks one story; it cannot be used with --stories all")
    config = _settings(config_file, summarizer=summarizer, judge=judge, embedder=embedder, out_dir=out_dir,
                       templates_dir=templates_dir, full_digests=full_digests)  # fmt: skip
    with _runner(ray_address, config) as runner:
        made = build_stories(list(sources), config, stories=stories_mode, about=about,
                             date=brief_date.date() if brief_date else None, title=title,
                             progress=_Bars(quiet), runner=runner)  # fmt: skip
    written, index = render.write_stories(made.briefs, config.out_dir, config.templates_dir,
                                          index=stories_mode == "all", set_aside=made.set_aside)  # fmt: skip
    if not quiet:
        for paths in written:
            for kind in ("pdf", "html", "json", "digests"):
                click.echo(str(paths[kind]))
        if index is not None:
            click.echo(str(index))


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the topics' summaries as JSON.")
@model_options
@reports_errors
def summarize(
    sources: tuple[str, ...],
    as_json: bool,
    config_file: Path | None,
    summarizer: str | None,
    judge: str | None,
    embedder: str | None,
    quiet: bool,
) -> None:
    """Print each topic's verified, cited summary (no PDF).

    Every sentence is followed by its citations as [source-id:sentence].
    Sentences marked (verbatim) are source sentences that replaced a generated
    sentence the gate rejected.

    Example:

        brief summarize seeds/

        brief summarize seeds/ --model HuggingFaceTB/SmolLM2-360M-Instruct --json
    """
    from brief import render
    from brief.pipeline import build as build_brief

    _quiet_logs(quiet)
    config = _settings(config_file, summarizer=summarizer, judge=judge, embedder=embedder)
    made = build_brief(list(sources), config, progress=_Bars(quiet))
    if as_json:
        data = render.json_dump(made)
        click.echo(json.dumps({"date": data["date"], "lead": data["lead"], "topics": data["topics"]}, indent=2))
        return
    click.echo(_summary_text(made))


def _summary_text(made: Any) -> str:
    lines = [f"Key developments ({made.date.isoformat()})"]
    lines += [f"  - {_claim_line(c)}" for c in made.lead]
    for topic_brief in made.topics:
        lines += ["", f"{topic_brief.topic.label}  [{', '.join(topic_brief.topic.keywords)}]"]
        lines += [f"  - {_claim_line(c)}" for c in topic_brief.summary]
    return "\n".join(lines)


def _claim_line(claim: Any) -> str:
    marks = " ".join(dict.fromkeys(f"[{c.source}:{c.sentence}]" for c in claim.citations))
    note = " (verbatim)" if claim.method == "extractive" else ""
    return f"{claim.text}{note} {marks}"


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help='Print {"topics": [...], "other": [...]} as JSON.')
@reports_errors
def topics(sources: tuple[str, ...], as_json: bool) -> None:
    """Group the facts in SOURCES into ranked topics and show them.

    Each topic shows its label, keywords, how many facts and sources it has,
    and its facts with the articles that carry them. Near-duplicate sentences
    from several outlets are one fact with several sources.

    Example:

        brief topics seeds/

        brief topics seeds/ --json
    """
    from brief.cluster import group
    from brief.config import Settings
    from brief.ingest import load
    from brief.sentences import split_all

    settings = Settings.load()
    articles = load(list(sources), settings)
    found = group(split_all(articles), settings)
    if as_json:
        import json

        record = {
            "topics": [_topic_record(t) for t in found.topics],
            "other": [_fact_record(f) for f in found.other],
        }
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    names = {a.id: a.outlet or a.id for a in articles}
    for topic in found.topics:
        click.echo(_topic_text(topic, names))
    if found.other:
        click.echo(f"== Other ({len(found.other)} facts in no topic)")
        click.echo("\n".join(_fact_line(f, names) for f in found.other))


def _topic_record(topic: Any) -> dict[str, Any]:
    """One topic as ``brief topics --json`` prints it."""
    return {
        "id": topic.id,
        "label": topic.label,
        "keywords": list(topic.keywords),
        "score": topic.score,
        "sources": list(topic.sources),
        "facts": [_fact_record(f) for f in topic.facts],
    }


def _fact_record(fact: Any) -> dict[str, Any]:
    """One fact as ``brief topics --json`` prints it."""
    return {
        "id": fact.id,
        "text": fact.text,
        "sources": list(fact.sources),
        "sentences": [{"source": s.article_id, "sentence": s.index, "text": s.text} for s in fact.sentences],
    }


def _topic_text(topic: Any, names: dict[str, str]) -> str:
    """One topic as the readable block ``brief topics`` prints."""
    lines = [
        f"== {topic.label}",
        f"keywords: {', '.join(topic.keywords)}",
        f"facts: {len(topic.facts)}   sources: {len(topic.sources)}   score: {topic.score:g}",
        *(_fact_line(f, names) for f in topic.facts),
        "",
    ]
    return "\n".join(lines)


def _fact_line(fact: Any, names: dict[str, str]) -> str:
    """A fact with the outlets (or article ids) that carry it."""
    where = "; ".join(f"{names.get(s.article_id, s.article_id)} #{s.index}" for s in fact.sentences)
    return f"  - {_clip(fact.text, 160)}  [{where}]"


# --- fetching feeds ------------------------------------------------------------------


@main.command()
@click.argument("feeds", nargs=-1, required=True)
@click.option("--inbox", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder the articles are written to.")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path), help="What was fetched (default: INBOX/.fetch.db).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A TOML settings file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary; failures are still printed.")
@reports_errors
def fetch(feeds: tuple[str, ...], inbox: Path, state_file: Path | None, config_file: Path | None, quiet: bool) -> None:
    """Fetch RSS/Atom FEEDS and write each new article into INBOX as Markdown.

    FEEDS are feed URLs, text files listing feed URLs one a line (# starts a
    comment), or OPML files. Each entry's page is fetched (robots.txt, a delay
    between requests to one host, retries, a size cap), its main text extracted
    and written to INBOX/<hash>.md with YAML front matter (title, url, outlet,
    date, author). Pages fetched before, by URL or by text, are skipped. Each
    feed or page that fails gets one warning line on stderr; stdout gets one
    summary line. Limits: fetch_* and user_agent settings (BRIEF_FETCH_*).

    \b
    Exit codes:
      0  every feed and page was fetched (or was already)
      1  some feed or page failed (see the warnings), or the arguments are unusable

    Example:

        brief fetch feeds.txt --inbox inbox/

        brief fetch https://example.org/world.rss subscriptions.opml --inbox inbox/ --quiet
    """
    from brief.fetch import fetch as fetch_feeds

    config = _settings(config_file)
    report = fetch_feeds(list(feeds), inbox, config, state=state_file, progress=_Bars(quiet))
    for failed in report.failures:
        click.echo(f"Warning: {failed.kind} {failed.url}: {failed.reason}", err=True)
    if not quiet:
        click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


# --- nightly runs ------------------------------------------------------------------

EXIT_LOCKED = 3


@main.command()
@click.argument("inbox", type=click.Path(path_type=Path))
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path), help="The state file (default: OUT/brief.db).")
@click.option("--date", "night", type=click.DateTime(["%Y-%m-%d"]), help="The night's date (default: today).")
@output_options
@ray_option
@story_options
@model_options
@reports_errors
def nightly(
    inbox: Path,
    state_file: Path | None,
    out_dir: Path | None,
    night: Any,
    about: str | None,
    stories_mode: str,
    templates_dir: Path | None,
    full_digests: bool | None,
    ray_address: str | None,
    config_file: Path | None,
    summarizer: str | None,
    judge: str | None,
    embedder: str | None,
    quiet: bool,
) -> None:
    """Add what is new in INBOX to the state file and write the day's brief.

    INBOX is a folder where articles arrive, or a JSONL feed. Articles already
    stored (same text) are skipped, so re-running a night changes nothing and a
    killed run finishes when run again. The brief covers every stored article,
    new facts first, with a "Since the last brief" section: new topics, new
    facts and revised figures. Prints the written paths and one line on what
    changed; --quiet prints nothing but errors.

    The stored articles are grouped into stories; the largest (or, with --about,
    the one nearest TEXT) gets the brief and keeps its id and slug from night to
    night. Other stories' articles are listed under "set_aside" in the JSON.
    --stories all writes a brief per story (OUT/brief-DATE-SLUG.*) and OUT/index.json,
    each story compared with its own last brief.

    \b
    Exit codes:
      0  the brief was written
      1  error: unreadable inbox, model, template or state file
      2  usage error
      3  another run holds the lock on the state file

    Example:

        brief nightly inbox/ --out briefs/

        brief nightly feed.jsonl --state /var/lib/brief/brief.db --quiet

        brief nightly inbox/ --out briefs/ --ray head-node:6379

        brief nightly inbox/ --out briefs/ --about "earthquake relief"

        brief nightly inbox/ --out briefs/ --stories all
    """
    from brief.nightly import run as run_night
    from brief.store import StateLocked

    _quiet_logs(quiet)
    if about is not None and stories_mode == "all":
        raise click.UsageError("--about picks one story; it cannot be used with --stories all")
    config = _settings(config_file, summarizer=summarizer, judge=judge, embedder=embedder, out_dir=out_dir,
                       templates_dir=templates_dir, state_file=state_file, full_digests=full_digests)  # fmt: skip
    try:
        with _runner(ray_address, config) as runner:
            result = run_night(inbox, config, date=night.date() if night else None, progress=_Bars(quiet),
                               runner=runner, about=about, stories_mode=stories_mode)  # fmt: skip
    except StateLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    if not quiet:
        for each in (result, *result.more):
            for kind in ("pdf", "html", "json", "digests"):
                click.echo(str(each.paths[kind]))
        if result.index is not None:
            click.echo(str(result.index))
        for each in (result, *result.more):
            click.echo(each.summary)


@main.command()
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path), help="The state file (default: output/brief.db, or BRIEF_STATE_FILE).")
@reports_errors
def history(state_file: Path | None) -> None:
    """List the briefs a state file remembers, oldest first, one line each.

    Each line: the date (YYYY-MM-DD), the articles and topics the brief covered,
    and the PDF's path.

    Example:

        brief history --state output/brief.db
    """
    from brief.store import Store, state_path

    with Store.open(state_path(_settings(None, state_file=state_file)), lock=False, create=False) as store:
        for record in store.history():
            click.echo(
                f"{record.date.isoformat()}  {record.n_articles} articles  {record.n_topics} topics  {record.path}"
            )
