"""Runner profiles (infra/runners/) and multi-worker local runs."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import DirectOptions, GoogleCloudOptions, StandardOptions

from k2batch.config import load_config
from k2batch.job import run_solve
from k2batch.runners import pipeline_options, unknown_flags
from tests.conftest import ROOT, SAMPLE

PROFILES = sorted((ROOT / "infra" / "runners").glob("*.toml"))


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_every_profile_parses_with_no_flag_dropped(profile: Path):
    cfg = load_config(profile)
    options = pipeline_options(cfg)
    assert options.view_as(StandardOptions).runner == cfg.runner.name
    assert unknown_flags(options) == [], profile


def test_dataflow_profile_reaches_its_options():
    options = pipeline_options(load_config(ROOT / "infra" / "runners" / "dataflow-gpu.toml"))
    assert options.view_as(GoogleCloudOptions).region == "us-central1"
    assert "worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver" in (
        options.view_as(GoogleCloudOptions).dataflow_service_options
    )


def test_misspelt_flags_are_reported():
    assert unknown_flags(pipeline_options(load_config(sets=['runner.options=["--projekt=x"]']))) == [
        "projekt"
    ]


@pytest.mark.slow
def test_two_worker_processes_give_the_same_outputs_as_one(tmp_path):
    fast = [
        "stages.triage.max_tokens=16",
        "stages.plan.max_tokens=24",
        "stages.generate.max_tokens=32",
        "stages.judge.max_tokens=16",
        "samples=2",
        "limit=6",
        "backend.n_ctx=1024",
    ]
    one = run_solve(str(SAMPLE), str(tmp_path / "one"), load_config(sets=fast))
    two_cfg = load_config(ROOT / "infra" / "runners" / "local-2-workers.toml", sets=fast)
    assert pipeline_options(two_cfg).view_as(DirectOptions).direct_num_workers == 2
    two = run_solve(str(SAMPLE), str(tmp_path / "two"), two_cfg)
    assert one["counts"] == two["counts"] and two["calls"]["reused"] == 0

    def view(out):
        rows = pq.read_table(out / "solutions").to_pylist()
        return sorted(
            (r["id"], r["chosen_sample"], r["status"], [c["response"] for c in r["candidates"]]) for r in rows
        )

    assert view(tmp_path / "one") == view(tmp_path / "two")
