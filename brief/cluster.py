"""Group facts into topics, label them, and rank them by importance.

Coverage of one event shares a strong common direction in embedding space
(every sentence is "about the attacks"), so vectors are centred on the corpus
mean before clustering; what is left separates sub-topics. A sentence is read
in its context: its vector is blended with its neighbours' in the same article,
and a sentence that cannot stand alone (a bare quote, "He added ...") leans on
them more.

Topics come in two passes. Average-linkage agglomerative clustering with a
distance threshold finds tight groups, so their number follows the data; then
groups whose centres point the same way, or that are about the same named
people and places, are joined, and facts left in groups too small to be a
topic move to the nearest topic when they are close to it. Past
``DIRECT_LIMIT`` facts, MiniBatchKMeans first condenses them into
micro-clusters and the linkage runs on those centroids, which bounds every
pairwise matrix at ``DIRECT_LIMIT`` squared.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

from brief.config import Settings
from brief.embed import CachedEmbedder, Embedder, load_embedder
from brief.facts import FactSet, merge
from brief.records import Fact, Sentence, Topic

log = logging.getLogger(__name__)

DIRECT_LIMIT = 2000
LEXICAL_DIMENSIONS = 256
LEXICAL_CELLS = 4_000_000
KEYWORDS_PER_TOPIC = 6
# A sentence that cannot stand alone takes this many times the usual context weight.
DEPENDENT_BOOST = 3.0
# Second pass: join two groups whose centres have at least this cosine ...
JOIN_CENTRE = 0.55
# ... or whose named entities overlap this much (IDF-weighted cosine) while their
# centres are at least JOIN_ENTITY_CENTRE apart, so a shared name alone is not enough.
JOIN_ENTITIES = 0.5
JOIN_ENTITY_CENTRE = 0.25
# Share of the similarity that comes from shared rare words, names and numbers.
LEXICAL_WEIGHT = 0.2
# A fact from a group too small to be a topic joins the nearest topic at this cosine.
ATTACH_MIN = 0.3

# Words that open a sentence which leans on the one before it.
DEPENDENT_OPENERS = frozenset(
    "he she they it its his her their this that these those but and also meanwhile "
    "however earlier later there such".split()
)
# Words news copy uses everywhere; they say nothing about a topic.
NEWS_STOP_WORDS = frozenset(
    """said says say saying told tells added adds according reported reports reporting
    year-old years-old old year years week weeks day days month months today yesterday tomorrow
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december mr mrs ms dr including just
    also like new news people percent time times according statement statements""".split()
)
QUOTES = "\"'“”‘’«»"
_ENTITY = re.compile(
    r"\b(?:[A-Z][\w'’.-]*[A-Za-z0-9](?:\s+(?:of|de|du|la|al|bin|van|von|der)\s+|\s+)?)+",
)


@dataclass(frozen=True)
class Topics:
    """The topics found, most important first, and the facts that fit none."""

    topics: list[Topic]
    other: list[Fact]


def topics(sentences: Sequence[Sentence], config: Settings, embedder: Embedder | None = None) -> list[Topic]:
    """Group sentences into ranked, labelled topics (the library's clustering entry point).

    Args:
        sentences: sentences of all articles.
        config: settings (embedder, thresholds, topic sizes).
        embedder: an embedder to use instead of the one ``config`` names.

    Returns:
        Topics, most important first; facts that fit no topic are left out
        (see :func:`group` to get them too).
    """
    return group(sentences, config, embedder).topics


def group(sentences: Sequence[Sentence], config: Settings, embedder: Embedder | None = None) -> Topics:
    """Embed sentences, merge them into facts and cluster the facts into topics.

    Args:
        sentences: sentences of all articles, in reading order.
        config: settings (embedder, thresholds, topic sizes).
        embedder: an embedder to use instead of the one ``config`` names.

    Returns:
        Ranked topics and the facts that fit none.
    """
    embedder = embedder or CachedEmbedder(load_embedder(config.embedder, config.embed_batch_size))
    vectors = embedder.encode([s.text for s in sentences])
    return group_vectors(sentences, vectors, config)


def group_vectors(sentences: Sequence[Sentence], vectors: np.ndarray, config: Settings) -> Topics:
    """Like :func:`group`, for sentences already embedded (one unit row each)."""
    fact_set = merge(sentences, vectors, config.merge_threshold, config.merge_floor)
    return cluster_facts(fact_set, config, in_context(sentences, vectors, config.context_weight))


def in_context(sentences: Sequence[Sentence], vectors: np.ndarray, weight: float) -> dict[str, np.ndarray]:
    """Each sentence's vector blended with its neighbours' in the same article.

    A quote or a sentence that starts with "He" says little on its own; the
    sentences around it say what it is about, so topics follow the story rather
    than the style of a sentence.

    Args:
        sentences: sentences in reading order.
        vectors: their unit vectors, one row each.
        weight: how much the neighbours' mean counts against the sentence's own
            vector (``DEPENDENT_BOOST`` times more for a dependent sentence).

    Returns:
        Unit vectors by :attr:`Sentence.key`.
    """
    blended: dict[str, np.ndarray] = {}
    for i, sentence in enumerate(sentences):
        neighbours = [
            vectors[j]
            for j in (i - 1, i + 1)
            if 0 <= j < len(sentences) and sentences[j].article_id == sentence.article_id
        ]
        vector = vectors[i].astype(np.float32)
        if neighbours:
            share = weight * (DEPENDENT_BOOST if is_dependent(sentence.text) else 1.0)
            vector = vector + share * np.mean(neighbours, axis=0)
        blended[sentence.key] = vector / max(float(np.linalg.norm(vector)), 1e-12)
    return blended


def is_dependent(text: str) -> bool:
    """Whether a sentence leans on its neighbours: it opens with a quote or a pronoun, or is mostly quote.

    Args:
        text: one sentence.

    Returns:
        True for sentences like '"We will win," he said.' or 'He added that ...'.
    """
    stripped = text.strip()
    if not stripped:
        return False
    if stripped[0] in QUOTES:
        return True
    first = re.match(r"[A-Za-z]+", stripped)
    if first and first.group(0).lower() in DEPENDENT_OPENERS:
        return True
    quoted = sum(len(q) for q in re.findall(r"[\"“«][^\"”»]*[\"”»]", stripped))
    return quoted > 0.5 * len(stripped)


def cluster_facts(
    fact_set: FactSet, config: Settings, sentence_vectors: dict[str, np.ndarray] | None = None
) -> Topics:
    """Cluster merged facts into topics; small groups go to ``other``.

    Args:
        fact_set: facts and their own vectors.
        config: settings (distance threshold, sizes).
        sentence_vectors: optional per-sentence vectors (by ``Sentence.key``) to
            cluster on instead, such as :func:`in_context` gives.

    Returns:
        Ranked topics and the leftover facts.
    """
    facts, vectors = fact_set.facts, fact_set.vectors
    if sentence_vectors:
        vectors = _fact_means(facts, sentence_vectors)
    if len(facts) < max(2, config.topic_min_size):
        return Topics([], list(facts))
    space = centred(vectors)
    labels = cluster_labels(hybrid(space, facts, LEXICAL_WEIGHT), config.topic_distance)
    groups = [list(np.flatnonzero(labels == label)) for label in np.unique(labels)]
    groups = join_groups(groups, space, [fact_entities(f) for f in facts])
    # Facts too few to make a group of their own first join the nearest group;
    # then a group that only one article tells is offered, fact by fact, to
    # the corroborated topics.
    big = [g for g in groups if len(g) >= config.topic_min_size]
    big, loose = attach(big, [i for g in groups if len(g) < config.topic_min_size for i in g], space)
    kept = [g for g in big if _source_count(facts, g) >= 2]
    kept, leftover = attach(kept, [i for g in big if _source_count(facts, g) < 2 for i in g], space)
    loose += leftover
    kept.sort(key=lambda g: -_importance(facts, g))
    loose += [i for g in kept[config.max_topics :] for i in g]
    kept = kept[: config.max_topics]
    other = [facts[i] for i in sorted(loose)]
    keywords = topic_keywords([[facts[i] for i in g] for g in kept])
    names = [_sum_counters([fact_entities(facts[i]) for i in g], range(len(g))) for g in kept]
    found = [
        _topic(facts, space, g, words, names[:k] + names[k + 1 :])
        for k, (g, words) in enumerate(zip(kept, keywords, strict=True))
    ]
    log.info("%d facts -> %d topics, %d other", len(facts), len(found), len(other))
    return Topics(found, other)


def _fact_means(facts: Sequence[Fact], sentence_vectors: dict[str, np.ndarray]) -> np.ndarray:
    means = np.stack([np.mean([sentence_vectors[s.key] for s in f.sentences], axis=0) for f in facts])
    return _unit_rows(means)


def centred(vectors: np.ndarray) -> np.ndarray:
    """Subtract the mean vector and re-normalise, removing what all facts share."""
    return _unit_rows(vectors - vectors.mean(axis=0, keepdims=True))


def hybrid(vectors: np.ndarray, facts: Sequence[Fact], weight: float) -> np.ndarray:
    """Embedding rows joined with TF-IDF rows of the facts' words, names and numbers.

    Two outlets reporting one development share its rare words ("412",
    a suspect's name) even when they phrase it differently, while facts that
    merely share a sentence pattern do not; the dot product of two rows is
    ``(1 - weight)`` times their embedding cosine plus ``weight`` times their
    lexical cosine.

    Args:
        vectors: unit rows, one per fact.
        facts: the facts, for their text.
        weight: the lexical share, 0 to 1.

    Returns:
        Unit rows, wider than ``vectors``.
    """
    if weight <= 0 or len(facts) < 3:
        return vectors
    lexical = lexical_vectors([f.text for f in facts])
    if lexical.shape[1] == 0:
        return vectors
    return _unit_rows(np.hstack([np.sqrt(1 - weight) * vectors, np.sqrt(weight) * lexical]))


def lexical_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit TF-IDF rows over words and numbers that at least two texts share.

    When the dense matrix would pass ``LEXICAL_CELLS`` cells, the rows are
    reduced to ``LEXICAL_DIMENSIONS`` by a truncated SVD, so memory stays bounded.

    Args:
        texts: one text per row.

    Returns:
        A dense float32 array with one row per text.
    """
    vectorizer = TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | NEWS_STOP_WORDS),
        token_pattern=r"(?u)\b(?:[A-Za-z][A-Za-z-]*[A-Za-z]|\d[\d,]*\d|\d)\b",
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term is shared by two texts
        return np.zeros((len(texts), 0), dtype=np.float32)
    if matrix.shape[0] * matrix.shape[1] > LEXICAL_CELLS and matrix.shape[1] > LEXICAL_DIMENSIONS:
        matrix = TruncatedSVD(LEXICAL_DIMENSIONS, random_state=0).fit_transform(matrix)
        return _unit_rows(np.asarray(matrix))
    return _unit_rows(matrix.toarray())


def cluster_labels(vectors: np.ndarray, distance: float) -> np.ndarray:
    """Average-linkage cluster labels, condensing large inputs into micro-clusters first.

    Args:
        vectors: unit rows (centred).
        distance: cosine distance at which two clusters stop being joined.

    Returns:
        One integer label per row.
    """
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    if len(vectors) <= DIRECT_LIMIT:
        return _agglomerate(vectors, distance)
    # k-means++ seeding of thousands of centres costs more than the clustering itself.
    micro = MiniBatchKMeans(n_clusters=DIRECT_LIMIT, init="random", random_state=0, n_init=1, batch_size=4096)
    micro_labels = micro.fit_predict(vectors)
    return _agglomerate(_unit_rows(micro.cluster_centers_), distance)[micro_labels]


def join_groups(
    groups: list[list[int]], vectors: np.ndarray, entities: Sequence[Counter[str]]
) -> list[list[int]]:
    """Second pass: join groups that point the same way or name the same people and places.

    Average linkage keeps apart two halves of one story when each half is tight
    and the halves use different words ("raids overnight" and "house arrest");
    their centres still agree, and so do the names they mention.

    Args:
        groups: row indices of each first-pass group.
        vectors: the (centred, unit) fact vectors the groups index.
        entities: named-entity counts of each fact.

    Returns:
        The joined groups (at most as many as given).
    """
    groups = [list(g) for g in groups]
    while len(groups) > 1:
        centres = _unit_rows(np.stack([vectors[g].mean(axis=0) for g in groups]))
        closeness = centres @ centres.T
        overlap = _entity_similarity([_sum_counters(entities, g) for g in groups])
        score = np.where(
            (closeness >= JOIN_CENTRE) | ((overlap >= JOIN_ENTITIES) & (closeness >= JOIN_ENTITY_CENTRE)),
            closeness + overlap,
            -np.inf,
        )
        np.fill_diagonal(score, -np.inf)
        a, b = np.unravel_index(int(np.argmax(score)), score.shape)
        if not np.isfinite(score[a, b]):
            break
        a, b = min(a, b), max(a, b)
        groups[a] = groups[a] + groups.pop(b)
    return groups


def attach(kept: list[list[int]], loose: list[int], vectors: np.ndarray) -> tuple[list[list[int]], list[int]]:
    """Move each loose fact to the topic whose centre it is nearest, if it is near enough.

    Args:
        kept: row indices of each topic.
        loose: rows that are in no topic.
        vectors: the (centred, unit) fact vectors.

    Returns:
        The topics with their new members, and the rows still in no topic.
    """
    if not kept or not loose:
        return kept, loose
    centres = _unit_rows(np.stack([vectors[g].mean(axis=0) for g in kept]))
    closeness = vectors[loose] @ centres.T
    best = np.argmax(closeness, axis=1)
    grown = [list(g) for g in kept]
    still: list[int] = []
    for row, topic, value in zip(loose, best, closeness[np.arange(len(loose)), best], strict=True):
        if value >= ATTACH_MIN:
            grown[int(topic)].append(row)
        else:
            still.append(row)
    return grown, still


def fact_entities(fact: Fact) -> Counter[str]:
    """Named people, places and bodies a fact mentions (once per fact).

    Args:
        fact: a fact.

    Returns:
        Counts of each name (1 each; a Counter so topics can add them up).
    """
    return Counter(set(entities(fact.text)))


def entities(text: str) -> list[str]:
    """Capitalised names in a sentence, without a model.

    A run of capitalised words (with "of", "de", "al" and the like inside) is
    one name; a sentence's first word counts only when it is not a common
    word, and days, months and titles are dropped.

    Args:
        text: one sentence.

    Returns:
        Names in order of appearance, such as ``["Prime Minister", "EU"]``.
    """
    found: list[str] = []
    for match in _ENTITY.finditer(text):
        words = match.group(0).split()
        while words and (words[0].lower() in ENGLISH_STOP_WORDS or words[0].lower() in NEWS_STOP_WORDS):
            words = words[1:]
        while words and words[-1].lower() in {"of", "de", "du", "la", "al", "bin", "van", "von", "der"}:
            words = words[:-1]
        name = re.sub(r"['’]s$", "", " ".join(words).strip(",'’"))
        name = name.rstrip(".")
        if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", name):  # "U.S." lost its last dot to the pattern
            name += "."
        # One capital letter is an initial; a long all-capitals word is a dateline.
        if len(name) > 1 and not (name.isupper() and len(name) > 5):
            found.append(name)
    return found


def topic_keywords(groups: Sequence[Sequence[Fact]], top: int = KEYWORDS_PER_TOPIC) -> list[tuple[str, ...]]:
    """Class-based TF-IDF keywords: words frequent in one topic and rare in the others.

    Args:
        groups: the facts of each topic.
        top: keywords per topic.

    Returns:
        Keywords (words or two-word phrases) for each topic, best first.
    """
    if not groups:
        return []
    documents = [" ".join(f.text for f in facts) for facts in groups]
    vectorizer = CountVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | NEWS_STOP_WORDS),
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b[A-Za-z][A-Za-z-]*[A-Za-z]\b",
    )
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(float)
    except ValueError:  # every word was a stop word
        return [() for _ in groups]
    term_frequency = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average_words = counts.sum() / len(documents)
    idf = np.log(1 + average_words / np.maximum(counts.sum(axis=0), 1))
    # A phrase said once is an accident of wording; one repeated is a subject.
    repeated = np.where(counts >= 2, 1.0, 0.5)
    scores = term_frequency * idf * repeated
    terms = vectorizer.get_feature_names_out()
    return [_distinct_terms([terms[i] for i in np.argsort(-row, kind="stable")], top) for row in scores]


