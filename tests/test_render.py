"""Tests for brief.render: the one-page PDF, the fetcher, digests, JSON, atomic writes."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from fixtures_brief import long_brief

from brief import render
from brief.errors import RenderError
from brief.records import Brief, Change, Claim, Topic, TopicBrief

HOSTILE_IMG = '<img src="http://example.invalid/x.png">'
HOSTILE_LINK = '<link href="file:///etc/passwd">'
HOSTILE_JINJA = "{{ 7*7 }}"


def pdf_text(path: Path) -> tuple[int, str]:
    """Page count and whitespace-normalised text of a PDF."""
    reader = pypdf.PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def mark_numbers(text: str) -> set[int]:
    """Every number inside citation marks like [1,3] or [1–4] in ``text``."""
    numbers: set[int] = set()
    for body in re.findall(r"\[(\d+(?:[,–]\d+)*)\]", text):
        for part in body.split(","):
            low, _, high = part.partition("–")
            numbers.update(range(int(low), int(high or low) + 1))
    return numbers


def leftovers(folder: Path) -> list[str]:
    """Temporary files or folders an interrupted write could leave behind."""
    return [p.name for p in folder.rglob("*") if p.name.startswith(".")]


# --- the PDF ------------------------------------------------------------------


def test_sample_brief_prints_on_one_page_with_every_part(sample_brief: Brief, tmp_path: Path) -> None:
    printed = render.pdf(sample_brief, tmp_path / "brief.pdf")
    pages, text = pdf_text(tmp_path / "brief.pdf")
    assert pages == 1
    assert printed.omitted == ()  # the sample fits as it is
    assert "Situation brief, 17 November 2015" in text
    assert "Generated 2026-11-27 03:40 UTC" in text
    assert sample_brief.title in text
    for tb in sample_brief.topics:
        assert tb.topic.label in text
    headings = ("KEY DEVELOPMENTS", "SINCE THE LAST BRIEF", "CONFLICTING REPORTS", "KEY FIGURES", "SOURCES")
    for heading in headings:
        assert heading in text
    assert "Sources differ: 128[2,3] vs 168[4]" in text


def test_every_citation_mark_names_a_listed_source(sample_brief: Brief, tmp_path: Path) -> None:
    render.pdf(sample_brief, tmp_path / "brief.pdf")
    _, text = pdf_text(tmp_path / "brief.pdf")
    body, _, source_list = text.rpartition("SOURCES")
    listed = {int(n) for n in re.findall(r"\[(\d+)\] ", source_list)}
    assert listed == {1, 2, 3, 4, 5}
    cited = mark_numbers(body)
    assert cited and cited <= listed
    # The DW article is source 2 and the only source of the Mogherini sentence.
    assert re.search(r"backed the request\.”\[2\]", body)


def test_pdf_metadata_names_title_date_and_generator(sample_brief: Brief, tmp_path: Path) -> None:
    render.pdf(sample_brief, tmp_path / "brief.pdf")
    meta = pypdf.PdfReader(tmp_path / "brief.pdf").metadata
    assert meta is not None
    assert meta.title == f"Situation brief, 17 November 2015: {sample_brief.title}"
    assert meta.creator == render.GENERATOR
    assert meta.creation_date is not None
    assert (meta.creation_date.year, meta.creation_date.hour, meta.creation_date.minute) == (2026, 3, 40)


def test_over_long_brief_is_cut_to_one_page_and_says_what_went(tmp_path: Path) -> None:
    full = long_brief(topics=15, sentences=4)
    printed = render.pdf(full, tmp_path / "long.pdf")
    pages, text = pdf_text(tmp_path / "long.pdf")
    assert pages == 1
    kept = [tb.topic.label for tb in printed.topics]
    # The highest-ranked topics survive, in order; the lowest go first.
    assert 1 <= len(kept) < 15
    assert kept == [tb.topic.label for tb in full.topics[: len(kept)]]
    assert "topic 'Long topic number 15' (4 facts) left out for space" in printed.omitted
    for tb in full.topics[len(kept) :]:
        assert f"topic '{tb.topic.label}' (4 facts) left out for space" in printed.omitted
        assert f"{tb.topic.label} " not in text + " "
    for label in kept:
        assert label in text
    assert f"{len(printed.omitted)} items not shown" in text


def test_brief_that_cannot_fit_raises_instead_of_spilling(sample_brief: Brief, tmp_path: Path) -> None:
    giant = Claim("A very long sentence about the events. " * 700, (), "abstractive")
    topic = TopicBrief(Topic("t-giant", "Giant", (), ()), (giant,))
    brief = dataclasses.replace(
        sample_brief, topics=(topic,), lead=(), figures=(), conflicts=(), since_last=()
    )
    with pytest.raises(RenderError, match="one page"):
        render.pdf(brief, tmp_path / "giant.pdf")
    assert not (tmp_path / "giant.pdf").exists()


def test_bare_brief_without_boxes_prints(sample_brief: Brief, tmp_path: Path) -> None:
    article = dataclasses.replace(sample_brief.sources[0], outlet=None, title="", published=None)
    brief = dataclasses.replace(
        sample_brief, sources=(article,), topics=sample_brief.topics[:1], lead=(), figures=(), conflicts=(),
        since_last=(), omitted=("claim 'x' failed verification",),
    )  # fmt: skip
    printed = render.pdf(brief, tmp_path / "bare.pdf")
    pages, text = pdf_text(tmp_path / "bare.pdf")
    assert pages == 1 and printed.omitted == brief.omitted
    assert "EU mutual defence clause invoked" in text
    assert "KEY DEVELOPMENTS" not in text and "KEY FIGURES" not in text
    assert "[1] 000_256869cf17324826.txt, (untitled)." in text  # no outlet: the file name stands in
    assert "1 item not shown" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_rendered_page_is_not_blank(sample_brief: Brief, tmp_path: Path) -> None:
    from PIL import Image

    render.pdf(sample_brief, tmp_path / "brief.pdf")
    subprocess.run(["pdftoppm", "-r", "50", "-png", tmp_path / "brief.pdf", tmp_path / "page"], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    assert image.size[0] < image.size[1]  # portrait A4
    histogram = image.histogram()  # pixel counts by grey level, 0 (black) to 255 (white)
    total = sum(histogram)
    assert sum(histogram[:100]) > 0.01 * total  # some real ink
    assert sum(histogram[241:]) > 0.5 * total  # mostly paper


# --- safety -------------------------------------------------------------------


def hostile(brief: Brief) -> Brief:
    """The brief with markup and template syntax in article-derived text."""
    tb = brief.topics[0]
    claim = dataclasses.replace(tb.summary[0], text=f"Officials quoted {HOSTILE_JINJA} in a statement.")
    topic = dataclasses.replace(tb.topic, label=f"Label {HOSTILE_LINK}")
    first = TopicBrief(topic, (claim, *tb.summary[1:]))
    change = Change("new_fact", f"Markup {HOSTILE_IMG} in a change.", ())
    return dataclasses.replace(
        brief, title=f"Title {HOSTILE_IMG}", topics=(first, *brief.topics[1:]), since_last=(change,)
    )


def test_article_markup_and_template_syntax_print_as_inert_text(
    sample_brief: Brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    original = render.TemplateFetcher.fetch

    def recording(self: render.TemplateFetcher, url: str, headers: object = None) -> object:
        asked.append(url)
        return original(self, url)

    monkeypatch.setattr(render.TemplateFetcher, "fetch", recording)
    render.pdf(hostile(sample_brief), tmp_path / "brief.pdf")
    _, text = pdf_text(tmp_path / "brief.pdf")
    for literal in (HOSTILE_IMG, HOSTILE_LINK, HOSTILE_JINJA):
        assert literal in text
    assert "49" not in text
    builtin = render.builtin_templates()
    assert asked, "the stylesheet and fonts go through the fetcher"
    for url in asked:
        assert render.TemplateFetcher([builtin]).resolve(url).is_relative_to(builtin)
        assert "example.invalid" not in url and "passwd" not in url


def test_markdown_escapes_article_text(sample_brief: Brief, tmp_path: Path) -> None:
    (first, *_) = render.markdown(hostile(sample_brief), tmp_path)
    text = first.read_text(encoding="utf-8")
    unquoted = "\n".join(line.lstrip().removeprefix(">") for line in text.splitlines())
    assert re.search(r"(?<!\\)[<>]", unquoted) is None  # every angle bracket from the text is escaped
    assert r'\<img src="http://example.invalid/x.png"\>' in text
    assert r'\<link href="file:///etc/passwd"\>' in text
    assert r"{{ 7\*7 }}" in text
    assert "49" not in text


def test_fetcher_serves_template_files_and_refuses_everything_else(tmp_path: Path) -> None:
    user = tmp_path / "user"
    (user / "fonts").mkdir(parents=True)
    (user / "brief.css").write_text("p { color: red }", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    (user / "fonts" / "escape.ttf").symlink_to(secret)
    builtin = render.builtin_templates()
    fetcher = render.TemplateFetcher([user, builtin])

    assert fetcher.fetch(user.resolve().as_uri() + "/brief.css").read() == b"p { color: red }"
    # A user folder without fonts still gets the built-in ones at the same relative path.
    font = fetcher.fetch(user.resolve().as_uri() + "/fonts/DejaVuSans.ttf")
    assert font.read() == (builtin / "fonts" / "DejaVuSans.ttf").read_bytes()
    refused = [
        "http://example.invalid/x.png",
        "https://example.invalid/x.css",
        "ftp://example.invalid/x",
        "data:text/css,p%7Bcolor:red%7D",
        "file:///etc/passwd",
        secret.as_uri(),
        user.resolve().as_uri() + "/../secret.txt",
        user.resolve().as_uri() + "/fonts/escape.ttf",  # a symlink leading out
        user.resolve().as_uri() + "/fonts/missing.ttf",
        "file://otherhost" + str(builtin / "brief.css"),
    ]
    for url in refused:
        with pytest.raises(RenderError, match="refused"):
            fetcher.fetch(url)


def test_environment_escapes_html_only_and_rejects_undefined_names(tmp_path: Path) -> None:
    (tmp_path / "x.html").write_text("{{ v }}", encoding="utf-8")
    (tmp_path / "x.md.j2").write_text("{{ v }}", encoding="utf-8")
    (tmp_path / "y.html").write_text("{{ missing }}", encoding="utf-8")
    env = render.environment(tmp_path)
    assert env.get_template("x.html").render(v="<b>") == "&lt;b&gt;"
    assert env.get_template("x.md.j2").render(v="<b>") == "<b>"
    with pytest.raises(Exception, match="missing"):
        env.get_template("y.html").render()


# --- user templates -------------------------------------------------------------


def test_user_stylesheet_overrides_and_missing_templates_fall_back(
    sample_brief: Brief, tmp_path: Path
) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    (user / "brief.css").write_text('h1::after { content: " CUSTOMCSSMARK"; }', encoding="utf-8")
    render.pdf(sample_brief, tmp_path / "brief.pdf", templates_dir=user)
    pages, text = pdf_text(tmp_path / "brief.pdf")
    assert pages == 1
    assert "CUSTOMCSSMARK" in text
    assert "Situation brief, 17 November 2015" in text  # brief.html came from the built-in folder
    (digest, *_) = render.markdown(sample_brief, tmp_path / "md", templates_dir=user)
    assert digest.read_text(encoding="utf-8").startswith("# EU mutual defence clause invoked")


def test_user_html_template_is_used(sample_brief: Brief, tmp_path: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    (user / "brief.html").write_text(
        "<html><head><title>{{ title }}</title></head><body><p>HOUSE STYLE {{ date }}</p></body></html>",
        encoding="utf-8",
    )
    render.pdf(sample_brief, tmp_path / "brief.pdf", templates_dir=user)
    assert "HOUSE STYLE 17 November 2015" in pdf_text(tmp_path / "brief.pdf")[1]


def test_missing_templates_folder_is_a_render_error(sample_brief: Brief, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        render.pdf(sample_brief, tmp_path / "brief.pdf", templates_dir=tmp_path / "nope")


# --- Markdown digests -----------------------------------------------------------


def test_one_digest_per_topic_with_footnotes_and_verbatim_quotes(sample_brief: Brief, tmp_path: Path) -> None:
    paths = render.markdown(sample_brief, tmp_path / "digests")
    assert [p.name for p in paths] == [
        "01-eu-mutual-defence-clause-invoked.md",
        "02-new-french-air-strikes-on-is-in-syria.md",
        "03-raids-and-arrests-in-france-and-belgium.md",
        "04-call-for-a-u-s-russian-coalition-against-is.md",
        "05-investigation-names-suspected-organiser.md",
    ]
    numbers = render.source_numbers(sample_brief)
    for path, tb in zip(paths, sample_brief.topics, strict=True):
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f"# {render.md_escape(tb.topic.label)}\n")
        referenced = set(re.findall(r"\[\^(\d+)\](?!:)", text))
        defined = set(re.findall(r"^\[\^(\d+)\]: ", text, flags=re.M))
        assert referenced and referenced == defined
        for claim in tb.summary:
            assert render.md_escape(claim.text) in text
        for fact in tb.topic.facts:
            assert render.md_escape(fact.text) in text
            for sentence in fact.sentences:
                assert f'"{render.md_escape(sentence.text)}"[^{numbers[sentence.article_id]}]' in text


def test_md_escape_neutralises_markup() -> None:
    assert render.md_escape("a|b *c* _d_ <e> [f](g) `h`") == r"a\|b \*c\* \_d\_ \<e\> \[f\](g) \`h\`"
    assert render.md_escape("# not a heading") == r"\# not a heading"
    assert render.md_escape("line one\n# two") == "line one # two"
    assert render.md_escape(None) == ""


def test_slug_and_marks_and_dates() -> None:
    assert render.slug("Raids & arrests: France/Belgium") == "raids-arrests-france-belgium"
    assert render.slug("Élysée talks") == "elysee-talks"
    assert render.slug("!!!") == "topic"
    assert len(render.slug("word " * 40)) <= 60
    assert render.cite_marks([3, 1, 2, 2, 7]) == "1–3,7"
    assert render.cite_marks([1, 3]) == "1,3"
    assert render.span_text("2015-11-17", 2015) == "17 Nov"
    assert render.span_text("2015-11-16/2015-11-17", 2015) == "16–17 Nov"
    assert render.span_text("2015-10-31/2015-11-02", 2015) == "31 Oct – 2 Nov"
    assert render.span_text("last week", 2015) == "last week"


# --- JSON -----------------------------------------------------------------------


def test_json_has_the_documented_keys(sample_brief: Brief, tmp_path: Path) -> None:
    path = render.write_json(sample_brief, tmp_path / "brief.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(render.json_dump(sample_brief)))
    top = {"date", "title", "generated_at", "sources", "topics", "lead", "other", "figures", "conflicts",
           "omitted", "since_last", "models", "settings"}  # fmt: skip
    assert top <= data.keys()
    assert data["date"] == "2015-11-17"
    assert [s["number"] for s in data["sources"]] == [1, 2, 3, 4, 5]
    assert {"id", "path", "outlet", "title", "published", "number"} <= data["sources"][0].keys()
    topic = data["topics"][0]
    assert {"id", "label", "keywords", "summary", "facts"} <= topic.keys()
    claim = topic["summary"][0]
    assert {"text", "method", "entailment", "checks", "citations"} <= claim.keys()
    assert {"source", "sentence", "start", "end", "quote"} <= claim["citations"][0].keys()
    fact = topic["facts"][0]
    assert {"id", "text", "sources", "sentences"} <= fact.keys()
    assert {"source", "sentence", "start", "end", "text"} <= fact["sentences"][0].keys()
    assert {"text", "method", "citations"} <= data["lead"][0].keys()
    assert data["other"][0]["sentences"]
    figure_keys = {"value", "counts", "where", "as_of", "cumulative", "text", "citations"}
    assert figure_keys <= data["figures"][0].keys()
    conflict = data["conflicts"][0]
    assert {"counts", "where", "as_of", "text", "values"} <= conflict.keys()
    assert [v["value"] for v in conflict["values"]] == [128, 168]
    assert {"kind", "text", "citations"} <= data["since_last"][0].keys()
    assert data["models"]["embedder"] == "all-MiniLM-L6-v2"
    assert isinstance(data["settings"]["cache_dir"], str)
    # Offsets point at the quoted text in the article.
    articles = {a.id: a for a in sample_brief.sources}
    for citation in claim["citations"]:
        assert articles[citation["source"]].text[citation["start"] : citation["end"]] == citation["quote"]


# --- write_all and atomic writes ------------------------------------------------


def test_write_all_writes_the_three_outputs(sample_brief: Brief, tmp_path: Path) -> None:
    paths = render.write_all(sample_brief, tmp_path)
    assert paths["pdf"] == tmp_path / "brief-2015-11-17.pdf"
    assert paths["json"] == tmp_path / "brief-2015-11-17.json"
    assert paths["digests"] == tmp_path / "digests" / "2015-11-17"
    assert pdf_text(paths["pdf"])[0] == 1
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["date"] == "2015-11-17"
    assert len(list(paths["digests"].glob("*.md"))) == 5
    assert leftovers(tmp_path) == []


def test_write_all_json_matches_what_was_printed(tmp_path: Path) -> None:
    full = long_brief(topics=15, sentences=4)
    paths = render.write_all(full, tmp_path)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert 1 <= len(data["topics"]) < 15
    assert any("left out for space" in note for note in data["omitted"])
    # Digests keep every topic, and say which ones the page had no room for.
    digests = sorted(paths["digests"].glob("*.md"))
    assert len(digests) == 15
    assert "left out of the printed brief" in digests[-1].read_text(encoding="utf-8")
    assert "left out of the printed brief" not in digests[0].read_text(encoding="utf-8")


def test_rewrite_replaces_the_digest_folder_whole(sample_brief: Brief, tmp_path: Path) -> None:
    render.write_all(sample_brief, tmp_path)
    smaller = dataclasses.replace(sample_brief, topics=sample_brief.topics[:2])
    paths = render.write_all(smaller, tmp_path)
    assert len(list(paths["digests"].glob("*.md"))) == 2
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("template", ["brief.html", "digest.md.j2"])
def test_failed_render_leaves_yesterdays_files_untouched(
    sample_brief: Brief, tmp_path: Path, template: str
) -> None:
    render.write_all(sample_brief, tmp_path / "out")
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / template).write_text("<p>{{ title }} {{ no_such_field }}</p>", encoding="utf-8")
    # A new day's content, so any file written would differ from yesterday's.
    sample_brief = dataclasses.replace(sample_brief, title="Another day", topics=sample_brief.topics[:3])
    with pytest.raises(RenderError, match="no_such_field"):
        render.write_all(sample_brief, tmp_path / "out", templates_dir=broken)
    after = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert after == before


def test_crash_while_replacing_keeps_the_old_file(
    sample_brief: Brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "brief-2015-11-17.pdf"
    target.write_bytes(b"yesterday")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        render.pdf(sample_brief, target)
    assert target.read_bytes() == b"yesterday"
    assert leftovers(tmp_path) == []
