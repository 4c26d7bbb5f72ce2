"""Tests for brief.ingest: the seeds as they are, every kind of source, and bad input."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import time
from pathlib import Path

import pytest

from brief import ingest
from brief.config import Settings
from brief.errors import InputError
from brief.records import Article
from brief.sentences import split_all

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "ingest"

# Boilerplate lines as they stand in the seed files; none may survive as a sentence.
BOILERPLATE = [
    "Accessibility links",
    "Breaking News",
    "Skip to content",
    "Skip to main menu",
    "Skip to more DW sites",
    "Skip to main content",
    "please wait",
    "No media source currently available",
    "0:00 0:00:56 0:00",
    "16x9 Image",
    "WATCH:",
    "Minute Of Silence Held For Victims Of Paris Attacks",
    "Image: picture-alliance",
    "Uncredited/The Associated Press",
    "This photo released on",
    "p.dw.com",
    "blc/jil",
    "- AP",
    "With reporting by AP and Reuters",
    "With reporting by AP, Reuters, AFP, and dpa",
    "17/11/2015 20:50 by admin",
    "November 17, 2015",
    "journalists report the news in 27",
    "uncensored news, responsible discussion",
    "Belgium Raids",
    "Planned From Syria",
    "Strikes abroad, Searches at home",
    "Intelligence Sharing",
    "Belgien Rat der EU",
]

ARTICLE_TEXT = (
    "The river rose above its banks on Wednesday and forced hundreds of families out of their homes, "
    "officials in the region said, adding that rescue crews had worked through the night.\n\n"
    "Schools were closed and the main road was shut while engineers checked the bridge for damage "
    "after the water had fallen back during the afternoon."
)


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    """The five seed articles, loaded once."""
    return ingest.load([SEEDS])


def _by_prefix(articles: list[Article], prefix: str) -> Article:
    """The seed article whose file name starts with ``prefix``."""
    return next(a for a in articles if Path(a.path).name.startswith(prefix))


def _write(folder: Path, name: str, text: str) -> Path:
    """Write an article file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- seeds


def test_seed_folder_gives_five_articles_in_path_order(seeds: list[Article]) -> None:
    assert [Path(a.path).name[:3] for a in seeds] == ["000", "001", "002", "003", "004"]
    assert all(len(a.id) == 16 and int(a.id, 16) >= 0 for a in seeds)
    assert len({a.id for a in seeds}) == 5


def test_seed_titles(seeds: list[Article]) -> None:
    assert _by_prefix(seeds, "000").title == "France Requests Military Support From EU Allies"
    assert _by_prefix(seeds, "001").title == "France seeks military help from EU"
    assert _by_prefix(seeds, "002").title == "France seeks EU security aid, launches new airstrikes on IS"
    assert _by_prefix(seeds, "003").title.startswith("Hollande Calls For Joint U.S.-Russian Fight")
    # 004 has no headline line: a stand-in is made from its lede.
    assert _by_prefix(seeds, "004").title.startswith("France made an unprecedented demand on Tuesday")


def test_title_line_is_removed_from_body(seeds: list[Article]) -> None:
    for article in seeds[:4]:
        assert article.title not in article.text
        assert any(d.reason == "title" and d.text == article.title for d in article.dropped)


def test_seed_outlets(seeds: list[Article]) -> None:
    assert _by_prefix(seeds, "000").outlet == "RFE/RL"
    assert _by_prefix(seeds, "001").outlet == "DW"
    assert _by_prefix(seeds, "003").outlet == "RFE/RL"
    # Only a wire sign-off or photo credit is known for the copies.
    assert _by_prefix(seeds, "002").outlet == "AP"
    assert _by_prefix(seeds, "004").outlet == "AP"


@pytest.mark.parametrize(
    ("prefix", "date", "source"),
    [
        ("000", dt.date(2015, 11, 17), "text"),
        ("001", dt.date(2015, 11, 17), "dateline"),
        ("002", dt.date(2015, 11, 17), "dateline"),
        ("003", dt.date(2015, 11, 16), "text"),
        ("004", dt.date(2015, 11, 17), "text"),
    ],
)
def test_seed_dates(seeds: list[Article], prefix: str, date: dt.date, source: str) -> None:
    article = _by_prefix(seeds, prefix)
    assert (article.published, article.published_from) == (date, source)


def test_seed_boilerplate_is_not_in_any_sentence(seeds: list[Article]) -> None:
    texts = [s.text for s in split_all(seeds)]
    for line in BOILERPLATE:
        assert not [t for t in texts if line in t], line


