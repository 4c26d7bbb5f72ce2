"""Tests for brief.figures: figures with their time reference, and real conflicts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from brief import figures as F
from brief import ingest, sentences
from brief.records import Brief, Figure, Sentence
from brief.store import Store

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
    assert [f.counts for f in rows[:2]] == ["killed", "wounded"]
    quantities = [f.counts for f in rows]
    assert all(
        quantities.index(q) + quantities.count(q) - 1 == len(quantities) - 1 - quantities[::-1].index(q)
        for q in quantities
    ), "rows of one quantity stand together"
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
        ("The death toll stood at 57.", 57, "killed", None),
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


# ---------------------------------------------------------------- money, percentages, things, magnitudes


@pytest.mark.parametrize(
    ("text", "value", "unit", "counts"),
    [
        (
            "The carmaker set aside €6.5bn to cover the costs of the scandal.",
            6_500_000_000,
            "EUR",
            "provision",
        ),
        ("Regulators could fine the company up to $18 billion.", 18_000_000_000, "USD", "fine"),
        ("The bank received a £300m bailout from the treasury.", 300_000_000, "GBP", "bailout"),
        ("The cabinet approved 1.2 trillion yen in emergency spending.", 1_200_000_000_000, "JPY", "cost"),
        ("The union pledged 20 million euros in emergency aid.", 20_000_000, "EUR", "aid"),
        ("Its total assets of $209bn made it a large lender.", 209_000_000_000, "USD", "assets"),
        ("The bank had a negative cash balance of $958 million.", -958_000_000, "USD", "cash balance"),
        (
            "Shares in Bay State's First Acme Bank had fallen more than 65%.",
            -65,
            "%",
            "First Acme Bank share price",
        ),
        ("Stock indexes were down about 1%.", -1, "%", "stock indexes"),
        ("Acme shares fell 23% in Frankfurt trading.", -23, "%", "Acme share price"),
        ("Shares in Acme plunged 23 per cent.", -23, "%", "Acme share price"),
        ("The company's stock dropped 23 percent.", -23, "%", "share price"),
        ("Sales rose 4.5 percent in the quarter.", 4.5, "%", "sales"),
        ("Turnout was 88 percent.", 88, "%", "turnout"),
        ("Okafor won 36.6% of the vote.", 36.6, "%", "vote (Okafor)"),
        ("A magnitude 7.8 earthquake struck before dawn.", 7.8, "magnitude", "magnitude"),
        ("The 7.8-magnitude quake flattened the old town.", 7.8, "magnitude", "magnitude"),
        ("A magnitude-5.6 aftershock shook the valley.", 5.6, "magnitude", "aftershock magnitude"),
        ("Acme recalled 11 million cars.", 11_000_000, None, "cars recalled (Acme)"),
        ("The scandal involves 11 million cars.", 11_000_000, None, "cars involved"),
        ("Ms Ade won nearly 8.8 million votes.", 8_800_000, None, "votes won (Ade)"),
        ("Ms Ade received 9,000 votes.", 9000, None, "votes received (Ade)"),
        ("The carrier was carrying 181 passengers.", 181, None, "passengers carried"),
        ("Rescuers freed 600 local mine workers.", 600, None, "workers freed"),
        ("The storm destroyed 300 homes.", 300, None, "homes destroyed"),
        (
            "The agency said 11 million cars worldwide were fitted with the device.",
            11_000_000,
            None,
            "cars fitted",
        ),
        ("About 40,000 people have been left homeless.", 40_000, None, "homeless"),
        ("Rescuers pulled 146 people alive from the rubble.", 146, None, "rescued"),
        ("He said rejected votes were 939,278.", 939_278, None, "rejected votes"),
        ("Confirmed cases stood at 17,000.", 17_000, None, "cases"),
    ],
)
def test_quantities_of_every_kind(text: str, value: float, unit: str | None, counts: str) -> None:
    figure = _one(text)
    assert (figure.value, figure.unit, figure.counts) == (value, unit, counts)
    assert figure.text in text


@pytest.mark.parametrize(
    "text",
    [
        "The measure passed with 60 percent at 20:50.",
        "Delegates spoke 27 languages in 23 countries.",
        "He said 90 percent, then laughed.",
        "The town lies 300 metres above the river.",
        "The 10m wall held.",
    ],
)
def test_amounts_that_measure_nothing_named_are_ignored(text: str) -> None:
    assert F.extract([_sentence(text)]) == []


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (41_000, None, "41,000"),
        (11_000_000, None, "11 million"),
        (1_234_567, None, "1,234,567"),
        (8_800_000, None, "8.8 million"),
        (6_500_000_000, "EUR", "€6.5bn"),
        (2_000_000_000, "USD", "$2bn"),
        (300_000_000, "GBP", "£300m"),
        (1_200_000_000_000, "JPY", "¥1.2tn"),
        (5_000_000, "CHF", "CHF 5m"),
        (250_000, "EUR", "€250,000"),
        (-958_000_000, "USD", "-$958m"),
        (-23, "%", "-23%"),
        (4.5, "%", "4.5%"),
        (7.8, "magnitude", "7.8"),
    ],
)
def test_display(value: float, unit: str | None, shown: str) -> None:
    assert F.display(value, unit) == shown


def test_whole_values_stay_ints() -> None:
    money = _one("The union pledged €20m in aid.")
    assert isinstance(money.value, int) and F.label(money) == "€20m aid"
    assert isinstance(_one("Police made 12 arrests.").value, int)


# ---------------------------------------------------------------- lookalikes and real conflicts

MON, TUE = dt.date(2022, 6, 6), dt.date(2022, 6, 7)


def test_arrests_of_different_days_do_not_differ() -> None:
    figures = F.extract(
        [
            _sentence("Police arrested 14 people in Sunday's raids.", MON, "a"),
            _sentence("Police detained 20 people on Monday.", MON, "b"),
        ]
    )
    assert {(f.value, f.as_of) for f in figures} == {(14, "2022-06-05"), (20, "2022-06-06")}
    assert F.conflicts(figures) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("In Aleppo, 12 people were killed.", "In Homs, 30 people were killed."),
        ("Shelling killed 12 people in Aleppo.", "Shelling killed 30 people in Homs."),
        (
            "Twelve people were killed, officials in Aleppo said.",
            "Thirty people were killed, officials in Homs said.",
        ),
    ],
)
def test_deaths_in_two_places_do_not_differ(first: str, second: str) -> None:
    figures = F.extract([_sentence(first, MON, "a"), _sentence(second, MON, "b")])
    assert sorted(f.value for f in figures) == [12, 30]
    assert F.conflicts(figures) == []


def test_same_quantity_place_and_day_from_two_outlets_differs() -> None:
    figures = F.extract(
        [
            _sentence("The blast killed 12 people in Aleppo on Monday.", TUE, "a"),
            _sentence("The blast killed 14 people in Aleppo on Monday.", TUE, "b"),
            _sentence("Acme set aside €6.5bn to cover the costs.", TUE, "a"),
            _sentence("Acme set aside €7bn to cover the costs.", TUE, "b"),
        ]
    )
    found = F.conflicts(figures, {"a": "Wire", "b": "Herald"})
    assert [(c.counts, c.where, c.as_of, [f.value for f in c.values]) for c in found] == [
        ("killed", "Aleppo", "2022-06-07", [12, 14]),
        ("provision", None, "2022-06-07", [6_500_000_000, 7_000_000_000]),
    ]
    assert found[1].text == "Sources differ on provision (2022-06-07): €6.5bn vs €7bn."


def test_votes_of_two_candidates_do_not_differ() -> None:
    figures = F.extract(
        [
            _sentence("Ms Ade received 9,000 votes.", TUE, "a"),
            _sentence("Mr Obi received 7,000 votes.", TUE, "b"),
        ]
    )
    assert {f.counts for f in figures} == {"votes received (Ade)", "votes received (Obi)"}
    assert F.conflicts(figures) == []


def test_magnitudes_reported_on_different_days_differ() -> None:
    figures = F.extract(
        [
            _sentence("A magnitude 6.8 earthquake struck on Friday night.", MON, "a"),
            _sentence("The magnitude 7.2 quake flattened villages.", TUE, "b"),
            _sentence("The 1960 quake had a magnitude of 9.5, the strongest on record.", TUE, "c"),
        ]
    )
    (conflict,) = F.conflicts(figures)
    assert (conflict.counts, [f.value for f in conflict.values], conflict.as_of) == (
        "magnitude",
        [6.8, 7.2],
        "2022-06-07",
    )


def test_two_articles_of_one_outlet_do_not_differ() -> None:
    figures = F.extract(
        [
            _sentence("The blast killed 12 people in Aleppo on Monday.", TUE, "a"),
            _sentence("The blast killed 14 people in Aleppo on Monday.", TUE, "b"),
        ]
    )
    assert F.conflicts(figures, {"a": "Wire", "b": "wire"}) == []
    assert len(F.conflicts(figures, {"a": "Wire", "b": None})) == 1


# ---------------------------------------------------------------- a toll that rises


def _story() -> tuple[list[Figure], dict[str, str]]:
    """Figures of the made-up Velmora quake (tests/data/figures/quake_*.txt) and each article's outlet."""
    names = json.loads((DATA / "outlets.json").read_text(encoding="utf-8"))
    articles = ingest.load([DATA / n for n in names])
    assert len(articles) == len(names)
    outlets = {a.id: names[Path(a.path).name] for a in articles}
    return F.extract(sentences.split_all(articles)), outlets


