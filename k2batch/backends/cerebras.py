"""Cerebras cloud through `cerebras-cloud-sdk` (async). The API key comes from $CEREBRAS_API_KEY
(or the variable `backend.api_key_env` names; the Prefect flow can fill it from a Secret block);
speculative decoding happens server-side."""

from __future__ import annotations

from k2batch.backends.http import AsyncHTTPBackend, api_key
from k2batch.config import BackendConfig, ConfigError

KEY_ENV = "CEREBRAS_API_KEY"


class CerebrasBackend(AsyncHTTPBackend):
    name = "cerebras"
    max_tokens_field = "max_completion_tokens"

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
    api_key(cfg, KEY_ENV)


def from_config(cfg: BackendConfig) -> CerebrasBackend:
    return CerebrasBackend(cfg)
