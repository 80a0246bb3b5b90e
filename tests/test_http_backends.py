"""The HTTP backends against real local servers: the quota/fault server speaking the OpenAI and
Cerebras protocol, and llama.cpp's own OpenAI-compatible server with the embedded model."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pyarrow.parquet as pq
import pytest

from k2batch import backends
from k2batch.backends import get_backend
from k2batch.backends.base import ChatRequest
from k2batch.backends.llamacpp import embedded_model_path
from k2batch.config import load_config
from k2batch.job import run_solve
from k2batch.testing.quota_server import QuotaServer
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow
JSON_REQ = ChatRequest(messages=(("user", "Is 2 + 2 hard?"),), max_tokens=8,
                       json_schema='{"type": "object", "properties": {"hard": {"type": "boolean"}}}')
FAST = ["stages.triage.max_tokens=24", "stages.plan.max_tokens=32", "stages.generate.max_tokens=48",
        "stages.judge.max_tokens=24", "samples=2"]  # fmt: skip


def http_cfg(kind, url, *sets):
    return load_config(
        sets=[f"backend.kind={kind}", f"backend.base_url={url}", "backend.model=test-model", *sets]
    )


def test_quota_and_faults_every_row_completes_or_carries_a_reason(tmp_path):
    # The client is not told the quota: it learns it from 429s, Retry-After and x-ratelimit-*.
    sets = [
        "samples=3",
        "limit=16",
        "backend.timeout_s=1",
        "backend.max_retries=12",
        "backend.max_concurrency=8",
    ]
    with QuotaServer(rpm=120, tpm=12000, window_s=2, fault_rate=0.2, hang_s=1.5, seed=7) as srv:
        manifest = run_solve(str(SAMPLE), str(tmp_path), http_cfg("openai", srv.url + "/v1", *sets))
    sols = pq.read_table(tmp_path / "solutions").to_pylist()
    rejects = pq.read_table(tmp_path / "rejects").to_pylist()
    stats = pq.read_table(tmp_path / "token_stats").to_pylist()
    ids = [s["id"] for s in sols] + [r["id"] for r in rejects]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 16  # none lost, none twice
    assert srv.counts["429"] > 0 and sum(v for k, v in srv.counts.items() if k.startswith("fault")) > 0
    failed = [s for s in stats if s["error"]]
    assert all(s["finish_reason"] == "error" and s["error"] for s in failed)  # a reason on every failure
    assert len(failed) <= 1  # with retries, faults and 429s cost time, not rows
    # every call answered once by the server is one row here: nothing was sent twice
    assert srv.counts["ok"] == manifest["calls"]["made"] == len(stats) - len(failed)
    assert max(srv.seeds.values()) == 1


def test_permanent_errors_fail_at_once_without_retries():
    with QuotaServer() as srv:
        backend = get_backend(http_cfg("openai", srv.url + "/v1", "backend.model=no-such-model").backend)
        [res] = backend.generate([ChatRequest(messages=(("user", "hi"),), max_tokens=8)])
        assert res.error.startswith("HTTP 404") and res.finish_reason == "error"
        assert srv.counts["requests"] == 1


def test_cerebras_client_speaks_to_the_same_server(tmp_path, monkeypatch):
    monkeypatch.setenv("CEREBRAS_API_KEY", "csk-test-key")
    with QuotaServer(tpm=50_000, window_s=5) as srv:
        m = run_solve(str(SAMPLE), str(tmp_path), http_cfg("cerebras", srv.url, "limit=3", *FAST))
    assert m["counts"]["solutions"] == 3 and srv.counts["ok"] == m["calls"]["made"] > 0


@pytest.mark.parametrize("kind", ["openai", "cerebras"])
def test_a_streamed_reply_reads_as_the_same_reply_whole(kind, monkeypatch):
    """While the window grows replies are streamed (their first chunk shows the server runs
    them); gathered, each is the reply the server gives whole: text, finish, the server's usage."""
    monkeypatch.setenv("CEREBRAS_API_KEY", "csk-test-key")
    reqs = [ChatRequest(messages=(("user", f"what is {i} + {i}?"),), max_tokens=16, seed=i) for i in range(6)]
    got = {}
    for streams in (True, False):
        with QuotaServer(capacity=4, service_s=lambda body: 0.05) as srv:
            url = srv.url + ("/v1" if kind == "openai" else "")
            backend = get_backend(http_cfg(kind, url, f"backend.stream_start={str(streams).lower()}").backend)
            try:
                assert backend._streaming(reqs[0]) is streams
                # Cerebras's reasoning models refuse JSON mode in a stream: constrained requests go whole
                assert backend._streaming(JSON_REQ) is (streams and kind == "openai")
                got[streams] = [(r.text, r.finish_reason, r.prompt_tokens, r.completion_tokens, r.error)
                                for r in backend.generate(reqs)]  # fmt: skip
            finally:
                backend.close()
    assert got[True] == got[False] and all(t and p > 0 and not e for t, _, p, _, e in got[True])


