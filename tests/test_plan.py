"""The page plan: what is written is decided before any model call."""

from __future__ import annotations

from test_summarize import FACTS, make_fact

from brief.config import Settings
from brief.plan import page_plan
from brief.records import Topic


def topics(count: int) -> list[Topic]:
    return [Topic(f"t{i}", f"t{i}", (), tuple(FACTS), float(count - i)) for i in range(count)]


def test_topics_fill_the_page_in_order_and_the_rest_get_nothing() -> None:
    plan = page_plan(topics(8), Settings(page_words=420, lead_sentences=4, summary_sentences=3, timeline_lines=3))
    assert plan.lead == 4
    assert plan.on_page == [f"t{i}" for i in range(len(plan.on_page))]
    assert 2 <= len(plan.on_page) < 8
    assert plan.count(topics(8)[-1]) == 0


def test_a_bigger_page_holds_more_topics_and_never_more_than_max_topics() -> None:
    small = page_plan(topics(8), Settings(page_words=300))
    big = page_plan(topics(8), Settings(page_words=2000, max_topics=6))
    assert len(big.on_page) == 6 > len(small.on_page)


def test_topics_with_nothing_printable_are_left_out() -> None:
    junk = Topic("junk", "junk", (), (make_fact("Source: https://example.org Date: 2021-03-09"),), 9.0)
    plan = page_plan([junk, *topics(2)], Settings())
    assert "junk" not in plan.on_page
