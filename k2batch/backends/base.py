"""The one protocol every backend speaks: a batch of chat requests in, one result per request out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Protocol, runtime_checkable

from k2batch.extract import split_think
from k2batch.secrets import redact


@dataclass(frozen=True)
class ChatRequest:
    """One model call. Backends read only the sampling fields; `stage` is kept for accounting."""

    messages: tuple[tuple[str, str], ...]  # (role, content) pairs; tuples keep the request hashable
    max_tokens: int
    temperature: float = 1.0
    top_p: float = 0.95
    seed: int = 0
    stage: str = ""
    model: str | None = None  # None: the backend's default model
    json_schema: str | None = None  # JSON Schema text: constrain the reply where the backend can
    backend_settings: str | None = None  # what else changes the reply (backends.reply_settings)

    def chat(self) -> list[dict[str, str]]:
        return [{"role": r, "content": c} for r, c in self.messages]

    def key(self) -> str:
        """Identity of the call: hash(stage, model, prompt, sampling params, seed, reply-changing
        backend settings). Computed once per request (stages ask for it several times)."""
        return self._hash("_key", ())

    def free_key(self) -> str:
        """The key without `max_tokens`: a reply that stopped on its own under one limit is the
        reply under any limit it fits in (same seed, same tokens), so it is reused when the limit
        changes; only replies cut at the limit are made again."""
        return self._hash("_free_key", ("max_tokens",))

    def _hash(self, slot: str, leave_out: tuple[str, ...]) -> str:
        cached = self.__dict__.get(slot)
        if cached is None:
            # tuples encode as lists, like asdict
            d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in leave_out}
            blob = json.dumps(d, sort_keys=True, ensure_ascii=False)
            cached = hashlib.sha256(blob.encode()).hexdigest()[:32]
            object.__setattr__(self, slot, cached)  # frozen: a cache, not a field
        return cached


@dataclass
class ChatResult:
    """What came back. A failed call is a result with `error` set, never an exception."""

    text: str
    finish_reason: str  # stop | length | error
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    backend: str = ""
    model: str = ""
    error: str | None = None
    draft_accepted: int | None = None
    reasoning_tokens: int | None = None  # completion tokens inside <think>, where countable
    cache_hit: bool = False  # reused from the result store, not computed now
    extra: dict = field(default_factory=dict)

    @classmethod
    def failed(cls, error: str, backend: str, model: str, latency_s: float = 0.0) -> ChatResult:
        """A failed call; secrets a server echoed into its error are redacted here, before the
        text can reach token_stats, rejects or a log."""
        return cls("", "error", backend=backend, model=model, error=redact(error), latency_s=latency_s)


OnResult = Callable[[int, ChatResult], None]


def reasoning_text(text: str) -> str | None:
    """The reasoning part of a reply (None when it has none): inside <think>...</think> or the
    <|begin_of_thought|> pair, or everything after an opening tag never closed (a reply cut at
    its token limit mid-thought is all reasoning, and is priced as such)."""
    return split_think(text)[0]


def estimate_reasoning_tokens(text: str, completion_tokens: int) -> int:
    """Reasoning tokens by character share, for servers that report no split and expose no
    tokenizer."""
    think = reasoning_text(text)
    return round(completion_tokens * len(think) / len(text)) if think and text else 0


@runtime_checkable
class Backend(Protocol):
    """A model server or engine. `generate` returns results in request order and does not raise
    for a single bad request (it returns a failed ChatResult for it). `on_result(i, result)`, if
    given, is called as each result is ready, so the caller can persist it before the batch ends.
    `deadlines` (k2batch.deadlines), if given, says when a running request must stop; backends
    that cannot stop one request ignore it."""

    name: str
    model: str

    def generate(
        self, requests: Sequence[ChatRequest], on_result: OnResult | None = None, deadlines=None
    ) -> list[ChatResult]: ...
