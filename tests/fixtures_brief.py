"""A realistic, hand-built :class:`~brief.records.Brief` for render tests.

Sentences are quoted from the seed articles (Paris attacks aftermath, 16-17
November 2015) with true character offsets into each article's text, so
citations, quotes and offsets are as consistent as the pipeline's would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
            "as it intensifies its fight against the \"Islamic State\" (IS) terrorist group in the Middle East.",
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
            sentences[(article_id, index)] = Sentence(article_id, index, offset, offset + len(text), text, published)
            body.append(text)
            offset += len(text) + 2
        articles.append(
            Article(article_id, path, title, outlet, published, "\n\n".join(body), published_from="metadata")
        )
    return Corpus(tuple(articles), sentences)


def _claim(c: Corpus, text: str, *keys: tuple[str, int], extractive: bool = False) -> Claim:
    return Claim(
        text,
        c.cite(*keys),
        "extractive" if extractive else "abstractive",
        entailment=None if extractive else 0.91,
        checks=("numbers", "names") if not extractive else ("verbatim",),
    )


def _topics(c: Corpus) -> tuple[TopicBrief, ...]:
    eu = Topic(
        "t-eu",
        "EU mutual defence clause invoked",
        ("eu", "article", "assistance", "ministers"),
        (
            c.fact("f-clause", "France invoked the EU mutual assistance clause for the first time.",
                   ("a-rferl-eu", 1), ("a-globe-eu", 0), ("a-dw-eu", 0)),
            c.fact("f-backed", "All 28 member states backed France's request.",
                   ("a-dw-eu", 1), ("a-rferl-eu", 2)),
            c.fact("f-sept11", "Greece's defence minister called the attacks Europe's September 11.",
                   ("a-rferl-eu", 3), ("a-globe-eu", 1)),
            c.fact("f-budget", "France will miss its EU budget target because of security spending.",
                   ("a-dw-eu", 4)),
        ),
        score=0.92,
    )  # fmt: skip
    strikes = Topic(
        "t-strikes",
        "New French air strikes on IS in Syria",
        ("strikes", "raqqa", "syria"),
        (
            c.fact("f-raqqa", "French strikes on Raqqa destroyed a command post and a training camp.",
                   ("a-ap-airstrikes", 0), ("a-dw-eu", 2)),
        ),
        score=0.81,
    )  # fmt: skip
    raids = Topic(
        "t-raids",
        "Raids and arrests in France and Belgium",
        ("raids", "police", "arrests", "belgium"),
        (
            c.fact("f-searches", "Police have conducted almost 300 searches, with 127 arrests and 31 weapons seized.",
                   ("a-ap-airstrikes", 3), ("a-globe-eu", 4)),
            c.fact("f-raids", "Police carried out 128 raids overnight.", ("a-ap-airstrikes", 4), ("a-dw-eu", 3)),
            c.fact("f-molenbeek", "Belgian police searched Molenbeek for a suspect wanted on an international warrant.",
                   ("a-rferl-coalition", 2), ("a-rferl-coalition", 3)),
        ),
        score=0.77,
    )  # fmt: skip
    diplomacy = Topic(
        "t-diplomacy",
        "Call for a U.S.-Russian coalition against IS",
        ("coalition", "russia", "kerry"),
        (
            c.fact("f-coalition", "The French president urged the U.S. and Russia to join forces against IS.",
                   ("a-rferl-coalition", 0)),
            c.fact("f-kerry", "The U.S. secretary of state visited Paris in solidarity.", ("a-ap-airstrikes", 1)),
            c.fact("f-ceasefire", "A Syrian cease-fire could be weeks away.", ("a-globe-eu", 3)),
        ),
        score=0.64,
    )  # fmt: skip
    probe = Topic(
        "t-probe",
        "Investigation names suspected organiser",
        ("investigation", "organiser", "attackers"),
        (
            c.fact("f-architect", "Investigators identified a Belgian national as chief architect of the attacks.",
                   ("a-ap-airstrikes", 2)),
            c.fact("f-seven", "Seven attackers died.", ("a-globe-eu", 2)),
        ),
        score=0.55,
    )  # fmt: skip
    return (
        TopicBrief(eu, (
            _claim(c, "France became the first EU member to invoke the bloc's mutual assistance clause, asking "
                      "partners for military aid after the Paris attacks.", ("a-rferl-eu", 1), ("a-globe-eu", 0)),
            _claim(c, "In response, EU foreign policy chief Federica Mogherini said all 28 member states backed the "
                      "request.", ("a-dw-eu", 1), extractive=True),
            _claim(c, "Defence ministers meeting in Brussels on 17 November voiced unanimous support; Greece's "
                      "minister called the attacks Europe's September 11.", ("a-rferl-eu", 2), ("a-globe-eu", 1)),
        )),
        TopicBrief(strikes, (
            _claim(c, "A second wave of French air strikes since Friday hit Raqqa, the group's de facto capital, "
                      "destroying a command post and a training camp.", ("a-dw-eu", 2), ("a-ap-airstrikes", 0)),
            _claim(c, "France has asked EU partners to help either in Syria and Iraq or by relieving its forces in "
                      "other operations.", ("a-rferl-eu", 0), ("a-globe-eu", 0)),
        )),
        TopicBrief(raids, (
            _claim(c, "French police have carried out almost 300 searches under emergency powers since Sunday "
                      "night, making 127 arrests and seizing 31 weapons.", ("a-ap-airstrikes", 3), ("a-globe-eu", 4)),
            _claim(c, "Belgian police searched the Brussels district of Molenbeek for a 26-year-old French citizen "
                      "wanted on an international arrest warrant.", ("a-rferl-coalition", 2),
                   ("a-rferl-coalition", 3)),
            _claim(c, "The government simultaneously conducted a series of police raids in France, searching 128 "
                      "homes across the nation.", ("a-dw-eu", 3), extractive=True),
        )),
        TopicBrief(diplomacy, (
            _claim(c, "The French president urged the United States and Russia to set aside their differences and "
                      "fight IS together.", ("a-rferl-coalition", 0)),
            _claim(c, "The U.S. secretary of state visited Paris and said a Syrian cease-fire could be weeks away.",
                   ("a-ap-airstrikes", 1), ("a-globe-eu", 3)),
        )),
        TopicBrief(probe, (
            _claim(c, "Investigators have identified a Belgian national as the suspected chief architect of the "
                      "attacks.", ("a-ap-airstrikes", 2)),
            _claim(c, "Seven attackers died — six after detonating suicide belts and a seventh from police gunfire.",
                   ("a-globe-eu", 2), extractive=True),
        )),
    )  # fmt: skip


def _figures(c: Corpus) -> tuple[tuple[Figure, ...], tuple[Conflict, ...]]:
    killed = Figure(129, "killed", "Paris", "2015-11-13", c.cite(("a-rferl-eu", 4), ("a-rferl-coalition", 0),
                    ("a-globe-eu", 0)), cumulative=True, text="killed at least 129 people")  # fmt: skip
    wounded = Figure(350, "wounded", "Paris", "2015-11-13", c.cite(("a-rferl-eu", 4)), text="wounded some 350")
    searches = Figure(300, "searches", "France", "2015-11-15/2015-11-17",
                      c.cite(("a-ap-airstrikes", 3), ("a-globe-eu", 4)), cumulative=True, text="almost 300 searches")
    arrests = Figure(127, "arrests", "France", "2015-11-15/2015-11-17",
                     c.cite(("a-ap-airstrikes", 3), ("a-globe-eu", 4)), cumulative=True, text="127 arrests")
    nations = Figure(19, "victims' nationalities", None, "2015-11-16", c.cite(("a-ap-airstrikes", 5)),
                     text="at least 19 nations")
    attackers = Figure(7, "attackers dead", "Paris", "2015-11-13", c.cite(("a-globe-eu", 2)), text="Seven attackers")
    raids_a = Figure(128, "raids overnight", "France", "2015-11-16/2015-11-17",
                     c.cite(("a-ap-airstrikes", 4), ("a-dw-eu", 3)), text="128 police raids overnight")
    raids_b = Figure(168, "raids overnight", "France", "2015-11-16/2015-11-17",
                     c.cite(("a-rferl-coalition", 1)), text="168 raids overnight")
    conflict = Conflict("raids overnight", "France", "2015-11-16/2015-11-17", (raids_a, raids_b))
    return (killed, wounded, searches, arrests, nations, attackers), (conflict,)  # fmt: skip


def sample_brief() -> Brief:
    """A realistic five-topic brief with a conflict, figures and changes."""
    c = corpus()
    figures, conflicts = _figures(c)
    lead = (
        _claim(c, "France invoked the EU's never-used mutual assistance clause and all 28 member states pledged "
                  "support.", ("a-rferl-eu", 1), ("a-dw-eu", 1)),
        _claim(c, "New French air strikes on Raqqa destroyed a command post and a training camp.",
               ("a-ap-airstrikes", 0)),
        _claim(c, "French police have made 127 arrests in almost 300 searches since Sunday night.",
               ("a-ap-airstrikes", 3), ("a-globe-eu", 4)),
        _claim(c, "The death toll stood at 129 on November 16, the deadliest terror attack in Europe since train "
                  "bombings in Madrid killed 191 people and injured 350 more in 2004.", ("a-rferl-coalition", 4),
               extractive=True),
    )  # fmt: skip
    since = (
        Change("new_topic", "Investigation names suspected organiser", c.cite(("a-ap-airstrikes", 2))),
        Change("changed_figure", "Searches under emergency powers: almost 300 (was 168).",
               c.cite(("a-ap-airstrikes", 3))),
        Change("new_fact", "EU defence ministers backed France's request unanimously.", c.cite(("a-dw-eu", 0))),
    )  # fmt: skip
    other = (c.fact("f-valls", "France will miss its EU budget target.", ("a-dw-eu", 4)),)
    return Brief(
        date=NOV17,
        title="Paris attacks: France invokes EU defence clause",
        generated_at=dt.datetime(2026, 11, 27, 3, 40, tzinfo=dt.UTC),
        sources=c.articles,
        topics=_topics(c),
        lead=lead,
        other=other,
        figures=figures,
        conflicts=conflicts,
        since_last=since,
        models={"summarizer": "qwen2.5-coder-1.5b-instruct-q4_k_m", "embedder": "all-MiniLM-L6-v2"},
        settings=Settings().as_dict(),
    )


def long_brief(topics: int = 15, sentences: int = 4, extra_figures: int = 10) -> Brief:
    """A brief far too long for one page: many topics of long sentences."""
    base = sample_brief()
    c = corpus()
    keys: Sequence[tuple[str, int]] = list(c.sentences)
    many = []
    for t in range(topics):
        claims = tuple(
            _claim(c, f"Topic {t + 1} sentence {k + 1}: " + c.s(*keys[(t + k) % len(keys)]).text
                   + " Officials gave further details of the operation in a statement later in the day.",
                   keys[(t + k) % len(keys)], keys[(t + k + 1) % len(keys)])
            for k in range(sentences)
        )  # fmt: skip
        facts = tuple(c.fact(f"f-long-{t}-{k}", claim.text, keys[(t + k) % len(keys)]) for k, claim in enumerate(claims))
        topic = Topic(f"t-long-{t}", f"Long topic number {t + 1}", ("long",), facts, score=1.0 - t / 100)
        many.append(TopicBrief(topic, claims))
    more = tuple(
        Figure(1000 + i, f"measure {i}", "Region", "2015-11-17", c.cite(keys[i % len(keys)]))
        for i in range(extra_figures)
    )
    return replace(base, topics=tuple(many), figures=base.figures + more)
