"""The window learned from a server, kept for the next job against it: in virtual time (what a
short job gains, what a server that shrank since costs) and through a real local server."""

import json
import os
from pathlib import Path

from k2batch import state
from k2batch.backends import windows
from k2batch.backends.base import ChatRequest
from k2batch.backends.concurrency import COLD, AdaptiveLimit
from k2batch.backends.openai import OpenAIBackend
from k2batch.config import load_config
from k2batch.testing.quota_server import QuotaServer
from tests.test_concurrency import simulate


def test_a_short_job_starting_from_the_learned_window_keeps_a_large_server_busy_from_its_start():
    learned = simulate(64, 60, first := AdaptiveLimit(max_limit=128))  # the job before
    assert learned["util"] >= 0.95 and first.learned() >= 100
    short = 3.0  # about 10 round trips
    cold = simulate(64, short, AdaptiveLimit(max_limit=128))
    warm = simulate(64, short, AdaptiveLimit(max_limit=128, initial=first.learned() // 2))
    assert cold["util"] < 0.9 and warm["util"] >= 0.95, (cold, warm)
    assert warm["rejected"] == cold["rejected"] == 0


def test_a_server_that_shrank_since_costs_its_first_bursts_of_429s_then_none():
    # learned at 64 slots; tonight the server runs 4, and answers 429 past 16 inside
    start = AdaptiveLimit(max_limit=128, initial=128 // 2)
    run = simulate(4, 120, start, bound=16)
    assert 0 < run["rejected"] <= 3 and run["util"] >= 0.95  # bursts (the window halves at each), retried
    again = AdaptiveLimit(max_limit=128, initial=start.limit)
    assert simulate(4, 120, again, bound=16)["rejected"] == 0  # what it learned tonight holds


def _backend(url: str, *sets: str) -> OpenAIBackend:
    cfg = load_config(sets=["backend.kind=openai", "backend.model=m", f"backend.base_url={url}/v1", *sets])
    return OpenAIBackend(cfg.backend)


def test_the_next_job_against_the_same_server_starts_at_half_the_window_it_learned(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    monkeypatch.setattr(windows, "EVERY_S", 0.0)
    with QuotaServer(capacity=32, service_s=lambda body: 0.1) as srv:
        first = _backend(srv.url)
        assert first.gate.limit == COLD  # nothing learned yet
        reqs = [ChatRequest(messages=(("user", f"what is {i} + {i}?"),), max_tokens=16, seed=i) for i in range(400)]
        try:
            assert not any(r.error for r in first.generate(reqs))
        finally:
            first.close()
        kept = json.loads((Path(os.environ["K2BATCH_STATE_DIR"]) / "windows.json").read_text())
        (entry,) = kept.values()
        assert entry["window"] == first.gate.control.learned() > 2 * COLD  # grew past 32 on a server of 32
        nxt = _backend(srv.url)  # a new process's client
        assert nxt.gate.limit == entry["window"] // 2
        assert _backend(srv.url, "backend.remember_window=false").gate.limit == COLD
        assert _backend(srv.url, "backend.model=other").gate.limit == COLD  # another server
        entry["at"] -= state.TTL_S + 1  # a week old: the server may have been rebuilt since
        (Path(os.environ["K2BATCH_STATE_DIR"]) / "windows.json").write_text(json.dumps(kept))
        assert _backend(srv.url).gate.limit == COLD


def test_a_home_that_cannot_be_written_starts_every_job_cold(monkeypatch, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the state folder would be
    monkeypatch.setenv("K2BATCH_STATE_DIR", str(blocked / "k2batch"))
    cfg = load_config(sets=["backend.kind=openai", "backend.model=m", "backend.base_url=http://x/v1"]).backend
    windows.remember(cfg, 100)  # no error
    assert windows.recall(cfg) is None and windows.initial(cfg, COLD) == COLD
