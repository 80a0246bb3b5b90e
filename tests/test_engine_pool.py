"""Several llama.cpp engines in one process (backend.engines): real engines, the embedded model."""

import os
import threading

import pytest
from apache_beam.options.pipeline_options import DirectOptions

from k2batch.backends import get_backend
from k2batch.backends.base import ChatRequest
from k2batch.backends.llamacpp import EnginePool, LlamaCppBackend, embedded_model_path
from k2batch.config import BackendConfig, load_config
from k2batch.runners import pipeline_options

REQUESTS = [
    ChatRequest(messages=(("user", f"Name {i + 2} fruits."),), max_tokens=12, temperature=0.7, seed=i)
    for i in range(6)
]


@pytest.fixture(scope="module")
def pool():
    engines = EnginePool([LlamaCppBackend(embedded_model_path(), n_ctx=512, n_threads=1) for _ in range(2)])
    yield engines
    engines.close()


def test_a_pool_answers_each_request_once_as_one_engine_would(pool):
    seen: dict[int, int] = {}
    results = pool.generate(REQUESTS, on_result=lambda i, r: seen.__setitem__(i, threading.get_ident()))
    assert sorted(seen) == list(range(len(REQUESTS)))  # every result reported once, by index
    assert len(set(seen.values())) == 2  # both engines took requests
    one = LlamaCppBackend(embedded_model_path(), n_ctx=512, n_threads=1)
    assert [r.text for r in results] == [r.text for r in one.generate(REQUESTS)]  # in request order
    assert all(r.completion_tokens > 0 and r.backend == "llamacpp" for r in results)
    one.close()


def test_a_failing_callback_fails_the_batch_in_the_caller(pool):
    def store_full(i, result):
        raise OSError("no space left on device")

    with pytest.raises(OSError, match="no space"):
        pool.generate(REQUESTS[:3], on_result=store_full)
    assert len(pool.generate(REQUESTS[:2])) == 2  # the pool still works afterwards


def test_engines_share_the_cores_unless_told():
    engine = get_backend(BackendConfig(engines=2, n_ctx=512))
    assert isinstance(engine, EnginePool) and engine.model == embedded_model_path().name
    cores = os.cpu_count() or 1
    assert all(e._llm.n_threads == max(1, cores // 2) for e in engine._engines)  # the cores split
    assert isinstance(get_backend(BackendConfig(n_ctx=512)), LlamaCppBackend)


def test_batches_from_two_bundle_threads_share_the_engines(pool):
    single = LlamaCppBackend(embedded_model_path(), n_ctx=512, n_threads=1)
    expected = [r.text for r in single.generate(REQUESTS)]
    single.close()
    got: dict[int, list[str]] = {}

    def bundle(k: int) -> None:  # as a bundle thread of the multi_threading runner
        got[k] = [r.text for r in pool.generate(REQUESTS[k::2])]

    threads = [threading.Thread(target=bundle, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got[0] == expected[0::2] and got[1] == expected[1::2]


def test_a_pool_gets_a_bundle_thread_per_engine():
    def mode(*sets):
        opts = pipeline_options(load_config(sets=list(sets))).view_as(DirectOptions)
        return opts.direct_running_mode, opts.direct_num_workers

    assert mode("backend.engines=2") == ("multi_threading", 2)
    assert mode() == ("in_memory", 1)  # one engine: one bundle thread
    assert mode("backend.engines=2", "runner.workers=2") == ("multi_processing", 2)  # processes asked for
    assert mode("backend.engines=2", "runner.mode=in_memory") == ("in_memory", 1)
