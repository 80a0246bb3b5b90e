"""Never lose work: kill -9 and resume (local disk and S3), no-op reruns, --force, the job lock."""

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from benchmarks.crash_resume import FAST, crash_and_resume
from k2batch.config import load_config
from k2batch.job import LOCK, JobLocked, run_solve
from k2batch.testing import moto_s3
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow


def check(results):
    for r in results:
        assert r["killed"] and r["finished_before_kill"] > 0, r  # the kill landed mid-run
        assert r["each_id_once"] and r["equals_clean_run"], r
        assert r["reuse_rate"] >= 0.95, r


def test_kill_9_then_rerun_loses_nothing_and_reuses_finished_calls(tmp_path):
    check(crash_and_resume(str(SAMPLE), str(tmp_path), problems=6, moments=[0.55]))


def test_the_same_on_s3():
    import s3fs

    with moto_s3():
        fs = s3fs.S3FileSystem()
        fs.mkdir("k2batch-test")
        fs.put(str(SAMPLE), "k2batch-test/in/problems.parquet")
        check(crash_and_resume("s3://k2batch-test/in/problems.parquet", "s3://k2batch-test/out", 6, [0.55]))
        # the outputs read straight from S3 with pyarrow
        assert pq.read_table("k2batch-test/out/clean/solutions", filesystem=fs).num_rows == 6


def test_rerun_after_success_is_a_noop_and_force_recomputes(tmp_path):
    cfg = load_config(sets=FAST + ["limit=2", "judge.enabled=false"])
    first = run_solve(str(SAMPLE), str(tmp_path), cfg)
    assert first["calls"]["reused"] == 0 and not first.get("noop")
    again = run_solve(str(SAMPLE), str(tmp_path), cfg)
    assert again["noop"] and again["run_id"] == first["run_id"]
    forced = run_solve(str(SAMPLE), str(tmp_path), cfg, force=True)
    assert forced["calls"] == {"made": first["calls"]["made"], "reused": 0, "failed": 0, "refused": 0}
    # more samples: the first two samples' calls are reused, only the new ones are made
    more = run_solve(
        str(SAMPLE), str(tmp_path), load_config(sets=FAST + ["limit=2", "judge.enabled=false", "samples=3"])
    )
    assert more["calls"]["reused"] == first["calls"]["made"] and more["calls"]["made"] > 0
    # readers see exactly the parts the manifest lists: the old ones are gone
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    on_disk = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob("*/part-*.parquet"))
    assert on_disk == sorted(p for parts in manifest["outputs"].values() for p in parts)
    assert not (tmp_path / "_staging").exists() and not (tmp_path / LOCK).exists()


def test_a_live_run_holds_the_lock_and_a_dead_one_does_not(tmp_path):
    cfg = load_config(sets=FAST + ["limit=1", "judge.enabled=false", "plan.enabled=false"])
    lock = tmp_path / LOCK
    import socket

    lock.write_text(json.dumps({"run_id": "other", "pid": os.getpid(), "host": socket.gethostname()}))
    with pytest.raises(JobLocked, match="in use by run other"):
        run_solve(str(SAMPLE), str(tmp_path), cfg)
    r = subprocess.run([sys.executable, "-m", "k2batch.cli", "solve", str(SAMPLE), "--out", str(tmp_path),
                        "--no-prefect"], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and "--break-lock" in r.stderr and "Traceback" not in r.stderr
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock.write_text(json.dumps({"run_id": "dead", "pid": dead.pid, "host": socket.gethostname()}))
    assert run_solve(str(SAMPLE), str(tmp_path), cfg)["status"] == "succeeded"


def test_no_secret_in_outputs_or_logs(tmp_path):
    secret = "csk-PLANTED-9f8e7d6c5b4a"
    env = {**os.environ, "CEREBRAS_API_KEY": secret, "OPENAI_API_KEY": secret}
    sets = [x for s in FAST + ["samples=1"] for x in ("--set", s)]
    r = subprocess.run([sys.executable, "-m", "k2batch.cli", "--log-level", "DEBUG", "solve", str(SAMPLE),
                        "--out", str(tmp_path / "out"), "--limit", "2", *sets],
                       capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    assert secret not in r.stdout + r.stderr
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert any(p.name == "manifest.json" for p in files)
    for p in files:
        assert secret.encode() not in p.read_bytes(), p
