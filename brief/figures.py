"""Reported figures with what they count, where and when; key figures; and real conflicts.

A figure is a number a source attaches to something it counts or measures
("45 raids", "killed at least 40 people", "a €6.5bn fine", "shares fell 23%",
"a magnitude 7.8 quake"; see :mod:`brief.quantities`). Each is tied to the place
its own clause names and to the day, night or span its own words give, resolved
against the article's date, so that a nightly series (raids per night), a running
count ("since Friday night", a toll that "rose to"), a toll read again the next day
or another event named in passing (a bombing years ago, an attack elsewhere) never
passes for a disagreement between outlets. A tally read on several days becomes one
key-figure row with its course (1,500 → 4,000 → 7,800).

Pure text: regexes and a small number-word parser, no models.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from brief.dates import last_weekday, month_number
from brief.quantities import NUMBER_RE, WORD, Mention, amounts, classify, display, measure, parse_number
from brief.records import Citation, Conflict, Figure, Sentence

__all__ = [
    "CASUALTIES", "KEY_COUNTS", "TALLIES", "as_of_span", "conflicts", "course_text", "display", "display_value",
    "event_places", "extract", "is_current", "is_exact", "key_figures", "label", "parse_number",
    "qualifier", "series",
]  # fmt: skip

log = logging.getLogger(__name__)

# Counts of people that are always worth a "Key figures" line, in the order it shows them.
KEY_COUNTS: tuple[str, ...] = (
    "killed", "wounded", "missing", "homeless", "displaced", "rescued", "raids", "arrests", "searches", "troops",
)  # fmt: skip
# At most this many key-figure rows of one quantity (a nightly series, tallies of several places).
ROWS_PER_QUANTITY = 3
# Counts that belong to one incident, so a figure placed elsewhere is another event.
CASUALTIES: frozenset[str] = frozenset({"killed", "wounded"})
# Tallies of one event that sources revise as they learn more: a new day's reading is the
# same quantity's next value (a toll that rises), not another event or a disagreement.
TALLIES: frozenset[str] = frozenset(
    {"killed", "wounded", "missing", "homeless", "displaced", "rescued", "cases"}
)

# ---------------------------------------------------------------- numbers

_QUALIFIER = (
    r"at least|more than|no fewer than|no less than|upwards of|in excess of|well over|just over|over|"
    r"almost|nearly|up to|as many as|as much as|no more than|at most|fewer than|less than|just under|"
    r"some|about|around|roughly|approximately|an estimated|estimated|close to"
)
_QUALIFIER_BEFORE = re.compile(rf"(?i)\b({_QUALIFIER})\s+$")
_QUALIFIER_IN_TEXT = re.compile(rf"(?i)\b({_QUALIFIER})\s+(?=\d|[$€£¥]|(?:{WORD})\b)")


# ---------------------------------------------------------------- when

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(1[89]\d\d|20\d\d)"
_STATEMENT = re.compile(
    r"(?i)\b(?:said|says|told(?:\s+\w+){0,2}|announced|reported|added|confirmed|stated)\s+$"
)


@dataclass(frozen=True)
class _Time:
    """A time expression in a sentence, resolved against an anchor day."""

    start: int
    end: int
    as_of: str | None
    cumulative: bool
    statement: bool
    attributive: bool


_Resolver = Callable[[re.Match[str], dt.date | None], str | None]


def _iso(day: dt.date | None) -> str | None:
    """A date as ISO text, None stays None."""
    return day.isoformat() if day else None


def _night(day: dt.date | None) -> str | None:
    """The night that ends on the morning of ``day``: "D-1/D"."""
    return f"{day - dt.timedelta(days=1)}/{day}" if day else None


def _weekday(name: str, anchor: dt.date | None) -> dt.date | None:
    """The most recent such weekday on or before the anchor."""
    return last_weekday(anchor, name) if anchor else None


def _month_day(month: str, day: str, year: str | None, anchor: dt.date | None) -> dt.date | None:
    """A calendar date; without a year, the anchor's year unless that puts it half a year ahead."""
    base = int(year) if year else anchor.year if anchor else None
    if base is None:
        return None
    try:
        found = dt.date(base, month_number(month), int(day))
    except ValueError:
        return None
    if not year and anchor and (found - anchor).days > 180:
        found = found.replace(year=base - 1)
    return found


def _period(word: str, unit: str, anchor: dt.date | None) -> str | None:
    """ "last week", "this month", "past year" as a span, month or year."""
    if not anchor:
        return None
    if unit == "year":
        return str(anchor.year - (word == "last"))
    if unit == "month":
        first = anchor.replace(day=1)
        month = first - dt.timedelta(days=1) if word == "last" else first
        return f"{month.year:04d}-{month.month:02d}"
    monday = anchor - dt.timedelta(days=anchor.weekday())
    if word == "last":
        return f"{monday - dt.timedelta(days=7)}/{monday - dt.timedelta(days=1)}"
    start = anchor - dt.timedelta(days=7) if word == "past" else monday
    return f"{start}/{anchor}"