def test_seed_boilerplate_is_audited_with_reasons(seeds: list[Article]) -> None:
    reasons = {(Path(a.path).name[:3], d.text): d.reason for a in seeds for d in a.dropped}
    assert reasons[("000", "Accessibility links")] == "navigation"
    assert reasons[("001", "Belgien Rat der EU Jean-Yves Le Drian und Federica Mogherini")] == "photo caption"
    assert reasons[("001", "https://s.gtool.pro:443/https/p.dw.com/p/1H706")] == "short link"
    assert reasons[("002", "17/11/2015 20:50 by admin")] == "dateline"
    assert reasons[("002", "- AP")] == "sign-off"
    assert reasons[("003", "Minute Of Silence Held For Victims Of Paris Attacks")] == "video title"
    assert reasons[("003", "Belgium Raids")] == "subheading"
    assert reasons[("000", "• 16x9 Image")] == "media placeholder"
    assert any(text.startswith("RFE/RL journalists") and r == "promotion" for (_, text), r in reasons.items())


def test_real_sentences_are_kept(seeds: list[Article]) -> None:
    dw, copy, rferl = _by_prefix(seeds, "001"), _by_prefix(seeds, "002"), _by_prefix(seeds, "003")
    assert dw.text.startswith("The EU has pledged support for France")
    assert copy.text.startswith("Paris: France made an unprecedented demand")
    # A real sentence without a full stop is not mistaken for a heading.
    assert "Belgian broadcaster RTBF said one person was detained but it was not Abdeslam" in rferl.text
    assert dw.text.endswith('"We have to accept that and Europe has to understand," he said.')


def test_seed_text_has_clean_paragraphs(seeds: list[Article]) -> None:
    for article in seeds:
        assert article.text == article.text.strip()
        assert "\n\n\n" not in article.text
        assert "\u00a0" not in article.text


def test_ingest_of_seeds_is_fast() -> None:
    started = time.perf_counter()
    ingest.load([SEEDS])
    assert time.perf_counter() - started < 1.0


def test_identical_article_under_another_name_is_deduplicated(tmp_path: Path) -> None:
    source = next(SEEDS.glob("001_*.txt"))
    shutil.copy(source, tmp_path / "a.txt")
    shutil.copy(source, tmp_path / "b.txt")
    articles = ingest.load([tmp_path])
    assert len(articles) == 1
    assert articles[0].path.endswith("a.txt")
    assert articles[0].id == ingest.article_id(articles[0].text)


def test_list_of_files_is_accepted(tmp_path: Path) -> None:
    files = sorted(SEEDS.glob("*.txt"))[:2]
    assert [a.path for a in ingest.load([str(f) for f in reversed(files)])] == [str(f) for f in files]


# --------------------------------------------------------------------------- dates


def test_month_day_mentions_take_their_year_from_the_corpus(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "Storm Hits Coast\n\nMarch 3, 2019\n\n" + ARTICLE_TEXT)
    undated = "Ferries Suspended\n\n" + ARTICLE_TEXT.replace("on Wednesday", "on March 4")
    _write(tmp_path, "b.txt", undated)
    a, b = ingest.load([tmp_path])
    assert (a.published, a.published_from) == (dt.date(2019, 3, 3), "dateline")
    assert (b.published, b.published_from) == (dt.date(2019, 3, 4), "text")


def test_year_is_chosen_nearest_to_the_corpus_across_new_year(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "Storm Hits Coast\n\nJanuary 2, 2020\n\n" + ARTICLE_TEXT)
    _write(
        tmp_path, "b.txt", "Ferries Suspended\n\n" + ARTICLE_TEXT.replace("on Wednesday", "on December 31")
    )
    assert ingest.load([tmp_path])[1].published == dt.date(2019, 12, 31)


def test_weekday_after_latest_full_date_moves_the_date_on(tmp_path: Path) -> None:
    # 7 May 2019 was a Tuesday; "Thursday" is two days later, "Monday" six (ignored).
    text = (
        ARTICLE_TEXT.replace("on Wednesday", "on Thursday")
        + "\n\nThe storm began on Tuesday, May 7, 2019, and Monday."
    )
    _write(tmp_path, "a.txt", "Storm Hits Coast\n\n" + text)
    article = ingest.load([tmp_path])[0]
    assert (article.published, article.published_from) == (dt.date(2019, 5, 9), "text")


def test_no_date_at_all_is_none(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "Storm Hits Coast\n\n" + ARTICLE_TEXT)
    article = ingest.load([tmp_path])[0]
    assert article.published is None and article.published_from is None


