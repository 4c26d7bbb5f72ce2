"""The nightly state file: everything a run produced, remembered in SQLite.

Articles are keyed by their content hash, so an article seen again (re-published,
or the same inbox read twice) is stored once. Embeddings, facts, topics, topic
summaries, briefs and their key figures are kept so a night only pays for what
is new and can say what changed since the last brief.

The schema is an append-only list of named migrations (:data:`MIGRATIONS`);
each applied one is recorded in the ``migrations`` table, and a file that has
migrations this version does not know is refused rather than misread. The
database runs in WAL mode and every write happens inside one transaction, so a
run killed at any point leaves the file as it was before that write.

Only one run may write at a time: :meth:`Store.open` takes an exclusive
``flock`` on ``<state file>.lock``, which the operating system releases when
the process exits, however it exits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brief.config import Settings
from brief.errors import StateError
from brief.records import (
    Article,
    Brief,
    Citation,
    Claim,
    DroppedLine,
    Figure,
    Sentence,
    Story,
    StoryRef,
    Topic,
)

log = logging.getLogger(__name__)

STATE_NAME = "brief.db"

# Append only: a released migration is never edited, a change is a new entry.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_initial",
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            title TEXT NOT NULL,
            outlet TEXT,
            published TEXT,
            published_from TEXT,
            url TEXT,
            text TEXT NOT NULL,
            dropped TEXT NOT NULL DEFAULT '[]',
            first_seen TEXT NOT NULL
        );
        CREATE TABLE sentences (
            article_id TEXT NOT NULL REFERENCES articles(id),
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (article_id, idx)
        );
        CREATE TABLE embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
        CREATE TABLE facts (id TEXT PRIMARY KEY, text TEXT NOT NULL, sentence_keys TEXT NOT NULL);
        CREATE TABLE topics (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            keywords TEXT NOT NULL,
            fact_ids TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        CREATE TABLE summaries (
            key TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            claims TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE briefs (
            date TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            json_path TEXT NOT NULL,
            n_articles INTEGER NOT NULL,
            n_topics INTEGER NOT NULL,
            topics TEXT NOT NULL,
            other_keys TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE brief_figures (
            date TEXT NOT NULL REFERENCES briefs(date),
            position INTEGER NOT NULL,
            counts TEXT NOT NULL,
            place TEXT,
            as_of TEXT,
            value INTEGER NOT NULL,
            cumulative INTEGER NOT NULL,
            text TEXT NOT NULL,
            citations TEXT NOT NULL,
            PRIMARY KEY (date, position)
        );
        CREATE INDEX articles_first_seen ON articles(first_seen);
        """,
    ),
    (
        "0002_article_author_provenance",
        """
        ALTER TABLE articles ADD COLUMN author TEXT;
        ALTER TABLE articles ADD COLUMN provenance TEXT NOT NULL DEFAULT '[]';
        """,
    ),
    (
        "0003_stories",
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            slug TEXT NOT NULL,
            title TEXT NOT NULL,
            article_ids TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        ALTER TABLE briefs ADD COLUMN story_id TEXT;
        """,
    ),
    (
        "0004_figure_units",
        """
        ALTER TABLE brief_figures ADD COLUMN unit TEXT;
        ALTER TABLE brief_figures ADD COLUMN course TEXT NOT NULL DEFAULT '[]';
        """,
    ),
    (
        # One brief per story and night (nightly --stories all): the key becomes (date, story_id);
        # '' marks a brief recorded before briefs had stories. SQLite cannot change a primary
        # key in place, so both tables are rebuilt and their rows copied.
        "0005_briefs_per_story",
        """
        CREATE TABLE briefs_by_story (
            date TEXT NOT NULL,
            story_id TEXT NOT NULL DEFAULT '',
            path TEXT NOT NULL,
            json_path TEXT NOT NULL,
            n_articles INTEGER NOT NULL,
            n_topics INTEGER NOT NULL,
            topics TEXT NOT NULL,
            other_keys TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (date, story_id)
        );
        INSERT INTO briefs_by_story
            SELECT date, COALESCE(story_id, ''), path, json_path, n_articles, n_topics, topics, other_keys,
                   created_at
            FROM briefs;
        CREATE TABLE brief_figures_by_story (
            date TEXT NOT NULL,
            story_id TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL,
            counts TEXT NOT NULL,
            place TEXT,
            as_of TEXT,
            value INTEGER NOT NULL,
            cumulative INTEGER NOT NULL,
            text TEXT NOT NULL,
            citations TEXT NOT NULL,
            unit TEXT,
            course TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (date, story_id, position),
            FOREIGN KEY (date, story_id) REFERENCES briefs_by_story(date, story_id)
        );
        INSERT INTO brief_figures_by_story
            SELECT f.date, COALESCE(b.story_id, ''), f.position, f.counts, f.place, f.as_of, f.value,
                   f.cumulative, f.text, f.citations, f.unit, f.course
            FROM brief_figures f JOIN briefs b ON b.date = f.date;
        DROP TABLE brief_figures;
        DROP TABLE briefs;
        ALTER TABLE briefs_by_story RENAME TO briefs;
        ALTER TABLE brief_figures_by_story RENAME TO brief_figures;
        """,
    ),
)


TABLES = (
    "articles", "sentences", "embeddings", "facts", "topics", "summaries", "briefs", "brief_figures", "stories",
)  # fmt: skip


class StateLocked(StateError):
    """Another run holds the lock on the state file."""


@dataclass(frozen=True)
class TopicRecord:
    """A topic as one brief printed it: enough to recognise it the next night."""

    id: str
    label: str
    fact_ids: tuple[str, ...]
    sentence_keys: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class BriefRecord:
    """One brief the store remembers."""

    date: dt.date
    path: Path
    json_path: Path
    n_articles: int
    n_topics: int
    topics: tuple[TopicRecord, ...]
    other_keys: tuple[str, ...]
    created_at: str
    # The story the brief covered ("" for a brief recorded before briefs had stories).
    story_id: str = ""


def state_path(config: Settings) -> Path:
    """The state file a configuration names: ``state_file``, else ``OUT_DIR/brief.db``."""
    return Path(config.state_file) if config.state_file else Path(config.out_dir) / STATE_NAME


class Store:
    """An open state file. Use :meth:`open`; close it (or use ``with``) to release the lock."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_fd: int | None) -> None:
        self.path = path
        self.conn = conn
        self._lock_fd = lock_fd

    # --- opening ---------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        lock: bool = True,
        create: bool = True,
        migrations: Sequence[tuple[str, str]] = MIGRATIONS,
    ) -> Store:
        """Open (and create or upgrade) a state file.

        Args:
            path: the SQLite file.
            lock: take the exclusive run lock (a reader such as ``history`` does not).
            create: create the file when missing; otherwise a missing file is an error.
            migrations: the schema history to apply (tests pass a longer one).

        Returns:
            The open store.

        Raises:
            StateLocked: another process holds the lock.
            StateError: the file is missing (``create=False``), corrupt, or from a newer version.
        """
        path = Path(path)
        if not create and not path.is_file():
            raise StateError(f"no state file at {path}; run `brief nightly` first")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create the folder of state file {path}: {exc}") from exc
        lock_fd = _acquire_lock(path) if lock else None
        try:
            conn = _connect(path)
            try:
                apply_migrations(conn, path, migrations)
            except BaseException:
                conn.close()
                raise
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        return cls(path, conn, lock_fd)

    def close(self) -> None:
        """Close the database and release the lock."""
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        yield from _transaction(self.conn, self.path)

    def schema(self) -> list[str]:
        """Names of the applied migrations, oldest first."""
        return [r[0] for r in self.conn.execute("SELECT name FROM migrations ORDER BY id")]

    def counts(self) -> dict[str, int]:
        """Rows per table (for reports and tests)."""
        return {t: int(self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}

    # --- articles and sentences --------------------------------------------------

    def add_articles(
        self,
        items: Sequence[tuple[Article, Sequence[Sentence]]],
        night: dt.date,
        each: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Store articles not seen before, with their sentences, in one transaction.

        Args:
            items: articles and their sentences.
            night: the night they are first seen on.
            each: called with (articles done, articles in all) inside the transaction.

        Returns:
            Ids of the articles that were new.
        """
        added: list[str] = []
        with self.transaction() as conn:
            for done, (article, sentences) in enumerate(items, 1):
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO articles (id, path, title, outlet, published, published_from, url,"
                    " text, dropped, first_seen, author, provenance) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (article.id, article.path, article.title, article.outlet, _iso(article.published),
                     article.published_from, article.url, article.text,
                     json.dumps([[d.text, d.reason] for d in article.dropped]), night.isoformat(),
                     article.author, json.dumps([list(p) for p in article.provenance])),
                )  # fmt: skip
                if cursor.rowcount:
                    added.append(article.id)
                    conn.executemany(
                        "INSERT OR IGNORE INTO sentences VALUES (?,?,?,?,?)",
                        [(s.article_id, s.index, s.start, s.end, s.text) for s in sentences],
                    )
                if each is not None:
                    each(done, len(items))
        return added

    def article_ids(self) -> set[str]:
        """Ids of every stored article."""
        return {r[0] for r in self.conn.execute("SELECT id FROM articles")}

    def articles(self, until: dt.date | None = None) -> list[tuple[Article, dt.date]]:
        """Stored articles and the night each was first seen, oldest night first.

        Args:
            until: only articles first seen on or before this night.

        Returns:
            ``(article, first_seen)`` pairs ordered by first_seen, path, id.
        """
        query = "SELECT * FROM articles"
        args: tuple[str, ...] = ()
        if until is not None:
            query, args = query + " WHERE first_seen <= ?", (until.isoformat(),)
        rows = self.conn.execute(query + " ORDER BY first_seen, path, id", args)
        return [(_article(row), dt.date.fromisoformat(row["first_seen"])) for row in rows]

    def sentences(self, article_id: str) -> list[Sentence]:
        """The stored sentences of one article, in order."""
        published = self.conn.execute("SELECT published FROM articles WHERE id = ?", (article_id,)).fetchone()
        day = _date(published[0]) if published else None
        rows = self.conn.execute("SELECT * FROM sentences WHERE article_id = ? ORDER BY idx", (article_id,))
        return [Sentence(r["article_id"], r["idx"], r["start"], r["end"], r["text"], day) for r in rows]

    # --- caches ------------------------------------------------------------------

    def embeddings(self) -> EmbeddingTable:
        """The embeddings table as a mapping, for :class:`brief.embed.CachedEmbedder`."""
        return EmbeddingTable(self)

    def summary(self, key: str) -> tuple[str, tuple[Claim, ...]] | None:
        """A stored topic summary: its label and claims, or None."""
        row = self.conn.execute("SELECT label, claims FROM summaries WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return row["label"], tuple(_claim(c) for c in json.loads(row["claims"]))

    def put_summary(self, key: str, label: str, claims: Sequence[Claim]) -> None:
        """Remember a topic summary (its own transaction, so a later crash keeps it)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO summaries VALUES (?,?,?,?)",
                (key, label, json.dumps([_claim_data(c) for c in claims]), _now()),
            )

    # --- briefs ------------------------------------------------------------------

    def record_brief(self, brief: Brief, paths: Mapping[str, Path]) -> None:
        """Record a written brief with its facts, topics and key figures, in one transaction.

        Recording the same date and story again replaces that record.

        Args:
            brief: the full brief (not the page-fitted one).
            paths: what :func:`brief.render.write_all` wrote (``pdf``, ``json``).
        """
        night = brief.date.isoformat()
        facts = [f for tb in brief.topics for f in tb.topic.facts] + list(brief.other)
        topics = [_topic_record(tb.topic) for tb in brief.topics]
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO facts VALUES (?,?,?)",
                [(f.id, f.text, json.dumps([s.key for s in f.sentences])) for f in facts],
            )
            for tb in brief.topics:
                t = tb.topic
                conn.execute(
                    "INSERT INTO topics VALUES (?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                    "label=excluded.label, keywords=excluded.keywords, fact_ids=excluded.fact_ids, "
                    "first_seen=min(first_seen, excluded.first_seen), "
                    "last_seen=max(last_seen, excluded.last_seen)",
                    (t.id, t.label, json.dumps(list(t.keywords)), json.dumps([f.id for f in t.facts]),
                     night, night),
                )
            story = brief.story.id if brief.story else ""
            conn.execute("DELETE FROM brief_figures WHERE date = ? AND story_id = ?", (night, story))
            conn.execute(
                "INSERT OR REPLACE INTO briefs (date, path, json_path, n_articles, n_topics, topics, other_keys,"
                " created_at, story_id) VALUES (?,?,?,?,?,?,?,?,?)",
                (night, str(paths["pdf"]), str(paths["json"]), len(brief.sources), len(brief.topics),
                 json.dumps([_topic_json(t) for t in topics]),
                 json.dumps([s.key for f in brief.other for s in f.sentences]), _now(), story),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO brief_figures (date, story_id, position, counts, place, as_of, value, cumulative,"
                " text, citations, unit, course) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(night, story, i, f.counts, f.where, f.as_of, f.value, int(f.cumulative), f.text,
                  json.dumps([_citation_data(c) for c in f.citations]), f.unit, json.dumps(f.course))
                 for i, f in enumerate(brief.figures)],
            )  # fmt: skip

    def brief(self, date: dt.date, story: str | None = None) -> BriefRecord | None:
        """The brief recorded for one night (of one story, when given), or None."""
        query, args = "SELECT * FROM briefs WHERE date = ?", [date.isoformat()]
        if story is not None:
            query, args = query + " AND story_id = ?", [*args, story]
        row = self.conn.execute(query + " ORDER BY story_id LIMIT 1", args).fetchone()
        return _brief_record(row) if row else None

    def previous_brief(self, before: dt.date, story: str | None = None) -> BriefRecord | None:
        """The latest brief recorded for a night before ``before``, or None.

        With ``story``, only a brief of that story (or one recorded before briefs
        had stories) counts: another story's topics are not what tonight continues.
        """
        query, args = "SELECT * FROM briefs WHERE date < ?", [before.isoformat()]
        if story is not None:
            query, args = query + " AND story_id IN (?, '')", [*args, story]
        row = self.conn.execute(query + " ORDER BY date DESC LIMIT 1", args).fetchone()
        return _brief_record(row) if row else None

    # --- stories -------------------------------------------------------------------

    def stories(self) -> tuple[list[StoryRef], dict[str, frozenset[str]]]:
        """Stored stories (oldest first) and each one's article ids, for :func:`brief.stories.keep_ids`."""
        rows = list(self.conn.execute("SELECT * FROM stories ORDER BY first_seen, id"))
        refs = [StoryRef(r["id"], r["slug"], r["title"], len(json.loads(r["article_ids"]))) for r in rows]
        return refs, {r["id"]: frozenset(json.loads(r["article_ids"])) for r in rows}

    def put_stories(self, stories: Sequence[Story], night: dt.date) -> None:
        """Remember tonight's stories (one transaction); a continuing story keeps its slug and title.

        Args:
            stories: tonight's stories, with ids already matched to stored ones.
            night: the night.
        """
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO stories VALUES (?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "article_ids=excluded.article_ids, first_seen=min(first_seen, excluded.first_seen), "
                "last_seen=max(last_seen, excluded.last_seen)",
                [(s.id, s.slug, s.title, json.dumps(sorted(a.id for a in s.articles)), night.isoformat(),
                  night.isoformat()) for s in stories],
            )  # fmt: skip

    def history(self) -> list[BriefRecord]:
        """Every recorded brief, oldest first."""
        return [_brief_record(r) for r in self.conn.execute("SELECT * FROM briefs ORDER BY date, story_id")]

    def figures(self, date: dt.date, story: str | None = None) -> list[Figure]:
        """The key figures recorded with one night's brief, in its order.

        Args:
            date: the night.
            story: the story whose brief it is (default: the night's first brief, the only one
                unless the night briefed every story).

        Returns:
            The figures.
        """
        if story is None:
            record = self.brief(date)
            story = record.story_id if record else ""
        query = "SELECT * FROM brief_figures WHERE date = ? AND story_id = ? ORDER BY position"
        rows = self.conn.execute(query, (date.isoformat(), story))
        return [
            Figure(r["value"], r["counts"], r["place"], r["as_of"],
                   tuple(_citation(c) for c in json.loads(r["citations"])), bool(r["cumulative"]), r["text"],
                   r["unit"], tuple((as_of, value) for as_of, value in json.loads(r["course"])))
            for r in rows
        ]  # fmt: skip


