"""Calendar words as news text writes them, shared by ingest, figures and verify."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def month_number(name: str) -> int:
    """1-12 for a month name or abbreviation ("Nov.", "november", "Sept")."""
    return MONTH_ABBREVIATIONS.index(name.strip(". ")[:3].lower()) + 1


def is_month(word: str) -> bool:
    """Whether ``word`` is a month name or its abbreviation."""
    plain = word.strip(". ").lower()
    return len(plain) >= 3 and plain[:3] in MONTH_ABBREVIATIONS and (
        plain == plain[:3] or plain in {m.lower() for m in _FULL_NAMES} or plain == "sept"
    )


def last_weekday(anchor: dt.date, weekday: str) -> dt.date:
    """The most recent ``weekday`` (a name, any case) on or before ``anchor``."""
    wanted = WEEKDAYS.index(weekday.lower())
    return anchor - dt.timedelta(days=(anchor.weekday() - wanted) % 7)


_FULL_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