def topic_label(facts: Sequence[Fact], keywords: Sequence[str], others: Sequence[Counter[str]] = ()) -> str:
    """A short readable label: the topic's most telling name and its best keyword phrase.

    Args:
        facts: the topic's facts.
        keywords: its keywords, best first.
        others: entity counts of the other topics, so a name every topic
            mentions is not chosen.

    Returns:
        A label such as ``"EU · mutual assistance"``, or the keywords alone
        when the topic names no one.
    """
    name = _telling_entity(_sum_counters([fact_entities(f) for f in facts], range(len(facts))), others)
    fresh = [k for k in keywords if not name or (k not in name.lower() and name.lower() not in k)]
    phrase = next((k for k in fresh[:3] if " " in k), fresh[0] if fresh else "")
    phrase = _as_written(phrase, " ".join(f.text for f in facts))
    if name and phrase:
        return f"{name} · {phrase}"
    return name or label_from_keywords(keywords)


def _as_written(term: str, text: str) -> str:
    """A lower-cased keyword in the capitalisation the text uses most ("Kyiv", "air strikes")."""
    if not term:
        return term
    forms = Counter(m.group(0) for m in re.finditer(rf"\b{re.escape(term)}\b", text, flags=re.IGNORECASE))
    return forms.most_common(1)[0][0] if forms else term


