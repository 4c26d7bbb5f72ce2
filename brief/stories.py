"""Articles into stories: which articles tell the same event, and which story a run briefs.

A feed carries many stories at once. Before any sentence is split or topic
formed, articles are grouped by what each is about as a whole, by two
similarities mixed: the run's embedder on the title and lead (the first
sentences), and the names each article mentions (capitalised words, TF-IDF
weighted over the run's articles). The embedding alone puts two earthquakes a
decade and a continent apart in one story; the names (the country, the towns,
the agencies) tell them apart. Articles are joined by average-link
agglomerative clustering on the mixed cosine distance. Articles published more
than ``story_window_days`` apart are never linked directly, so an old article
on a similar subject does not join tonight's story; a story that keeps going
still grows night by night through the articles in between.

A run then briefs one story (the largest, or the one nearest a query) or every
story with at least ``min_story_articles`` articles; every other article is set
aside and listed, never cited. This module looks at articles only, never at
sentences' topics or facts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any, Literal

import numpy as np

from brief.config import Settings
from brief.embed import Embedder
from brief.errors import InputError
from brief.records import Article, SetAside, Story, StoryRef

log = logging.getLogger(__name__)

Mode = Literal["largest", "all"]
MODES: tuple[str, ...] = ("largest", "all")

# The lead: a reader knows what an article is about from its title and first sentences;
# later paragraphs wander into background that other stories share.
LEAD_CHARS = 600
SLUG_CHARS = 40
# A story of tonight continues a stored one when this share of their known articles is shared (Jaccard).
MATCH_MIN = 0.3
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]*(?=\s)")
_NAME = re.compile(r"\b[A-Z][A-Za-z]+(?:[-'][A-Z][a-z]+)*\b")
# Capitalised words that name no one: sentence-initial function words, days, months, titles.
_NOT_NAMES = frozenset({
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "Mr", "Mrs", "Ms", "Dr",
})  # fmt: skip


def story_text(article: Article) -> str:
    """What an article is about as a whole: its title and lead.

    Args:
        article: the article.

    Returns:
        The title, then the opening of the text up to ``LEAD_CHARS`` characters, cut
        after the last whole sentence.
    """
    # A regex cut, not the sentence splitter: the embedder needs no offsets, and splitting
    # every article of a large feed cost more than the rest of grouping together.
    opening = " ".join(article.text[: 2 * LEAD_CHARS].split())
    if len(opening) > LEAD_CHARS:
        ends = [m.end() for m in _SENTENCE_END.finditer(opening, 0, LEAD_CHARS)]
        opening = opening[: ends[-1]] if ends else opening[:LEAD_CHARS]
    return f"{article.title}. {opening}".strip()


def names(text: str) -> list[str]:
    """The capitalised words of a text that may name a person, place or body.

    Args:
        text: any text.

    Returns:
        The words in order, function words, days, months and titles left out.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # "The" or "After" at a sentence start is no name; "US" or "IS" in capitals may be one.
    return [
        w for w in _NAME.findall(text)
        if w not in _NOT_NAMES and (w.isupper() or w.lower() not in ENGLISH_STOP_WORDS)
    ]  # fmt: skip


def group(articles: Sequence[Article], config: Settings, embedder: Embedder) -> list[Story]:
    """Group articles into stories, largest first.

    Args:
        articles: the run's articles.
        config: settings (``story_distance``, ``story_window_days``, ``story_names_weight``).
        embedder: the run's embedder (title + lead of each article is embedded).

    Returns:
        Every story, single-article ones included, largest first (ties: newest
        first, then by id); slugs are unique within the list.
    """
    return group_similar(articles, similarity(articles, embedder, config.story_names_weight), config)


def article_vectors(articles: Sequence[Article], embedder: Embedder) -> np.ndarray:
    """One unit vector per article: the embedding of its title and lead.

    Args:
        articles: the articles.
        embedder: the embedder.

    Returns:
        An array of shape (len(articles), dim).
    """
    if not articles:
        return np.zeros((0, 0))
    return _unit(np.asarray(embedder.encode([story_text(a) for a in articles]), dtype=np.float64))


