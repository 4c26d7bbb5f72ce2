"""The nightly state file: migrations, idempotent inserts, caches, brief records, the lock."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from brief.config import Settings
from brief.embed import CachedEmbedder, HashingEmbedder
from brief.errors import StateError
from brief.records import Article, Brief, Citation, Claim, Sentence
from brief.store import MIGRATIONS, StateLocked, Store, apply_migrations, state_path

NIGHT1 = dt.date(2015, 11, 17)
NIGHT2 = dt.date(2015, 11, 19)


def _article(text: str, path: str = "inbox/a.txt") -> tuple[Article, list[Sentence]]:
    from brief.ingest import article_id

    article = Article(article_id(text), path, "A title", "Outlet", NIGHT1, text, url="https://example.org/a")
    sentence = Sentence(article.id, 0, 0, len(text), text, NIGHT1)
    return article, [sentence]


def test_state_path_defaults_to_the_output_folder(tmp_path: Path) -> None:
    assert state_path(Settings(out_dir=tmp_path)) == tmp_path / "brief.db"
    assert state_path(Settings(out_dir=tmp_path, state_file=tmp_path / "x.db")) == tmp_path / "x.db"


def test_open_creates_the_schema_in_wal_mode(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        assert store.schema() == [name for name, _ in MIGRATIONS]
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert set(store.counts()) >= {"articles", "sentences", "embeddings", "summaries", "briefs"}


def test_migrations_are_applied_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.open(path).close()
    added = "CREATE TABLE extra (x INTEGER);\nINSERT INTO extra VALUES (1);\n"
    extra = (*MIGRATIONS, ("0099_test_extra", added))
    with Store.open(path, migrations=extra) as store:
        assert store.schema()[-1] == "0099_test_extra"
        assert apply_migrations(store.conn, path, extra) == []
        assert store.conn.execute("SELECT COUNT(*) FROM extra").fetchone()[0] == 1


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO migrations (name, applied_at) VALUES ('9999_from_the_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="newer than this version"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not sqlite, just some text that is long enough to fill a header" * 20)
    with pytest.raises(StateError, match="not a brief state file"):
        Store.open(path)


def test_history_does_not_create_a_missing_state_file(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no state file"):
        Store.open(tmp_path / "missing.db", lock=False, create=False)
    assert not (tmp_path / "missing.db").exists()


def test_articles_are_stored_once_by_content_hash(tmp_path: Path) -> None:
    first = _article("Police raided a flat before dawn on Wednesday.")
    republished = _article("Police raided a flat before dawn on Wednesday.", path="inbox/copy.txt")
    with Store.open(tmp_path / "s.db") as store:
        assert store.add_articles([first], NIGHT1) == [first[0].id]
        assert store.add_articles([republished, first], NIGHT2) == []
        stored = store.articles()
        assert [(a.path, seen) for a, seen in stored] == [("inbox/a.txt", NIGHT1)]
        assert stored[0][0] == first[0]
        assert store.sentences(first[0].id) == first[1]
        assert store.counts()["sentences"] == 1
        assert store.articles(until=NIGHT1 - dt.timedelta(days=1)) == []


def test_a_failed_ingest_stores_nothing(tmp_path: Path) -> None:
    items = [_article("One statement about the raid."), _article("Another statement about the arrest.")]

    def fail(done: int, total: int) -> None:
        if done == 2:
            raise RuntimeError("killed")

    with Store.open(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError):
            store.add_articles(items, NIGHT1, each=fail)
        assert store.counts()["articles"] == 0
        assert store.counts()["sentences"] == 0


def test_embeddings_persist_for_the_next_run(tmp_path: Path) -> None:
    texts = ["Police raided a flat.", "A suspect was arrested."]
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        table = store.embeddings()
        first = CachedEmbedder(HashingEmbedder(), table)
        vectors = first.encode(texts)
        assert first.encoded == 2 and len(table) == 2
        assert table.flush() == 2
        keys = set(table)
    with Store.open(path) as store:
        inner = HashingEmbedder()
        again = CachedEmbedder(inner, store.embeddings())
        assert np.array_equal(again.encode(texts), vectors)
        assert inner.calls == 0
        assert set(store.embeddings()) == keys


def test_summaries_round_trip(tmp_path: Path) -> None:
    cited = (Citation("abc", 3, 10, 31, "Police raided a flat."),)
    claim = Claim("Police raided a flat.", cited, "abstractive", 0.9, ("lexical",))
    with Store.open(tmp_path / "s.db") as store:
        assert store.summary("k") is None
        store.put_summary("k", "Raid", [claim])
        assert store.summary("k") == ("Raid", (claim,))


def test_recording_a_brief_twice_keeps_one_record(tmp_path: Path, sample_brief: Brief) -> None:
    paths = {"pdf": tmp_path / "b.pdf", "json": tmp_path / "b.json"}
    with Store.open(tmp_path / "s.db") as store:
        store.record_brief(sample_brief, paths)
        counts = store.counts()
        store.record_brief(sample_brief, paths)
        assert store.counts() == counts
        [record] = store.history()
        assert record.date == sample_brief.date
        assert (record.n_articles, record.n_topics) == (len(sample_brief.sources), len(sample_brief.topics))
        assert [t.id for t in record.topics] == [tb.topic.id for tb in sample_brief.topics]
        assert store.figures(sample_brief.date) == list(sample_brief.figures)
        assert store.previous_brief(before=sample_brief.date) is None
        assert store.previous_brief(before=sample_brief.date + dt.timedelta(days=1)) == record


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store.open(path):
        with pytest.raises(StateLocked, match="another brief nightly run holds the lock on"):
            Store.open(path)
        with Store.open(path, lock=False) as reader:  # history reads without the lock
            assert reader.history() == []
    Store.open(path).close()


def test_the_lock_dies_with_the_process_that_held_it(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    holder = textwrap.dedent(
        f"""
        import sys, time
        from brief.store import Store
        store = Store.open({str(path)!r})
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(StateLocked):
            Store.open(path)
    finally:
        child.kill()
        child.wait()
    Store.open(path).close()