def _days_back(m: re.Match[str], anchor: dt.date | None) -> str | None:
    """ "two days earlier", "a week ago"."""
    count = 1 if m["n"].lower() in ("a", "an") else parse_number(m["n"])
    if not anchor or count is None:
        return None
    days = count * (7 if m["unit"].lower().startswith("week") else 1)
    return _iso(anchor - dt.timedelta(days=days))


def _relative_day(word: str, anchor: dt.date | None) -> str | None:
    """ "yesterday" is the day before the anchor; "today", "this morning" the anchor."""
    if not anchor:
        return None
    return _iso(anchor - dt.timedelta(days=1 if word.lower() == "yesterday" else 0))


_SINCE_WHAT = (
    rf"(?:last\s+)?(?:{_WEEKDAY})(?:\s+(?:night|morning|afternoon|evening))?|"
    rf"{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|(?:{_MONTH_FULL})|\d{{4}}|"
    r"the\s+(?:attacks?|bombings?|shootings?|start|beginning)|yesterday|last\s+(?:week|month|year)"
)
# Earlier patterns win where matches overlap; each resolver reads a match and the anchor day.
_TIME_PATTERNS: tuple[tuple[str, bool, _Resolver], ...] = (
    (rf"\bsince\s+(?:{_SINCE_WHAT})\b", True, lambda m, a: _iso(a)),
    (r"(?i)\b(?:so far|to date|thus far|in total)\b", True, lambda m, a: _iso(a)),
    (r"(?i)\b(?:overnight|last night|during the night|in the night)\b", False, lambda m, a: _night(a)),
    (
        rf"\b(?:on\s+)?(?:last\s+)?(?P<wd>{_WEEKDAY})\s+night\b",
        False,
        lambda m, a: _night(d + dt.timedelta(days=1)) if (d := _weekday(m["wd"], a)) else None,
    ),
    (
        rf"\b(?:on\s+)?(?P<mo>{_MONTH})\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?",
        False,
        lambda m, a: _iso(_month_day(m["mo"], m[2], m[3], a)),
    ),
    (
        rf"\b(?:on\s+)?{_DAY}\s+(?P<mo>{_MONTH})(?:\s+{_YEAR})?\b",
        False,
        lambda m, a: _iso(_month_day(m["mo"], m[1], m[3], a)),
    ),
    (rf"\b(?:in\s+)?(?P<mo>{_MONTH})\s+{_YEAR}\b", False, lambda m, a: f"{m[2]}-{month_number(m['mo']):02d}"),
    (
        rf"\b(?:in|during|since|until|by|early|late|mid-?)\s+(?:early\s+|late\s+|mid-?)?"
        rf"(?P<mo>{_MONTH_FULL})\b",
        False,
        lambda m, a: _month_only(m["mo"], a),
    ),
    (rf"\b(?:in|during|until|by|of|from|before|after)\s+{_YEAR}\b", False, lambda m, a: m[1]),
    # "a 2004 tremor ... killed 600": an earlier year's event dates the figures of its clause.
    (
        rf"\b(?:[Aa]|[Aa]n|[Tt]he)\s+{_YEAR}(?=\s+[A-Za-z])",
        False,
        lambda m, a: m[1] if a and int(m[1]) < a.year else None,
    ),
    (
        r"(?i)\b(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?P<unit>days?|weeks?)\s+"
        r"(?:ago|earlier|before)\b",
        False,
        _days_back,
    ),
    (
        r"(?i)\b(?P<w>last)\s+(?P<u>week|month|year)\b",
        False,
        lambda m, a: _period(m["w"].lower().split()[-1], m["u"].lower(), a),
    ),
    # "548 deaths this year" is a running count to the article's day, like "so far".
    (r"(?i)\b(?:so\s+far\s+)?(?:this|earlier this)\s+(?:week|month|year)\b", True, lambda m, a: _iso(a)),
    (
        r"(?i)\b(?:earlier\s+)?(?P<w>yesterday|today|tonight|this morning|this afternoon|this evening)\b",
        False,
        lambda m, a: _relative_day(m["w"], a),
    ),
    (
        rf"\b(?:on\s+|last\s+)?(?P<wd>{_WEEKDAY})(?:\s+(?:morning|afternoon|evening))?\b",
        False,
        lambda m, a: _iso(_weekday(m["wd"], a)),
    ),
)
_TIME_RES = tuple((re.compile(p), cumulative, resolve) for p, cumulative, resolve in _TIME_PATTERNS)


def _month_only(name: str, anchor: dt.date | None) -> str | None:
    """ "in April": that month of the anchor's year, or of the year before if it lies ahead."""
    if not anchor:
        return None
    month = month_number(name)
    year = anchor.year - (month > anchor.month)
    return f"{year:04d}-{month:02d}"


def _attributive(text: str, start: int, end: int) -> bool:
    """A time that names an event ("last week's attacks", "the November 13 attacks") times no figure."""
    if re.match(r"(?:'s|’s|-\w)", text[end:]):
        return True
    return bool(re.search(r"\bthe\s+$", text[:start]) and re.match(r"\s+[a-z]", text[end:]))


def _find_times(text: str) -> list[tuple[re.Match[str], bool, _Resolver]]:
    """Every time expression, earlier patterns first, without overlaps."""
    taken: list[tuple[int, int]] = []
    found = []
    for regex, cumulative, resolve in _TIME_RES:
        for m in regex.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append(m.span())
            found.append((m, cumulative, resolve))
    return sorted(found, key=lambda item: item[0].start())


