"""Calendar words shared by ingest, figures and verify."""

from __future__ import annotations

import datetime as dt

import pytest

from brief.dates import is_month, last_weekday, month_number


@pytest.mark.parametrize(("name", "number"), [("Nov.", 11), ("november", 11), ("Sept", 9), ("May", 5), ("jan", 1)])
def test_month_number(name: str, number: int) -> None:
    assert month_number(name) == number


@pytest.mark.parametrize(("word", "month"), [("March", True), ("Dec", True), ("Sept.", True), ("Marching", False), ("Augusta", False)])
def test_is_month(word: str, month: bool) -> None:
    assert is_month(word) is month


def test_last_weekday_is_on_or_before_the_anchor() -> None:
    tuesday = dt.date(2015, 11, 17)
    assert last_weekday(tuesday, "Tuesday") == tuesday
    assert last_weekday(tuesday, "friday") == dt.date(2015, 11, 13)
    assert last_weekday(tuesday, "Monday") == dt.date(2015, 11, 16)
