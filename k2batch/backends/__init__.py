"""Backends behind one protocol; `get_backend` keeps one engine per process and configuration."""

from __future__ import annotations

import atexit
import importlib
import threading

from k2batch.backends.base import Backend, ChatRequest, ChatResult
from k2batch.config import BackendConfig

__all__ = ["Backend", "ChatRequest", "ChatResult", "get_backend", "BACKENDS"]

# name -> "module:factory"; imported lazily so a missing optional engine only fails when chosen.
BACKENDS = {
    "llamacpp": "k2batch.backends.llamacpp:from_config",
}

_engines: dict[str, Backend] = {}
_lock = threading.Lock()


def get_backend(cfg: BackendConfig) -> Backend:
    """The process-wide engine for `cfg`, created on first use (one engine per worker process)."""
    key = cfg.model_dump_json()
    with _lock:
        if key not in _engines:
            if cfg.kind not in BACKENDS:
                raise ValueError(f"unknown backend {cfg.kind!r}; available: {', '.join(BACKENDS)}")
            module, factory = BACKENDS[cfg.kind].split(":")
            engine = getattr(importlib.import_module(module), factory)(cfg)
            if hasattr(engine, "close"):  # free native engines before interpreter teardown
                atexit.register(engine.close)
            _engines[key] = engine
        return _engines[key]