# --------------------------------------------------------------------------- other sources


def test_html_page_keeps_the_article_and_drops_the_rest() -> None:
    article = ingest.load([DATA / "page.html"])[0]
    assert article.title == "River Floods Force Thousands From Homes"
    assert article.outlet == "Valley Herald"
    assert (article.published, article.published_from) == (dt.date(2021, 3, 4), "metadata")
    assert article.text.startswith("Thousands of residents were evacuated")
    assert "overtopped in two northern districts" in article.text
    for junk in ("cookies", "Advertisement", "Buy the new phone", "Politics", "newsletter", "Rain to continue",
                 "All rights reserved", "Photo: Example Agency"):  # fmt: skip
        assert junk not in article.text, junk


def test_broken_html_does_not_crash(tmp_path: Path) -> None:
    shutil.copy(DATA / "broken.html", tmp_path / "broken.html")
    _write(tmp_path, "good.txt", "Storm Hits Coast\n\n" + ARTICLE_TEXT)
    loaded = ingest.load_report([tmp_path])
    assert [Path(a.path).name for a in loaded.articles] == ["good.txt"]
    assert [Path(s.path).name for s in loaded.skipped] == ["broken.html"]


def test_jsonl_records_with_metadata() -> None:
    loaded = ingest.load_report([DATA / "feed.jsonl"])
    first, second, third = loaded.articles
    assert first.path.endswith("feed.jsonl:1")
    assert (first.title, first.outlet, first.url) == ("Bridge Closed After Storm Damage", "Coast Courier",
                                                      "https://example.org/bridge")  # fmt: skip
    assert (first.published, first.published_from) == (dt.date(2021, 3, 5), "metadata")
    assert first.text.startswith("The main bridge into the harbour town")
    assert (second.outlet, second.published) == ("Plains Post", None)  # "outlet" key; unreadable date
    assert (third.title, third.outlet) == ("Dam Inspected", "River News")  # from the "html" record
    assert {Path(s.path).name: s.reason[:12] for s in loaded.skipped} == {
        "feed.jsonl:3": "not valid JS",
        "feed.jsonl:4": "JSONL record",
    }


def test_jsonl_written_on_the_fly(tmp_path: Path) -> None:
    rows = [{"text": ARTICLE_TEXT, "title": "One", "source": "Outlet A", "published": "2020-06-01T10:00:00Z"}]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    (article,) = ingest.load([tmp_path / "in.jsonl"])
    assert (article.title, article.outlet, article.published) == ("One", "Outlet A", dt.date(2020, 6, 1))


def test_markdown_heading_is_the_title_and_markup_is_stripped() -> None:
    article = ingest.load([DATA / "story.md"])[0]
    assert article.title == "Power Restored To Most Homes"
    assert "**" not in article.text and "](" not in article.text and "#" not in article.text
    assert "on Sunday, the grid operator said" in article.text
    assert {d.reason for d in article.dropped} == {"title", "byline", "subheading", "image"}


def test_outlet_from_navigation_and_wire_signals(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "Skip to more Example News sites\n\nStorm Hits Coast\n\n" + ARTICLE_TEXT)
    _write(
        tmp_path,
        "b.txt",
        "Ferries Suspended\n\n" + ARTICLE_TEXT.replace("The river", "The sea") + "\n\n(Reuters)",
    )
    _write(tmp_path, "c.txt", "Roads Closed\n\n" + ARTICLE_TEXT.replace("The river", "The lake"))
    _write(
        tmp_path,
        "d.txt",
        "Fields Flooded\n\n"
        + ARTICLE_TEXT.replace("The river", "A stream")
        + "\n\n© 2020 Daily Example. All rights reserved.",
    )
    _write(tmp_path, "e.txt", "Copyright Row\n\nCopyright lawyers said " + ARTICLE_TEXT)
    articles = ingest.load([tmp_path])
    assert [a.outlet for a in articles] == ["Example News", "Reuters", None, "Daily Example", None]
    assert articles[-1].text.startswith("Copyright lawyers said")


# --------------------------------------------------------------------------- bad input


def test_nonexistent_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        ingest.load([tmp_path / "missing"])


def test_empty_folder_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / ".hidden.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    with pytest.raises(InputError, match="no article files"):
        ingest.load([tmp_path])


def test_binary_file_is_skipped_and_the_rest_processed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _write(tmp_path, "good.txt", "Storm Hits Coast\n\n" + ARTICLE_TEXT)
    with caplog.at_level(logging.WARNING, logger="brief.ingest"):
        articles = ingest.load([tmp_path])
    assert [Path(a.path).name for a in articles] == ["good.txt"]
    assert "image.txt" in caplog.text and "binary" in caplog.text