class EmbeddingTable(MutableMapping[str, bytes]):
    """The embeddings table as a mapping; new vectors are buffered until :meth:`flush`.

    Buffering turns thousands of inserts into one transaction; vectors lost to
    a crash before the flush are only computed again.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._pending: dict[str, bytes] = {}

    def __getitem__(self, key: str) -> bytes:
        if key in self._pending:
            return self._pending[key]
        row = self._store.conn.execute("SELECT vector FROM embeddings WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __contains__(self, key: object) -> bool:
        if key in self._pending:
            return True
        row = self._store.conn.execute("SELECT 1 FROM embeddings WHERE key = ?", (key,)).fetchone()
        return row is not None

    def __setitem__(self, key: str, value: bytes) -> None:
        self._pending[key] = bytes(value)

    def __delitem__(self, key: str) -> None:
        found = self._pending.pop(key, None) is not None
        with self._store.transaction() as conn:
            found = conn.execute("DELETE FROM embeddings WHERE key = ?", (key,)).rowcount > 0 or found
        if not found:
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        stored = [r[0] for r in self._store.conn.execute("SELECT key FROM embeddings")]
        yield from dict.fromkeys([*stored, *self._pending])

    def __len__(self) -> int:
        stored = int(self._store.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])
        return stored + len(set(self._pending) - self._stored_keys(list(self._pending)))

    def flush(self) -> int:
        """Write buffered vectors in one transaction; returns how many were written."""
        if not self._pending:
            return 0
        with self._store.transaction() as conn:
            conn.executemany("INSERT OR IGNORE INTO embeddings VALUES (?,?)", list(self._pending.items()))
        written = len(self._pending)
        self._pending.clear()
        return written

    def _stored_keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._store.conn.execute(f"SELECT key FROM embeddings WHERE key IN ({marks})", chunk)
            found |= {r[0] for r in rows}
        return found


# --- connection, lock, migrations ------------------------------------------------


def _acquire_lock(path: Path) -> int:
    """Take the exclusive, non-blocking run lock next to the state file."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(f"cannot open lock file {lock_path}: {exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StateLocked(f"another brief nightly run holds the lock on {path} ({lock_path})") from None
    except OSError as exc:
        os.close(fd)
        raise StateError(f"cannot lock {lock_path}: {exc}") from exc
    # Who holds it, for a person looking at a stuck cron job; the lock itself is the flock.
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL journal."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.row_factory = sqlite3.Row
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path} is not a brief state file or is corrupt: {exc}") from exc
    if str(mode).lower() != "wal":
        log.warning("state file %s is not in WAL mode (%s)", path, mode)
    return conn