def _times(text: str, published: dt.date | None) -> list[_Time]:
    """Resolve the sentence's times; "said on Monday" moves the anchor of the rest to Monday."""
    raw = _find_times(text)
    anchor = published
    for m, cumulative, resolve in raw:
        if _STATEMENT.search(text[: m.start()]) and not cumulative:
            day = resolve(m, published)
            if day and len(day) == 10:
                anchor = dt.date.fromisoformat(day)
                break
    return [
        _Time(
            m.start(),
            m.end(),
            resolve(m, anchor),
            cumulative,
            bool(_STATEMENT.search(text[: m.start()])),
            _attributive(text, m.start(), m.end()),
        )
        for m, cumulative, resolve in raw
    ]


# ---------------------------------------------------------------- clauses and places

# Strong boundaries end a clause; time words do not cross them.
_STRONG = (
    r";|\s--\s|\s?[—–]\s?|[()]|\s(?=(?:while|but|whereas)\s)"
    r"|,\s+(?=(?:while|but|whereas|although|though|as|adding|saying|which|who)\b)"
)
_COMMA = _STRONG + r"|,(?!\d)"  # not the comma of "3,000"
# Places do not cross "and" either: "air strikes in Ruritania and searched 20 homes".
_PHRASE = _COMMA + r"|\s(?=and\s)"
_PLACE_RE = re.compile(
    r"\b(?:[Ii]n|[Aa]cross|[Tt]hroughout)\s+(?:the\s+(?:[A-Za-z-]+\s+)?(?:city|capital|town|village|region|"
    r"province|district|state|country|county|island|area|municipality)\s+of\s+|(?P<the>the\s+))?"
    r"(?P<name>[A-Z][\w'’.-]*[\w](?:\s+[A-Z][\w'’.-]*[\w])*)"
)
# After "in the", a name followed by a content word is a modifier ("in the Lyon attacks"), not a place.
_FUNCTION_WORDS = frozenset(
    "and or but to on of in at for with by from since as after before is was were are has have had that "
    "which who where when while".split()
)
_NOT_PLACES = frozenset(_MONTH_FULL.split("|") + _WEEKDAY.split("|"))


def _chunk(text: str, pattern: str, pos: int) -> tuple[int, int]:
    """The span between the boundaries (of ``pattern``) around ``pos``."""
    start, end = 0, len(text)
    for m in re.finditer(pattern, text):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


def _distance(span: tuple[int, int], other: tuple[int, int]) -> int:
    """Characters between two spans, 0 when they touch or overlap."""
    return max(0, other[0] - span[1], span[0] - other[1])


def _modifier(text: str, m: re.Match[str]) -> bool:
    """Whether "in the <Name>" is followed by a content word, which makes the name a modifier."""
    nxt = re.match(r"\s+([a-z]+)", text[m.end() :])
    return bool(m["the"] and nxt and nxt[1] not in _FUNCTION_WORDS)


def _places(text: str, lo: int, hi: int, span: tuple[int, int]) -> list[tuple[int, str]]:
    """Places named by "in <Name>" between ``lo`` and ``hi``, with their distance to ``span``."""
    return [
        (_distance(span, m.span("name")), m["name"].rstrip("'’").removesuffix("’s").removesuffix("'s"))
        for m in _PLACE_RE.finditer(text, lo, hi)
        if re.sub(r"['’]s$", "", m["name"].split()[0]) not in _NOT_PLACES
        and not _modifier(text, m)
        # "shares in Acme", "a stake in Acme": a company, not a place.
        and not re.search(r"(?i)\b(?:shares?|stakes?|stock|invest\w*)\s+$", text[: m.start()])
    ]


def _where(text: str, span: tuple[int, int]) -> str | None:
    """The nearest "in <Capitalised Name>" in the figure's phrase, else a clause-opening "In <Name>,"."""
    places = _places(text, *_chunk(text, _PHRASE, span[0]), span)
    if places:
        return min(places)[1]
    lo, hi = _chunk(text, _STRONG, span[0])
    opening = _PLACE_RE.match(text, lo + len(text[lo:hi]) - len(text[lo:hi].lstrip()))
    if opening and re.match(r"\s*,", text[opening.end() :]) and opening.end() <= span[0]:
        found = _places(text, opening.start(), opening.end(), span)
        return found[0][1] if found else None
    return None


def named_places(text: str) -> frozenset[str]:
    """Every place a sentence names with "in <Name>" (used to keep apart figures of different places).

    Args:
        text: a sentence.

    Returns:
        The place names.
    """
    return frozenset(name for _, name in _places(text, 0, len(text), (0, 0)))


