"""Backends behind one protocol; `get_backend` keeps one engine per process and configuration."""

from __future__ import annotations

import atexit
import importlib
import threading

from k2batch.backends.base import Backend, ChatRequest, ChatResult
from k2batch.config import BackendConfig, ConfigError

__all__ = ["Backend", "ChatRequest", "ChatResult", "get_backend", "BACKENDS"]

# name -> "module:factory"; imported lazily so a missing optional engine only fails when chosen.
BACKENDS = {
    "llamacpp": "k2batch.backends.llamacpp:from_config",
    "vllm": "k2batch.backends.vllm:from_config",
    "openai": "k2batch.backends.openai:from_config",
    "cerebras": "k2batch.backends.cerebras:from_config",
}

_engines: dict[str, Backend] = {}
_lock = threading.Lock()


def _module(kind: str):
    if kind not in BACKENDS:
        raise ConfigError(f"unknown backend {kind!r}; available: {', '.join(BACKENDS)}")
    return importlib.import_module(BACKENDS[kind].split(":")[0])


def check_backend(cfg: BackendConfig) -> None:
    """Raise ConfigError now if `cfg` cannot work (missing model file, missing package...),
    before any pipeline starts. Backends may define `check(cfg)`."""
    check = getattr(_module(cfg.kind), "check", None)
    if check:
        check(cfg)


def get_backend(cfg: BackendConfig) -> Backend:
    """The process-wide engine for `cfg`, created on first use (one engine per worker process)."""
    key = cfg.model_dump_json()
    with _lock:
        if key not in _engines:
            factory = BACKENDS[cfg.kind].split(":")[1]
            engine = getattr(_module(cfg.kind), factory)(cfg)
            if hasattr(engine, "close"):  # free native engines before interpreter teardown
                atexit.register(engine.close)
            _engines[key] = engine
        return _engines[key]
