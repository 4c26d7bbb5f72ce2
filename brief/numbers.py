"""Numbers as news text writes them: digits, words, or both ("115,000", "twenty-eight")."""

from __future__ import annotations

import re

SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z]+", re.I)


def numbers_in(text: str) -> frozenset[float]:
    """Every number stated in ``text``, from digits or from number words.

    "one hundred and twenty-one" gives 121, "15,000" gives 15000, "6.1" gives
    6.1: a magnitude or a sum of money is a claim like any count.
    """
    values: set[float] = set()
    run: list[str] = []
    for token in TOKEN.findall(text):
        word = token.lower()
        # "and" joins number words only after a scale: "one hundred and nine", not "two and three".
        if word in SMALL or word in SCALES or (word == "and" and run and run[-1] in SCALES):
            run.append(word)
            continue
        values |= _flush(run)
        run = []
        if token[0].isdigit():
            digits = token.replace(",", "")
            values.add(float(digits) if "." in digits else int(digits))
    return frozenset(values | _flush(run))


def words_to_number(words: list[str]) -> int:
    """The value of a run of number words such as ["one", "hundred", "and", "twenty", "nine"]."""
    total, current = 0, 0
    for word in words:
        if word in SMALL:
            current += SMALL[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in SCALES:
            total += max(current, 1) * SCALES[word]
            current = 0
    return total + current


def _flush(run: list[str]) -> set[int]:
    while run and run[-1] == "and":
        run = run[:-1]
    return {words_to_number(run)} if run else set()
