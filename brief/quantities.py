"""Numbers and amounts as news text writes them, what they count, and how a brief prints them.

Plain counts ("129", "1.5 million", "one hundred and six"), money ("€6.5bn",
"$2 billion", "1.2 trillion yen"), percentages ("23%", "23 per cent") and
earthquake magnitudes ("magnitude 7.8", "a 7.8-magnitude quake"); what a plain
number counts ("killed 12 people", "recalled 11 million cars") and what an amount
measures ("a €6.5bn fine", "shares fell 23%"). Pure text: regexes and a small
number-word parser, no models. :mod:`brief.figures` adds time, place and conflicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ---------------------------------------------------------------- plain numbers

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
# Short scales only ever follow a currency ("€6.5bn", "£300m"): after a bare number "m" is metres.
_SHORT_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "b": 1_000_000_000,
                 "bn": 1_000_000_000, "tn": 1_000_000_000_000, "trn": 1_000_000_000_000}  # fmt: skip
WORD = "|".join([*_SCALES, "dozen", *_TENS, *sorted(_UNITS, key=len, reverse=True)])
# "and" joins number words only after a scale ("one hundred and six"), so
# "seven and five" stays two numbers.
WORD_NUMBER = (
    rf"(?:an?\s+(?:dozen|hundred|thousand)|(?:{WORD}))"
    rf"(?:(?:[ -]|(?:(?<=hundred)|(?<=thousand)|(?<=million))\s+and\s+)(?:{WORD}))*"
)
DIGIT_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_WORD = r"million|thousand|billion|trillion"
NUMBER_RE = re.compile(
    rf"(?<![\w/:.,$€£¥#-])(?P<num>{DIGIT_NUMBER}|(?i:\b{WORD_NUMBER}))"
    rf"(?:\s+(?P<scale>{_SCALE_WORD}))?"
    r"(?![\w/:%]|[.,]\d)",
)


def whole(value: float) -> float:
    """``value`` as an int when it has no fraction, so it prints as "41,000" not "41000.0"."""
    nearest = round(value)
    # 8.8 * 1e6 is 8800000.000000001 in floating point: still a whole number of votes.
    return int(nearest) if abs(value - nearest) < 1e-6 * max(1.0, abs(value)) else value


def parse_number(text: str) -> float | None:
    """Read a number written in digits or English words.

    Args:
        text: e.g. "12,000", "1.5 million", "2.5", "seven", "one hundred and six", "a dozen".

    Returns:
        The value (an int when whole), or None when ``text`` is not a number.
    """
    words = text.lower().replace(",", "").split()
    if not words:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", words[0]):
        scale = _SCALES.get(words[1], 0) if len(words) == 2 else 1 if len(words) == 1 else 0
        return whole(float(words[0]) * scale) if scale else None
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


# ---------------------------------------------------------------- amounts with a unit

_SYMBOLS = {"€": "EUR", "$": "USD", "us$": "USD", "£": "GBP", "¥": "JPY", "a$": "AUD", "c$": "CAD",
            "hk$": "HKD", "r$": "BRL", "₹": "INR", "rs": "INR", "rs.": "INR", "chf": "CHF", "eur": "EUR",
            "usd": "USD", "gbp": "GBP", "jpy": "JPY", "cny": "CNY", "inr": "INR", "sfr": "CHF"}  # fmt: skip
_CURRENCY_WORDS: tuple[tuple[str, str], ...] = (
    ("USD", r"(?:US|U\.S\.|American)\s+dollars?"),
    ("CAD", r"Canadian\s+dollars?"),
    ("AUD", r"Australian\s+dollars?"),
    ("HKD", r"Hong\s+Kong\s+dollars?"),
    ("CHF", r"Swiss\s+francs?"),
    ("USD", r"dollars?"),
    ("EUR", r"euros?"),
    ("GBP", r"(?:pounds?\s+sterling|pounds?(?!\s+of\b)|sterling)"),
    ("JPY", r"yen"),
    ("CNY", r"yuan|renminbi"),
    ("INR", r"rupees?"),
    ("TRY", r"(?:Turkish\s+)?lira"),
    ("RUB", r"roubles?|rubles?"),
    ("MAD", r"dirhams?"),
    ("ZAR", r"rand"),
    ("KRW", r"won"),
    ("EUR", r"EUR"),
    ("USD", r"USD"),
    ("GBP", r"GBP"),
)
_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
_CUR_PREFIX = r"US\$|A\$|C\$|HK\$|R\$|\$|€|£|¥|₹|Rs\.?|CHF|SFr|EUR|USD|GBP|JPY|CNY|INR"
_SHORT = "|".join(sorted(_SHORT_SCALES, key=len, reverse=True))
_MONEY_PREFIX = re.compile(
    rf"(?<![\w$€£¥])(?P<cur>{_CUR_PREFIX})\s?(?P<num>{DIGIT_NUMBER})"
    rf"(?:\s*(?P<short>{_SHORT})\b|\s+(?P<scale>{_SCALE_WORD})\b)?(?![\w%])"
)
_MONEY_SUFFIX = re.compile(
    rf"(?<![\w$€£¥/.,-])(?P<num>{DIGIT_NUMBER}|(?i:\b{WORD_NUMBER}))(?:\s+(?P<scale>{_SCALE_WORD}))?"
    rf"\s+(?P<word>{'|'.join(f'(?:{p})' for _, p in _CURRENCY_WORDS)})\b"
)
_PERCENT = re.compile(
    rf"(?<![\w$€£¥/.,-])(?P<num>{DIGIT_NUMBER}|(?i:\b{WORD_NUMBER}))"
    r"(?:\s*%|\s+(?:per\s?cent|percent|pct)\b)"
)
_MAGNITUDE = re.compile(
    r"(?i)\b(?:magnitude(?:\s+of)?[- ](?P<a>\d{1,2}(?:\.\d)?)|(?P<b>\d{1,2}(?:\.\d)?)[- ]magnitude"
    r"|(?P<c>\d{1,2}\.\d)\s+on\s+the\s+(?:Richter|moment magnitude)\s+scale)(?![\d.])"
)


@dataclass(frozen=True)
class Amount:
    """A number with a unit found in a sentence: money, a percentage or a magnitude."""

    start: int
    end: int
    value: float
    unit: str


def amounts(text: str) -> list[Amount]:
    """Money, percentages and magnitudes in a sentence, left to right, without overlaps.

    Args:
        text: one sentence.

    Returns:
        Each amount with its span; money in plain units (``€6.5bn`` is 6.5e9 "EUR").
    """
    found: list[Amount] = []
    for m in _MONEY_PREFIX.finditer(text):
        scale = _SHORT_SCALES.get((m["short"] or "").lower()) or _SCALES.get(m["scale"] or "", 1)
        number = float(m["num"].replace(",", "")) * scale
        found.append(Amount(m.start(), m.end(), whole(round(number, 2)), _SYMBOLS[m["cur"].lower()]))
    for m in _MONEY_SUFFIX.finditer(text):
        value = parse_number(m["num"] + (f" {m['scale']}" if m["scale"] else ""))
        unit = next(code for code, p in _CURRENCY_WORDS if re.fullmatch(p, m["word"]))
        if value is not None:
            found.append(Amount(m.start(), m.end(), value, unit))
    for m in _PERCENT.finditer(text):
        raw = m["num"].replace(",", "")
        value = whole(float(raw)) if re.fullmatch(r"\d+(?:\.\d+)?", raw) else parse_number(raw)
        if value is not None:
            found.append(Amount(m.start(), m.end(), value, "%"))
    for m in _MAGNITUDE.finditer(text):
        found.append(Amount(m.start(), m.end(), whole(float(m["a"] or m["b"] or m["c"])), "magnitude"))
    kept: list[Amount] = []
    for a in sorted(found, key=lambda a: (a.start, -a.end)):
        if not any(a.start < k.end and k.start < a.end for k in kept):
            kept.append(a)
    return kept


# ---------------------------------------------------------------- printing


def _short(value: float) -> str:
    """A large amount the way a headline writes it: 6.5bn, 300m, 1.2tn."""
    for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if abs(value) >= size:
            return f"{_trim(value / size)}{suffix}"
    return _plain(value)


def _trim(value: float) -> str:
    """At most two decimals, none when whole: 6.5, 2, 1.25."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _plain(value: float) -> str:
    """A count with thousands separators; a fraction keeps up to two decimals."""
    return f"{int(value):,}" if float(value).is_integer() else _trim(value)


