"""A real local Flink cluster (infra/flink/cluster.sh: a JobManager and two TaskManagers in their
own JVMs, plus the SDK worker pool), brought up once for this module, and k2batch's flink-local
profile pointed at it. Beam's Flink job-server jar is fetched with Maven (infra/flink/fetch-jar.sh);
where the registry does not serve it (this machine's), the job must stop before submission
with a message that names the jar and how to get it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from k2batch.config import ConfigError, load_config
from k2batch.job import preflight, run_solve
from tests.conftest import ROOT, SAMPLE
from tests.portable import FAST, free_port, view

CLUSTER = ROOT / "infra" / "flink" / "cluster.sh"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flink():
    env = {**os.environ, "FLINK_REST_PORT": str(free_port()), "K2BATCH_POOL_PORT": str(free_port()),
           "K2BATCH_PYTHON": sys.executable}  # fmt: skip
    up = subprocess.run([CLUSTER, "up"], env=env, capture_output=True, text=True, timeout=900)
    assert up.returncode == 0, up.stderr + up.stdout
    try:
        yield env
    finally:
        subprocess.run([CLUSTER, "down"], env=env, timeout=120)


def _rest(env: dict, path: str) -> dict:
    with urllib.request.urlopen(f"http://localhost:{env['FLINK_REST_PORT']}{path}", timeout=10) as r:
        return json.load(r)


def _profile(env: dict):
    cfg = load_config(ROOT / "infra" / "runners" / "flink-local.toml", sets=FAST)
    options = [o.replace("8081", env["FLINK_REST_PORT"]).replace("50077", env["K2BATCH_POOL_PORT"])
               for o in cfg.runner.options]  # fmt: skip
    return cfg.model_copy(update={"runner": cfg.runner.model_copy(update={"options": options})})


def test_the_cluster_has_two_taskmanagers_and_the_flink_profile_targets_it(flink, tmp_path):
    assert len(_rest(flink, "/taskmanagers")["taskmanagers"]) == 2
    assert _rest(flink, "/overview")["slots-total"] == 2
    cfg = _profile(flink)
    fetched = subprocess.run([ROOT / "infra" / "flink" / "fetch-jar.sh"], capture_output=True, text=True,
                             env={**os.environ, "K2BATCH_PYTHON": sys.executable}, timeout=600)  # fmt: skip
    if fetched.returncode != 0:  # not served: stopped before submission, told what to do
        with pytest.raises(ConfigError, match=r"FlinkRunner needs Beam's job server .*fetch-jar\.sh"):
            preflight(str(SAMPLE), str(tmp_path / "out"), cfg)
        return
    flink_out, local_out = tmp_path / "flink", tmp_path / "local"
    manifest = run_solve(str(SAMPLE), str(flink_out), cfg.model_copy(update={"limit": 4}))
    run_solve(str(SAMPLE), str(local_out), load_config(sets=[*FAST, "limit=4"]))
    assert manifest["status"] == "succeeded" and view(flink_out) == view(local_out)