def test_undecodable_file_is_skipped(tmp_path: Path) -> None:
    # 0x81 and 0x8d are neither UTF-8 nor cp1252.
    (tmp_path / "bad.txt").write_bytes(b"Some words \x81\x8d more words " * 20)
    _write(tmp_path, "good.txt", "Storm Hits Coast\n\n" + ARTICLE_TEXT)
    loaded = ingest.load_report([tmp_path])
    assert [Path(s.path).name for s in loaded.skipped] == ["bad.txt"]
    assert "UTF-8" in loaded.skipped[0].reason


def test_cp1252_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_bytes(
        ("Storm Hits Coast\n\n" + ARTICLE_TEXT + " \u201cWe are safe,\u201d one said.").encode("cp1252")
    )
    assert "\u201cWe are safe,\u201d" in ingest.load([tmp_path])[0].text


def test_empty_article_is_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "empty.txt", "Accessibility links\n\nBreaking News\n\nShort Title\n\nToo short.")
    _write(tmp_path, "good.txt", "Storm Hits Coast\n\n" + ARTICLE_TEXT)
    loaded = ingest.load_report([tmp_path])
    assert [Path(s.path).name for s in loaded.skipped] == ["empty.txt"]
    assert "too little article text" in loaded.skipped[0].reason


def test_oversize_file_is_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "big.txt", "Storm Hits Coast\n\n" + ARTICLE_TEXT * 10)
    _write(tmp_path, "good.txt", "Storm Hits Coast\n\n" + ARTICLE_TEXT)
    loaded = ingest.load_report([tmp_path], Settings(max_article_bytes=2_000))
    assert [Path(s.path).name for s in loaded.skipped] == ["big.txt"]
    assert "over the 2,000-byte limit" in loaded.skipped[0].reason


def test_non_english_text_is_skipped() -> None:
    with pytest.raises(InputError, match="does not look like English"):
        ingest.load([DATA / "german.txt"])


def test_every_file_skipped_is_an_input_error_naming_why(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(InputError, match=r"no readable articles.*a\.txt: binary"):
        ingest.load([tmp_path])


def test_english_share_separates_languages() -> None:
    assert ingest.english_share(ARTICLE_TEXT * 2) > 0.25
    german = (DATA / "german.txt").read_text(encoding="utf-8")
    assert ingest.english_share(german) < 0.1


# --------------------------------------------------------------------------- metadata and provenance

BODY = (
    "Ferry services to the outer islands were suspended on Friday as a storm brought strong gusts to the "
    "coast, the operator said in a statement.\n\nThe operator said crossings would resume once the wind had "
    "dropped and crews had checked the harbour walls, which were damaged during a storm last winter."
)


def _origins(article: Article) -> dict[str, str]:
    """An article's provenance as a dict."""
    return dict(article.provenance)


def _sentences_with(articles: list[Article], fragments: list[str]) -> list[str]:
    """Sentences that contain any of ``fragments``."""
    return [s.text for s in split_all(articles) if any(f in s.text for f in fragments)]


def test_header_block_is_metadata_and_beats_url_and_dateline() -> None:
    article = ingest.load([DATA / "header.txt"])[0]
    assert article.title == "Ferry Service Suspended As Storm Batters Islands"
    assert article.url == "https://www.theguardian.com/world/2021/mar/06/ferry-service-suspended-storm"
    # The header's date (with its note) wins over the URL's 6 March and the dateline's 5 March.
    assert (article.published, article.published_from) == (dt.date(2021, 3, 7), "metadata")
    assert article.outlet == "The Guardian"
    assert article.author == "Alex Example"
    assert _origins(article) == {
        "title": "metadata", "outlet": "url", "url": "metadata", "published": "metadata", "author": "metadata",
    }  # fmt: skip
    assert article.origin("outlet") == "url"
    header = [d.text for d in article.dropped if d.reason == "metadata"]
    assert header == [
        "title: Ferry Service Suspended As Storm Batters Islands",
        "SOURCE: https://www.theguardian.com/world/2021/mar/06/ferry-service-suspended-storm",
        "Date: 2021-03-07 (estimated from page)",
        "By: Alex Example",
    ]
    assert article.text.startswith("Ferry services to the outer islands were suspended")
    assert not _sentences_with([article], ["SOURCE", "http", "estimated", "Alex Example", "Date:"])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            (
                "Headline: Ferries Stop\nURL: https://apnews.com/article/ferries-stop-123\n"
                "Published: 9 March 2021 (updated later)\nAuthor: Jo Example"
            ),
            {"title": "Ferries Stop", "outlet": "AP", "published": dt.date(2021, 3, 9), "author": "Jo Example"},
        ),
        (
            "TITLE: Ferries Stop\nLINK: https://edition.cnn.com/2021/03/08/world/ferries/index.html\nBY: Jo Example",
            {"title": "Ferries Stop", "outlet": "CNN", "published": dt.date(2021, 3, 8), "author": "Jo Example"},
        ),
        (
            "Title: Ferries Stop\nSource: Island Radio\nUpdated: March 10, 2021\nCategory: Weather",
            {"title": "Ferries Stop", "outlet": "Island Radio", "published": dt.date(2021, 3, 10), "author": None},
        ),
        (
            "**Title:** Ferries Stop\n**Publisher:** Island Radio\n**Date:** 2021-03-11T06:00:00Z",
            {"title": "Ferries Stop", "outlet": "Island Radio", "published": dt.date(2021, 3, 11), "author": None},
        ),
    ],
)
def test_header_block_variants(tmp_path: Path, header: str, expected: dict[str, object]) -> None:
    _write(tmp_path, "a.txt", header + "\n\n" + BODY)
    (article,) = ingest.load([tmp_path])
    got = {"title": article.title, "outlet": article.outlet, "published": article.published,
           "author": article.author}  # fmt: skip
    assert got == expected
    assert article.published_from == ("url" if "cnn.com" in header else "metadata")
    assert [d.text for d in article.dropped if d.reason == "metadata"] == header.split("\n")
    assert article.text == BODY.replace("\n\n", "\n\n")