def display(value: float, unit: str | None = None) -> str:
    """A value the way the brief prints it.

    Args:
        value: the figure's value.
        unit: "EUR"/"USD"/... for money, "%", "magnitude", or None for a plain count.

    Returns:
        e.g. "41,000", "11 million", "€6.5bn", "CHF 300m", "-23%", "7.8".
    """
    if unit == "%":
        return f"{_trim(value)}%"
    if unit == "magnitude":
        return _trim(value)
    if unit:
        sign = _SIGNS.get(unit)
        minus = "-" if value < 0 else ""
        return f"{minus}{sign}{_short(abs(value))}" if sign else f"{minus}{unit} {_short(abs(value))}"
    if abs(value) >= 1e6 and float(value).is_integer():
        for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
            hundredths = value / size * 100
            if abs(value) >= size and abs(hundredths - round(hundredths)) < 1e-6:
                return f"{_trim(value / size)} {word}"
    return _plain(value)


# ---------------------------------------------------------------- what an amount measures

# The nearest of these words in the amount's clause says what money it is; "money" when none.
_MONEY_LABELS: tuple[tuple[str, str], ...] = (
    ("fine", r"fined?|fines|penalt(?:y|ies)|settle(?:d|ment|ments)?"),
    ("bail", r"bail(?!-?out)"),
    (
        "bailout",
        r"bail-?outs?|rescue (?:package|deal|plan|loan)|lifeline|capital injection|recapitali[sz]\w*",
    ),
    ("aid", r"aid|pledge[ds]?|pledging|donat\w+|relief|appeal|humanitarian|assistance"),
    ("compensation", r"compensation|compensate|payouts?|damages"),
    ("damage", r"damaged?|destruction|economic losses|insured losses"),
    ("fraud", r"fraud\w*|embezzl\w+|stole|stolen|misappropriat\w+|launder\w*|siphoned"),
    ("provision", r"set aside|provisions?|write-?downs?|charges?"),
    ("loss", r"(?:net\s+)?loss(?:es)?|lost"),
    ("profit", r"(?:net\s+)?profits?|earnings"),
    ("revenue", r"revenues?|sales|turnover"),
    ("deposits", r"deposits|depositors|withdrawals|withdrew|withdraw|outflows|pull(?:ed)?"),
    ("loans", r"loans?|lending|lent"),
    ("market value", r"market (?:value|capitali[sz]ation)|wiped|valued|valuation"),
    ("debt", r"debts?|liabilities|owed|owes|borrow\w*"),
    ("assets", r"assets"),
    ("deal", r"bought|buys?|sold|sells?|acquired|acquires?|acquisition|takeover|purchased?"),
    ("cash balance", r"cash(?:\s+balance)?"),
    ("insurance", r"insur\w+"),
    ("cost", r"costs?|costing|spend\w*|budget|invest\w*|funding"),
)
_UP = (
    r"rose|risen|rise|rises|rising|jumped|jumps|gained|gains|climbed|climbs|surged|surges|soared|soars|up|"
    r"increased"
)
_DOWN = (
    r"fell|falls|fall|falling|dropped|drops|plunged|plunges|plummeted|slumped|slumps|tumbled|tumbles|sank|"
    r"sinks|lost|loses|down|declined|declines|slid|slides|shed|sheds|crashed|decreased|fallen|sunk"
)
_CHANGE_NOUNS = {
    "fall": -1, "drop": -1, "decline": -1, "plunge": -1, "slump": -1, "loss": -1, "cut": -1, "decrease": -1,
    "rise": 1, "increase": 1, "jump": 1, "gain": 1, "surge": 1,
}  # fmt: skip
_HOLD_VERBS = (
    r"won|wins|took|takes|got|gets|received|receives|secured|secures|polled|garnered|had|has|claimed"
)
_FILLER = frozenset(
    "the a an its their his her our of in on at for to by and or with from as that this these those some "
    "about around nearly almost more than over just by".split()
)
_QUAL = (
    r"(?:\s+(?:by|as much as|almost|nearly|about|around|roughly|more than|over|some|up to|just over|"
    r"just under|an estimated|at least))*"
)
_SHARES = re.compile(
    r"(?i)\b(?:shares?|stocks?(?!\s+(?:index|indexes|indices|markets?))|share prices?|stock prices?)\b"
)
_AUXILIARIES = frozenset("had has have was were is are been be would will could".split())


