"""The prompts the summariser and the judge share.

Every writing task (a topic sentence, a key development, a label, the headline)
opens with the same system message, then the sources, then what to write. The
judge's prompt opens the same way, then states the claim and asks; so right
after a sentence is written, llama.cpp's KV cache serves the system message and
the sources and the judge reads only the claim and its question. The judge is
a fresh turn, not the writer's own conversation: asked about its own reply the
model said YES to nearly everything, and with the writing instruction in front
of the claim it passed false claims at 0.8 (bench/judge_calibration.py, on
tests/data/judge_pairs.jsonl).
"""

from __future__ import annotations

from collections.abc import Sequence

Message = dict[str, str]

SYSTEM = (
    "You are a news editor writing a morning situation brief for analysts. You only restate what the "
    "numbered source sentences say. Never add a name, number, place, date or cause that is not in the "
    "sentences you cite, and never combine details from different sentences into one claim they do not make."
)
SOURCES = "Sources:\n{sources}\n\n"
WRITE_TASK = (
    SOURCES + "Rewrite the sources as plain news for a morning brief. Keep every number, name, place and day "
    "as the sources write them, say who did what, add nothing, and leave out quotations and minor detail. "
    "Reply with the text only. {ask}"
)
SENTENCE_ASK = "One sentence of at most {words} words:"
LABEL_ASK = "Now write only a short headline of three to six words, in sentence case, naming what they report:"
HEADLINE_ASK = "Now write only a one-line news headline of at most {words} words, in sentence case, that says what happened:"
JUDGE_TASK = (
    "Claim: {claim}\n\nIs every detail of the claim (who did what, to whom, where, when, how many) stated "
    "in the sources? Answer YES or NO. Answer NO if the claim adds anything, changes who did what, turns a plan, a call or "
    "a wish into a fact, or joins details from different sentences into a link they do not state. "
    "Otherwise answer YES."
)


def writer_messages(sources: Sequence[str], ask: str) -> list[Message]:
    """The writer's prompt: the fixed instruction first (cached), then the sources, then the ask."""
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": WRITE_TASK.format(sources=_listed(sources), ask=ask)}]


def judge_messages(claim: str, sources: Sequence[str]) -> list[Message]:
    """The judge's prompt: the writer's up to its sources (cached), then the claim and the question."""
    content = SOURCES.format(sources=_listed(sources)) + JUDGE_TASK.format(claim=claim)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]


def _listed(sources: Sequence[str]) -> str:
    return "\n".join(f"{n}. {text}" for n, text in enumerate(sources, 1))