def test_a_body_paragraph_opening_with_a_key_is_not_a_header(tmp_path: Path) -> None:
    # "Source: ..." followed by more prose in the same paragraph is text, not metadata.
    text = "Storm Hits Coast\n\nSource: officials said the river rose.\nIt rose again overnight.\n\n" + BODY
    _write(tmp_path, "a.txt", text)
    (article,) = ingest.load([tmp_path])
    assert "officials said the river rose" in article.text
    assert article.origin("title") == "text"


def test_stray_metadata_line_in_the_body_is_dropped(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "Storm Hits Coast\n\n" + BODY + "\n\nSource: https://example.org/storm\n\n"
           "Last updated: 12 March 2021 (14:00)")  # fmt: skip
    (article,) = ingest.load([tmp_path])
    assert {d.text: d.reason for d in article.dropped}["Source: https://example.org/storm"] == "metadata"
    assert {d.text: d.reason for d in article.dropped}["Last updated: 12 March 2021 (14:00)"] == "metadata"
    assert not _sentences_with([article], ["example.org", "Last updated"])


def test_yaml_front_matter_with_provenance() -> None:
    article = ingest.load([DATA / "frontmatter.md"])[0]
    assert (article.title, article.outlet, article.author) == (
        "Harbour Wall Repairs Begin After Storm", "Example Herald", "Robin Example",
    )  # fmt: skip
    assert article.url == "https://www.example-herald.co.uk/news/harbour-wall-repairs"
    assert (article.published, article.published_from) == (dt.date(2021, 3, 8), "metadata")
    assert set(_origins(article).values()) == {"metadata"}
    assert len(article.provenance) == 5
    # The "# Headline" that repeats the title is dropped as the title, not kept as text.
    assert article.text.startswith("Engineers began repairing the harbour wall")
    reasons = [d.reason for d in article.dropped]
    assert reasons == ["metadata"] * 5 + ["title"]
    assert not _sentences_with([article], ["outlet:", "---", "Robin Example"])


def test_front_matter_that_is_not_valid_yaml_is_read_line_by_line(tmp_path: Path) -> None:
    # An unquoted colon in the title makes the block invalid YAML, as hand-written files often are.
    _write(tmp_path, "a.md", "---\ntitle: Storm: ferries stop\ndate: 2021-03-09\n---\n\n" + BODY)
    (article,) = ingest.load([tmp_path])
    assert (article.title, article.published) == ("Storm: ferries stop", dt.date(2021, 3, 9))
    assert article.text == BODY


