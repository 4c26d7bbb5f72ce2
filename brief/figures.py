"""Reported figures with what they count, where and when; and real conflicts.

A figure is a number a source attaches to a countable thing ("45 raids",
"killed at least 40 people"). Each is tied to the place its own clause names
and to the day, night or span its own words give, resolved against the
article's date, so that a nightly series (raids per night), a running count
("since Friday night") or another event named in passing (a bombing years ago,
an attack elsewhere) never passes for a disagreement between sources.

Pure text: regexes and a small number-word parser, no models.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from brief.dates import last_weekday, month_number
from brief.records import Citation, Conflict, Figure, Sentence

log = logging.getLogger(__name__)

# The quantities worth a "Key figures" line, in the order it shows them.
KEY_COUNTS: tuple[str, ...] = ("killed", "wounded", "raids", "arrests", "searches", "troops")
# Counts that belong to one incident, so a figure placed elsewhere is another event.
CASUALTIES: frozenset[str] = frozenset({"killed", "wounded"})

# ---------------------------------------------------------------- numbers

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD = "|".join([*_SCALES, "dozen", *_TENS, *sorted(_UNITS, key=len, reverse=True)])
# "and" joins number words only after a scale ("one hundred and six"), so
# "seven and five" stays two numbers.
_WORD_NUMBER = (
    rf"(?:an?\s+(?:dozen|hundred|thousand)|(?:{_WORD}))"
    rf"(?:(?:[ -]|(?:(?<=hundred)|(?<=thousand)|(?<=million))\s+and\s+)(?:{_WORD}))*"
)
_DIGIT_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(
    rf"(?<![\w/:.,$€£#-])(?P<num>{_DIGIT_NUMBER}|(?i:\b{_WORD_NUMBER}))"
    r"(?:\s+(?P<scale>million|thousand|billion))?"
    r"(?![\w/:%]|[.,]\d)",
)

_QUALIFIER = (
    r"at least|more than|no fewer than|no less than|upwards of|in excess of|well over|just over|over|"
    r"almost|nearly|up to|as many as|no more than|at most|fewer than|less than|just under|"
    r"some|about|around|roughly|approximately|an estimated|estimated|close to"
)
_QUALIFIER_BEFORE = re.compile(rf"(?i)\b({_QUALIFIER})\s+$")
_QUALIFIER_IN_TEXT = re.compile(rf"(?i)\b({_QUALIFIER})\s+(?=\d|(?:{_WORD})\b)")


def parse_number(text: str) -> int | None:
    """Read a number written in digits or English words.

    Args:
        text: e.g. "12,000", "1.5 million", "seven", "one hundred and six", "a dozen".

    Returns:
        The integer, or None when ``text`` is not a number.
    """
    words = text.lower().replace(",", "").split()
    if not words:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", words[0]):
        scale = _SCALES.get(words[1], 0) if len(words) == 2 else 1 if len(words) == 1 else 0
        return round(float(words[0]) * scale) if scale else None
    return _parse_words(re.split(r"[\s-]+", " ".join(words)))


def _parse_words(tokens: list[str]) -> int | None:
    """Sum number words the way they are spoken: units, tens, then scales."""
    total, current = 0, 0
    for token in tokens:
        if token in ("and", "a", "an"):
            current = 1 if token != "and" and current == 0 else current
        elif token in _UNITS or token in _TENS:
            current += _UNITS.get(token, 0) + _TENS.get(token, 0)
        elif token in ("hundred", "dozen"):
            current = max(current, 1) * (100 if token == "hundred" else 12)
        elif token in _SCALES:
            total, current = total + max(current, 1) * _SCALES[token], 0
        else:
            return None
    return total + current


# ---------------------------------------------------------------- what a number counts

# Words between a number and its noun that do not change what is counted.
_MOD = (
    r"(?:additional|more|other|further|new|extra|fresh|police|security|suspected|alleged|armed|dead|suicide|"
    r"terror|terrorist|key|top|different|separate|military|confirmed|known|[A-Z][a-z]+)"
)
_NOUNS: tuple[tuple[str, str], ...] = (
    ("killed", r"dead|deaths|killed|fatalities"),
    ("wounded", r"wounded|injured|injuries|hurt"),
    ("strikes", r"air ?strikes|air raids|strikes|sorties"),
    ("raids", r"raids"),
    ("searches", r"(?:house |home )?searches"),
    ("house arrest", r"house arrests"),
    ("arrests", r"arrests|arrested|detentions|detainees|detained"),
    ("weapons", r"weapons|firearms|guns"),
    ("troops", r"troops|soldiers|personnel|servicemen|reservists|gendarmes|officers|security forces"),
    ("jets", r"(?:fighter )?jets|aircraft|warplanes|planes"),
    ("attackers", r"attackers|assailants|gunmen|bombers|perpetrators|terrorists"),
    ("suspects", r"suspects"),
    ("nationalities", r"nationalities"),
)
# Verbs right before a number say what it counts: "killed 12 people", "injured 30 more".
_BEFORE: tuple[tuple[str, str], ...] = (
    ("killed", r"killed|killing|kills|kill|(?:death|casualty) toll(?:\s+\w+){0,3}\s+(?:at|to|of|is|was)"),
    ("wounded", r"wounded|wounding|injured|injuring|injures|injure"),
    ("arrests", r"arrested|arresting|detained|detaining|detains"),
    ("searches", r"searched|searching"),
    ("raids", r"raided|raiding"),
)
# Nouns that need a verb to say what they count: "all 90 aboard died", "40 people are under house arrest".
_GENERIC = (
    r"people|persons|person|civilians|individuals|others|men|women|children|passengers|aboard|"
    r"residents|victims|more|homes|houses|premises|properties|addresses|buildings|apartments|flats"
)
_AUX = r"(?:were|was|are|is|have|has|had|been|being|also|reportedly|now|still|later|all|who|that|placed)"
_AFTER: tuple[tuple[str, str], ...] = (
    ("killed", r"killed|died|dead|perished|lost their lives"),
    ("wounded", r"wounded|injured|hurt"),
    ("house arrest", r"under house arrest"),
    ("arrests", r"arrested|detained|taken into custody|in custody"),
    ("searches", r"searched"),
    ("raids", r"raided"),
)
_FROM_NATIONS = re.compile(rf"^\s+(?:{_MOD}\s+){{0,2}}(?:nations|countries)\b")


@dataclass(frozen=True)
class _Mention:
    """A number in a sentence; ``start`` includes its qualifier."""

    start: int
    num_start: int
    end: int
    value: int
    maybe_year: bool


def _classify(text: str, m: _Mention) -> tuple[str, int, int] | None:
    """What a number counts, and the span of its phrase, or None for an uncounted number."""
    before, after = text[: m.start], text[m.end :]
    found = None if m.maybe_year else _verb_before(before)
    if found:
        return found[0], found[1], m.end + _generic_len(after)
    noun = _noun_after(after)
    if noun:
        return noun[0], m.start, m.end + noun[1]
    if m.maybe_year:
        return None
    if re.search(r"\bfrom\s+$", before) and (nat := _FROM_NATIONS.match(after)):
        return "nationalities", m.start, m.end + nat.end()
    verb = _verb_after(after)
    return (verb[0], m.start, m.end + verb[1]) if verb else None


def _verb_before(before: str) -> tuple[str, int] | None:
    """A counting verb that ends right where the number starts."""
    for counts, pattern in _BEFORE:
        hit = re.search(rf"(?i)\b(?:{pattern})\s+$", before)
        if hit:
            return counts, hit.start()
    return None


def _noun_after(after: str) -> tuple[str, int] | None:
    """The longest counted noun after the number, skipping a few modifiers."""
    best: tuple[str, int] | None = None
    for counts, pattern in _NOUNS:
        hit = re.match(rf"\s+(?:{_MOD}\s+){{0,2}}(?:{pattern})\b", after)
        if hit and (best is None or hit.end() > best[1]):
            best = (counts, hit.end())
    return best


def _verb_after(after: str) -> tuple[str, int] | None:
    """A generic noun followed by a counting verb: "40 people are under house arrest"."""
    for counts, pattern in _AFTER:
        hit = re.match(rf"\s+(?:{_MOD}\s+){{0,2}}(?:{_GENERIC})(?:\s+{_AUX}){{0,3}}\s+(?:{pattern})\b", after)
        if hit:
            return counts, hit.end()
    return None


def _generic_len(after: str) -> int:
    """Length of a generic noun right after the number, to keep it in the figure's text."""
    hit = re.match(rf"\s+(?:{_MOD}\s+){{0,2}}(?:{_GENERIC})\b", after)
    return hit.end() if hit else 0


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
    """"last week", "this month", "past year" as a span, month or year."""
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
    """"two days earlier", "a week ago"."""
    count = 1 if m["n"].lower() in ("a", "an") else parse_number(m["n"])
    if not anchor or count is None:
        return None
    days = count * (7 if m["unit"].lower().startswith("week") else 1)
    return _iso(anchor - dt.timedelta(days=days))