def test_a_rising_toll_is_one_row_with_its_course() -> None:
    figures, outlets = _story()
    rows = F.key_figures(figures, dt.date(2022, 6, 8), outlets=outlets)
    killed = [f for f in rows if f.counts == "killed"]
    assert len(killed) == 1 and rows[0] is killed[0]
    (toll,) = killed
    assert (toll.value, toll.where) == (7800, "Velmora")
    assert toll.course == (("2022-06-06", 1500), ("2022-06-07", 4000), ("2022-06-08", 7800))
    assert F.course_text(toll) == "Mon 1,500 → Tue 4,000 → Wed 7,800"
    cited = {(c.source, c.sentence) for c in toll.citations}
    assert all(any(str(v)[:1] in c.quote for c in toll.citations) for _, v in toll.course) and len(cited) >= 4


def test_story_figures_other_events_and_places_stay_out() -> None:
    figures, outlets = _story()
    rows = F.key_figures(figures, dt.date(2022, 6, 8), outlets=outlets)
    values = {f.value for f in rows}
    assert 3000 not in values, "the 1998 quake"
    assert 45 not in values, "deaths in another country"
    assert {(f.value, f.unit) for f in rows} >= {(2_500_000_000, "EUR"), (7.4, "magnitude"), (12, "%")}
    (money,) = [f for f in rows if f.unit == "EUR" and f.value == 2_500_000_000]
    assert len({outlets[c.source] for c in money.citations}) == 2