def test_fetch_inbox_file_round_trips(tmp_path: Path) -> None:
    # The shape `brief fetch` writes: YAML front matter with an ISO date, then the body.
    import yaml

    fields = {"title": "Ferries: Service Resumes", "url": "https://www.bbc.co.uk/news/uk-123",
              "outlet": "BBC News", "date": "2021-03-12", "author": "Pat Example"}  # fmt: skip
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)
    _write(tmp_path, "0123456789abcdef.md", f"---\n{front}---\n\n{BODY}\n")
    (article,) = ingest.load([tmp_path])
    assert (article.title, article.url, article.outlet, article.author) == (
        fields["title"], fields["url"], fields["outlet"], fields["author"],
    )  # fmt: skip
    assert (article.published, article.published_from) == (dt.date(2021, 3, 12), "metadata")
    assert article.text == BODY


def test_html_meta_and_json_ld() -> None:
    article = ingest.load([DATA / "meta.html"])[0]
    assert article.title == "Islands Cut Off As Storm Closes Airport"
    assert article.outlet == "Coastline Times"  # JSON-LD publisher.name
    assert article.url == "https://coastline-times.example.com/2021/03/09/islands-cut-off"
    assert article.author == "Sam Example"
    # datePublished, not dateModified
    assert (article.published, article.published_from) == (dt.date(2021, 3, 9), "metadata")
    assert set(_origins(article).values()) == {"metadata"}
    assert article.text.startswith("The airport serving the outer islands closed")


def test_html_without_a_site_name_takes_the_outlet_from_its_url(tmp_path: Path) -> None:
    page = (
        '<html><head><title>Ferries Stop</title><link rel="canonical" '
        'href="https://www.dw.com/en/ferries-stop/a-123"></head><body><article><h1>Ferries Stop</h1>'
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
        + "</article></body></html>"
    )
    _write(tmp_path, "a.html", page)
    (article,) = ingest.load([tmp_path])
    assert (article.outlet, article.origin("outlet")) == ("DW", "url")
    assert (article.url, article.origin("url")) == ("https://www.dw.com/en/ferries-stop/a-123", "metadata")


def test_jsonl_field_names_and_url_outlets() -> None:
    first, second = ingest.load([DATA / "meta.jsonl"])
    assert (first.title, first.author) == ("Storm Damage Estimate Rises", "Kim Example")
    assert first.url.startswith("https://www.reuters.com/world/")
    assert (first.outlet, first.origin("outlet")) == ("Reuters", "url")
    assert (first.published, first.published_from) == (dt.date(2021, 3, 10), "metadata")
    # "source" holding a URL is the URL; the outlet is the registrable domain; the date is in the path.
    assert second.url == "https://news.example-gazette.org/20210311/schools-reopen"
    assert (second.outlet, second.origin("outlet")) == ("example-gazette.org", "url")
    assert (second.published, second.published_from) == (dt.date(2021, 3, 11), "url")
    assert _origins(second) == {"title": "metadata", "url": "metadata", "outlet": "url", "published": "url"}


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.bbc.co.uk/news/world-europe-123", "BBC"),
        ("https://www.bbc.com/news/articles/abc", "BBC"),
        ("https://uk.reuters.com/article/x", "Reuters"),
        ("https://abcnews.go.com/International/story", "ABC News"),
        ("https://www.washingtonpost.com/world/2021/03/04/x/", "The Washington Post"),
        ("https://news.example.co.uk/a/b", "example.co.uk"),
        ("http://blog.example.com.au/post", "example.com.au"),
        ("www.example.org/story", "example.org"),
        ("not a url", None),
        (None, None),
    ],
)
def test_outlet_from_url(url: str | None, outlet: str | None) -> None:
    from brief.metadata import outlet_from_url

    assert outlet_from_url(url) == outlet


@pytest.mark.parametrize(
    ("url", "date"),
    [
        ("https://example.org/news/2021/03/04/storm", dt.date(2021, 3, 4)),
        ("https://example.org/20210304/storm.html", dt.date(2021, 3, 4)),
        ("https://example.org/world/2021/mar/04/storm", dt.date(2021, 3, 4)),
        ("https://example.org/2021-03-04/storm", dt.date(2021, 3, 4)),
        ("https://example.org/news/2021/03/storm", None),  # no day
        ("https://example.org/2021/13/40/storm", None),  # impossible
        ("https://example.org/story/20210304123456", None),  # an id, not a date
        ("https://example.org/a?date=2021/03/04", None),  # the query is not the path
    ],
)
def test_date_from_url(url: str, date: dt.date | None) -> None:
    from brief.metadata import date_from_url

    assert date_from_url(url) == date


