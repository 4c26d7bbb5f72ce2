"""A day's outputs written together: the PDF, the JSON and the digests."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from brief.records import Brief, SetAside
from brief.render.files import atomic_write, write_folder
from brief.render.htmldoc import INDEX_NAME, index_entries, index_entry, index_page, page
from brief.render.jsondoc import json_bytes, set_aside_json
from brief.render.mddoc import digests
from brief.render.pdfdoc import fit_pdf


def write_all(
    brief: Brief, out_dir: Path, templates_dir: Path | None = None, *, name: str | None = None
) -> dict[str, Path]:
    """Write a day's outputs: ``brief-DATE.pdf``, ``.json``, ``.html``, ``digests/DATE/``, ``index.html``.

    With ``name`` (a story's slug, when a run writes one brief per story) the
    files are ``brief-DATE-NAME.pdf``, ``brief-DATE-NAME.json`` and ``digests/DATE-NAME/``.

    Everything is rendered in memory before the first byte is written, so a
    failing template or layout leaves yesterday's files exactly as they were.
    The JSON describes the brief as printed; the digests and the web page cover
    every topic. ``index.html`` lists every ``brief-*.json`` in ``out_dir``.

    Args:
        brief: the full brief.
        out_dir: the output folder (created if missing).
        templates_dir: a user's templates folder, searched first.
        name: a suffix for the file names (default: none).

    Returns:
        Paths under the keys ``pdf``, ``json``, ``html``, ``digests`` (the folder) and ``index``.
    """
    out_dir = Path(out_dir)
    stamp = brief.date.isoformat() + (f"-{name}" if name else "")
    fitted = fit_pdf(brief, templates_dir)
    pages = digests(brief, templates_dir, printed=fitted.brief)
    # The page shows the newest timeline lines; the record keeps all of them.
    json_data = json_bytes(dataclasses.replace(fitted.brief, timeline=brief.timeline))

    # The web page shows the whole brief and marks what the PDF had no room for.
    web = page(brief, fitted.brief, templates_dir, stem=f"brief-{stamp}").encode("utf-8")
    row = index_entry(f"brief-{stamp}", json.loads(json_data), ("html", "pdf", "json"), [n for n, _ in pages])
    index = index_page(index_entries(out_dir, [row]), templates_dir).encode("utf-8")

    paths = {
        "pdf": out_dir / f"brief-{stamp}.pdf",
        "json": out_dir / f"brief-{stamp}.json",
        "html": out_dir / f"brief-{stamp}.html",
        "digests": out_dir / "digests" / stamp,
        "index": out_dir / INDEX_NAME,
    }
    write_folder(paths["digests"], pages)
    atomic_write(paths["json"], json_data)
    atomic_write(paths["html"], web)
    atomic_write(paths["pdf"], fitted.data)
    atomic_write(paths["index"], index)
    return paths



def write_stories(
    briefs: Sequence[Brief],
    out_dir: Path,
    templates_dir: Path | None = None,
    *,
    index: bool = False,
    set_aside: Sequence[SetAside] = (),
) -> tuple[list[dict[str, Path]], Path | None]:
    """Write one run's briefs: one as ``brief-DATE.*``, or one per story with ``index.json``.

    Args:
        briefs: the briefs, one per story, in story order.
        out_dir: the output folder.
        templates_dir: a user's templates folder, searched first.
        index: name each brief's files by its story's slug and write ``OUT/index.json``
            listing them (slug, title, articles, files) and the articles no brief covers.
        set_aside: the articles no brief covers (for the index).

    Returns:
        Each brief's paths (as :func:`write_all` returns them) and the index's path (or None).
    """
    if not index:
        return [write_all(b, out_dir, templates_dir) for b in briefs], None
    written = [write_all(b, out_dir, templates_dir, name=b.story.slug if b.story else None) for b in briefs]
    entries = [story_entry(b, paths, out_dir) for b, paths in zip(briefs, written, strict=True)]
    return written, write_index(out_dir, entries, [set_aside_json(s) for s in set_aside])


def story_entry(brief: Brief, paths: Mapping[str, Path], out_dir: Path) -> dict[str, Any]:
    """One brief's entry in ``index.json``: its story's slug, id and title, date, articles and files.

    Args:
        brief: a story's brief.
        paths: what :func:`write_all` wrote for it.
        out_dir: the output folder (file names are relative to it).

    Returns:
        JSON-ready data.
    """
    return {
        "slug": brief.story.slug if brief.story else None, "id": brief.story.id if brief.story else None,
        "title": brief.story.title if brief.story else brief.title,
        "date": brief.date.isoformat(), "articles": [a.id for a in brief.sources],
        "files": {kind: str(Path(p).relative_to(out_dir)) for kind, p in paths.items() if kind != "index"},
    }  # fmt: skip


def write_index(
    out_dir: Path, entries: Sequence[Mapping[str, Any]], set_aside: Sequence[Mapping[str, Any]] = ()
) -> Path:
    """Write ``OUT/index.json``: the briefs one run wrote, one entry per story.

    Args:
        out_dir: the output folder.
        entries: JSON-ready entries (slug, title, articles, files), in story order.
        set_aside: JSON-ready entries for the articles no brief covers.

    Returns:
        The index file's path.
    """
    path = Path(out_dir) / "index.json"
    data = {"stories": list(entries), "set_aside": list(set_aside)}
    atomic_write(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
    return path
