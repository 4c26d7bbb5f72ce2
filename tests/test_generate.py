"""Token accounting of the generation backends: a stand-in llama for the arithmetic, the real model for the cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from brief.config import Settings
from brief.generate import Accounting, LlamaCppModel, Usage, load_text_model, shared_prefix
from brief.prompts import SENTENCE_ASK, SYSTEM, judge_messages, writer_messages

TEMPLATE = "{% for m in messages %}<{{ m.role }}> {{ m.content }} {% endfor %}<assistant>"
SOURCES = [
    (
        "The regional water authority said on Monday that 40,000 homes in the northern districts would have "
        "no running water until Thursday while engineers replace a burst main under the river crossing."
    ),
    (
        "Engineers began replacing the burst main on Monday night and expect the work to take three days, "
        "the authority said, adding that tankers would supply drinking water to schools and clinics."
    ),
]


class FakeLlama:
    """The surface of ``llama_cpp.Llama`` that :class:`LlamaCppModel` uses, one token a word.

    Its KV cache is the list of tokens it has evaluated; a completion reuses the
    longest shared prefix, as llama-cpp-python does, and always replies ``reply``.
    """

    def __init__(self, reply: str = "tankers supply water") -> None:
        self.metadata = {"tokenizer.chat_template": TEMPLATE}
        self.vocab: dict[str, int] = {"<eos>": 1, "<bos>": 2}
        self.input_ids = np.zeros(512, dtype=np.intc)
        self.n_tokens = 0
        self.reply = reply
        self.evaluated = 0

    def n_ctx(self) -> int:
        return 512

    def token_eos(self) -> int:
        return 1

    def token_bos(self) -> int:
        return 2

    def detokenize(self, tokens: Sequence[int]) -> bytes:
        words = {v: k for k, v in self.vocab.items()}
        return " ".join(words[t] for t in tokens).encode()

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return [self.vocab.setdefault(word, len(self.vocab) + 1) for word in text.decode().split()]

    def create_chat_completion(self, messages: list[dict[str, str]], **_: Any) -> dict[str, Any]:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        prompt = Jinja2ChatFormatter(TEMPLATE, eos_token="<eos>", bos_token="<bos>")(messages=messages).prompt
        tokens = self.tokenize(prompt.encode())
        reuse = shared_prefix(self.input_ids[: self.n_tokens], tokens)
        self.evaluated += len(tokens) - reuse
        written = self.tokenize(self.reply.encode())
        # The KV cache now holds the prompt and every written token but the last (sampled, never evaluated).
        held = tokens + written[:-1]
        self.input_ids[: len(held)] = held
        self.n_tokens = len(held)
        return {
            "usage": {"prompt_tokens": len(tokens), "completion_tokens": len(written)},
            "choices": [{"message": {"content": self.reply}}],
        }


def test_usage_adds_each_call() -> None:
    usage = Usage()
    usage.add(read=120, cached=0, written=20, seconds=1.5)
    usage.add(read=30, cached=90, written=10, seconds=0.5)
    assert (usage.calls, usage.tokens_read, usage.tokens_cached, usage.tokens_written) == (2, 150, 90, 30)
    assert usage.seconds == pytest.approx(2.0)


def test_accounting_keeps_roles_apart() -> None:
    account = Accounting()
    account.role("summarizer").add(100, 0, 12, 1.0)
    account.role("judge").add(40, 100, 0, 0.25)
    account.role("summarizer").add(60, 50, 8, 0.5)
    plain = account.as_dict()
    assert set(plain) == {"summarizer", "judge"}
    assert plain["summarizer"]["tokens_read"] == 160 and plain["summarizer"]["tokens_written"] == 20
    assert plain["judge"] == {
        "calls": 1,
        "tokens_read": 40,
        "tokens_cached": 100,
        "tokens_written": 0,
        "seconds": 0.25,
    }
    plain["judge"]["calls"] = 99  # a copy: benches may edit what they print
    assert account.role("judge").calls == 1


def test_shared_prefix_never_covers_the_whole_prompt() -> None:
    assert shared_prefix([5, 6, 7, 8], [5, 6, 9]) == 2
    assert shared_prefix([5, 6, 7], [5, 6, 7]) == 2  # the last token is evaluated again for its logits
    assert shared_prefix([], [5, 6]) == 0
    assert shared_prefix([4, 6], [5, 6]) == 0


def test_complete_counts_cached_prefix_against_the_backend() -> None:
    llm = FakeLlama()
    model = LlamaCppModel.wrap(llm, "fake")
    ask = SENTENCE_ASK.format(words=24)
    model.complete(writer_messages(SOURCES, ask), 60)
    first = vars(model.usage.role("summarizer")).copy()
    assert first["tokens_cached"] == 0 and first["tokens_read"] == llm.evaluated
    model.complete(writer_messages(SOURCES[:1], ask), 60)
    usage = model.usage.role("summarizer")
    assert usage.calls == 2
    # The system message and the instruction before the sources are shared; the sources differ.
    assert 0 < usage.tokens_cached < first["tokens_read"]
    assert usage.tokens_read == llm.evaluated  # what the backend says it evaluated, no more, no less
    assert usage.tokens_written == 2 * len(llm.reply.split())
    model.complete(writer_messages(SOURCES[:1], ask), 60, role="judge")
    assert model.usage.role("judge").calls == 1 and model.usage.role("summarizer").calls == 2


# --- the real model (slow) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def qwen() -> LlamaCppModel:
    from brief.models import resolve_generator

    settings = Settings.load()
    source = resolve_generator(settings.summarizer, settings.cache_dir)
    model = load_text_model(source, settings.context_tokens, settings.threads, settings.seed)
    assert isinstance(model, LlamaCppModel)
    return model


@pytest.mark.slow
def test_real_model_reads_only_what_follows_a_cached_prefix(qwen: LlamaCppModel) -> None:
    ask = SENTENCE_ASK.format(words=24)
    qwen.usage = Accounting()
    qwen.complete(writer_messages(SOURCES, ask), 40, role="first")
    qwen.complete(writer_messages(SOURCES[1:], ask), 40, role="second")
    first, second = qwen.usage.role("first"), qwen.usage.role("second")
    assert second.tokens_cached >= qwen.count_tokens(SYSTEM) - 2  # the system message, from the cache
    assert second.tokens_read < first.tokens_read


@pytest.mark.slow
def test_real_judge_after_writer_reads_only_the_claim_and_question(qwen: LlamaCppModel) -> None:
    qwen.usage = Accounting()
    reply = qwen.complete(writer_messages(SOURCES, SENTENCE_ASK.format(words=24)), 40)
    question = judge_messages(reply, SOURCES)
    qwen.yes_probability(question)
    judge = qwen.usage.role("judge")
    # The system message and the sources come from the writer's KV cache; only the claim and the
    # question after them are read.
    shared = judge_messages("", SOURCES)[1]["content"].split("Claim:")[0]
    assert judge.tokens_cached >= qwen.count_tokens(SOURCES[0]) + qwen.count_tokens(SOURCES[1])
    assert judge.tokens_read < qwen.count_tokens(question[1]["content"]) - qwen.count_tokens(shared) + 10
    cold = Accounting()
    qwen.usage = cold
    qwen.complete([{"role": "user", "content": "Say OK."}], 2)  # another prompt takes over the cache
    qwen.yes_probability(question)
    assert cold.role("judge").tokens_read > judge.tokens_read + 100