def _transaction(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as exc:
        raise StateError(f"cannot write to state file {path}: {exc}") from exc
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise StateError(f"cannot write to state file {path}: {exc}") from exc


def apply_migrations(
    conn: sqlite3.Connection, path: Path, migrations: Sequence[tuple[str, str]]
) -> list[str]:
    """Apply the migrations a state file lacks, each in its own transaction.

    Args:
        conn: an open connection.
        path: the file, for messages.
        migrations: the full schema history this version knows.

    Returns:
        Names of the migrations applied now.

    Raises:
        StateError: the file records migrations this version does not know (a newer
            brief wrote it), or it is not a SQLite database.
    """
    known = [name for name, _ in migrations]
    applied_now: list[str] = []
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations "
            "(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, applied_at TEXT NOT NULL)"
        )
        for name, sql in migrations:
            with contextlib.closing(_Once(conn, path)) as once:
                applied = once.applied()
                if applied != known[: len(applied)]:
                    raise StateError(
                        f"state file {path} has schema {applied[-1]!r}, newer than this version of brief "
                        f"knows ({known[-1]!r}); upgrade brief or use another --state file"
                    )
                if name in applied:
                    continue
                once.run(name, sql)
                applied_now.append(name)
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path} is not a brief state file or is corrupt: {exc}") from exc
    if applied_now:
        log.info("state file %s: applied %s", path, ", ".join(applied_now))
    return applied_now