@dataclass(frozen=True)
class Measured:
    """What an amount measures: a short label, its value (signed for a change) and its phrase."""

    counts: str
    value: float
    start: int
    end: int


def measure(text: str, amount: Amount, clause: tuple[int, int]) -> Measured | None:
    """What an amount measures, read from its clause.

    Money takes the nearest telling word ("fine", "aid", "loss"...; "money" when none).
    A percentage needs a subject: "23% of voters", "shares fell 23%" (-23, "share price"),
    "a 23% drop in sales", "turnout of 60%"; a bare "with 60 percent" measures nothing.
    A magnitude measures its quake or aftershock.

    Args:
        text: the sentence.
        amount: an amount found in it by :func:`amounts`.
        clause: (start, end) of the amount's clause in ``text``.

    Returns:
        The reading, or None when the sentence does not say what a percentage is of.
    """
    lo, hi = clause
    if amount.unit == "magnitude":
        shock = re.search(r"(?i)\baftershocks?\b", text[amount.end : min(hi, amount.end + 30)])
        return Measured(
            "aftershock magnitude" if shock else "magnitude", amount.value, amount.start, amount.end
        )
    if amount.unit != "%":
        # "a negative cash balance of $958m", "a deficit of $2bn": money below zero.
        negative = re.search(
            r"(?i)\b(?:negative|deficit|shortfall|minus)\b(?:\s+[\w-]+){0,3}\s+(?:of\s+)?$",
            text[lo : amount.start],
        )
        value = -amount.value if negative else amount.value
        return Measured(_money_label(text, amount, lo, hi), value, amount.start, amount.end)
    return _percent(text, amount, lo, hi)