def _relative_day(word: str, anchor: dt.date | None) -> str | None:
    """"yesterday" is the day before the anchor; "today", "this morning" the anchor."""
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
    (
        r"(?i)\b(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?P<unit>days?|weeks?)\s+"
        r"(?:ago|earlier|before)\b",
        False,
        _days_back,
    ),
    (
        r"(?i)\b(?P<w>last|this|past|earlier this)\s+(?P<u>week|month|year)\b",
        False,
        lambda m, a: _period(m["w"].lower().split()[-1], m["u"].lower(), a),
    ),
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
    """"in April": that month of the anchor's year, or of the year before if it lies ahead."""
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
_COMMA = _STRONG + r"|,"
# Places do not cross "and" either: "air strikes in Ruritania and searched 20 homes".
_PHRASE = _COMMA + r"|\s(?=and\s)"
_PLACE_RE = re.compile(
    r"\b(?:[Ii]n|[Aa]cross|[Tt]hroughout)\s+(?:the\s+(?:[A-Za-z-]+\s+)?(?:city|capital|town|village|region|"
    r"province|district|state)\s+of\s+|(?P<the>the\s+))?"
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


def _where(text: str, span: tuple[int, int]) -> str | None:
    """The nearest "in <Capitalised Name>" in the figure's phrase, else None."""
    lo, hi = _chunk(text, _PHRASE, span[0])
    places = [
        (_distance(span, m.span("name")), m["name"].rstrip("'’").removesuffix("’s").removesuffix("'s"))
        for m in _PLACE_RE.finditer(text, lo, hi)
        if m["name"].split()[0] not in _NOT_PLACES and not _modifier(text, m)
    ]
    return min(places)[1] if places else None


def _when(
    text: str, span: tuple[int, int], times: list[_Time], anchor: str | None
) -> tuple[str | None, bool]:
    """The figure's own time: nearest in its comma chunk, else in its clause, else the anchor day."""
    usable = [t for t in times if not t.attributive and not t.statement]
    for pattern in (_COMMA, _STRONG):
        lo, hi = _chunk(text, pattern, span[0])
        near = [t for t in usable if lo <= t.start and t.end <= hi]
        if near:
            best = min(near, key=lambda t: _distance(span, (t.start, t.end)))
            return best.as_of, best.cumulative
    return anchor, False


# ---------------------------------------------------------------- extraction

_MASKS = (
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b",
    r"(?i)\b\d{1,2}(?:\.\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)",
    r"(?i)\b\d+\s+years?\s+old\b|\baged\s+\d+",
    r"[A-Z][\w'’-]+,\s+\d{1,3},",
    r"\b(?:Article|Section|Chapter|Resolution|Flight|No\.|Number|Room|Route|Highway|Paragraph)\s+\d+",
    r"(?i)\b\d+(?:\.\d+)?\s*(?:%|percent\b|per cent\b)",
)


def _masked(text: str, times: list[_Time]) -> list[tuple[int, int]]:
    """Spans whose digits are dates, times, ages or labels rather than counts."""
    spans = [(t.start, t.end) for t in times]
    for pattern in _MASKS:
        spans.extend(m.span() for m in re.finditer(pattern, text))
    return spans


def _mentions(text: str, masked: list[tuple[int, int]]) -> list[_Mention]:
    """Numbers that may count something, each with its qualifier."""
    found = []
    for m in _NUMBER_RE.finditer(text):
        start, end = m.span()
        if any(s <= start < e for s, e in masked) or _not_a_count(text, start, end):
            continue
        raw = m["num"] + (f" {m['scale']}" if m["scale"] else "")
        value = parse_number(raw)
        if value is None:
            continue
        qual = _QUALIFIER_BEFORE.search(text[:start])
        year = bool(re.fullmatch(r"1[89]\d\d|20\d\d", m["num"]))
        found.append(_Mention(qual.start() if qual else start, start, end, value, year))
    return found


def _not_a_count(text: str, start: int, end: int) -> bool:
    """Hyphenated compounds ("30-year-old"), partitives ("five of"), "no one"."""
    if text[end : end + 1] in ("-", "‑") or re.match(r"\s+of\b", text[end:]):
        return True
    return bool(re.search(r"(?i)\bno\s+$", text[:start]))


def _from_sentence(sentence: Sentence) -> list[Figure]:
    """The figures of one sentence."""
    text = sentence.text
    times = _times(text, sentence.published)
    statement = next((t.as_of for t in times if t.statement and t.as_of and len(t.as_of) == 10), None)
    anchor = statement or _iso(sentence.published)
    figures = []
    for mention in _mentions(text, _masked(text, times)):
        found = _classify(text, mention)
        if not found:
            continue
        counts, lo, hi = found
        as_of, cumulative = _when(text, (mention.num_start, mention.end), times, anchor)
        figures.append(
            Figure(
                value=mention.value,
                counts=counts,
                where=_where(text, (mention.num_start, mention.end)),
                as_of=as_of,
                citations=(Citation.of(sentence),),
                cumulative=cumulative,
                text=text[lo:hi].strip(),
            )
        )
    return figures


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


def label(figure: Figure) -> str:
    """A short reading of a figure, e.g. "at least 40 killed in Lyon".

    Args:
        figure: any figure.

    Returns:
        The qualifier, value, what it counts and, when known, the place.
    """
    qual = qualifier(figure)
    place = f" in {figure.where}" if figure.where else ""
    return f"{qual + ' ' if qual else ''}{figure.value:,} {figure.counts}{place}"


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


def is_current(
    figure: Figure, brief_date: dt.date, places: Collection[str] = (), *, days: int = 7
) -> bool:
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


def _disagree(by_value: dict[int, Figure]) -> bool:
    """Two different values given by two different articles."""
    values = list(by_value.values())
    pairs = [(a, b) for i, a in enumerate(values) for b in values[i + 1 :]]
    return any(x != y for a, b in pairs for x in _sources(a) for y in _sources(b))


def conflicts(figures: Sequence[Figure]) -> list[Conflict]:
    """Sources that give different exact values for the same count, place and time.

    Bounds ("at least", "almost") and running totals are not exact, so they never
    conflict; figures of different nights, days or places are different groups.

    Args:
        figures: figures from :func:`extract`, from any number of articles.

    Returns:
        One Conflict per disagreeing group, each value once with all its citations.
    """
    groups: dict[tuple[str, str | None, str | None], list[Figure]] = defaultdict(list)
    for f in figures:
        if is_exact(f):
            groups[(f.counts, f.where, f.as_of)].append(f)
    found = []
    for (counts, where, as_of), group in groups.items():
        by_value = {v: _merge([f for f in group if f.value == v]) for v in sorted({f.value for f in group})}
        if len(by_value) > 1 and _disagree(by_value):
            found.append(Conflict(counts, where, as_of, tuple(by_value.values())))
    return sorted(found, key=lambda c: (c.counts, c.where or "", c.as_of or ""))


def _newest(figure: Figure) -> dt.date:
    """The last day a figure covers, for newest-first order."""
    covered = as_of_span(figure.as_of)
    return covered[1] if covered else dt.date.min


def _representative(group: Sequence[Figure]) -> Figure:
    """The value most sources give (exact before bounds, then larger), with all their citations."""
    buckets: dict[tuple[int, str | None, bool], list[Figure]] = defaultdict(list)
    for f in group:
        buckets[(f.value, qualifier(f), f.cumulative)].append(f)
    merged = [_merge(b) for b in buckets.values()]
    return max(merged, key=lambda f: (len(_sources(f)), is_exact(f), f.value))


def _fold_restatements(rows: list[Figure]) -> list[Figure]:
    """Fold an older or unplaced repeat of the same reading into the newest placed row."""
    kept: list[Figure] = []
    for row in sorted(rows, key=lambda f: (-_newest(f).toordinal(), f.where is None)):
        same = next(
            (
                i
                for i, k in enumerate(kept)
                if (k.counts, k.value, qualifier(k), k.cumulative)
                == (row.counts, row.value, qualifier(row), row.cumulative)
                and row.where in (None, k.where)
            ),
            None,
        )
        if same is None:
            kept.append(row)
        else:
            kept[same] = _merge([kept[same], row])
    return kept


def key_figures(figures: Sequence[Figure], date: dt.date, *, days: int = 7) -> list[Figure]:
    """The current event's figures worth a "Key figures" line.

    Args:
        figures: figures from :func:`extract`.
        date: the brief's date.
        days: how far back the current event reaches.

    Returns:
        One figure per (counts, where, as_of, cumulative) among :data:`KEY_COUNTS`, citing every
        source that gives its value; a repeat of the same reading on an older day
        or without a place is folded into the newest. Ordered by KEY_COUNTS, newest first.
    """
    places = event_places(figures, date, days=days)
    # A running total and a one-day count of the same day are different readings: keep both.
    groups: dict[tuple[str, str | None, str | None, bool], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.counts in KEY_COUNTS and is_current(f, date, places, days=days):
            groups[(f.counts, f.where, f.as_of, f.cumulative)].append(f)
    rows = _fold_restatements([_representative(g) for g in groups.values()])
    return sorted(rows, key=lambda f: (KEY_COUNTS.index(f.counts), -_newest(f).toordinal(), f.where or ""))


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
