"""Backends behind one protocol; `get_backend` keeps one engine per process and configuration."""

from __future__ import annotations

import atexit
import importlib
import json
import threading
from dataclasses import dataclass
from importlib.metadata import entry_points

from k2batch.backends.base import Backend, ChatRequest, ChatResult
from k2batch.config import BackendConfig, ConfigError

__all__ = ["Backend", "ChatRequest", "ChatResult", "Hints", "get_backend", "hints", "reply_settings",
           "BACKENDS"]  # fmt: skip


@dataclass(frozen=True)
class Hints:
    """What the pipeline needs to know of a backend, declared by the backend (`hints(cfg)`)."""

    batch_size: int  # requests per RunInference batch
    io_bound: bool = False  # a client of a remote server: several bundle threads share it
    bundle_threads: int = 1  # local engines that serve several bundle threads at once (a pool)
    overlapping: bool = False  # one engine serves many requests at once (continuous batching):
    # the calls' latencies overlap, so their sum is not the time the engine was busy
    binds_late: bool = False  # asks `deadlines.stop_reason` as an engine picks up each call (not
    # when it is queued): a routed problem can still move to the spill backend then (k2batch.router)


def _plugins() -> dict[str, str]:
    """Backends other packages register: entry point group `k2batch.backends`, name -> module
    (it defines `from_config(cfg)`, and may define `hints`, `check`, `REPLY_SETTINGS`)."""
    return {ep.name: ep.value.split(":")[0] for ep in entry_points(group="k2batch.backends")}


# name -> module; imported lazily so a missing optional engine only fails when chosen.
BACKENDS = {
    "llamacpp": "k2batch.backends.llamacpp",
    "vllm": "k2batch.backends.vllm",
    "openai": "k2batch.backends.openai",
    "cerebras": "k2batch.backends.cerebras",
    **_plugins(),
}

_engines: dict[str, Backend] = {}
_lock = threading.Lock()


def _module(kind: str):
    if kind not in BACKENDS:
        BACKENDS.update(_plugins())  # installed since this process started
    if kind not in BACKENDS:
        raise ConfigError(f"unknown backend {kind!r}; available: {', '.join(BACKENDS)}")
    return importlib.import_module(BACKENDS[kind])


def check_backend(cfg: BackendConfig) -> None:
    """Raise ConfigError now if `cfg` cannot work (missing model file, missing package...),
    before any pipeline starts. Backends may define `check(cfg)`."""
    check = getattr(_module(cfg.kind), "check", None)
    if check:
        check(cfg)


def check_engines(cfgs: list[BackendConfig]) -> None:
    """Raise ConfigError now if the engines the stages need cannot live in one worker together
    (two vLLM engines on one GPU). Backends may define `check_engines(cfgs)`."""
    by_kind: dict[str, dict[str, BackendConfig]] = {}
    for cfg in cfgs:
        by_kind.setdefault(cfg.kind, {})[cfg.model_dump_json()] = cfg
    for kind, distinct in by_kind.items():
        check = getattr(_module(kind), "check_engines", None)
        if check:
            check(list(distinct.values()))


def reply_settings(cfg: BackendConfig) -> str | None:
    """The backend settings that change a model's reply (a backend module lists them in
    REPLY_SETTINGS, dotted), as JSON: part of every call's key, so changing one of them never
    reuses replies made under another value."""
    names = getattr(_module(cfg.kind), "REPLY_SETTINGS", ())
    if not names:
        return None
    values = {}
    for dotted in names:
        value = cfg
        for part in dotted.split("."):
            value = getattr(value, part)
        values[dotted] = value
    return json.dumps(values, sort_keys=True, default=str)


def hints(cfg: BackendConfig) -> Hints:
    """The backend's own hints (a module without `hints` gets small batches, no threads)."""
    declared = getattr(_module(cfg.kind), "hints", None)
    return declared(cfg) if declared else Hints(batch_size=8)


def get_backend(cfg: BackendConfig) -> Backend:
    """The process-wide engine for `cfg`, created on first use (one engine per worker process)."""
    key = cfg.model_dump_json()
    with _lock:
        if key not in _engines:
            engine = _module(cfg.kind).from_config(cfg)
            if hasattr(engine, "close"):  # free native engines before interpreter teardown
                atexit.register(engine.close)
            _engines[key] = engine
        return _engines[key]