def test_story_conflicts_are_only_the_real_one() -> None:
    figures, outlets = _story()
    found = F.conflicts(figures, outlets)
    assert [(c.counts, c.where, c.as_of, [f.value for f in c.values]) for c in found] == [
        ("killed", "Velmora", "2022-06-08", [7800, 7900])
    ]
    (low, high) = found[0].values
    # The Wire's "rose to 7,800" is a running count, so only the Times' exact 7,800 stands against it.
    assert {outlets[c.source] for c in low.citations} == {"Times"}
    assert {outlets[c.source] for c in high.citations} == {"Herald"}


@pytest.mark.parametrize(
    "text",
    [
        "The death toll rose to 57 on Monday.",
        "The ministry gave an updated toll of 57 dead.",
        "A preliminary count showed 57 people were killed.",
    ],
)
def test_a_toll_said_to_rise_is_a_running_count(text: str) -> None:
    figure = _one(text)
    assert (figure.value, figure.counts, figure.cumulative) == (57, "killed", True)
    other = F.extract([_sentence(text.replace("57", "60"), article="b")])
    assert F.conflicts([figure, *other]) == []


def test_an_earlier_years_event_dates_its_figures() -> None:
    figure = _one("It was the strongest since a 2004 tremor in the north killed 600 people.", MON)
    assert figure.as_of == "2004" and not F.is_current(figure, MON)
    assert _one("Acme won the 2022 contract and hired 300 workers.", MON).as_of == "2022-06-06"


