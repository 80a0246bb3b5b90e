"""Per-problem soft and hard limits on the solver's samples: past the soft limit the judge gets
what finished; at the hard limit a problem with nothing finished is rejected."""

import threading
import time
from collections import Counter

import pyarrow.parquet as pq

from k2batch.backends.base import ChatRequest
from k2batch.config import load_config
from k2batch.deadlines import Deadlines
from k2batch.job import run_solve
from k2batch.testing.quota_server import QuotaServer
from tests.conftest import SAMPLE


def test_soft_limit_waits_for_one_finished_sample_and_hard_limit_for_none():
    now = [0.0]
    d = Deadlines(["a", "a", "b"], soft_s=10, hard_s=30, clock=lambda: now[0])
    assert d.stop_reason(0) is None  # not started: no clock yet
    d.started(0), d.started(1), d.started(2)
    now[0] = 15
    assert d.stop_reason(0) is None  # past soft, but nothing of "a" has finished
    d.finished(1, ok=True)
    assert "soft limit" in d.stop_reason(0) and d.stop_reason(2) is None
    now[0] = 30
    assert "hard limit" in d.stop_reason(2)


def test_llamacpp_stops_a_long_sample_at_the_hard_limit():
    from k2batch.backends.llamacpp import LlamaCppBackend, embedded_model_path

    engine = LlamaCppBackend(embedded_model_path(), n_ctx=1024)
    try:
        req = ChatRequest(messages=(("user", "Write a long story about a cat."),), max_tokens=400, seed=1)
        t0 = time.monotonic()
        # 2.5 s: the prompt is read before the first check, and on a loaded machine that alone
        # took 1.8 s (a 0.5 s limit then kept no text); 400 tokens take ~6 s here unloaded
        [res] = engine.generate([req], deadlines=Deadlines(["p"], None, 2.5))
        assert time.monotonic() - t0 < 6
        assert res.finish_reason == "timeout" and "hard limit" in res.error
        assert 0 < res.completion_tokens < 400 and res.text  # the partial text is kept
        # soft: the first sample runs to its end, the problem's others stop at once
        reqs = [ChatRequest(messages=(("user", "Say hi."),), max_tokens=8, seed=s) for s in range(3)]
        results = engine.generate(reqs, deadlines=Deadlines(["p"] * 3, 0.001, None))
        assert results[0].error is None and all("soft limit" in r.error for r in results[1:])
    finally:
        engine.close()


class FirstFast:
    """Server service time: the first request of each prompt is quick, every later one slow."""

    def __init__(self, fast_s: float, slow_s: float):
        self.fast_s, self.slow_s, self.seen, self.lock = fast_s, slow_s, Counter(), threading.Lock()

    def __call__(self, body: dict) -> float:
        with self.lock:
            self.seen[str(body["messages"])] += 1
            return self.fast_s if self.seen[str(body["messages"])] == 1 else self.slow_s


def _run(tmp_path, name, service, timeouts):
    with QuotaServer(capacity=16, service_s=service) as srv:
        cfg = load_config(sets=["backend.kind=openai", f"backend.base_url={srv.url}/v1", "backend.model=m",
                                "limit=4", "plan.enabled=false", "judge.enabled=false", *timeouts])  # fmt: skip
        t0 = time.monotonic()
        manifest = run_solve(str(SAMPLE), str(tmp_path / name), cfg)
        return manifest, time.monotonic() - t0


def test_past_the_soft_limit_the_finished_sample_is_taken(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    manifest, elapsed = _run(tmp_path, "soft", FirstFast(0.05, 20.0), ["timeouts.soft_s=0.5"])
    assert elapsed < 15  # nobody waited for the 20 s samples
    rows = pq.read_table(tmp_path / "soft" / "solutions").to_pylist()
    assert len(rows) == 4 and manifest["counts"]["rejects"] == 0
    for r in rows:
        finished = [c for c in r["candidates"] if not c["error"]]
        stopped = [c for c in r["candidates"] if c["error"]]
        assert len(finished) == 1 and len(stopped) == 2
        assert all("soft limit" in c["error"] for c in stopped)
        assert r["chosen_sample"] == finished[0]["sample"]


def test_at_the_hard_limit_a_problem_with_nothing_finished_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    manifest, elapsed = _run(tmp_path, "hard", FirstFast(20.0, 20.0), ["timeouts.hard_s=0.5"])
    assert elapsed < 15 and manifest["counts"]["solutions"] == 0
    rejects = pq.read_table(tmp_path / "hard" / "rejects").to_pylist()
    assert len(rejects) == 4 and all("hard limit" in r["reason"] for r in rejects)
    assert manifest["calls"]["reused"] == 0