def _when(
    text: str, span: tuple[int, int], times: list[_Time], anchor: str | None, counts: str = ""
) -> tuple[str | None, bool]:
    """The figure's own time: nearest in its comma chunk, else in its clause, else the anchor day.

    "arrested in Sunday's raids" names the day of the arrests; a tally ("killed in
    Friday's attacks") is still the count as the source knew it on its own day.
    """
    usable = [t for t in times if not t.attributive and not t.statement and (t.as_of or anchor is None)]
    for pattern in (_COMMA, _STRONG):
        lo, hi = _chunk(text, pattern, span[0])
        if pattern == _STRONG and re.match(r"[\s,]*(?:which|that|who)\b", text[lo:]):
            # "the 2002 crash, which killed 129": the relative clause takes its antecedent's time.
            lo = _chunk(text, _STRONG, max(0, lo - 2))[0]
        near = [t for t in usable if lo <= t.start and t.end <= hi]
        if near:
            best = min(near, key=lambda t: _distance(span, (t.start, t.end)))
            return best.as_of, best.cumulative
        if pattern == _COMMA and counts not in TALLIES:
            named = [
                t
                for t in times
                if t.attributive
                and t.as_of
                and span[1] <= t.start < hi
                and re.search(r"(?i)\b(?:in|during|at|from|after)\s+(?:the\s+)?$", text[: t.start])
            ]
            if named:
                return min(named, key=lambda t: t.start).as_of, False
    return anchor, False


# ---------------------------------------------------------------- extraction

_MASKS = (
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b",
    r"(?i)\b\d{1,2}(?:\.\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)",
    r"(?i)\b\d+\s+years?\s+old\b|\baged\s+\d+",
    r"[A-Z][\w'’-]+,\s+\d{1,3},",
    r"\b(?:Article|Section|Chapter|Resolution|Flight|No\.|Number|Room|Route|Highway|Paragraph)\s+\d+",
)


def _masked(text: str, times: list[_Time]) -> list[tuple[int, int]]:
    """Spans whose digits are dates, times, ages or labels rather than counts."""
    spans = [(t.start, t.end) for t in times]
    for pattern in _MASKS:
        spans.extend(m.span() for m in re.finditer(pattern, text))
    return spans


def _mentions(text: str, masked: list[tuple[int, int]]) -> list[Mention]:
    """Numbers that may count something, each with its qualifier."""
    found = []
    for m in NUMBER_RE.finditer(text):
        start, end = m.span()
        if any(s <= start < e for s, e in masked) or _not_a_count(text, start, end):
            continue
        raw = m["num"] + (f" {m['scale']}" if m["scale"] else "")
        value = parse_number(raw)
        if value is None:
            continue
        qual = _QUALIFIER_BEFORE.search(text[:start])
        year = bool(re.fullmatch(r"1[89]\d\d|20\d\d", m["num"]))
        whole = bool(re.search(r"(?i)\b(?:of|among)\s+(?:the|its|their)\s+$", text[:start]))
        found.append(Mention(qual.start() if qual else start, start, end, value, year, whole))
    return found


def _not_a_count(text: str, start: int, end: int) -> bool:
    """Hyphenated compounds ("30-year-old"), partitives ("five of"), "no one"."""
    if text[end : end + 1] in ("-", "‑") or re.match(r"\s+of\b", text[end:]):
        return True
    return bool(re.search(r"(?i)\bno\s+$", text[:start]))


def _from_sentence(sentence: Sentence) -> list[Figure]:
    """The figures of one sentence: counts, money, percentages and magnitudes."""
    text = sentence.text
    times = _times(text, sentence.published)
    statement = next((t.as_of for t in times if t.statement and t.as_of and len(t.as_of) == 10), None)
    anchor = statement or _iso(sentence.published)
    found: list[tuple[int, int, float, str | None, str, int, int]] = []
    with_units = [a for a in amounts(text) if not any(t.start <= a.start < t.end for t in times)]
    for a in with_units:
        measured = measure(text, a, _chunk(text, _STRONG, a.start))
        if measured:
            lo = measured.start
            qual = _QUALIFIER_BEFORE.search(text[: min(lo, a.start)])
            found.append((a.start, a.end, measured.value, a.unit, measured.counts, qual.start() if qual else lo,
                          measured.end))  # fmt: skip
    masked = _masked(text, times) + [(a.start, a.end) for a in with_units]
    for mention in _mentions(text, masked):
        counted = classify(text, mention)
        if counted:
            counts, lo, hi = counted
            found.append((mention.num_start, mention.end, mention.value, None, counts, lo, hi))
    figures = []
    for start, end, value, unit, counts, lo, hi in sorted(found):
        as_of, cumulative = _when(text, (start, end), times, anchor, counts)
        cumulative = cumulative or (counts in TALLIES and _running(text, start))
        if counts in TALLIES and _event_day(as_of, anchor) and not _TOLL_WORDS.search(text[lo:hi]):
            # "The attacks on November 13 have now killed 130": the day is the event's; the count
            # is what the source knew on its own day, so a later report reads as the toll's next value.
            as_of = anchor
        figures.append(
            Figure(
                value=value,
                counts=counts,
                where=_where(text, (start, end)),
                as_of=as_of,
                citations=(Citation.of(sentence),),
                cumulative=cumulative,
                text=text[lo:hi].strip(),
                unit=unit,
            )
        )
    return figures


