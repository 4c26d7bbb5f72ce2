"""Text-generation backends: llama.cpp for GGUF files, transformers for the rest.

Both offer the two things the summariser and the judge need: a greedy chat
completion (plain text for seq2seq summarisers), and the probability that the
model's next word is YES rather than NO. No grammar constrains the reply: in
llama-cpp-python a JSON-schema grammar over a 150k-token vocabulary cost about
3 s a token on 2 cores, against 0.08 s unconstrained; the summariser asks for a
simple line format and parses it leniently instead.
Decoding is greedy with a fixed seed, so the same input gives the same brief.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from brief.errors import ModelError
from brief.models import ModelSource

log = logging.getLogger(__name__)

Message = dict[str, str]
YES_WORDS = ("YES", "Yes", "yes", " YES", " Yes")
NO_WORDS = ("NO", "No", "no", " NO", " No")


@dataclass
class Usage:
    """What one model role cost: calls, tokens evaluated, tokens served from the KV cache, tokens written."""

    calls: int = 0
    tokens_read: int = 0
    tokens_cached: int = 0
    tokens_written: int = 0
    seconds: float = 0.0

    def add(self, read: int, cached: int, written: int, seconds: float) -> None:
        """Count one call."""
        self.calls += 1
        self.tokens_read += read
        self.tokens_cached += cached
        self.tokens_written += written
        self.seconds += seconds


class Accounting:
    """Token counts per role, kept by the backend so callers need not keep score."""

    def __init__(self) -> None:
        self.roles: dict[str, Usage] = {}

    def role(self, name: str) -> Usage:
        """The usage record of ``name``, created on first use."""
        return self.roles.setdefault(name, Usage())

    def as_dict(self) -> dict[str, dict[str, float]]:
        """Plain values per role, for benches and JSON."""
        return {name: vars(usage).copy() for name, usage in self.roles.items()}


@runtime_checkable
class TextModel(Protocol):
    """A loaded instruction model."""

    name: str
    # False for seq2seq summarisers (BART, PEGASUS) that take plain text, not chat.
    chat: bool
    usage: Accounting

    def complete(self, messages: Sequence[Message], max_tokens: int, role: str = "summarizer") -> str:
        """The model's greedy reply."""
        ...

    def yes_probability(self, messages: Sequence[Message], role: str = "judge") -> float:
        """P(YES) / (P(YES) + P(NO)) for the reply's first token."""
        ...