def _money_label(text: str, amount: Amount, lo: int, hi: int) -> str:
    """The telling word nearest to the amount in its clause."""
    best: tuple[int, int, str] | None = None
    for rank, (label, pattern) in enumerate(_MONEY_LABELS):
        for m in re.finditer(rf"(?i)\b(?:{pattern})\b", text[lo:hi]):
            start, end = lo + m.start(), lo + m.end()
            # "total assets of $209bn and deposits of $175bn": the word that leads into an amount names
            # it before a word that follows it.
            distance = max(0, start - amount.end) * 2 + max(0, amount.start - end)
            if best is None or (distance, rank) < best[:2]:
                best = (distance, rank, label)
    return best[2] if best else "money"


def _words_before(text: str, lo: int, end: int, limit: int = 8) -> list[str]:
    """Up to ``limit`` words right before ``end`` within the clause, auxiliaries left out."""
    return [w for w in re.findall(r"[\w'’.-]+", text[lo:end]) if w.lower() not in _AUXILIARIES][-limit:]


def _subject(words: list[str]) -> str | None:
    """A short name for what a percentage is of; a share price keeps its company's name."""
    phrase = " ".join(words)
    names = [
        w.removesuffix("'s").removesuffix("’s")
        for w in words
        if w[:1].isupper() and w.lower() not in _FILLER and not _SHARES.fullmatch(w)
    ]
    if _SHARES.search(phrase):
        return " ".join([*names[-3:], "share price"])
    kept = [w for w in words if w.lower() not in _FILLER and not w[:1].isdigit()]
    return " ".join(kept[-2:]).lower() if kept else None


def _noun_phrase(after: str) -> list[str]:
    """The words of a short noun phrase at the start of ``after``: stops at a function word or punctuation."""
    words: list[str] = []
    for word in re.findall(r"[\w'’-]+|[^\w\s]", after)[:5]:
        if not re.fullmatch(r"[\w'’-]+", word) or (word.lower() in _FILLER and words):
            break
        # "of Saturday's vote": the day is when, not what.
        if word.lower() not in _FILLER and re.sub(r"['’]s$", "", word) not in _CALENDAR:
            words.append(word)
    return words[:3]