# A toll that "rose to" a value, or an "updated" or "preliminary" one, is a running count: another
# outlet's different number that day is an earlier or later reading, not a disagreement.
_RUNNING = re.compile(
    r"(?i)\b(?:rose|risen|rises|rising|climbed|climbs|jumped|increased|raised|mounted|grew|updated|"
    r"preliminary|provisional|initial|latest|revised|neared|nearing|approached|approaching|passed|topped|"
    r"exceeded|surpassed)\b"
)
_RUNNING_TOLL = re.compile(
    r"(?i)\b(?:updated|preliminary|provisional|initial|latest|revised)\s+(?:\w+\s+){0,2}toll"
)


_TOLL_WORDS = re.compile(r"(?i)\btoll\b|\bnumber of (?:dead|deaths|people killed)\b|\bstood at\b")


def _event_day(as_of: str | None, anchor: str | None, days: int = 7) -> bool:
    """Whether ``as_of`` is a day or night in the week before the anchor day (an event, not a reading)."""
    covered, day = as_of_span(as_of), as_of_span(anchor)
    if not covered or not day or not as_of or len(as_of.split("/")[0]) != 10:
        return False
    return day[0] - dt.timedelta(days=days) <= covered[1] < day[0]


def _running(text: str, start: int) -> bool:
    """Whether a tally's clause, before its number, or its sentence's toll is called a running count."""
    lo, _ = _chunk(text, _COMMA, start)
    return bool(_RUNNING.search(text, lo, start) or _RUNNING_TOLL.search(text))


def extract(sentences: Sequence[Sentence]) -> list[Figure]:
    """Find every reported figure with what it counts, where and when.

    A figure's time comes from its own clause, resolved against the article's
    date (``Sentence.published``): "overnight" is the night before, "on Monday"
    the latest Monday, "since Friday night" a running count (``cumulative``) as of
    the article's day, "in 1998" or "last month" another time. A figure whose
    sentence gives no time is as of its article's date: what the source reported
    that day.

    Args:
        sentences: sentences of one or more articles, each with its ``published`` date.

    Returns:
        The figures in sentence order, each citing the sentence it came from.
    """
    figures = [f for s in sentences for f in _from_sentence(s)]
    log.debug("extracted %d figures from %d sentences", len(figures), len(sentences))
    return figures


# ---------------------------------------------------------------- reading figures


def qualifier(figure: Figure) -> str | None:
    """The bound or hedge the source put on a figure.

    Args:
        figure: a figure from :func:`extract`.

    Returns:
        e.g. "at least", "more than", "almost", "up to", "some", lower-cased; None when exact.
    """
    hit = _QUALIFIER_IN_TEXT.search(figure.text)
    return hit[1].lower() if hit else None


def is_exact(figure: Figure) -> bool:
    """Whether a figure is one exact count for its own time (no bound, no running total).

    Args:
        figure: a figure from :func:`extract`.

    Returns:
        True when it carries no qualifier and is not cumulative.
    """
    return qualifier(figure) is None and not figure.cumulative


def display_value(figure: Figure) -> str:
    """A figure's value as the brief prints it: "41,000", "11 million", "€6.5bn", "-23%", "7.8".

    Args:
        figure: any figure.

    Returns:
        The value with its unit.
    """
    return display(figure.value, figure.unit)


def label(figure: Figure) -> str:
    """A short reading of a figure, e.g. "at least 40 killed in Lyon", "€6.5bn fine".

    Args:
        figure: any figure.

    Returns:
        The qualifier, value, what it counts and, when known, the place.
    """
    qual = qualifier(figure)
    place = f" in {figure.where}" if figure.where else ""
    return f"{qual + ' ' if qual else ''}{display_value(figure)} {figure.counts}{place}"


def course_text(figure: Figure, year: int | None = None) -> str:
    """A tally's course for print: "Mon 1,500 → Tue 4,000 → Wed 7,800".

    Days within one week are named by weekday, older ones by date ("6 Feb").

    Args:
        figure: a key figure; its ``course`` may be empty.
        year: the brief's year, left out of dates that fall in it.

    Returns:
        The readings oldest first, or "" when the figure has no course.
    """
    days = [(as_of_span(as_of), value) for as_of, value in figure.course]
    known = [(span[1], value) for span, value in days if span]
    if len(known) < 2:
        return ""
    weekly = (known[-1][0] - known[0][0]).days < 7
    parts = []
    for day, value in known:
        when = day.strftime("%a") if weekly else f"{day.day} {day.strftime('%b')}"
        when += f" {day.year}" if not weekly and year and day.year != year else ""
        parts.append(f"{when} {display(value, figure.unit)}")
    return " → ".join(parts)


