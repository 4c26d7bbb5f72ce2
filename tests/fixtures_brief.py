"""A realistic, hand-built :class:`~brief.records.Brief` for render tests.

Sentences are quoted from the seed articles (Paris attacks aftermath, 16-17
November 2015) with true character offsets into each article's text, so
citations, quotes and offsets are as consistent as the pipeline's would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from brief.config import Settings
from brief.records import (
    Article,
    Brief,
    Change,
    Citation,
    Claim,
    Conflict,
    Fact,
    Figure,
    Sentence,
    Topic,
    TopicBrief,
)

NOV16 = dt.date(2015, 11, 16)
NOV17 = dt.date(2015, 11, 17)

_ARTICLES: list[tuple[str, str, str, str, dt.date, list[str]]] = [
    (
        "a-rferl-eu",
        "seeds/000_256869cf17324826.txt",
        "RFE/RL",
        "France Requests Military Support From EU Allies",
        NOV17,
        [
            "France has made an unprecedented demand for military and other aid from its EU partners "
            "in the wake of the terror attacks in Paris.",
            "The French government invoked a never-before-used EU mutual assistance clause that requires "
            "all of the bloc's 28 members to provide \"aid and assistance\" to a partner country that is "
            "the \"victim of armed aggression on its territory.\"",
            "Le Drian said all EU defense ministers had voiced support.",
            "Greek Defense Minister Panagiotis Kammenos told reporters that the Paris attacks were "
            "monumental for the bloc.",
            "Islamic State has claimed responsibility for the Paris attacks on a concert hall, a stadium, "
            "bars, and restaurants that killed at least 129 people and wounded some 350.",
        ],
    ),
    (
        "a-dw-eu",
        "seeds/001_d4190f38c0055a75.txt",
        "DW",
        "France seeks military help from EU",
        NOV17,
        [
            "EU defense ministers said on Tuesday they supported France's request for military assistance "
            "as it intensifies its fight against the \"Islamic State\" (IS) terrorist group in the Middle "
            "East.",
            "In response, EU foreign policy chief Federica Mogherini said all 28 member states backed the "
            "request.",
            "This latest wave of air strikes - the second since Friday - was once again concentrated in the "
            "Syrian city of Raqqa, which is controlled by IS.",
            "The government simultaneously conducted a series of police raids in France, searching 128 "
            "homes across the nation.",
            "On Tuesday, French Prime Minister Manuel Valls said the country would inevitably fail to meet "
            "its EU budget target as it ramps up its security measures in response to the heightened "
            "terrorism threat.",
        ],
    ),
    (
        "a-ap-airstrikes",
        "seeds/002_c74584ab3f8b7ef3.txt",
        "AP (via partner site)",
        "France seeks EU security aid, launches new airstrikes on IS",
        NOV17,
        [
            "French military spokesman Col. Gilles Jaron said the latest airstrikes in the Islamic State "
            "group's de-facto capital of Raqqa destroyed a command post and training camp.",
            "U.S. Secretary of State John Kerry flew to France as a gesture of solidarity and met Hollande "
            "and Foreign Minister Laurent Fabius on Tuesday.",
            "A French security official said anti-terror intelligence officials had identified Abdelhamid "
            "Abaaoud, a Belgian of Moroccan descent, as chief architect of the attacks.",
            "French police have used emergency powers to conduct almost 300 searches since Sunday night "
            "that netted 127 arrests and 31 weapons.",
            "Interior Minister Bernard Cazeneuve said Tuesday that police carried out 128 police raids "
            "overnight.",
            "Hollande has said the victims came from at least 19 nations.",
        ],
    ),
    (
        "a-rferl-coalition",
        "seeds/003_a0e6c886d0048261.txt",
        "RFE/RL",
        "Hollande Calls For Joint U.S.-Russian Fight Against Islamic State After Deadly Paris Attacks",
        NOV16,
        [
            "French President Francois Hollande says the United States and Russia should set aside their "
            "differences and join forces to fight Islamic State (IS) militants following the November 13 "
            "attacks that killed at least 129 people in Paris.",
            "French police conducted 168 raids overnight, Interior Minister Bernard Cazeneuve said on "
            "November 16.",
            "Heavily armed Belgian police also carried out an operation in Molenbeek, an impoverished "
            "Brussels neighborhood that has been a hotbed of Islamist militancy.",
            "Police said the operation was related to the Paris attacks and to the search for Saleh "
            "Abdeslam, a 26-year-old French citizen who is wanted under an international arrest warrant.",
            "The death toll stood at 129 on November 16, the deadliest terror attack in Europe since train "
            "bombings in Madrid killed 191 people and injured 350 more in 2004.",
        ],
    ),
    (
        "a-globe-eu",
        "seeds/004_66e11f2247242776.txt",
        "The Globe and Mail (AP)",
        "France invokes EU defence clause as new air strikes hit IS stronghold",
        NOV17,
        [
            "France made an unprecedented demand on Tuesday for its European Union allies to support its "
            "military action against the so-called Islamic State group as it launched new air strikes on "
            "the militants' Syrian stronghold, days after attacks in Paris linked to the group killed at "
            "least 129 people.",
            "Arriving for talks in Brussels on Tuesday with his EU counterparts, Greek Defence Minister "
            "Panagiotis Kammenos told reporters that \"we're in a new situation in Europe. This is Sept. 11 "
            "for Europe.\"",
            "Seven attackers died — six after detonating suicide belts and a seventh from police gunfire.",
            "A cease-fire between Syria's government and opposition could be just weeks away, U.S. "
            "Secretary of State John Kerry said.",
            "Police have used emergency powers to conduct almost 300 searches since Sunday night that "
            "netted 127 arrests and 31 weapons.",
        ],
    ),
]


@dataclass(frozen=True)
class Corpus:
    """The sample articles and their sentences, looked up by (article id, index)."""

    articles: tuple[Article, ...]
    sentences: dict[tuple[str, int], Sentence]

    def s(self, article_id: str, index: int) -> Sentence:
        """One sentence."""
        return self.sentences[(article_id, index)]

    def cite(self, *keys: tuple[str, int]) -> tuple[Citation, ...]:
        """Citations of sentences given as (article id, index) pairs."""
        return tuple(Citation.of(self.s(a, i)) for a, i in keys)

    def fact(self, fact_id: str, text: str, *keys: tuple[str, int]) -> Fact:
        """A fact carried by the given sentences."""
        return Fact(fact_id, text, tuple(self.s(a, i) for a, i in keys))


def corpus() -> Corpus:
    """Build the five sample articles with offset-true sentences."""
    articles = []
    sentences: dict[tuple[str, int], Sentence] = {}
    for article_id, path, outlet, title, published, texts in _ARTICLES:
        body, offset = [], 0
        for index, text in enumerate(texts):
            end = offset + len(text)
            sentences[(article_id, index)] = Sentence(article_id, index, offset, end, text, published)
            body.append(text)
            offset = end + 2
        text = "\n\n".join(body)
        articles.append(Article(article_id, path, title, outlet, published, text, published_from="metadata"))
    return Corpus(tuple(articles), sentences)


# Short names for the five articles, in source-list order [1]..[5].
RFE, DW, AP, RFC, GM = "a-rferl-eu", "a-dw-eu", "a-ap-airstrikes", "a-rferl-coalition", "a-globe-eu"


def _claim(c: Corpus, text: str, *keys: tuple[str, int], extractive: bool = False) -> Claim:
    return Claim(
        text,
        c.cite(*keys),
        "extractive" if extractive else "abstractive",
        entailment=None if extractive else 0.91,
        checks=("verbatim",) if extractive else ("numbers", "names"),
    )


@dataclass(frozen=True)
class _Spec:
    """A topic in compact form; facts are (id, text, *sentence keys), claims (text, *sentence keys)."""

    id: str
    label: str
    keywords: tuple[str, ...]
    score: float
    facts: list[tuple[Any, ...]]
    claims: list[tuple[Any, ...]]


def _topic(c: Corpus, spec: _Spec) -> TopicBrief:
    """Build a topic brief; a claim that repeats its one cited sentence word for word is extractive."""
    facts = tuple(c.fact(fid, text, *keys) for fid, text, *keys in spec.facts)
    topic = Topic(spec.id, spec.label, spec.keywords, facts, score=spec.score)
    claims = tuple(
        _claim(c, text, *keys, extractive=len(keys) == 1 and c.s(*keys[0]).text == text)
        for text, *keys in spec.claims
    )
    return TopicBrief(topic, claims)


_TOPICS: list[_Spec] = [
    _Spec(
        id="t-eu", label="EU mutual defence clause invoked",
        keywords=("eu", "article", "assistance", "ministers"), score=0.92,
        facts=[
            ("f-clause", "France invoked the EU mutual assistance clause for the first time.",
             (RFE, 1), (GM, 0), (DW, 0)),
            ("f-backed", "All 28 member states backed France's request.", (DW, 1), (RFE, 2)),
            ("f-sept11", "Greece's defence minister called the attacks Europe's September 11.",
             (RFE, 3), (GM, 1)),
            ("f-budget", "France will miss its EU budget target because of security spending.", (DW, 4)),
        ],
        claims=[
            ("France became the first EU member to invoke the bloc's mutual assistance clause, asking "
             "partners for military aid after the Paris attacks.", (RFE, 1), (GM, 0)),
            ("In response, EU foreign policy chief Federica Mogherini said all 28 member states backed the "
             "request.", (DW, 1)),
            ("Defence ministers meeting in Brussels on 17 November voiced unanimous support; Greece's "
             "minister called the attacks Europe's September 11.", (RFE, 2), (GM, 1)),
        ],
    ),
    _Spec(
        id="t-strikes", label="New French air strikes on IS in Syria",
        keywords=("strikes", "raqqa", "syria"), score=0.81,
        facts=[
            ("f-raqqa", "French strikes on Raqqa destroyed a command post and a training camp.",
             (AP, 0), (DW, 2)),
        ],
        claims=[
            ("A second wave of French air strikes since Friday hit Raqqa, the group's de facto capital, "
             "destroying a command post and a training camp.", (DW, 2), (AP, 0)),
            ("France has asked EU partners to help either in Syria and Iraq or by relieving its forces in "
             "other operations.", (RFE, 0), (GM, 0)),
        ],
    ),
    _Spec(
        id="t-raids", label="Raids and arrests in France and Belgium",
        keywords=("raids", "police", "arrests", "belgium"), score=0.77,
        facts=[
            ("f-searches", "Police have conducted almost 300 searches, with 127 arrests and 31 weapons "
             "seized.", (AP, 3), (GM, 4)),
            ("f-raids", "Police carried out 128 raids overnight.", (AP, 4), (DW, 3)),
            ("f-molenbeek", "Belgian police searched Molenbeek for a suspect wanted on an international "
             "warrant.", (RFC, 2), (RFC, 3)),
        ],
        claims=[
            ("French police have carried out almost 300 searches under emergency powers since Sunday "
             "night, making 127 arrests and seizing 31 weapons.", (AP, 3), (GM, 4)),
            ("Belgian police searched the Brussels district of Molenbeek for a 26-year-old French citizen "
             "wanted on an international arrest warrant.", (RFC, 2), (RFC, 3)),
            ("The government simultaneously conducted a series of police raids in France, searching 128 "
             "homes across the nation.", (DW, 3)),
        ],
    ),
    _Spec(
        id="t-diplomacy", label="Call for a U.S.-Russian coalition against IS",
        keywords=("coalition", "russia", "kerry"), score=0.64,
        facts=[
            ("f-coalition", "The French president urged the U.S. and Russia to join forces against IS.",
             (RFC, 0)),
            ("f-kerry", "The U.S. secretary of state visited Paris in solidarity.", (AP, 1)),
            ("f-ceasefire", "A Syrian cease-fire could be weeks away.", (GM, 3)),
        ],
        claims=[
            ("The French president urged the United States and Russia to set aside their differences and "
             "fight IS together.", (RFC, 0)),
            ("The U.S. secretary of state visited Paris and said a Syrian cease-fire could be weeks away.",
             (AP, 1), (GM, 3)),
        ],
    ),
    _Spec(
        id="t-probe", label="Investigation names suspected organiser",
        keywords=("investigation", "organiser", "attackers"), score=0.55,
        facts=[
            ("f-architect", "Investigators identified a Belgian national as chief architect of the attacks.",
             (AP, 2)),
            ("f-seven", "Seven attackers died.", (GM, 2)),
        ],
        claims=[
            ("Investigators have identified a Belgian national as the suspected chief architect of the "
             "attacks.", (AP, 2)),
            ("Seven attackers died — six after detonating suicide belts and a seventh from police "
             "gunfire.", (GM, 2)),
        ],
    ),
]  # fmt: skip


def _figures(c: Corpus) -> tuple[tuple[Figure, ...], tuple[Conflict, ...]]:
    nights = "2015-11-16/2015-11-17"
    since_sunday = "2015-11-15/2015-11-17"
    figures = (
        Figure(129, "killed", "Paris", "2015-11-13", c.cite((RFE, 4), (RFC, 0), (GM, 0)), cumulative=True,
               text="killed at least 129 people"),
        Figure(350, "wounded", "Paris", "2015-11-13", c.cite((RFE, 4)), text="wounded some 350"),
        Figure(300, "searches", "France", since_sunday, c.cite((AP, 3), (GM, 4)), cumulative=True,
               text="almost 300 searches"),
        Figure(127, "arrests", "France", since_sunday, c.cite((AP, 3), (GM, 4)), cumulative=True,
               text="127 arrests"),
        Figure(19, "victims' nationalities", None, "2015-11-16", c.cite((AP, 5)), text="at least 19 nations"),
        Figure(7, "attackers dead", "Paris", "2015-11-13", c.cite((GM, 2)), text="Seven attackers"),
    )  # fmt: skip
    raids_a = Figure(128, "raids overnight", "France", nights, c.cite((AP, 4), (DW, 3)),
                     text="128 police raids overnight")  # fmt: skip
    raids_b = Figure(168, "raids overnight", "France", nights, c.cite((RFC, 1)), text="168 raids overnight")
    return figures, (Conflict("raids overnight", "France", nights, (raids_a, raids_b)),)


def sample_brief() -> Brief:
    """A realistic five-topic brief with a conflict, figures and changes."""
    c = corpus()
    figures, conflicts = _figures(c)
    lead = (
        _claim(c, "France invoked the EU's never-used mutual assistance clause and all 28 member states "
                  "pledged support.", (RFE, 1), (DW, 1)),
        _claim(c, "New French air strikes on Raqqa destroyed a command post and a training camp.", (AP, 0)),
        _claim(c, "French police have made 127 arrests in almost 300 searches since Sunday night.",
               (AP, 3), (GM, 4)),
        _claim(c, "The death toll stood at 129 on November 16, the deadliest terror attack in Europe since "
                  "train bombings in Madrid killed 191 people and injured 350 more in 2004.", (RFC, 4),
               extractive=True),
    )  # fmt: skip
    since = (
        Change("new_topic", "Investigation names suspected organiser", c.cite((AP, 2))),
        Change("changed_figure", "Searches under emergency powers: almost 300 (was 168).", c.cite((AP, 3))),
        Change("new_fact", "EU defence ministers backed France's request unanimously.", c.cite((DW, 0))),
    )
    return Brief(
        date=NOV17,
        title="Paris attacks: France invokes EU defence clause",
        generated_at=dt.datetime(2026, 11, 27, 3, 40, tzinfo=dt.UTC),
        sources=c.articles,
        topics=tuple(_topic(c, spec) for spec in _TOPICS),
        lead=lead,
        other=(c.fact("f-valls", "France will miss its EU budget target.", (DW, 4)),),
        figures=figures,
        conflicts=conflicts,
        since_last=since,
        models={"summarizer": "qwen2.5-coder-1.5b-instruct-q4_k_m", "embedder": "all-MiniLM-L6-v2"},
        settings=Settings().as_dict(),
    )


def long_brief(topics: int = 15, sentences: int = 4, extra_figures: int = 10) -> Brief:
    """A brief far too long for one page: many topics of long sentences, many figures."""
    base = sample_brief()
    c = corpus()
    keys: Sequence[tuple[str, int]] = list(c.sentences)
    many = []
    for t in range(topics):
        picks = [(keys[(t + k) % len(keys)], keys[(t + k + 1) % len(keys)]) for k in range(sentences)]
        claims = tuple(
            _claim(c, f"Topic {t + 1} sentence {k + 1}: {c.s(*first).text} Officials gave further details "
                      "of the operation in a statement later in the day.", first, second)
            for k, (first, second) in enumerate(picks)
        )  # fmt: skip
        facts = tuple(c.fact(f"f-long-{t}-{k}", cl.text, picks[k][0]) for k, cl in enumerate(claims))
        topic = Topic(f"t-long-{t}", f"Long topic number {t + 1}", ("long",), facts, score=1.0 - t / 100)
        many.append(TopicBrief(topic, claims))
    more = tuple(
        Figure(1000 + i, f"measure {i}", "Region", "2015-11-17", c.cite(keys[i % len(keys)]))
        for i in range(extra_figures)
    )
    return replace(base, topics=tuple(many), figures=base.figures + more)