def name_vectors(articles: Sequence[Article]) -> Any:
    """Unit TF-IDF rows over the names each article's title and text mention (None: no names at all).

    Args:
        articles: the run's articles (the IDF is theirs).

    Returns:
        A sparse matrix with one row per article, or None.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=names, sublinear_tf=True)
    try:
        return vectorizer.fit_transform([f"{a.title}\n{a.text}" for a in articles])
    except ValueError:  # no article names anything
        return None


def similarity(articles: Sequence[Article], embedder: Embedder, names_weight: float) -> np.ndarray:
    """Pairwise cosine similarity of articles: embedding of title + lead mixed with shared names.

    Args:
        articles: the run's articles.
        embedder: the run's embedder.
        names_weight: the share of the names' similarity (0: the embedding alone).

    Returns:
        A symmetric (n, n) array; 1 on the diagonal.
    """
    vectors = article_vectors(articles, embedder)
    similar = vectors @ vectors.T
    by_name = name_vectors(articles) if names_weight > 0 and len(articles) else None
    if by_name is not None:
        similar = (1 - names_weight) * similar + names_weight * np.asarray((by_name @ by_name.T).todense())
    np.fill_diagonal(similar, 1.0)
    return similar


def group_similar(articles: Sequence[Article], similar: np.ndarray, config: Settings) -> list[Story]:
    """:func:`group` for a similarity matrix already computed (benches sweep thresholds with it).

    Args:
        articles: the articles.
        similar: their pairwise similarity (from :func:`similarity`).
        config: settings (``story_distance``, ``story_window_days``).

    Returns:
        Every story, largest first, slugs unique.
    """
    if not articles:
        return []
    labels = cluster_articles(similar, [stated_date(a) for a in articles], config.story_distance,
                              config.story_window_days)  # fmt: skip
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(int(label), []).append(index)
    stories = [_story([articles[i] for i in rows], similar[np.ix_(rows, rows)]) for rows in members.values()]
    stories.sort(key=_rank)
    return with_unique_slugs(stories)


def stated_date(article: Article) -> dt.date | None:
    """The article's date when a source states it (metadata, dateline, URL), else None.

    A date inferred from the text ("on Tuesday") is read against the other
    articles of the load; in a feed of many stories that guess can land in
    another year, and the time window must not split a story on a guess.

    Args:
        article: the article.

    Returns:
        The stated date, or None.
    """
    return article.published if article.published_from not in (None, "text") else None


def cluster_articles(
    similar: np.ndarray, dates: Sequence[dt.date | None], distance: float, window_days: int
) -> np.ndarray:
    """Average-link clusters of articles, never linking articles too far apart in time.

    Args:
        similar: pairwise cosine similarity of the articles.
        dates: each article's date (None: unknown, may link with any).
        distance: clusters merge while their average cosine distance is below this.
        window_days: two articles whose dates differ by more than this are not linked.

    Returns:
        A cluster label per article.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.cluster import AgglomerativeClustering

    n = len(similar)
    if n < 2:
        return np.zeros(n, dtype=int)
    apart = np.clip(1.0 - similar, 0.0, 2.0)
    np.fill_diagonal(apart, 0.0)
    near = _in_window(dates, window_days)
    parts, part_of = connected_components(csr_matrix(near), directed=False)
    labels = np.zeros(n, dtype=int)
    offset = 0
    for part in range(parts):
        rows = np.flatnonzero(part_of == part)
        if len(rows) == 1:
            labels[rows] = offset
            offset += 1
            continue
        local = near[np.ix_(rows, rows)]
        # A complete window graph needs no constraint, and the unconstrained tree is much faster.
        connectivity = None if local.all() else csr_matrix(local)
        model = AgglomerativeClustering(
            n_clusters=None, distance_threshold=distance, metric="precomputed", linkage="average",
            connectivity=connectivity,
        )  # fmt: skip
        found = model.fit_predict(apart[np.ix_(rows, rows)])
        labels[rows] = found + offset
        offset += int(found.max()) + 1
    return labels