def test_a_toll_of_an_earlier_day_is_read_on_the_reports_day() -> None:
    late = _one("The attacks on Friday night have now killed 130 people.", TUE)
    assert late.as_of == "2022-06-07"
    assert _one("The death toll stood at 129 on Monday.", TUE).as_of == "2022-06-06"
    assert _one("Police arrested 14 people on Monday.", TUE).as_of == "2022-06-06"


def test_an_earlier_event_in_a_relative_clause_keeps_its_year() -> None:
    figure = _one("Until now the worst disaster was the 2002 Kelso crash, which killed 129 people.", MON)
    assert figure.as_of == "2002"


def test_the_whole_of_a_partitive_is_not_the_verbs_count() -> None:
    assert F.extract([_sentence("Four of the six crew members were killed.")]) == []
    assert _pick(F.extract([_sentence("Police named five of the seven dead assailants.")]), 7, "attackers")


def test_deaths_this_year_are_a_running_count_to_the_articles_day() -> None:
    figure = _one("The outbreak has killed 548 people this year.", MON)
    assert (figure.as_of, figure.cumulative) == ("2022-06-06", True)


def test_a_part_and_the_whole_do_not_differ() -> None:
    figures = F.extract(
        [
            _sentence("The crash killed 6 people on Sunday.", MON, "a"),
            _sentence("The crash killed 96 people on Sunday.", MON, "b"),
            _sentence("The crash killed 90 people on Sunday.", MON, "c"),
        ]
    )
    (conflict,) = F.conflicts(figures)
    assert [f.value for f in conflict.values] == [90, 96]


def test_a_running_count_of_two_days_is_one_row() -> None:
    figures = F.extract(
        [
            _sentence("Police have made 80 arrests since Friday.", MON, "a"),
            _sentence("Police have made 127 arrests since Friday.", TUE, "b"),
        ]
    )
    rows = [f for f in F.key_figures(figures, TUE) if f.counts == "arrests"]
    assert [(f.value, f.cumulative, f.course) for f in rows] == [
        (127, True, (("2022-06-06", 80), ("2022-06-07", 127)))
    ]


def test_one_key_row_per_sum_of_money_and_per_magnitude() -> None:
    figures = F.extract(
        [
            _sentence("Customers withdrew $42bn in deposits on Monday.", TUE, "a"),
            _sentence("The run cost the bank $42 billion on Monday.", TUE, "b"),
            _sentence("The run drained $42bn of deposits on Monday.", TUE, "c"),
            _sentence("A magnitude 6.8 quake struck on Monday.", TUE, "a"),
            _sentence("The magnitude 7.2 quake struck on Monday.", TUE, "b"),
        ]
    )
    rows = F.key_figures(figures, TUE)
    money = [f for f in rows if f.unit == "USD"]
    assert [(f.value, f.counts, len(f.citations)) for f in money] == [(42_000_000_000, "deposits", 2)]
    assert len([f for f in rows if f.unit == "magnitude"]) == 1


def test_cases_of_an_outbreak_are_one_row_with_their_course() -> None:
    figures = F.extract(
        [
            _sentence("Health officials have recorded 14,000 cases.", MON, "a"),
            _sentence("Health officials have recorded 17,000 cases.", TUE, "b"),
        ]
    )
    (row,) = F.key_figures(figures, TUE)
    assert (row.counts, row.value, row.course) == (
        "cases",
        17_000,
        (("2022-06-06", 14_000), ("2022-06-07", 17_000)),
    )


def test_units_and_courses_survive_the_state_file(tmp_path: Path) -> None:
    figures, outlets = _story()
    rows = tuple(F.key_figures(figures, dt.date(2022, 6, 8), outlets=outlets))
    assert any(f.course for f in rows) and any(f.unit == "EUR" for f in rows)
    brief = Brief(dt.date(2022, 6, 8), "Quake", dt.datetime(2022, 6, 8, tzinfo=dt.UTC), (), (), figures=rows)
    with Store.open(tmp_path / "s.db") as store:
        store.record_brief(brief, {"pdf": tmp_path / "b.pdf", "json": tmp_path / "b.json"})
        assert store.figures(brief.date) == list(rows)