def _percent(text: str, amount: Amount, lo: int, hi: int) -> Measured | None:
    """A percentage with what it is of, or None."""
    before, after = text[lo : amount.start], text[amount.end : hi]
    start, end = amount.start, amount.end
    change = re.search(rf"(?i)\b(?P<verb>{_UP}|{_DOWN})(?P<to>\s+to)?{_QUAL}\s+$", before)
    if change:
        subject = _subject(_words_before(text, lo, lo + change.start()))
        if subject:
            down = re.fullmatch(_DOWN, change["verb"].lower()) is not None
            value = amount.value if change["to"] else -amount.value if down else amount.value
            return Measured(subject, value, lo + change.start(), end)
    of = re.match(r"\s+of\s+(?:the\s+|its\s+|their\s+|all\s+)?", after)
    if of:
        words = _noun_phrase(after[of.end() :])
        if words:
            verb = re.search(rf"(?i)\b(?:{_HOLD_VERBS}|with){_QUAL}\s+$", text[: amount.start])
            who = holder(text, verb.start()) if verb else None
            counts = " ".join(words).lower() + (f" ({who})" if who else "")
            tail = after.index(words[-1], of.end()) + len(words[-1])
            return Measured(counts, amount.value, verb.start() if verb else start, end + tail)
    noun = re.match(r"[\s-]+(?P<noun>[a-z]+)\b(?:\s+(?:in|of)\s+(?P<rest>.*))?", after)
    if noun and noun["noun"] in _CHANGE_NOUNS and noun["rest"]:
        subject = _subject(_noun_phrase(noun["rest"]))
        if subject:
            return Measured(
                subject, _CHANGE_NOUNS[noun["noun"]] * amount.value, start, end + noun.end("noun")
            )
    if noun and noun["noun"] in ("stake", "share", "majority", "tariff", "tariffs", "tax", "turnout"):
        return Measured(noun["noun"], amount.value, start, end + noun.end("noun"))
    level = re.search(r"(?i)(?P<subj>(?:[\w'’-]+\s+){1,3})(?:of|at|was|is|stood at|reached|hit)\s+$", before)
    if level:
        subject = _subject(level["subj"].split())
        if subject:
            return Measured(subject, amount.value, lo + level.start(), end)
    return None


# ---------------------------------------------------------------- what a plain number counts

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
    (
        "attackers",
        (
            r"attackers|assailants|gunmen|bombers|perpetrators|terrorists|militants|insurgents|"
            r"hostage-takers|kidnappers|captors|jihadists"
        ),
    ),
    ("suspects", r"suspects"),
    ("nationalities", r"nationalities"),
    ("cases", r"(?:confirmed |suspected |reported |new )?(?:cases|infections)"),
    ("missing", r"missing"),
    ("displaced", r"displaced|evacuees"),
)
# Verbs right before a number say what it counts: "killed 12 people", "injured 30 more".
_BEFORE: tuple[tuple[str, str], ...] = (
    (
        "killed",
        (
            r"killed|killing|kills|kill|(?:(?:death|casualty)\s+)?toll(?:\s+[\w'’-]+){0,6}?\s+"
            r"(?:at|to|of|is|was|be|reached|hit|neared|passed|topped|exceeded)"
            r"|(?:number|total)(?:\s+of)?(?:\s+people)?\s+(?:killed|dead|deaths)(?:\s+\w+){0,2}?\s+(?:to|at|of|is|was)"
        ),
    ),
    ("wounded", r"wounded|wounding|injured|injuring|injures|injure"),
    ("arrests", r"arrested|arresting|detained|detaining|detains"),
    ("searches", r"searched|searching"),
    ("raids", r"raided|raiding"),
    ("displaced", r"displaced|displacing|evacuated|evacuating"),
    ("rescued", r"rescued|rescuing|pulled|saved"),
)
# Nouns that need a verb to say what they count: "all 90 aboard died", "40 people are under house arrest".
_GENERIC = (
    r"people|persons|person|civilians|individuals|others|men|women|children|passengers|aboard|"
    r"residents|victims|more|homes|houses|premises|properties|addresses|buildings|apartments|flats|hostages|"
    r"workers|foreigners|nationals|citizens|crew|crew members|students|miners|migrants|patients|pilgrims|"
    r"tourists|worker|captives|staff|employees|villagers|protesters|demonstrators"
)
_AUX = (
    r"(?:were|was|are|is|have|has|had|been|being|also|reportedly|now|still|later|all|who|that|placed|"
    r"(?:thought|believed|feared|said|known|confirmed|reported)\s+to\s+(?:have|be)|confirmed|feared|presumed|"
    r"reported|officially)"
)
_AFTER: tuple[tuple[str, str], ...] = (
    ("killed", r"killed|died|dead|perished|lost their lives"),
    ("wounded", r"wounded|injured|hurt"),
    ("house arrest", r"under house arrest"),
    ("arrests", r"arrested|detained|taken into custody|in custody"),
    ("searches", r"searched"),
    ("raids", r"raided"),
    ("missing", r"missing|unaccounted for"),
    ("homeless", r"(?:left|made|rendered)\s+homeless|homeless"),
    ("displaced", r"displaced|evacuated|forced from their homes|fled their homes"),
    ("rescued", r"rescued|pulled (?:out )?alive"),
)
_FROM_NATIONS = re.compile(rf"^\s+(?:{_MOD}\s+){{0,2}}(?:nations|countries)\b")


