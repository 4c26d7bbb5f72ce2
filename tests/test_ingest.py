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