def _in_window(dates: Sequence[dt.date | None], window_days: int) -> np.ndarray:
    """Which pairs of articles may link: dates at most ``window_days`` apart, or a date unknown."""
    known = np.array([d is not None for d in dates])
    days = np.array([d.toordinal() if d is not None else 0 for d in dates])
    near = np.abs(days[:, None] - days[None, :]) <= window_days
    return near | ~known[:, None] | ~known[None, :]


def _story(articles: list[Article], similar: np.ndarray) -> Story:
    """A story of these articles, titled by the article most like the others (its medoid)."""
    title = articles[int(np.argmax(similar.sum(axis=1)))].title or "Untitled story"
    # Input order is kept: a brief of one story must see its articles as a brief of them all would.
    return Story(id=story_id(a.id for a in articles), slug=make_slug(title), title=title, articles=tuple(articles))


def _rank(story: Story) -> tuple[int, int, str]:
    newest = max((a.published for a in story.articles if a.published), default=dt.date.min)
    return (-len(story.articles), -newest.toordinal(), story.id)


def story_id(article_ids: Iterable[str]) -> str:
    """A story id from its articles: the same articles give the same id.

    Args:
        article_ids: the ids of the story's articles.

    Returns:
        ``s`` and 12 hex digits.
    """
    joined = "\n".join(sorted(article_ids))
    return "s" + hashlib.sha256(joined.encode()).hexdigest()[:12]


def make_slug(title: str) -> str:
    """A file-name-safe slug of a story title's words.

    Args:
        title: the story's title.

    Returns:
        Lowercase ASCII words joined by hyphens, at most ``SLUG_CHARS`` characters.
    """
    from brief.render import slug

    made = slug(title, SLUG_CHARS)
    return "story" if made == "topic" else made


def with_unique_slugs(stories: Sequence[Story], taken: Collection[str] = ()) -> list[Story]:
    """The stories with ``-2``, ``-3``... added to a slug that an earlier one (or ``taken``) has.

    Args:
        stories: stories in rank order (an earlier story keeps the plain slug).
        taken: slugs already in use elsewhere (e.g. stored stories of other nights).

    Returns:
        The stories, slugs unique.
    """
    used = set(taken)
    out = []
    for story in stories:
        slug, n = story.slug, 2
        while slug in used:
            slug, n = f"{story.slug}-{n}", n + 1
        used.add(slug)
        out.append(story if slug == story.slug else _replace_slug(story, slug))
    return out


def _replace_slug(story: Story, slug: str) -> Story:
    return Story(story.id, slug, story.title, story.articles)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


# --- which story a run briefs ----------------------------------------------------


