"""One typed settings object, built once and passed down explicitly.

Precedence, lowest first: the defaults below < a TOML file < ``BRIEF_*``
environment variables < keyword overrides (the CLI's flags).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brief.errors import ConfigError

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "brief"


@dataclass(frozen=True)
class Settings:
    """Every knob of the pipeline, with the defaults a first run uses."""

    # Models: a packaged default name, a hub id or a local folder / file.
    embedder: str = "all-MiniLM-L6-v2"
    summarizer: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    # None: the summariser model also judges entailment.
    judge: str | None = None

    # Ingest
    max_article_bytes: int = 5_000_000
    min_article_chars: int = 200

    # Stories: articles within this average cosine distance (title + lead embedding mixed with
    # shared names, names_weight of it), published at most story_window_days apart, are one
    # story (bench/story_groups.py chose both on the development corpus).
    story_distance: float = 0.825
    story_names_weight: float = 0.7
    story_window_days: int = 7
    min_story_articles: int = 3

    # Facts and topics
    merge_threshold: float = 0.85
    merge_floor: float = 0.75
    topic_distance: float = 0.92
    context_weight: float = 0.32
    topic_min_size: int = 3
    max_topics: int = 6
    embed_batch_size: int = 64

    # Summaries and verification
    summary_sentences: int = 3
    lead_sentences: int = 4
    # Words of prose the one-page PDF holds beside the figures and sources (see brief/plan.py).
    page_words: int = 500
    timeline_lines: int = 3
    # Ask the model for topic labels (each still gated); off: labels are the central fact's main clause.
    model_labels: bool = False
    # Write summaries for topics the page has no room for too (for the digests).
    full_digests: bool = False
    judge_threshold: float = 0.65
    context_tokens: int = 2048
    max_new_tokens: int = 60
    # llama.cpp threads. One thread read 80-87 tokens/s and wrote 16-24 on the 2-core machine, no slower
    # than the 84 and 13 measured before with two; two threads fell to 28-34 and 1-4 whenever anything
    # else ran (README, "Speed"). Set 2 on a dedicated machine if bench/speed.py shows it faster.
    threads: int = 1
    seed: int = 0

    # Where work runs (--ray): Ray actors to start; 0 = as many as the cluster's CPUs
    # allow at `threads` CPUs each.
    ray_workers: int = 0

    # Fetching feeds (brief fetch): limits and politeness for every HTTP request.
    fetch_timeout_s: float = 20.0
    fetch_connect_timeout_s: float = 10.0
    # The page byte cap matches max_article_bytes: a bigger page would be skipped by ingest anyway.
    fetch_max_bytes: int = 5_000_000
    fetch_per_host_delay_s: float = 1.0
    fetch_retries: int = 2
    fetch_backoff_s: float = 1.0
    fetch_max_retry_after_s: float = 30.0
    fetch_max_redirects: int = 5
    # None: "brief/<version> (...)"; operators should set one with a contact URL or address.
    user_agent: str | None = None

    # Paths
    cache_dir: Path = DEFAULT_CACHE
    out_dir: Path = Path("output")
    templates_dir: Path | None = None
    state_file: Path | None = None

    @classmethod
    def load(
        cls,
        config_file: Path | None = None,
        env: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Build settings from defaults, a TOML file, the environment and overrides.

        Args:
            config_file: a TOML file whose top-level keys are field names.
            env: the environment to read ``BRIEF_<FIELD>`` from (default ``os.environ``).
            **overrides: values that win over everything else; ``None`` means "not given".

        Returns:
            The frozen settings.
        """
        values: dict[str, Any] = {}
        if config_file is not None:
            values.update(_read_toml(config_file))
        env = os.environ if env is None else env
        for name in _field_types():
            raw = env.get(f"BRIEF_{name.upper()}")
            if raw is not None:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{k: _coerce(k, v) for k, v in values.items()})

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-friendly values, for the brief's record of how it was made."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(self).items()}


def _field_types() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    unknown = set(data) - set(_field_types())
    if unknown:
        raise ConfigError(f"unknown setting(s) in {path}: {', '.join(sorted(unknown))}")
    return data


def _coerce(name: str, value: Any) -> Any:
    """Turn strings from files and the environment into the field's type."""
    types = _field_types()
    if name not in types:
        raise ConfigError(f"unknown setting: {name}")
    hint = types[name]
    base = {t for t in typing.get_args(hint) if t is not type(None)} or {hint}
    try:
        if Path in base:
            return Path(value)
        if bool in base and isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        if int in base and not isinstance(value, bool):
            return int(value)
        if float in base:
            return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: {value!r} is not a valid value") from exc
    return value