@dataclass(frozen=True)
class Mention:
    """A number in a sentence; ``start`` includes its qualifier."""

    start: int
    num_start: int
    end: int
    value: float
    maybe_year: bool
    # "four of the six crew were killed": the six is the whole, the verb counts the part.
    whole: bool = False


def classify(text: str, m: Mention) -> tuple[str, int, int] | None:
    """What a plain number counts: people by what happened to them, or things with their verb.

    Args:
        text: the sentence.
        m: a number in it (see :class:`Mention`).

    Returns:
        (what it counts, start, end of its phrase), e.g. ("killed", ...), ("cars recalled (Acme)", ...);
        None for a number that counts nothing worth a figure.
    """
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
    if m.whole:
        return None
    verb = _verb_after(after)
    if verb:
        return verb[0], m.start, m.end + verb[1]
    return _thing(text, m) or _stated_total(text, m)


# "rejected votes were 939,278", "confirmed cases stood at 17,000": a total named before its number.
_STATED = re.compile(
    r"(?P<np>\b(?:(?!(?:said|says|and|or|but|that|the|a|an|of|in|on|at|to|for|with|by|as|while|when|if)\b)"
    r"[A-Za-z]+\s+){0,2}(?!(?:was|has|is|this|its|his|us|as)\b)[A-Za-z]{3,}(?<![su]s)s)\s+"
    r"(?:were|was|are|is|stood at|totall?ed|reached|numbered|came to)\s+$"
)


def _stated_total(text: str, m: Mention) -> tuple[str, int, int] | None:
    """A total whose noun comes first: "valid votes were 24 million" counts "valid votes"."""
    hit = _STATED.search(text[: m.start])
    if not hit or re.match(r"[\s-]*(?:percent|per cent|%|years?|days?|hours?)\b", text[m.end :]):
        return None
    words = [w.lower() for w in hit["np"].split()]
    words = [w for w in words if w not in ("the", "a", "an", "its", "their", "all", "total", "some", "these")]
    named = _noun_after(" " + " ".join(words))
    counts = named[0] if named and named[1] == len(" " + " ".join(words)) else " ".join(words)
    return (counts, hit.start("np"), m.end) if words else None


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


# Counts of things ("recalled 11 million cars", "300 homes were destroyed") need a verb to say
# what happened to them; a bare "27 languages" or "in 23 countries" counts nothing worth a figure.
_PLURAL = (
    r"(?P<noun>(?!(?:was|has|is|this|its|his|hers|us|yes|thus|as|across|towards|perhaps|unless)\b)"
    r"[a-z][a-z-]+(?<![su]s)(?<!is)s|children|people|aircraft|personnel|cattle|sheep|livestock)"
)
_IRREGULAR = {
    "sold": "sold", "sell": "sold", "sells": "sold", "cut": "cut", "cuts": "cut", "shed": "shed", "sheds": "shed",
    "sent": "sent", "send": "sent", "sends": "sent", "built": "built", "build": "built", "builds": "built",
    "made": "made", "make": "made", "makes": "made", "lost": "lost", "lose": "lost", "loses": "lost",
    "hit": "hit", "hits": "hit", "struck": "struck", "found": "found", "find": "found", "finds": "found",
    "left": "left", "leaves": "left", "held": "held", "hold": "held", "holds": "held", "brought": "brought",
    "gave": "given", "given": "given", "took": "taken", "taken": "taken", "set up": "set up",
    "sets up": "set up", "put up": "put up", "shot down": "shot down", "laid off": "laid off",
    "lays off": "laid off", "lay off": "laid off", "seized": "seized", "employs": "employed",
    "has": "had", "have": "had", "had": "had", "owns": "owned", "destroyed": "destroyed",
    "got": "got", "gets": "got", "won": "won", "wins": "won", "takes": "taken",
    "involves": "involved", "affects": "affected", "operates": "operated", "runs": "run",
    "contains": "contained", "serves": "served", "recalls": "recalled",
}  # fmt: skip
# "including 175 passengers" counts a part of something already counted, not a quantity of its own.
_SUBSETS = frozenset({"including", "included", "includes", "excluding", "excluded", "comprising"})
# Sentence openers and generic subjects that name no holder of a count.
_NOT_HOLDERS = frozenset(
    "The A An It He She They We This That These Those Officials Police Authorities Reports Data In At On By "
    "For From With After Before During According As But And While When Until Since Some Many Most All".split()
)
_NAME_RUN = re.compile(r"[A-Z][\w'’.-]*[\w](?:\s+[A-Z][\w'’.-]*[\w])*")
_CALENDAR = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December".split()
)


