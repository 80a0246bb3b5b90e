"""Jobs whose model calls fail, told apart from jobs that succeeded; secrets kept out of every output
and log; mistakes caught before any work starts, in one line."""

import json
import os
import socket
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from k2batch.config import ConfigError, load_config
from k2batch.job import preflight
from k2batch.testing.quota_server import QuotaServer
from tests.conftest import SAMPLE

KEY = "sk-PLANTED-0123456789abcdef"


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "k2batch.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})  # fmt: skip


def http_sets(url, *more):
    sets = ["backend.kind=openai", f"backend.base_url={url}/v1", "backend.model=test-model", "samples=1",
            "plan.enabled=false", "judge.enabled=false", "backend.max_retries=0", *more]  # fmt: skip
    return [x for s in sets for x in ("--set", s)]


def test_a_job_whose_every_call_fails_is_failed_and_echoed_keys_are_redacted(tmp_path):
    out = tmp_path / "out"
    with QuotaServer(echo_key=True) as srv:  # every chat request: a 400 that quotes the key
        args = ["solve", str(SAMPLE), "--out", str(out), "--limit", "3", "--no-prefect",
                *http_sets(srv.url, "backend.api_key_env=K2BATCH_TEST_KEY")]  # fmt: skip
        r = cli("--log-level", "DEBUG", *args, env={"K2BATCH_TEST_KEY": KEY})
        assert r.returncode == 1, r.stderr[-2000:]
        assert json.loads(r.stdout)["status"] == "failed" and "job failed" in r.stderr
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["status"] == "failed" and manifest["calls"]["failed"] == 3
        stats = pq.read_table(out / "token_stats").to_pylist()
        assert all("[redacted]" in s["error"] for s in stats)
        rejects = pq.read_table(out / "rejects").to_pylist()
        assert len(rejects) == 3 and all("[redacted]" in x["reason"] for x in rejects)
        for path in [p for p in out.rglob("*") if p.is_file()]:
            assert KEY.encode() not in path.read_bytes(), path
        assert KEY not in r.stdout + r.stderr
        before = srv.counts["400"]
        again = cli(*args, env={"K2BATCH_TEST_KEY": KEY})  # not a no-op: the failed calls are retried
        # each once, streamed while the window grows; a refused stream is sent again whole until
        # one such is refused too (the refusal is then the request's own): 4 to 6 requests
        assert again.returncode == 1 and 3 < srv.counts["400"] - before <= 6


def test_a_partial_job_is_rerun_and_retries_only_what_failed(tmp_path):
    out = tmp_path / "out"
    with QuotaServer(fault_rate=0.5, hang_s=0.05, seed=3) as srv:  # faults, and no retries in-run
        args = ["solve", str(SAMPLE), "--out", str(out), "--limit", "6", "--no-prefect", *http_sets(srv.url)]
        first = cli(*args)
        summary = json.loads(first.stdout)
        assert first.returncode == 0 and summary["status"] == "partial", first.stderr[-2000:]
        failed = summary["calls"]["failed"]
        assert 0 < failed < 6 and "rerun the same command" in first.stderr
        srv.fault_rate = 0.0
        second = json.loads(cli(*args).stdout)
        assert second["status"] == "succeeded" and not second["noop"]
        assert second["calls"] == {"made": failed, "reused": 6 - failed, "failed": 0, "refused": 0}
        assert json.loads(cli(*args).stdout)["noop"]


def test_an_unreachable_server_or_a_refused_key_fails_before_any_work(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once the socket is closed
    with pytest.raises(ConfigError, match="cannot reach http://127.0.0.1"):
        preflight(str(SAMPLE), str(tmp_path), load_config(sets=http_sets(f"http://127.0.0.1:{port}")[1::2]))
    with QuotaServer(api_key="the-right-key-123") as srv:
        os.environ["K2BATCH_TEST_KEY"] = KEY
        try:
            sets = http_sets(srv.url, "backend.api_key_env=K2BATCH_TEST_KEY")[1::2]
            with pytest.raises(ConfigError, match=r"rejected the API key \(HTTP 401\)"):
                preflight(str(SAMPLE), str(tmp_path), load_config(sets=sets))
        finally:
            del os.environ["K2BATCH_TEST_KEY"]


def test_a_key_pasted_into_settings_is_refused_without_being_printed(tmp_path):
    r = cli("solve", str(SAMPLE), "--out", str(tmp_path), "--no-prefect",
            *http_sets("http://127.0.0.1:9", f"backend.api_key_env={KEY}"))  # fmt: skip
    assert r.returncode == 2 and "must name an environment variable" in r.stderr
    assert KEY not in r.stderr + r.stdout and r.stderr.count("\n") == 1


def test_usage_mistakes_are_one_line_without_a_traceback(tmp_path):
    r = cli("--log-level", "BOGUS", "solve", str(SAMPLE), "--out", str(tmp_path))
    assert r.returncode == 2 and "invalid choice: 'BOGUS'" in r.stderr and "Traceback" not in r.stderr
    r = cli("solve", str(SAMPLE), "--out", str(tmp_path), "--no-prefect",
            "--set", "samples=0", "--set", "stages.judge.top_p=7")  # fmt: skip
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "samples" in r.stderr and "stages.judge.top_p" in r.stderr


@pytest.mark.slow
def test_draft_tokens_accepted_where_the_server_reports_them(tmp_path):
    with QuotaServer(draft_metrics=True) as srv:  # vLLM's per-request spec-decode metrics
        r = cli("solve", str(SAMPLE), "--out", str(tmp_path), "--limit", "2", "--no-prefect", *http_sets(srv.url))
    assert r.returncode == 0, r.stderr[-2000:]
    stats = pq.read_table(tmp_path / "token_stats").to_pylist()
    assert stats and all(s["draft_tokens_accepted"] == s["completion_tokens"] // 2 for s in stats)


def test_log_records_from_any_logger_are_masked(monkeypatch, caplog):
    import logging

    from k2batch import quiet

    monkeypatch.setenv("K2BATCH_TEST_TOKEN", KEY)
    quiet.install()
    logging.getLogger("prefect.flow_runs").error("server said: bad key %s", KEY)
    assert KEY not in caplog.text and "server said: bad key [redacted]" in caplog.text