def choose(
    stories: Sequence[Story],
    *,
    mode: str = "largest",
    about: str | None = None,
    embedder: Embedder | None = None,
    min_articles: int = 3,
) -> list[Story]:
    """The stories a run briefs.

    Args:
        stories: every story, largest first (from :func:`group`).
        mode: ``largest`` (one brief) or ``all`` (every story with ``min_articles`` or more).
        about: a query; the one story nearest it is chosen (``mode`` must be ``largest``).
        embedder: needed with ``about``.
        min_articles: the smallest story ``all`` briefs (and ``about`` prefers).

    Returns:
        The chosen stories, in rank order.

    Raises:
        InputError: there are no stories, or ``all`` finds none big enough.
        ValueError: an unknown mode, or ``about`` without an embedder or with ``all``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown story mode {mode!r}; expected one of {', '.join(MODES)}")
    if not stories:
        raise InputError("no articles to group into stories")
    if about is not None:
        if mode != "largest":
            raise ValueError("about picks one story; it cannot be combined with mode 'all'")
        if embedder is None:
            raise ValueError("about needs an embedder")
        return [nearest(stories, about, embedder, min_articles)]
    if mode == "largest":
        return [stories[0]]
    big = [s for s in stories if len(s.articles) >= min_articles]
    if not big:
        raise InputError(
            f"no story has {min_articles} or more articles (min_story_articles); "
            f"the largest has {len(stories[0].articles)}: build without --stories all to brief it"
        )
    return big


def nearest(stories: Sequence[Story], query: str, embedder: Embedder, min_articles: int = 1) -> Story:
    """The story whose centroid is nearest a query by cosine similarity.

    Stories with at least ``min_articles`` articles are preferred; a single stray
    article that happens to share the query's words should not win over a story.

    Args:
        stories: the candidate stories.
        query: what the user wants a brief about.
        embedder: the run's embedder (the same that grouped the stories).
        min_articles: consider only stories this big when there are any.

    Returns:
        The nearest story.
    """
    pool = [s for s in stories if len(s.articles) >= min_articles] or list(stories)
    rows = article_vectors([a for s in pool for a in s.articles], embedder)
    target = _unit(np.asarray(embedder.encode([query]), dtype=np.float64))[0]
    scores, start = [], 0
    for story in pool:
        centre = rows[start : start + len(story.articles)].mean(axis=0)
        start += len(story.articles)
        norm = float(np.linalg.norm(centre)) or 1.0
        scores.append(float(centre @ target) / norm)
    best = int(np.argmax(scores))
    log.info("story nearest %r: %s (cosine %.3f)", query, pool[best].slug, scores[best])
    return pool[best]


def ref(story: Story) -> StoryRef:
    """The short record of a story that a brief carries."""
    return StoryRef(story.id, story.slug, story.title, len(story.articles))


def set_aside(stories: Sequence[Story], briefed: Collection[str]) -> tuple[SetAside, ...]:
    """Every article outside the briefed stories, with the story it went to.

    Args:
        stories: every story of the run.
        briefed: ids of the stories a brief covers.

    Returns:
        One entry per other article, in story rank order; an article alone in
        its story went to no story (``story`` is None).
    """
    out = []
    for story in stories:
        if story.id in briefed:
            continue
        home = story.slug if len(story.articles) > 1 else None
        out += [SetAside(a.id, a.title, a.outlet, home) for a in story.articles]
    return tuple(out)


# --- stories that continue across nights ---------------------------------------------


def keep_ids(
    stories: Sequence[Story],
    previous: Sequence[StoryRef],
    previous_articles: dict[str, frozenset[str]],
) -> list[Story]:
    """Give a story that continues a stored one the stored id and slug.

    Tonight's stories are matched to stored ones by the articles they share
    (Jaccard over articles both nights knew), best match first, each stored
    story at most once. Unmatched stories keep their fresh id and get a slug
    no stored story uses.

    Args:
        stories: tonight's stories, in rank order.
        previous: stored stories.
        previous_articles: stored story id -> its article ids.

    Returns:
        The stories with continuing ids and slugs.
    """
    known = frozenset(a for ids in previous_articles.values() for a in ids)
    scored: list[tuple[float, int, int]] = []
    for i, story in enumerate(stories):
        mine = {a.id for a in story.articles} & known
        for j, old in enumerate(previous):
            before = previous_articles.get(old.id, frozenset())
            union = mine | before
            score = len(mine & before) / len(union) if union else 0.0
            if score >= MATCH_MIN:
                scored.append((score, i, j))
    matched: dict[int, StoryRef] = {}
    used: set[int] = set()
    for _, i, j in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        if i not in matched and j not in used:
            matched[i] = previous[j]
            used.add(j)
    kept = [
        Story(matched[i].id, matched[i].slug, story.title, story.articles) if i in matched else story
        for i, story in enumerate(stories)
    ]
    fresh = [s for i, s in enumerate(kept) if i not in matched]
    renamed = {s.id: s for s in with_unique_slugs(fresh, {p.slug for p in previous})}
    return [renamed.get(s.id, s) if i not in matched else s for i, s in enumerate(kept)]