def test_metadata_date_parsing() -> None:
    from brief.metadata import parse_date

    assert parse_date("2015-11-23 (estimated from page)") == dt.date(2015, 11, 23)
    assert parse_date("2021-03-09T23:30:00-05:00") == dt.date(2021, 3, 9)  # the day as written
    assert parse_date("Tuesday, 9 March 2021") == dt.date(2021, 3, 9)
    assert parse_date(dt.date(2021, 3, 9)) == dt.date(2021, 3, 9)
    # No year: the parser would take today's; refuse instead.
    assert parse_date("March 9") is None
    assert parse_date("not a date") is None


def test_date_in_the_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "2021-03-05_ferries.txt", "Ferries Stop\n\n" + BODY)
    _write(tmp_path, "0a20210306b.txt", "Roads Close\n\n" + BODY.replace("Ferry services", "Roads"))
    hashed, dated = ingest.load([tmp_path])
    assert (dated.published, dated.published_from) == (dt.date(2021, 3, 5), "filename")
    assert hashed.published_from != "filename"


def test_url_date_beats_dateline_and_text(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "Title: Ferries Stop\nURL: https://example.org/2021/03/06/ferries\n\n"
           "March 3, 2021\n\n" + BODY)  # fmt: skip
    (article,) = ingest.load([tmp_path])
    assert (article.published, article.published_from) == (dt.date(2021, 3, 6), "url")


def test_brief_date_is_the_newest_explicit_date(tmp_path: Path) -> None:
    newest = ingest.newest_date
    # Stated dates 5-6 March; a third article's dateline-like line reads 20 March (a misread page).
    _write(tmp_path, "a.txt", "Title: Ferries Stop\nDate: 2021-03-05\n\n" + BODY)
    _write(tmp_path, "b.txt", "Title: Roads Close\nURL: https://example.org/2021/03/06/roads\n\n"
           + BODY.replace("Ferry services", "Roads"))  # fmt: skip
    _write(tmp_path, "c.txt", "Schools Shut\n\nMarch 20, 2021\n\n" + BODY.replace("Ferry", "School"))
    _write(tmp_path, "d.txt", "Shops Shut\n\n" + BODY.replace("Ferry", "Shop").replace("on Friday", "on March 7"))
    articles = ingest.load([tmp_path])
    assert [a.published_from for a in articles] == ["metadata", "url", "dateline", "text"]
    assert newest(articles) == dt.date(2021, 3, 6)
    # Without an explicit date, the newest inferred one (dateline, text) is used.
    assert newest(articles[2:]) == dt.date(2021, 3, 20)
    assert newest(articles[3:]) == articles[3].published == dt.date(2021, 3, 7)
    assert newest([]) is None


def test_seed_style_files_without_metadata_keep_text_provenance(seeds: list[Article]) -> None:
    for article in seeds:
        assert article.url is None and article.author is None
        assert article.origin("title") == "text"
        assert article.origin("published") == article.published_from
        assert not [d for d in article.dropped if d.reason == "metadata"]


def test_provenance_survives_the_state_file(tmp_path: Path) -> None:
    from brief.sentences import split
    from brief.store import Store

    article = ingest.load([DATA / "header.txt"])[0]
    with Store.open(tmp_path / "brief.db") as store:
        store.add_articles([(article, split(article))], dt.date(2021, 3, 8))
        ((stored, _),) = store.articles()
    assert (stored.author, stored.provenance, stored.url) == (article.author, article.provenance, article.url)


def test_inspect_shows_where_each_field_came_from() -> None:
    from click.testing import CliRunner

    from brief.cli import main

    result = CliRunner().invoke(main, ["inspect", str(DATA / "header.txt")])
    assert result.exit_code == 0, result.output
    assert "title:     Ferry Service Suspended As Storm Batters Islands (from metadata)" in result.stdout
    assert "outlet:    The Guardian (from url)" in result.stdout
    url = "https://www.theguardian.com/world/2021/mar/06/ferry-service-suspended-storm"
    assert f"url:       {url} (from metadata)" in result.stdout
    assert "published: 2021-03-07 (from metadata)" in result.stdout
    assert "[metadata] By: Alex Example" in result.stdout
    records = json.loads(CliRunner().invoke(main, ["inspect", "--json", str(DATA / "meta.jsonl")]).stdout)
    second = records[1]
    assert second["provenance"] == {"title": "metadata", "url": "metadata", "outlet": "url", "published": "url"}
    assert (second["outlet"], second["url"]) == (
        "example-gazette.org", "https://news.example-gazette.org/20210311/schools-reopen",
    )  # fmt: skip


