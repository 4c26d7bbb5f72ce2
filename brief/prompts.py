"""The prompts the summariser and the judge share.

Every writing task (a topic sentence, a key development, a label, the headline)
opens with the same system message and instruction, so llama.cpp's KV cache
serves that part from the second call on. The judge continues the writer's own
conversation with the claim as the reply, so right after a sentence is written
the judge reads only its question.
"""

from __future__ import annotations

from collections.abc import Sequence

Message = dict[str, str]

SYSTEM = (
    "You are a news editor writing a morning situation brief for analysts. You only restate what the "
    "numbered source sentences say. Never add a name, number, place, date or cause that is not in the "
    "sentences you cite, and never combine details from different sentences into one claim they do not make."
)
WRITE_TASK = (
    "Rewrite the source sentences below as one plain news sentence for a morning brief. "
    "Keep every number, name, place and day exactly as the sources write them, state who did what, "
    "and add nothing the sources do not say. Leave out direct quotations, titles of officials "
    "and minor detail. Reply with the sentence only.\n\nSources:\n{sources}\n\n{ask}"
)
SENTENCE_ASK = "One sentence of at most {words} words:"
LABEL_ASK = "A headline of two to six words naming what these sources report:"
HEADLINE_ASK = "A one-line news headline of at most {words} words that says what happened:"
CHECK_QUESTION = (
    "Check your reply against the sources only. Is every detail of it (who did what, to whom, "
    "where, when, how many) stated in the sources? Answer YES or NO."
)


def writer_messages(sources: Sequence[str], ask: str) -> list[Message]:
    """The writer's prompt: the fixed instruction first (cached), then the sources, then the ask."""
    listed = "\n".join(f"{n}. {text}" for n, text in enumerate(sources, 1))
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": WRITE_TASK.format(sources=listed, ask=ask)},
    ]


def check_messages(claim: str, sources: Sequence[str], ask: str = SENTENCE_ASK.format(words=24)) -> list[Message]:
    """The judge's prompt: the writer's conversation with ``claim`` as its reply, then the question."""
    return [
        *writer_messages(sources, ask),
        {"role": "assistant", "content": claim},
        {"role": "user", "content": CHECK_QUESTION},
    ]
