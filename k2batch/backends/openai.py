"""Any OpenAI-compatible server (`vllm serve`, SGLang, llama.cpp's server, OpenAI itself) through
the `openai` async client."""

from __future__ import annotations

import os

from k2batch.backends.http import REPLY_SETTINGS, AsyncHTTPBackend, api_key, hints, probe
from k2batch.config import BackendConfig, ConfigError

__all__ = ["REPLY_SETTINGS", "hints", "OpenAIBackend", "check", "from_config"]


def _key(cfg: BackendConfig) -> str:
    # Local servers need no key; a named variable must be set.
    return api_key(cfg, "OPENAI_API_KEY") if cfg.api_key_env else os.environ.get("OPENAI_API_KEY", "none")


class OpenAIBackend(AsyncHTTPBackend):
    name = "openai"

    def __init__(self, cfg: BackendConfig):
        super().__init__(cfg)
        from openai import AsyncOpenAI

        # Retries are ours (quota-aware), so the client's own are off.
        self._client = AsyncOpenAI(
            base_url=cfg.base_url, api_key=_key(cfg), max_retries=0, timeout=cfg.timeout_s
        )


def check(cfg: BackendConfig) -> None:
    if not cfg.base_url:
        raise ConfigError("backend 'openai' needs --base-url (e.g. http://127.0.0.1:8000/v1)")
    if not cfg.model:
        raise ConfigError("backend 'openai' needs --model")
    probe(cfg.base_url.rstrip("/") + "/models", _key(cfg))


def from_config(cfg: BackendConfig) -> OpenAIBackend:
    return OpenAIBackend(cfg)