SAVED_PAGE_JUNK = [
    "Share on Facebook", "Facebook Twitter WhatsApp Email", "Copy link", "Most Viewed", "Trending",
    "Related: Floods hit the valley again", "READ MORE: Floods hit the valley again", "Advertisement",
    "Story continues below advertisement", "Advertisement - scroll to continue", "Continue reading the main story",
    "Listen to this article · 5 min", "5 min read", "Updated 2 hours ago", "Tags: floods, weather",
    "Jane Doe/AFP via Getty Images", "(AP Photo/Jane Doe)", "Photograph: Jane Doe/Reuters",
    "Sign up to our daily briefing", "Get our free newsletter", "Enter your email address", "Subscribe now",
    "Already a subscriber? Log in", "Our Standards: The Example Trust Principles.",
    "This article was originally published on Example Daily.",
]  # fmt: skip


def test_saved_page_boilerplate_is_dropped_and_prose_is_kept(tmp_path: Path) -> None:
    prose = [
        "Share prices of the ferry operator fell on Friday after it cancelled every crossing for the weekend.",
        "Subscribers to the island's text alerts were told to stay indoors, the council said on Friday.",
        "The operator said on Twitter that it would publish a new timetable once the storm had passed.",
    ]
    junk = "\n\n".join(SAVED_PAGE_JUNK)
    _write(tmp_path, "a.txt", "Ferries Stop\n\n" + junk + "\n\n" + BODY + "\n\n" + "\n\n".join(prose))
    (article,) = ingest.load([tmp_path])
    assert {d.text for d in article.dropped} >= set(SAVED_PAGE_JUNK)
    assert not _sentences_with([article], SAVED_PAGE_JUNK)
    for sentence in prose:
        assert sentence in article.text


@pytest.mark.parametrize(
    "opening",
    [
        "Updated: The council said on Friday that the road would reopen within days.",
        "Source: a person familiar with the council's plans said the ferries would stay in port all weekend.",
        "Category: Weather\nTitle: Ferries Stop",  # an unknown key does not open a header
    ],
)
def test_prose_that_opens_with_a_key_is_kept(tmp_path: Path, opening: str) -> None:
    _write(tmp_path, "a.txt", opening + "\n\n" + BODY)
    (article,) = ingest.load([tmp_path])
    assert not [d for d in article.dropped if d.reason == "metadata"]
    assert article.origin("title") == "text"


def test_an_outlet_that_is_only_a_host_name_is_named_by_the_table(tmp_path: Path) -> None:
    _write(tmp_path, "a.md", "---\ntitle: Ferries Stop\noutlet: www.reuters.com\n---\n\n" + BODY)
    _write(tmp_path, "b.md", "---\ntitle: Roads Close\noutlet: news.example.net\n---\n\n" + BODY.replace("Ferry", "Road"))
    first, second = ingest.load([tmp_path])
    assert (first.outlet, first.origin("outlet")) == ("Reuters", "url")
    # A host the table does not know is kept as the source states it.
    assert (second.outlet, second.origin("outlet")) == ("news.example.net", "metadata")


def test_header_straight_above_the_body_without_a_blank_line(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "Title: Ferries Stop\nSource: https://www.npr.org/2021/03/09/ferries\n" + BODY)
    (article,) = ingest.load([tmp_path])
    assert (article.title, article.outlet, article.published) == ("Ferries Stop", "NPR", dt.date(2021, 3, 9))
    assert article.text == BODY


def test_a_year_less_date_takes_the_year_of_its_own_storys_coverage(tmp_path: Path) -> None:
    quake = (
        "Rescue teams in the coastal province searched collapsed buildings for survivors of the earthquake. "
        "The earthquake destroyed hundreds of homes in the coastal province, officials said. "
    )
    bank = (
        "Shares in the regional lender fell sharply as depositors withdrew their savings from the bank. "
        "Regulators closed the lender and took control of its deposits, the banking agency said. "
    )
    (tmp_path / "quake1.txt").write_text(f"Title: Quake\nDate: 2021-03-08\n\n{quake * 3}", encoding="utf-8")
    (tmp_path / "quake2.txt").write_text(f"Title: Quake two\nDate: 2021-03-09\n\n{quake * 3}Aftershocks followed.", encoding="utf-8")
    for n in range(3):
        (tmp_path / f"bank{n}.txt").write_text(f"Title: Bank {n}\nDate: 2023-03-1{n}\n\n{bank * 3}Run {n}.", encoding="utf-8")
    undated = f"{quake * 2}On March 9 the search went on through the night in the coastal province."
    (tmp_path / "undated.txt").write_text(undated, encoding="utf-8")
    articles = {Path(a.path).name: a for a in ingest.load([tmp_path])}
    assert articles["undated.txt"].published == dt.date(2021, 3, 9)