def test_a_server_that_refuses_to_stream_a_request_gets_it_whole(tmp_path):
    """A server answering a streamed JSON-mode request with a 400 (as Cerebras's reasoning models
    do) that it answers whole: each refused request is sent again whole, the job loses nothing,
    and streams stop after the first round trip's refusals."""
    with QuotaServer(capacity=8, service_s=lambda body: 0.02, refuse_json_streams=True) as srv:
        m = run_solve(str(SAMPLE), str(tmp_path), http_cfg("openai", srv.url + "/v1", "limit=3", *FAST))
    stats = pq.read_table(tmp_path / "token_stats").to_pylist()
    assert m["counts"]["solutions"] == 3 and not any(s["error"] for s in stats)
    assert 0 < srv.counts["400"] <= 16 and srv.counts["ok"] == m["calls"]["made"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_model_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--interrupt_requests", "false", "--model_alias", "smollm2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/v1/models", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def chat(url: str, body: dict) -> dict:
    req = urllib.request.Request(url + "/v1/chat/completions", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)


@pytest.mark.parametrize("kind", ["openai", "cerebras"])
def test_solve_against_llama_cpp_server_counts_the_servers_usage(tmp_path, llama_server, kind, monkeypatch):
    monkeypatch.setenv("CEREBRAS_API_KEY", "not-checked-by-llama-cpp")
    url = llama_server + ("/v1" if kind == "openai" else "")
    sets = ["limit=2", "backend.json_mode=json_object", "backend.max_concurrency=1", *FAST]
    cfg = load_config(
        sets=[f"backend.kind={kind}", f"backend.base_url={url}", "backend.model=smollm2", *sets]
    )
    m = run_solve(str(SAMPLE), str(tmp_path), cfg)
    assert m["counts"]["solutions"] == 2
    stats = pq.read_table(tmp_path / "token_stats").to_pylist()
    assert {s["backend"] for s in stats} == {kind} and not any(s["error"] for s in stats)
    # the prompt tokens we recorded are what the server reports for the same request
    sols = pq.read_table(tmp_path / "solutions").to_pylist()
    from k2batch import recipe

    problem = {"id": sols[0]["id"], "problem": sols[0]["problem"], "domain": sols[0]["domain"]}
    req = recipe.solve_request(problem, 0, sols[0]["candidates"][0]["plan"], cfg)
    row = next(
        s for s in stats if s["stage"] == "generate" and s["problem_id"] == problem["id"] and s["sample"] == 0
    )
    again = chat(
        llama_server, {"model": "smollm2", "messages": req.chat(), "max_tokens": 1, "temperature": 0}
    )
    assert row["prompt_tokens"] == again["usage"]["prompt_tokens"] > 0
    assert row["completion_tokens"] > 0


def test_a_server_that_refuses_json_schema_fails_the_call_at_once_with_the_setting_to_change(llama_server):
    """llama.cpp's server answers `response_format: json_schema` with a 500 (a validation error):
    retried as a server fault it cost each constrained call its backoff (a routed job's spill
    calls took 6-13 s and missed the deadline), and the reason did not say what to set."""
    cfg = http_cfg("openai", llama_server + "/v1", "backend.model=smollm2", "backend.max_retries=4").backend
    backend = get_backend(cfg)
    attempts = []
    attempt = backend._attempt

    async def counted(*args, **kwargs):
        attempts.append(1)
        return await attempt(*args, **kwargs)

    backend._attempt = counted
    schema = json.dumps({"type": "object", "properties": {"hard": {"type": "boolean"}}, "required": ["hard"]})
    try:
        [res] = backend.generate([ChatRequest(messages=(("user", "Is 2+2 hard?"),), max_tokens=8, json_schema=schema)])
    finally:
        backend.close()
    assert res.finish_reason == "error" and 'backend.json_mode = "json_object"' in res.error, res.error
    assert len(attempts) == 1
    ok = get_backend(http_cfg("openai", llama_server + "/v1", "backend.model=smollm2",
                              "backend.json_mode=json_object").backend)  # fmt: skip
    try:
        [res] = ok.generate([ChatRequest(messages=(("user", "Is 2+2 hard?"),), max_tokens=16, json_schema=schema)])
    finally:
        ok.close()
    assert not res.error, res.error


def test_a_server_whose_streams_carry_no_usage_gets_whole_replies(llama_server, caplog):
    """llama-cpp-python's server sends no token counts in a stream, even when asked: the replies
    streamed while the window grew get estimated counts and a warning, then whole replies, also
    for the next job against it, whose counts are the server's own."""
    cfg = http_cfg("openai", llama_server + "/v1", "backend.model=smollm2").backend
    req = ChatRequest(messages=(("user", "What is 2 + 2? Answer briefly."),), max_tokens=8, temperature=0.0)
    got = []
    for _ in range(2):
        backend = get_backend(cfg)
        streams = backend._streams
        try:
            [res] = backend.generate([req])
        finally:
            backend.close()
        got.append((streams, res.prompt_tokens, res.completion_tokens, res.error))
        backends._engines.clear()  # the next job: a new client
    exact = chat(llama_server, {"model": "smollm2", "messages": req.chat(), "max_tokens": 1})["usage"]
    (streamed, estimated, pieces, error), (again, prompt, completion, error2) = got
    assert streamed and not again and error is error2 is None
    assert prompt == exact["prompt_tokens"] != estimated > 0 and pieces > 0 and completion > 0
    assert "without its token counts" in caplog.text
