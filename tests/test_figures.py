"""Tests for brief.figures: figures with their time reference, and real conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from brief import figures as F
from brief import ingest, sentences
from brief.records import Figure, Sentence

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "figures"
NOV16, NOV17 = dt.date(2015, 11, 16), dt.date(2015, 11, 17)


@pytest.fixture(scope="module")
def seed_figures() -> list[Figure]:
    """Figures of the five seed articles, loaded through ingest and sentences."""
    articles = ingest.load([SEEDS])
    assert {a.published for a in articles} == {NOV16, NOV17}
    return F.extract(sentences.split_all(articles))


def _load(*names: str) -> list[Figure]:
    """Figures of some of the test articles in tests/data/figures."""
    return F.extract(sentences.split_all(ingest.load([DATA / n for n in names])))


def _sentence(text: str, published: dt.date | None = NOV17, article: str = "a") -> Sentence:
    """A one-sentence article."""
    return Sentence(article, 0, 0, len(text), text, published)


def _one(text: str, published: dt.date | None = NOV17) -> Figure:
    """The only figure of a sentence."""
    found = F.extract([_sentence(text, published)])
    assert len(found) == 1, found
    return found[0]


def _pick(figures: list[Figure], value: int, counts: str) -> list[Figure]:
    """Figures with a given value and quantity."""
    return [f for f in figures if f.value == value and f.counts == counts]


# ---------------------------------------------------------------- the seeds' traps


def test_raids_of_two_nights_are_a_series_not_a_conflict(seed_figures: list[Figure]) -> None:
    first = _pick(seed_figures, 168, "raids")
    second = _pick(seed_figures, 128, "raids")
    assert [f.as_of for f in first] == ["2015-11-15/2015-11-16"]
    assert {f.as_of for f in second} == {"2015-11-16/2015-11-17"}
    assert len({c.source for f in second for c in f.citations}) == 3
    assert [f.value for f in F.series(seed_figures, "raids")] == [168, 128]
    assert not [c for c in F.conflicts(seed_figures) if c.counts == "raids"]


def test_daily_arrests_and_running_count_are_told_apart(seed_figures: list[Figure]) -> None:
    (daily,) = _pick(seed_figures, 23, "arrests")
    assert (daily.as_of, daily.cumulative) == ("2015-11-16", False)
    running = _pick(seed_figures, 127, "arrests")
    assert len(running) == 2
    assert all(f.cumulative and f.as_of == "2015-11-17" for f in running)
    assert all(not F.is_exact(f) for f in running)


def test_madrid_2004_figures_belong_to_2004(seed_figures: list[Figure]) -> None:
    (killed,) = _pick(seed_figures, 191, "killed")
    (wounded,) = [f for f in _pick(seed_figures, 350, "wounded") if f.as_of == "2004"]
    assert killed.as_of == "2004" and killed.where == "Madrid"
    assert not F.is_current(killed, NOV17) and not F.is_current(wounded, NOV17)


def test_other_attacks_are_not_the_current_events_dead(seed_figures: list[Figure]) -> None:
    places = F.event_places(seed_figures, NOV17)
    assert places == {"Paris"}
    others = _pick(seed_figures, 224, "killed") + _pick(seed_figures, 43, "killed")
    assert len(others) == 3
    assert _pick(seed_figures, 43, "killed")[0].where == "Beirut"
    assert not any(F.is_current(f, NOV17, places) for f in others)
    killed = [f.value for f in F.key_figures(seed_figures, NOV17) if f.counts == "killed"]
    assert killed and set(killed) == {129}


def test_seeds_have_no_conflict(seed_figures: list[Figure]) -> None:
    assert F.conflicts(seed_figures) == []


def test_wounded_of_the_attacks_agree_across_articles(seed_figures: list[Figure]) -> None:
    wounded = [f for f in _pick(seed_figures, 350, "wounded") if F.is_current(f, NOV17)]
    assert len({f.citations[0].source for f in wounded}) == 2
    assert {F.qualifier(f) for f in wounded} == {"some", None}


def test_attackers_who_died_are_not_counted_as_killed(seed_figures: list[Figure]) -> None:
    assert not _pick(seed_figures, 7, "killed")
    assert len(_pick(seed_figures, 7, "attackers")) >= 4


def test_key_figures_merge_sources_and_put_the_newest_first(seed_figures: list[Figure]) -> None:
    rows = F.key_figures(seed_figures, NOV17)
    assert [f.counts for f in rows] == sorted((f.counts for f in rows), key=F.KEY_COUNTS.index)
    (toll,) = [f for f in rows if f.counts == "killed" and f.where == "Paris"]
    assert F.label(toll) == "at least 129 killed in Paris"
    assert len({c.source for c in toll.citations}) == 4
    raids = [f for f in rows if f.counts == "raids" and F.is_exact(f)]
    assert [(f.value, f.as_of) for f in raids] == [
        (128, "2015-11-16/2015-11-17"),
        (168, "2015-11-15/2015-11-16"),
    ]
    assert len(raids[0].citations) == 3
    assert {(f.value, f.cumulative) for f in rows if f.counts == "arrests"} >= {(127, True), (23, False)}


def test_figure_text_is_the_sources_own_words(seed_figures: list[Figure]) -> None:
    for f in seed_figures:
        assert f.text and f.text in f.citations[0].quote
        assert str(f.value) in f.text.replace(",", "") or not any(ch.isdigit() for ch in f.text)


# ---------------------------------------------------------------- own test articles


def test_two_outlets_that_disagree_give_one_conflict() -> None:
    found = F.conflicts(_load("outlet_a.txt", "outlet_b.txt"))
    assert len(found) == 1
    (conflict,) = found
    assert (conflict.counts, conflict.where, conflict.as_of) == ("killed", "Valdmora", "2021-03-09")
    assert [f.value for f in conflict.values] == [129, 132]
    sources = [{c.source for c in f.citations} for f in conflict.values]
    assert all(len(s) == 1 for s in sources) and sources[0] != sources[1]
    assert "129" in conflict.values[0].citations[0].quote and "132" in conflict.values[1].citations[0].quote
    assert conflict.text == "Sources differ on killed in Valdmora (2021-03-09): 129 vs 132."


def test_a_lower_bound_does_not_conflict() -> None:
    figures = _load("outlet_b.txt", "outlet_c.txt")
    assert {F.qualifier(f) for f in _pick(figures, 129, "killed")} == {"at least"}
    assert F.conflicts(figures) == []


def test_earlier_attack_named_in_passing_is_another_time() -> None:
    (old,) = _pick(_load("outlet_a.txt"), 63, "killed")
    assert old.as_of == "1998"
    assert not F.is_current(old, dt.date(2021, 3, 9))


def test_one_article_giving_two_values_is_not_a_conflict() -> None:
    one = [
        _sentence("Police said 12 people were arrested on Monday."),
        _sentence("Police arrested 14 people on Monday."),
    ]
    assert F.conflicts(F.extract(one)) == []
    two = [one[0], _sentence("Police arrested 14 people on Monday.", article="b")]
    assert [f.value for f in F.conflicts(F.extract(two))[0].values] == [12, 14]


# ---------------------------------------------------------------- numbers, counts, times


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("129", 129),
        ("115,000", 115000),
        ("1.5 million", 1_500_000),
        ("seven", 7),
        ("twenty-nine", 29),
        ("one hundred and twenty-nine", 129),
        ("a dozen", 12),
        ("two thousand", 2000),
        ("seventy", 70),
        ("12 people", None),
        ("Thursday", None),
    ],
)
def test_parse_number(text: str, value: int | None) -> None:
    assert F.parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value", "counts", "qualifier"),
    [
        ("Police made more than 150 raids across the country.", 150, "raids", "more than"),
        ("Officers carried out almost 300 searches.", 300, "searches", "almost"),
        ("The army is deploying up to 300 additional soldiers.", 300, "troops", "up to"),
        ("The blast killed one hundred and twenty-nine people.", 129, "killed", None),
        ("Police detained a dozen suspects.", 12, "arrests", None),
        ("The clashes left 40 dead.", 40, "killed", None),
        ("Some 15 people were injured.", 15, "wounded", "some"),
        ("Five people are under house arrest.", 5, "house arrest", None),
        ("Officers seized 31 weapons.", 31, "weapons", None),
        ("Eight jets took off from the carrier.", 8, "jets", None),
        ("The coalition carried out 20 airstrikes.", 20, "strikes", None),
        ("Three gunmen opened fire.", 3, "attackers", None),
        ("The victims came from 19 countries.", 19, "nationalities", None),
        ("The death toll rose to 57.", 57, "killed", None),
    ],
)
def test_counts_and_qualifiers(text: str, value: int, counts: str, qualifier: str | None) -> None:
    figure = _one(text)
    assert (figure.value, figure.counts, F.qualifier(figure)) == (value, counts, qualifier)
    assert F.is_exact(figure) == (qualifier is None)


@pytest.mark.parametrize(
    "text",
    [
        "The suspect, a 26-year-old man, was arrested in 2014.",
        "Salah Abdeslam, 26, remains at large.",
        "Article 42 of the treaty calls for solidarity.",
        "This is September 11 for Europe, he said of the September 11, 2001 attacks.",
        "Journalists report the news in 27 languages in 23 countries.",
        "The vote passed with 60 percent at 20:50 on Sunday.",
        "A two-day summit of the 28-nation bloc opened.",
        "Five of the attackers were French, and no one was arrested.",
    ],
)
def test_numbers_that_count_nothing_are_ignored(text: str) -> None:
    assert F.extract([_sentence(text)]) == []


@pytest.mark.parametrize(
    ("text", "as_of", "cumulative"),
    [
        ("Police carried out 128 raids overnight.", "2015-11-16/2015-11-17", False),
        ("Police made 168 raids overnight, he said on November 16.", "2015-11-15/2015-11-16", False),
        ("The minister said Monday that police made 168 raids overnight.", "2015-11-15/2015-11-16", False),
        ("On Monday, police said 23 people had been arrested on Monday.", "2015-11-16", False),
        ("The death toll stood at 129 on November 16.", "2015-11-16", False),
        ("Police made 127 arrests since Sunday night.", "2015-11-17", True),
        ("A bomb killed 224 people on board last month.", "2015-10", False),
        ("Police arrested 3 people yesterday.", "2015-11-16", False),
        ("Officials said two people detained two days earlier were charged.", "2015-11-15", False),
        ("Following last week's attacks, 115,000 troops were deployed.", "2015-11-17", False),
    ],
)
def test_as_of_is_resolved_against_the_article_date(text: str, as_of: str, cumulative: bool) -> None:
    figure = _one(text)
    assert (figure.as_of, figure.cumulative) == (as_of, cumulative)


def test_a_date_without_a_year_takes_the_articles_year_unless_far_ahead() -> None:
    assert _one("Police made 12 arrests on Dec. 30.", dt.date(2016, 1, 2)).as_of == "2015-12-30"
    assert _one("Police made 12 arrests on 2 January.", dt.date(2015, 12, 30)).as_of == "2015-01-02"
    assert _one("Police made 12 arrests on 2 January.", dt.date(2016, 1, 5)).as_of == "2016-01-02"


def test_as_of_without_an_article_date_keeps_absolute_times_only() -> None:
    assert _one("Police carried out 12 raids overnight.", None).as_of is None
    assert _one("Bombs killed 191 people in 2004.", None).as_of == "2004"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Bombings killed 43 people in Beirut, Lebanon.", "Beirut"),
        ("Attacks in Paris killed at least 129 people.", "Paris"),
        ("Police carried out 150 raids nationwide.", None),
        ("Troops struck targets in Syria and searched 128 homes.", None),
        ("Two men were held over their role in the Paris attacks; police arrested 7 people.", None),
        ("Jets struck 20 targets in the Syrian city of Raqqa, killing 30 fighters.", None),
        ("Police arrested seven people in Brussels on Sunday.", "Brussels"),
    ],
)
def test_where_is_the_nearest_place_of_the_figures_phrase(text: str, where: str | None) -> None:
    assert F.extract([_sentence(text)])[-1].where == where


def test_is_current_checks_time_window_and_place() -> None:
    def figure(as_of: str | None, where: str | None = None, counts: str = "killed") -> Figure:
        return Figure(1, counts, where, as_of, ())

    assert F.is_current(figure("2015-11-16/2015-11-17"), NOV17)
    assert F.is_current(figure("2015-11-13"), NOV17)
    assert not F.is_current(figure("2015-11-18"), NOV17)
    assert not F.is_current(figure("2015-10"), NOV17)
    assert not F.is_current(figure("2015"), NOV17)
    assert not F.is_current(figure("2015-11-16", "Beirut"), NOV17, {"Paris"})
    assert F.is_current(figure("2015-11-16", "Brussels", "arrests"), NOV17, {"Paris"})
    assert F.as_of_span("2015-02") == (dt.date(2015, 2, 1), dt.date(2015, 2, 28))