def label_from_keywords(keywords: Sequence[str]) -> str:
    """A short readable label: the two strongest keywords, capitalised."""
    words = [k[:1].upper() + k[1:] for k in keywords[:2]]
    return ", ".join(words) if words else "Other"


def _telling_entity(mine: Counter[str], others: Sequence[Counter[str]]) -> str | None:
    """The name this topic mentions most, discounted by how many other topics mention it too."""
    candidates = {name: count for name, count in mine.items() if count >= 2}
    if not candidates:
        return None
    spread = {name: 1 + sum(1 for o in others if o.get(name, 0) >= 2) for name in candidates}
    return max(candidates, key=lambda n: (candidates[n] / spread[n], candidates[n], -len(n), n))


def _entity_similarity(profiles: Sequence[Counter[str]]) -> np.ndarray:
    """Cosine between groups' entity counts, each name weighted by how few groups share it."""
    names = sorted({n for p in profiles for n in p})
    if not names:
        return np.zeros((len(profiles), len(profiles)))
    index = {n: k for k, n in enumerate(names)}
    matrix = np.zeros((len(profiles), len(names)))
    for row, profile in enumerate(profiles):
        for name, count in profile.items():
            matrix[row, index[name]] = count
    document_frequency = (matrix > 0).sum(axis=0)
    matrix *= np.log(1 + len(profiles) / document_frequency)
    matrix = _unit_rows(matrix)
    return matrix @ matrix.T


