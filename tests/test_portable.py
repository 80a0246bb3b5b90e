"""The portable path: the pipeline translated to Beam's Runner API, every DoFn pickled, and run by
SDK workers in other processes (started by `k2batch worker-pool` from another folder, with their
own environment) on Beam's Python job service and on Prism (Beam's Go runner)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch.config import ConfigError, load_config
from k2batch.job import preflight, run_solve
from k2batch.testing import moto_s3
from tests.conftest import ROOT, SAMPLE
from tests.portable import FAST, portable_sets, sdk_workers, view, worker_pool

PRISM = Path(sys.executable).parent / "prism"
RUNNERS = [
    "PortableRunner",
    pytest.param("PrismRunner", marks=pytest.mark.skipif(not PRISM.exists(), reason="no prism: make prism (Go)")),
]


@pytest.fixture(scope="module")
def problems(tmp_path_factory) -> Path:
    """Four sample problems and a row repeating the first one's id (a reject)."""
    t = pq.read_table(SAMPLE).slice(0, 4)
    path = tmp_path_factory.mktemp("in") / "problems.parquet"
    pq.write_table(pa.concat_tables([t, t.slice(0, 1)]), path)
    return path


@pytest.fixture(scope="module")
def local_view(problems, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    run_solve(str(problems), str(out), load_config(sets=FAST))
    return view(out)


@pytest.mark.slow
@pytest.mark.parametrize("runner", RUNNERS)
def test_portable_runners_give_the_local_runners_outputs(runner, problems, local_view, tmp_path):
    (tmp_path / "worker").mkdir()
    with worker_pool(tmp_path / "worker") as (port, _):
        os.chdir(problems.parent)  # relative paths, as a user types them: workers run elsewhere
        try:
            manifest = run_solve("problems.parquet", "out", load_config(sets=FAST + portable_sets(runner, port)))
        finally:
            os.chdir(ROOT)
    assert manifest["status"] == "succeeded" and manifest["counts"]["rejects"] == 1
    assert view(problems.parent / "out") == local_view
    shutil.rmtree(problems.parent / "out")


@pytest.mark.slow
def test_a_killed_worker_fails_the_job_and_the_rerun_reuses_its_calls(problems, local_view, tmp_path):
    (tmp_path / "worker").mkdir()
    out = tmp_path / "out"
    with worker_pool(tmp_path / "worker") as (port, pool):
        sets = [x for s in FAST + portable_sets("PortableRunner", port) for x in ("--set", s)]
        cmd = [sys.executable, "-m", "k2batch.cli", "solve", str(problems), "--out", str(out), "--no-prefect", *sets]
        job = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while not list((out / "_calls").glob("*.jsonl")):  # calls stored: the worker is mid-job
            assert job.poll() is None and time.monotonic() < deadline, job.stderr.read() if job.poll() else ""
            time.sleep(0.2)
        for pid in sdk_workers(pool):
            os.kill(pid, signal.SIGKILL)
        _, err = job.communicate(timeout=300)
        assert job.returncode != 0, "the job went on without its worker"
        stored = sum(1 for part in (out / "_calls").glob("*.jsonl") for _ in part.open())
        assert stored > 0 and not (out / "manifest.json").exists()

        rerun = run_solve(str(problems), str(out), load_config(sets=FAST + portable_sets("PortableRunner", port)))
    assert rerun["status"] == "succeeded" and rerun["calls"]["reused"] >= stored
    assert view(out) == local_view  # every id once, in solutions or rejects


def test_runners_that_lose_results_or_download_at_run_time_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="Dask runner silently loses results"):
        load_config(sets=["runner.name=DaskRunner"])
    flink = load_config(ROOT / "infra" / "runners" / "flink-local.toml")
    with pytest.raises(ConfigError, match=r"beam-runners-flink-[\d.]+-job-server.*infra/flink/fetch-jar.sh"):
        preflight(str(SAMPLE), str(tmp_path), flink)
    gone = load_config(sets=portable_sets("PortableRunner", 9))  # nobody serves workers on port 9
    with pytest.raises(ConfigError, match="no SDK worker pool answers at localhost:9.*k2batch worker-pool --port 9"):
        preflight(str(SAMPLE), str(tmp_path), gone)
    with pytest.raises(ConfigError, match="cannot see local paths"):
        preflight(str(SAMPLE), str(tmp_path), load_config(sets=["runner.name=DataflowRunner"]))


@pytest.mark.slow
def test_workers_read_and_write_s3_that_they_reach_on_their_own(problems, local_view, tmp_path):
    """Input, outputs and the result store on S3 (moto on 127.0.0.1): the workers reach it with
    the credentials of their own environment, as on a cluster."""
    import fsspec

    (tmp_path / "worker").mkdir()
    with moto_s3():
        s3_env = {k: os.environ[k] for k in os.environ if k.startswith("AWS_")}
        fs = fsspec.filesystem("s3")
        fs.mkdir("k2batch-portable")
        fs.put(str(problems), "k2batch-portable/in/problems.parquet")
        with worker_pool(tmp_path / "worker", env=s3_env) as (port, _):
            cfg = load_config(sets=FAST + portable_sets("PortableRunner", port))
            manifest = run_solve("s3://k2batch-portable/in/problems.parquet", "s3://k2batch-portable/out", cfg)
        assert manifest["status"] == "succeeded" and fs.ls("k2batch-portable/out/_calls")
        fs.get("k2batch-portable/out/", str(tmp_path / "out"), recursive=True)
    assert view(tmp_path / "out") == local_view