def as_of_span(as_of: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day an ``as_of`` covers.

    Args:
        as_of: "YYYY", "YYYY-MM", "YYYY-MM-DD" or "START/END" of those.

    Returns:
        (first day, last day), or None for None or unreadable text.
    """
    if not as_of:
        return None
    first, _, last = as_of.partition("/")
    try:
        return _bounds(first)[0], _bounds(last or first)[1]
    except ValueError:
        return None


def _bounds(part: str) -> tuple[dt.date, dt.date]:
    """First and last day of a year, a month or a day."""
    pieces = [int(p) for p in part.split("-")]
    if len(pieces) == 1:
        return dt.date(pieces[0], 1, 1), dt.date(pieces[0], 12, 31)
    if len(pieces) == 2:
        nxt = dt.date(pieces[0] + pieces[1] // 12, pieces[1] % 12 + 1, 1)
        return dt.date(pieces[0], pieces[1], 1), nxt - dt.timedelta(days=1)
    day = dt.date(*pieces)
    return day, day


def _recent(figure: Figure, brief_date: dt.date, days: int) -> bool:
    """Whether the whole time of a figure lies in the ``days`` before the brief's date."""
    covered = as_of_span(figure.as_of)
    if covered is None:
        return figure.as_of is None
    return brief_date - dt.timedelta(days=days) <= covered[0] and covered[1] <= brief_date


def event_places(figures: Iterable[Figure], brief_date: dt.date, *, days: int = 7) -> frozenset[str]:
    """The place(s) the current event's casualty figures name most often.

    Args:
        figures: figures from :func:`extract`.
        brief_date: the brief's date.
        days: how far back the current event reaches.

    Returns:
        The most named place(s) among recent killed/wounded figures; empty when none names one.
    """
    named = Counter(
        f.where for f in figures if f.counts in CASUALTIES and f.where and _recent(f, brief_date, days)
    )
    if not named:
        return frozenset()
    top = max(named.values())
    return frozenset(p for p, n in named.items() if n == top)


def is_current(figure: Figure, brief_date: dt.date, places: Collection[str] = (), *, days: int = 7) -> bool:
    """Whether a figure is about the current event rather than another time or incident.

    Args:
        figure: a figure from :func:`extract`.
        brief_date: the brief's date.
        places: the current event's places (see :func:`event_places`); a casualty
            figure placed elsewhere belongs to another incident. Empty: no place check.
        days: how far back the current event reaches.

    Returns:
        False for a figure of another year, month or older span ("in 1998",
        "last month"), one dated after the brief, or casualties placed elsewhere.
    """
    if not _recent(figure, brief_date, days):
        return False
    return not (places and figure.counts in CASUALTIES and figure.where and figure.where not in places)


# ---------------------------------------------------------------- conflicts and key figures


def _merge(figures: Sequence[Figure]) -> Figure:
    """One figure with the citations of all, first text kept."""
    seen: dict[tuple[str, int], Citation] = {}
    for f in figures:
        for c in f.citations:
            seen.setdefault((c.source, c.sentence), c)
    return replace(figures[0], citations=tuple(seen.values()))


def _sources(figure: Figure) -> set[str]:
    """The articles a figure is cited from."""
    return {c.source for c in figure.citations}


def _outlets(figure: Figure, outlets: Mapping[str, str | None]) -> set[str]:
    """The outlets a figure is cited from; an article of unknown outlet stands for itself."""
    return {(outlets.get(c.source) or c.source).casefold() for c in figure.citations}


def _placed_apart(a: Figure, b: Figure) -> bool:
    """Whether two unplaced figures' sentences name only different places (deaths in two cities)."""
    here = {p for c in a.citations for p in named_places(c.quote)}
    there = {p for c in b.citations for p in named_places(c.quote)}
    return bool(here and there and not here & there)


def _disagree(by_value: Mapping[float, Figure], outlets: Mapping[str, str | None]) -> bool:
    """Two close values given by two different outlets about the same place."""
    values = list(by_value.values())
    pairs = [(a, b) for i, a in enumerate(values) for b in values[i + 1 :] if _comparable(a.value, b.value)]
    return any(
        x != y and not (a.where is None and _placed_apart(a, b))
        for a, b in pairs
        for x in _outlets(a, outlets)
        for y in _outlets(b, outlets)
    )


def _comparable(a: float, b: float) -> bool:
    """Two values close enough to be readings of one quantity: within a factor of two."""
    low, high = sorted((abs(a), abs(b)))
    return high <= 2 * low


def _specific(figure: Figure) -> bool:
    """Whether a figure says precisely what it measures; "money" of unknown purpose never conflicts."""
    return figure.counts != "money"


def conflicts(figures: Sequence[Figure], outlets: Mapping[str, str | None] | None = None) -> list[Conflict]:
    """Outlets that give different exact values for the same quantity, place and time.

    Bounds ("at least", "almost") and running totals are not exact, so they never
    conflict; figures of different nights, days or places are different groups, and
    two articles of the same outlet (an update of its own report) never disagree.

    Args:
        figures: figures from :func:`extract`, from any number of articles.
        outlets: article id -> outlet name. An article missing here, or with no
            outlet, counts as an outlet of its own.

    Returns:
        One Conflict per disagreeing group, each value once with all its citations.
    """
    known = outlets or {}
    groups: dict[tuple[str, str | None, str | None, str | None], list[Figure]] = defaultdict(list)
    for f in figures:
        if is_exact(f) and _specific(f) and f.unit == "magnitude":
            # A quake's magnitude is one fact whichever day reports it: only another year is another quake.
            groups[(f.counts, f.unit, None, (f.as_of or "")[:4] or None)].append(f)
        elif is_exact(f) and _specific(f):
            groups[(f.counts, f.unit, f.where, f.as_of)].append(f)
    found = []
    for (counts, unit, where, as_of), group in groups.items():
        if unit == "magnitude":
            as_of = max((f.as_of or "" for f in group), key=lambda a: _newest_of(a)) or None
        values = sorted({f.value for f in group})
        # A value more than twice another is a different count (a part against the whole: six
        # crew among 181 aboard), not a disagreement about the same one.
        close = [v for v in values if any(w != v and _comparable(v, w) for w in values)]
        by_value = {v: _merge([f for f in group if f.value == v]) for v in close}
        if len(by_value) > 1 and _disagree(by_value, known):
            found.append(Conflict(counts, where, as_of, tuple(by_value.values())))
    return sorted(found, key=lambda c: (c.counts, c.where or "", c.as_of or ""))


def _newest(figure: Figure) -> dt.date:
    """The last day a figure covers, for newest-first order."""
    return _newest_of(figure.as_of)


def _newest_of(as_of: str | None) -> dt.date:
    """The last day an ``as_of`` covers; the earliest date for none."""
    covered = as_of_span(as_of)
    return covered[1] if covered else dt.date.min


def _representative(group: Sequence[Figure]) -> Figure:
    """The value most sources give (exact before bounds, then larger), with all their citations."""
    buckets: dict[tuple[float, str | None, bool], list[Figure]] = defaultdict(list)
    for f in group:
        buckets[(f.value, qualifier(f), f.cumulative)].append(f)
    merged = [_merge(b) for b in buckets.values()]
    return max(merged, key=lambda f: (len(_sources(f)), is_exact(f), f.value))


def _reading(figure: Figure) -> tuple[str, float, str | None, str | None, bool]:
    """What makes two rows the same reading: quantity, value, unit, bound, running total."""
    return (figure.counts, figure.value, figure.unit, qualifier(figure), figure.cumulative)


def _fold_restatements(rows: list[Figure]) -> list[Figure]:
    """Fold an older or unplaced repeat of the same reading into the newest placed row."""
    kept: list[Figure] = []
    for row in sorted(rows, key=lambda f: (-_newest(f).toordinal(), f.where is None)):
        same = next(
            (i for i, k in enumerate(kept) if _reading(k) == _reading(row) and row.where in (None, k.where)),
            None,
        )
        if same is None:
            kept.append(row)
        else:
            kept[same] = _merge([kept[same], row])
    return kept


def _day_reading(group: Sequence[Figure], outlets: Mapping[str, str | None]) -> Figure:
    """A tally's reading of one day: the value most outlets give, running or not (exact first, then larger)."""
    buckets: dict[tuple[float, str | None], list[Figure]] = defaultdict(list)
    for f in group:
        buckets[(f.value, qualifier(f))].append(f)
    merged = [_merge(sorted(b, key=lambda f: not is_exact(f))) for b in buckets.values()]
    return max(merged, key=lambda f: (len(_outlets(f, outlets)), is_exact(f), f.value))


def _courses(
    figures: Sequence[Figure], places: Collection[str], outlets: Mapping[str, str | None]
) -> list[Figure]:
    """Each tally as one row: its latest reading, with its course when it changed over the days.

    A toll (1,500 on Monday, 4,000 on Tuesday) and a running total ("127 arrests since
    Sunday") are one quantity read again each day. Each day's reading is the value
    most outlets give that day; an unplaced reading joins the event's place when the
    event has exactly one and its clause names no other.
    """
    home = next(iter(places)) if len(places) == 1 else None
    tallies: dict[tuple[str, str | None, str | None], list[Figure]] = defaultdict(list)
    for f in figures:
        joins = None
        if f.counts in TALLIES and home:
            named = {p for c in f.citations for p in _clause_places(c.quote, f.text)}
            joins = home if not named or home in named else None
        tallies[(f.counts, f.unit, f.where or joins)].append(f)
    rows = []
    for (_, _, where), group in tallies.items():
        by_day: dict[dt.date, list[Figure]] = defaultdict(list)
        for f in group:
            by_day[_newest(f)].append(f)
        days: list[dt.date] = []
        daily: list[Figure] = []
        for day in sorted(by_day):
            reading = _day_reading(by_day[day], outlets)
            # A tally does not halve overnight: a much smaller number is a part ("four crew members").
            if not daily or 2 * reading.value >= max(f.value for f in daily):
                days.append(day)
                daily.append(reading)
        latest = replace(daily[-1], where=daily[-1].where or where)
        if len({f.value for f in daily}) > 1:
            course = tuple((d.isoformat(), f.value) for d, f in zip(days, daily, strict=True))
            rows.append(replace(_merge([latest, *reversed(daily[:-1])]), course=course))
        else:
            rows.append(_merge([latest, *(f for f in group if f.value == latest.value)]))
    return rows


def _one_row_per_amount(rows: list[Figure], outlets: Mapping[str, str | None]) -> list[Figure]:
    """One row per distinct sum of money: "$42bn" read as deposits by one outlet and as cost by another."""
    best: dict[tuple[float, str], Figure] = {}
    for row in rows:
        if row.unit and row.unit not in ("%", "magnitude"):
            key = (row.value, row.unit)
            if key not in best or len(_outlets(row, outlets)) > len(_outlets(best[key], outlets)):
                best[key] = row
    return [
        r for r in rows if not (r.unit and r.unit not in ("%", "magnitude")) or best[(r.value, r.unit)] is r
    ]


def _clause_places(quote: str, text: str) -> frozenset[str]:
    """The places named in the comma chunk of a sentence that holds a figure's words."""
    pos = quote.find(text)
    lo, hi = _chunk(quote, _COMMA, pos) if pos >= 0 and text else (0, len(quote))
    return frozenset(name for _, name in _places(quote, lo, hi, (0, 0)))


def _in_lead(figure: Figure) -> int:
    """How many of a figure's articles give it in their first two sentences."""
    return len({c.source for c in figure.citations if c.sentence < 2})


def _eligible(figure: Figure, support: int) -> bool:
    """People counts always make a key-figure line; money, shares and things need two outlets or a lead."""
    if figure.counts in KEY_COUNTS or figure.unit == "magnitude":
        return True
    return figure.counts != "money" and (support >= 2 or _in_lead(figure) > 0)


def key_figures(
    figures: Sequence[Figure],
    date: dt.date,
    *,
    days: int = 7,
    outlets: Mapping[str, str | None] | None = None,
) -> list[Figure]:
    """The current event's main quantities, for the "Key figures" box.

    Args:
        figures: figures from :func:`extract`.
        date: the brief's date.
        days: how far back the current event reaches.
        outlets: article id -> outlet, so that support is counted in outlets, not articles.

    Returns:
        One figure per reading, citing every source that gives its value. A tally
        read on several days (a rising toll, a running total) is one row, its latest
        reading, with its ``course``; a repeat of the same reading is folded into the
        newest. Casualty tallies come first, then quantities by how many outlets give
        them and how many articles lead with them; a quantity's rows newest first.
    """
    known = outlets or {}
    places = event_places(figures, date, days=days)
    current = [f for f in figures if is_current(f, date, places, days=days)]
    tallies = [f for f in current if f.counts in TALLIES or f.cumulative]
    # A running total and a one-day count of the same day are different readings: keep both.
    groups: dict[tuple[str, str | None, str | None, str | None, bool], list[Figure]] = defaultdict(list)
    for f in current:
        if not (f.counts in TALLIES or f.cumulative):
            groups[(f.counts, f.unit, f.where, f.as_of, f.cumulative)].append(f)
    rows = _fold_restatements([_representative(g) for g in groups.values()]) + _courses(
        tallies, places, known
    )
    support: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    lead: Counter[tuple[str, str | None]] = Counter()
    for row in rows:
        support[(row.counts, row.unit)] |= _outlets(row, known)
        lead[(row.counts, row.unit)] += _in_lead(row)
    rows = [r for r in rows if _eligible(r, len(support[(r.counts, r.unit)]))]
    # A quantity shows its best-supported readings only, so one count cannot fill the box.
    by_quantity: dict[tuple[str, str | None], list[Figure]] = defaultdict(list)

    def best(f: Figure) -> tuple[int, bool, int, int]:
        elsewhere = bool(f.where and places and f.where not in places)
        return (-len(_outlets(f, known)), elsewhere, -_in_lead(f), -_newest(f).toordinal())

    for row in sorted(rows, key=best):
        by_quantity[(row.counts, row.unit)].append(row)
    # Sources differ on a quake's magnitude in the conflicts box; the figures box gives it once.
    rows = [
        r
        for (_, unit), group in by_quantity.items()
        for r in group[: 1 if unit == "magnitude" else ROWS_PER_QUANTITY]
    ]
    rows = _one_row_per_amount(rows, known)

    def rank(f: Figure) -> tuple[int, int, int, str, str, int, str]:
        quantity = (f.counts, f.unit)
        tier = KEY_COUNTS.index(f.counts) if f.counts in CASUALTIES else len(KEY_COUNTS)
        return (tier, -len(support[quantity]), -lead[quantity], f.counts, f.unit or "",
                -_newest(f).toordinal(), f.where or "")  # fmt: skip

    return sorted(rows, key=rank)


def series(figures: Sequence[Figure], counts: str) -> list[Figure]:
    """The exact figures of one quantity, one per day or night, oldest first.

    A nightly tally ("60 raids overnight", then "45 raids overnight") reads as a
    series, not a disagreement.

    Args:
        figures: figures from :func:`extract`.
        counts: the quantity, e.g. "raids".

    Returns:
        One merged figure per (as_of, where), ordered by time.
    """
    groups: dict[tuple[str | None, str | None], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.counts == counts and is_exact(f):
            groups[(f.as_of, f.where)].append(f)
    rows = [_representative(g) for g in groups.values()]
    return sorted(rows, key=lambda f: (_newest(f), f.where or ""))


def event_days(text: str, published: dt.date | None) -> list[dt.date]:
    """The days a sentence says something happened on (not the day it was said), resolved to dates.

    Args:
        text: one sentence.
        published: its article's date, the anchor for "on Sunday", "yesterday", "overnight".

    Returns:
        Single days, in the order the sentence names them; spans and running counts are left out.
    """
    days = []
    for time in _times(text, published):
        if time.statement or time.cumulative or not time.as_of:
            continue
        span = as_of_span(time.as_of)
        # A night ("overnight") is filed under the morning it ends; longer spans name no one day.
        if span is not None and (span[1] - span[0]).days <= 1:
            days.append(span[1])
    return days