def holder(text: str, end: int) -> str | None:
    """Whose count or share a number is: the last name before its verb that is no place, body or date.

    "Ms Ade received 9,000 votes" gives "Ade"; "The main rival, Kofi Ade, who took 29% of
    the vote" gives "Kofi Ade"; names after a preposition ("of the Labour Party", "in
    Paris") or in brackets are skipped.

    Args:
        text: the sentence.
        end: where the verb starts.

    Returns:
        The name, or None.
    """
    found = None
    for m in _NAME_RUN.finditer(text, max(0, end - 160), end):
        name = re.sub(r"^(?:Mr|Ms|Mrs|Dr|President|Senator|Sen)\.?\s+", "", m.group())
        name = re.sub(r"['’]s$", "", name)
        words = name.split()
        before = text[: m.start()]
        if not words or words[0] in _NOT_HOLDERS or words[0] in _CALENDAR:
            continue
        if re.search(
            r"(?:\(|\b(?:of|from|in|at|by|to|on|for|with|near)\s+(?:the\s+)?(?:[a-z]+\s+)?)$", before
        ):
            continue
        # A capitalised plural opening the sentence is a common noun ("Rescuers freed..."), not a name.
        if not before.strip() and len(words) == 1 and name.endswith("s"):
            continue
        found = name
    return found


_NOT_VERBS = frozenset(
    "during something nothing anything morning evening building during bring thing king ring spring "
    "need seed speed feed bed red hundred indeed united".split()
)
_THING_VERB_BEFORE = re.compile(
    r"(?i)\b(?P<verb>set up|sets up|put up|shot down|laid off|lays off|lay off|[a-z]+)\s+$"
)
_THING_AUX = r"(?:\s+(?:[a-z]+ly|worldwide|nationwide|globally|so far|in total|were|was|are|is|have|has|had|been|being|now|all))"


def _participle(word: str) -> str | None:
    """The past participle a counted thing takes from its verb ("recalling" -> "recalled"), or None."""
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _NOT_VERBS or len(word) < 4:
        return None
    if word.endswith("ed") and word not in _SUBSETS:
        return word
    if word.endswith("ing") and word not in _SUBSETS:
        stem = word[:-3]
        if len(stem) < 3:
            return None
        return (
            stem[:-1] + "ied"
            if re.search(r"[^aeiou]y$", stem)
            else stem + ("d" if stem.endswith("e") else "ed")
        )
    return None


def _thing(text: str, m: Mention) -> tuple[str, int, int] | None:
    """A count of things with its verb: "recalled 11 million cars", "300 homes were destroyed"."""
    noun = re.match(rf"\s+(?:(?:[a-z]+|{_MOD})\s+){{0,2}}{_PLURAL}\b", text[m.end :])
    if m.maybe_year or not noun:
        return None
    before = _THING_VERB_BEFORE.search(text[: m.start])
    verb = _participle(before["verb"]) if before else None
    if verb and before:
        # The subject names whose count it is: "Acme recalled 11 million cars", "Ms Ade received 9,000 votes".
        who = holder(text, before.start())
        return f"{noun['noun']} {verb}{f' ({who})' if who else ''}", before.start(), m.end + noun.end()
    after = re.match(
        rf"(?:{_THING_AUX}){{0,4}}\s+(?P<verb>[a-z]+(?:\s+(?:up|off|down))?)\b(?!\s+to\b)",
        text[m.end + noun.end() :],
    )
    verb = _participle(after["verb"]) if after else None
    if verb and after:
        return f"{noun['noun']} {verb}", m.start, m.end + noun.end() + after.end()
    return None


def _generic_len(after: str) -> int:
    """Length of a generic noun right after the number, to keep it in the figure's text."""
    hit = re.match(rf"\s+(?:{_MOD}\s+){{0,2}}(?:{_GENERIC})\b", after)
    return hit.end() if hit else 0
