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
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from brief.errors import ModelError
from brief.models import ModelSource

log = logging.getLogger(__name__)

Message = dict[str, str]
YES_WORDS = ("YES", "Yes", "yes", " YES", " Yes")
NO_WORDS = ("NO", "No", "no", " NO", " No")


@runtime_checkable
class TextModel(Protocol):
    """A loaded instruction model."""

    name: str
    # False for seq2seq summarisers (BART, PEGASUS) that take plain text, not chat.
    chat: bool

    def complete(self, messages: Sequence[Message], max_tokens: int) -> str:
        """The model's greedy reply."""
        ...

    def yes_probability(self, messages: Sequence[Message]) -> float:
        """P(YES) / (P(YES) + P(NO)) for the reply's first token."""
        ...


class LlamaCppModel:
    """A GGUF model run by llama-cpp-python on the CPU."""

    chat = True

    def __init__(self, path: str, name: str, context_tokens: int = 4096, threads: int = 2, seed: int = 0) -> None:
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise ModelError("GGUF models need llama-cpp-python; install brief with pip") from exc
        try:
            self._llm = Llama(model_path=path, n_ctx=context_tokens, n_threads=threads, seed=seed, verbose=False)
        except (ValueError, OSError) as exc:
            raise ModelError(f"cannot load GGUF model {path}: {exc}") from exc
        self.name = name
        self.seed = seed
        self.context_tokens = context_tokens
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError(f"GGUF model {name} has no chat template; brief needs an instruction model")
        self._format = Jinja2ChatFormatter(template, eos_token=self._token_text(self._llm.token_eos()), bos_token=self._token_text(self._llm.token_bos()))
        self._yes_ids = self._first_tokens(YES_WORDS)
        self._no_ids = self._first_tokens(NO_WORDS) - self._yes_ids

    def complete(self, messages: Sequence[Message], max_tokens: int) -> str:
        """Greedy chat completion with a fixed seed."""
        result = self._llm.create_chat_completion(
            messages=list(messages),  # type: ignore[arg-type]
            temperature=0.0,
            max_tokens=max_tokens,
            seed=self.seed,
        )
        return str(result["choices"][0]["message"]["content"] or "")  # type: ignore[index]

    def yes_probability(self, messages: Sequence[Message]) -> float:
        """Read the first reply token's logits for YES and NO, without sampling."""
        import llama_cpp

        prompt = self._format(messages=list(messages)).prompt
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        self._llm.reset()
        self._llm.eval(tokens)
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self._llm.ctx, -1), shape=(self._llm.n_vocab(),))
        return _yes_share(logits, self._yes_ids, self._no_ids)

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
            raise ModelError("transformers models need torch and transformers; install brief with pip") from exc
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
        self.name = name
        self.max_input_tokens = max_input_tokens

    def complete(self, messages: Sequence[Message], max_tokens: int) -> str:
        """Greedy generation: a chat model gets the messages, a seq2seq model the last one's text."""
        if self.chat:
            inputs = self._tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True)
        else:
            inputs = self._tokenizer(messages[-1]["content"], return_tensors="pt", truncation=True, max_length=self.max_input_tokens)
        with self._torch.no_grad():
            output = self._model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False, num_beams=1)
        if self.chat:
            output = output[:, inputs["input_ids"].shape[1] :]
        return str(self._tokenizer.decode(output[0], skip_special_tokens=True))

    def yes_probability(self, messages: Sequence[Message]) -> float:
        """First-token logits of YES against NO (chat models only)."""
        if not self.chat:
            raise ModelError(f"{self.name} is a seq2seq summariser and cannot judge; set --judge")
        inputs = self._tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True)
        with self._torch.no_grad():
            logits = self._model(**inputs).logits[0, -1].float().numpy()
        ids = lambda words: {self._tokenizer.encode(w, add_special_tokens=False)[0] for w in words}  # noqa: E731
        yes = ids(YES_WORDS)
        return _yes_share(logits, yes, ids(NO_WORDS) - yes)


def load_text_model(source: ModelSource, context_tokens: int = 4096, threads: int = 2, seed: int = 0) -> TextModel:
    """Load the model a :class:`~brief.models.ModelSource` points at."""
    if source.kind == "gguf":
        return LlamaCppModel(source.location, source.name, context_tokens, threads, seed)
    return TransformersModel(source.location, source.name, seed)


def _yes_share(logits: np.ndarray, yes_ids: set[int], no_ids: set[int]) -> float:
    yes = np.logaddexp.reduce(logits[sorted(yes_ids)].astype(np.float64))
    no = np.logaddexp.reduce(logits[sorted(no_ids)].astype(np.float64))
    return float(1.0 / (1.0 + np.exp(no - yes)))
