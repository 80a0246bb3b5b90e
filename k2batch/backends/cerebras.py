"""Cerebras cloud through `cerebras-cloud-sdk` (async). The API key comes from $CEREBRAS_API_KEY
(or the variable `backend.api_key_env` names; the Prefect flow can fill it from a Secret block);
speculative decoding happens server-side."""

from __future__ import annotations

import os

from k2batch.backends.http import REPLY_SETTINGS, AsyncHTTPBackend, api_key, hints, probe
from k2batch.config import BackendConfig, ConfigError

__all__ = ["REPLY_SETTINGS", "hints", "CerebrasBackend", "check", "from_config"]
KEY_ENV = "CEREBRAS_API_KEY"
DEFAULT_URL = "https://api.cerebras.ai"


class CerebrasBackend(AsyncHTTPBackend):
    name = "cerebras"
    max_tokens_field = "max_completion_tokens"
    streams_json = False  # its reasoning models refuse JSON mode in a stream (a 400)

    def __init__(self, cfg: BackendConfig):
        super().__init__(cfg)
        from cerebras.cloud.sdk import AsyncCerebras

        extra = {"base_url": cfg.base_url} if cfg.base_url else {}
        # Retries are ours (quota-aware); the TCP warm-up call would spend quota on nothing.
        self._client = AsyncCerebras(api_key=api_key(cfg, KEY_ENV), max_retries=0, timeout=cfg.timeout_s,
                                     warm_tcp_connection=False, **extra)  # fmt: skip


def check(cfg: BackendConfig) -> None:
    try:
        import cerebras.cloud.sdk  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            "backend 'cerebras' needs cerebras-cloud-sdk: pip install 'k2batch[cerebras]'"
        ) from exc
    if not cfg.model:
        raise ConfigError("backend 'cerebras' needs --model (e.g. qwen-3-32b)")
    base = cfg.base_url or os.environ.get("CEREBRAS_BASE_URL") or DEFAULT_URL
    probe(base.rstrip("/") + "/v1/models", api_key(cfg, KEY_ENV))


def from_config(cfg: BackendConfig) -> CerebrasBackend:
    return CerebrasBackend(cfg)