def _sum_counters(counters: Sequence[Counter[str]], members: Sequence[int] | range) -> Counter[str]:
    total: Counter[str] = Counter()
    for i in members:
        total.update(counters[i])
    return total


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _agglomerate(vectors: np.ndarray, distance: float) -> np.ndarray:
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
    )
    return model.fit_predict(vectors)


def _distinct_terms(ranked: Sequence[str], top: int) -> tuple[str, ...]:
    """Best terms, skipping a word already inside a chosen bigram (and vice versa)."""
    chosen: list[str] = []
    for term in ranked:
        words = set(term.split())
        if any(words & set(c.split()) for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == top:
            break
    return tuple(chosen)


def _source_count(facts: Sequence[Fact], members: Sequence[int]) -> int:
    return len({a for i in members for a in facts[i].sources})


def _importance(facts: Sequence[Fact], members: Sequence[int]) -> float:
    """More outlets and more corroborated facts make a topic more important."""
    corroboration = sum(len(facts[i].sources) for i in members)
    return 2.0 * _source_count(facts, members) + corroboration


def _topic(
    facts: Sequence[Fact],
    vectors: np.ndarray,
    members: Sequence[int],
    keywords: tuple[str, ...],
    other_names: Sequence[Counter[str]],
) -> Topic:
    centre = vectors[members].mean(axis=0)
    centrality = vectors[members] @ (centre / max(float(np.linalg.norm(centre)), 1e-12))
    order = sorted(
        range(len(members)), key=lambda k: (-len(facts[members[k]].sources), -centrality[k], members[k])
    )
    ordered = tuple(facts[members[k]] for k in order)
    return Topic(
        id=topic_id(ordered),
        label=topic_label(ordered, keywords, other_names),
        keywords=keywords,
        facts=ordered,
        score=_importance(facts, members),
    )


def topic_id(facts: Sequence[Fact]) -> str:
    """An id derived from the topic's facts, so the same content gets the same id."""
    digest = hashlib.sha256(" ".join(sorted(f.id for f in facts)).encode()).hexdigest()[:8]
    return f"t{digest}"