class _Once:
    """One migration step: read what is applied and apply one more, under one write lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # Taken before reading, so two processes opening a fresh file cannot both apply it.
        conn.execute("BEGIN IMMEDIATE")
        self.done = False

    def applied(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM migrations ORDER BY id")]

    def run(self, name: str, sql: str) -> None:
        for statement in _statements(sql):
            self.conn.execute(statement)
        self.conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
        self.conn.execute("COMMIT")
        self.done = True

    def close(self) -> None:
        if not self.done and self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit on its own)."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


# --- (de)serialising records ---------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"], path=row["path"], title=row["title"], outlet=row["outlet"],
        published=_date(row["published"]), text=row["text"],
        dropped=tuple(DroppedLine(t, r) for t, r in json.loads(row["dropped"])),
        url=row["url"], published_from=row["published_from"], author=row["author"],
        provenance=tuple((str(k), str(v)) for k, v in json.loads(row["provenance"])),
    )  # fmt: skip


def _citation_data(c: Citation) -> list[Any]:
    return [c.source, c.sentence, c.start, c.end, c.quote]


def _citation(data: list[Any]) -> Citation:
    return Citation(str(data[0]), int(data[1]), int(data[2]), int(data[3]), str(data[4]))


def _claim_data(c: Claim) -> dict[str, Any]:
    return {"text": c.text, "citations": [_citation_data(x) for x in c.citations], "method": c.method,
            "entailment": c.entailment, "checks": list(c.checks)}  # fmt: skip


def _claim(data: dict[str, Any]) -> Claim:
    citations = tuple(_citation(x) for x in data["citations"])
    return Claim(data["text"], citations, data["method"], data["entailment"], tuple(data["checks"]))


def _topic_record(topic: Topic) -> TopicRecord:
    keys = tuple(dict.fromkeys(s.key for f in topic.facts for s in f.sentences))
    fact_ids = tuple(f.id for f in topic.facts)
    return TopicRecord(topic.id, topic.label, fact_ids, keys, topic.keywords, topic.score)


def _topic_json(t: TopicRecord) -> dict[str, Any]:
    return {
        "id": t.id, "label": t.label, "fact_ids": list(t.fact_ids),
        "sentence_keys": list(t.sentence_keys), "keywords": list(t.keywords), "score": t.score,
    }  # fmt: skip


def _brief_record(row: sqlite3.Row) -> BriefRecord:
    topics = tuple(
        TopicRecord(t["id"], t["label"], tuple(t["fact_ids"]), tuple(t["sentence_keys"]),
                    tuple(t.get("keywords", ())), float(t.get("score", 0.0)))
        for t in json.loads(row["topics"])
    )
    return BriefRecord(
        date=dt.date.fromisoformat(row["date"]), path=Path(row["path"]), json_path=Path(row["json_path"]),
        n_articles=row["n_articles"], n_topics=row["n_topics"], topics=topics,
        other_keys=tuple(json.loads(row["other_keys"])), created_at=row["created_at"],
        story_id=row["story_id"] or "",
    )  # fmt: skip