class LlamaCppModel:
    """A GGUF model run by llama-cpp-python on the CPU.

    The defaults were measured on the brief's own tasks (one-sentence writer
    prompts of 150-400 tokens and the judge's check on the same conversation;
    numbers in the README's "Speed" section): ``use_mmap=False`` cuts peak RSS by
    about 600 MB at no cost in speed, because llama.cpp repacks the quantised
    weights for the CPU and a mapped file then stays resident beside its
    repacked copy. ``batch`` (256 to 1024), ``flash_attn`` and a smaller context
    changed nothing measurable at these prompt lengths; flash attention and
    prompt-lookup decoding (``lookup_tokens``) change the greedy output, and
    lookup decoding cost 1.5 to 2.2 times the CPU time (every position's logits
    are copied out) and 600 MB more memory, so both stay off.
    """

    chat = True

    def __init__(
        self,
        path: str,
        name: str,
        context_tokens: int = 4096,
        threads: int = 2,
        seed: int = 0,
        batch: int = 512,
        *,
        threads_batch: int | None = None,
        flash_attn: bool = False,
        use_mmap: bool = False,
        lookup_tokens: int = 0,
    ) -> None:
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
        except ImportError as exc:
            raise ModelError("GGUF models need llama-cpp-python; install brief with pip") from exc
        draft = LlamaPromptLookupDecoding(num_pred_tokens=lookup_tokens) if lookup_tokens > 0 else None
        try:
            self._llm = Llama(
                model_path=path, n_ctx=context_tokens, n_threads=threads,
                n_threads_batch=threads_batch or threads, n_batch=batch, flash_attn=flash_attn,
                use_mmap=use_mmap, draft_model=draft, seed=seed, verbose=False,
            )  # fmt: skip
        except (ValueError, OSError) as exc:
            raise ModelError(f"cannot load GGUF model {path}: {exc}") from exc
        self._attach(name, seed)

    @classmethod
    def wrap(cls, llm: Any, name: str, seed: int = 0) -> LlamaCppModel:
        """A model around an already-built ``llama_cpp.Llama``, or a stand-in with the same surface (tests).

        Args:
            llm: the loaded model.
            name: the name the brief records.
            seed: the sampling seed.

        Returns:
            The wrapped model, with a fresh :class:`Accounting`.
        """
        model = cls.__new__(cls)
        model._llm = llm
        model._attach(name, seed)
        return model

    def _attach(self, name: str, seed: int) -> None:
        """Everything but loading: the chat formatter, YES/NO token ids and the accounts."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.name = name
        self.usage = Accounting()
        self.seed = seed
        self.context_tokens = self._llm.n_ctx()
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError(f"GGUF model {name} has no chat template; brief needs an instruction model")
        self._format = Jinja2ChatFormatter(
            template,
            eos_token=self._token_text(self._llm.token_eos()),
            bos_token=self._token_text(self._llm.token_bos()),
        )
        self._yes_ids = self._first_tokens(YES_WORDS)
        self._no_ids = self._first_tokens(NO_WORDS) - self._yes_ids

    def complete(self, messages: Sequence[Message], max_tokens: int, role: str = "summarizer") -> str:
        """Greedy chat completion with a fixed seed.

        llama-cpp-python keeps the KV cache of the last prompt and evaluates
        only what follows the longest shared prefix, so callers put the part
        their prompts share first.
        """
        cached = self._cached_prefix(self._prompt_tokens(messages))
        started = time.perf_counter()
        result = self._llm.create_chat_completion(
            messages=list(messages),  # type: ignore[arg-type]
            temperature=0.0,
            max_tokens=max_tokens,
            seed=self.seed,
        )
        counted = result["usage"]  # type: ignore[index]
        read = int(counted["prompt_tokens"]) - cached
        self.usage.role(role).add(
            read, cached, int(counted["completion_tokens"]), time.perf_counter() - started
        )
        return str(result["choices"][0]["message"]["content"] or "")  # type: ignore[index]

    def yes_probability(self, messages: Sequence[Message], role: str = "judge") -> float:
        """Read the first reply token's logits for YES and NO, without sampling.

        Only the tokens after the prefix this prompt shares with the last one are evaluated.
        The result depends a little on that split: llama.cpp's CPU kernels differ for
        small and large batches, and one 208-token check gave 0.51 read in one batch,
        0.54 with its last 45 tokens read after a cached prefix and 0.55 with its last
        10 read one at a time. The same calls in the same order give the same values,
        so a threshold should be calibrated in the order the pipeline calls (writer, then judge).
        """
        import llama_cpp

        tokens = self._prompt_tokens(messages)
        cached = self._cached_prefix(tokens)
        started = time.perf_counter()
        self._llm.n_tokens = cached
        self._llm.eval(tokens[cached:])
        logits = np.ctypeslib.as_array(
            llama_cpp.llama_get_logits_ith(self._llm.ctx, -1), shape=(self._llm.n_vocab(),)
        )
        self.usage.role(role).add(len(tokens) - cached, cached, 0, time.perf_counter() - started)
        return _yes_share(logits, self._yes_ids, self._no_ids)

    def _prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        prompt = self._format(messages=list(messages)).prompt
        return list(self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    def _cached_prefix(self, tokens: Sequence[int]) -> int:
        """How many leading tokens of ``tokens`` are already in the KV cache."""
        return shared_prefix(self._llm.input_ids[: self._llm.n_tokens], tokens)

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` takes."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False))

    def _token_text(self, token: int) -> str:
        return self._llm.detokenize([token]).decode("utf-8", "ignore") if token >= 0 else ""

    def _first_tokens(self, words: Sequence[str]) -> set[int]:
        return {self._llm.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words}


class TransformersModel:
    """A causal instruction model or a seq2seq summariser, by hub id or local folder."""

    def __init__(self, location: str, name: str, seed: int = 0, max_input_tokens: int = 1024) -> None:
        try:
            import torch
            from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError as exc:
            raise ModelError(
                "transformers models need torch and transformers; install brief with pip"
            ) from exc
        try:
            config = AutoConfig.from_pretrained(location)
            self.chat = not config.is_encoder_decoder
            loader = AutoModelForCausalLM if self.chat else AutoModelForSeq2SeqLM
            self._tokenizer = AutoTokenizer.from_pretrained(location)
            self._model = loader.from_pretrained(location).eval()
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load model {name!r}: {exc}") from exc
        torch.manual_seed(seed)
        self._torch = torch
        self.usage = Accounting()
        self.name = name
        self.max_input_tokens = max_input_tokens

    def complete(self, messages: Sequence[Message], max_tokens: int, role: str = "summarizer") -> str:
        """Greedy generation: a chat model gets the messages, a seq2seq model the last one's text."""
        started = time.perf_counter()
        if self.chat:
            inputs = self._tokenizer.apply_chat_template(
                list(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
        else:
            inputs = self._tokenizer(
                messages[-1]["content"],
                return_tensors="pt",
                truncation=True,
                max_length=self.max_input_tokens,
            )
        with self._torch.no_grad():
            output = self._model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False, num_beams=1)
        read = int(inputs["input_ids"].shape[1])
        if self.chat:
            output = output[:, read:]
        self.usage.role(role).add(read, 0, int(output.shape[1]), time.perf_counter() - started)
        return str(self._tokenizer.decode(output[0], skip_special_tokens=True))

    def yes_probability(self, messages: Sequence[Message], role: str = "judge") -> float:
        """First-token logits of YES against NO (chat models only)."""
        if not self.chat:
            raise ModelError(f"{self.name} is a seq2seq summariser and cannot judge; set --judge")
        inputs = self._tokenizer.apply_chat_template(
            list(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        started = time.perf_counter()
        with self._torch.no_grad():
            logits = self._model(**inputs).logits[0, -1].float().numpy()
        self.usage.role(role).add(int(inputs["input_ids"].shape[1]), 0, 0, time.perf_counter() - started)
        ids = lambda words: {self._tokenizer.encode(w, add_special_tokens=False)[0] for w in words}
        yes = ids(YES_WORDS)
        return _yes_share(logits, yes, ids(NO_WORDS) - yes)


def load_text_model(
    source: ModelSource, context_tokens: int = 4096, threads: int = 2, seed: int = 0
) -> TextModel:
    """Load the model a :class:`~brief.models.ModelSource` points at."""
    if source.kind == "gguf":
        return LlamaCppModel(source.location, source.name, context_tokens, threads, seed)
    return TransformersModel(source.location, source.name, seed)


def shared_prefix(held: Sequence[int], tokens: Sequence[int]) -> int:
    """How many leading tokens of ``tokens`` equal those of ``held``, never all of them.

    The last token is always evaluated again: its logits are what the next step reads.

    Args:
        held: the tokens in the KV cache.
        tokens: the prompt about to be evaluated.

    Returns:
        The length of the reusable prefix.
    """
    shared = 0
    for have, want in zip(held, tokens[:-1], strict=False):
        if have != want:
            break
        shared += 1
    return shared


def _yes_share(logits: np.ndarray, yes_ids: set[int], no_ids: set[int]) -> float:
    yes = np.logaddexp.reduce(logits[sorted(yes_ids)].astype(np.float64))
    no = np.logaddexp.reduce(logits[sorted(no_ids)].astype(np.float64))
    return float(1.0 / (1.0 + np.exp(no - yes)))
