"""A work-pool deployment per runner profile: a real Prefect server and worker run a job with
the profile's runner settings."""

import json
import subprocess
import sys
import time

import pytest

from k2batch.testing.quota_server import QuotaServer
from tests.conftest import ROOT, SAMPLE
from tests.prefect_server import prefect_server, stop

pytestmark = pytest.mark.slow


def test_a_worker_runs_a_deployed_runner_profile(tmp_path):
    out = tmp_path / "out"
    with QuotaServer() as srv, prefect_server(tmp_path) as env:
        env["OPENAI_API_KEY"] = "local"
        deployed = subprocess.run(
            [sys.executable, "-m", "flows.deploy", "--pool", "k2batch-test", "--profile", "local-2-workers"],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
        assert deployed[-1] == "solve/local-2-workers"  # after Prefect's own table
        worker = subprocess.Popen(
            [sys.executable, "-m", "prefect", "worker", "start", "--pool", "k2batch-test", "--type", "process"],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            config = {"backend": {"kind": "openai", "base_url": f"{srv.url}/v1", "model": "m"},
                      "limit": 3, "samples": 2, "plan": {"enabled": False}}  # fmt: skip
            params = {"input_uri": str(SAMPLE), "out_uri": str(out), "config": config}
            subprocess.run(
                [sys.executable, "-m", "prefect", "deployment", "run", "solve/local-2-workers",
                 "--params", json.dumps(params)],
                env=env, cwd=tmp_path, capture_output=True, check=True,
            )  # fmt: skip
            deadline = time.time() + 240
            while time.time() < deadline and not (out / "manifest.json").exists():
                time.sleep(1)
        finally:
            stop(worker)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "succeeded" and manifest["counts"]["solutions"] == 3
    runner = manifest["settings"]["runner"]
    assert (runner["mode"], runner["workers"]) == ("multi_processing", 2)  # the profile's settings
    assert manifest["settings"]["backend"]["kind"] == "openai"  # under the run's own config
