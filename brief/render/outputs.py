"""A day's outputs written together: the PDF, the JSON and the digests."""

from __future__ import annotations

from pathlib import Path

from brief.records import Brief
from brief.render.files import atomic_write, write_folder
from brief.render.jsondoc import json_bytes
from brief.render.mddoc import digests
from brief.render.pdfdoc import fit_pdf


def write_all(brief: Brief, out_dir: Path, templates_dir: Path | None = None) -> dict[str, Path]:
    """Write a day's outputs: ``brief-DATE.pdf``, ``brief-DATE.json``, ``digests/DATE/``.

    Everything is rendered in memory before the first byte is written, so a
    failing template or layout leaves yesterday's files exactly as they were.
    The JSON describes the brief as printed; the digests cover every topic.

    Args:
        brief: the full brief.
        out_dir: the output folder (created if missing).
        templates_dir: a user's templates folder, searched first.

    Returns:
        Paths under the keys ``pdf``, ``json`` and ``digests`` (the folder).
    """
    out_dir = Path(out_dir)
    stamp = brief.date.isoformat()
    fitted = fit_pdf(brief, templates_dir)
    pages = digests(brief, templates_dir, printed=fitted.brief)
    json_data = json_bytes(fitted.brief)

    paths = {
        "pdf": out_dir / f"brief-{stamp}.pdf",
        "json": out_dir / f"brief-{stamp}.json",
        "digests": out_dir / "digests" / stamp,
    }
    write_folder(paths["digests"], pages)
    atomic_write(paths["json"], json_data)
    atomic_write(paths["pdf"], fitted.data)
    return paths
