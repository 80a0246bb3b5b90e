"""Outputs are safe under retried bundles: distributed runners (Dataflow, Flink, Spark) retry a
bundle that failed, and a failed attempt may already have written its part. Beam's
BundleBasedDirectRunner retries failed bundles the same way, locally."""

import collections
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from k2batch import io as kio
from k2batch.config import load_config
from k2batch.job import run_solve
from tests.conftest import SAMPLE

FAILED_ONCE: list[Path] = []  # a marker file: the injected failure happens once per test


def _dies_after_writing(real):
    def write_part(dir_uri, output, rows):
        uri = real(dir_uri, output, rows)
        if output == "solutions" and rows and not FAILED_ONCE[0].exists():
            FAILED_ONCE[0].touch()
            raise RuntimeError("injected: the worker died after writing its part")
        return uri

    return write_part


@pytest.mark.slow
def test_a_bundle_retried_after_writing_its_part_leaves_no_duplicate_row(tmp_path, monkeypatch):
    FAILED_ONCE[:] = [tmp_path / "failed-once"]
    monkeypatch.setattr(kio, "write_part", _dies_after_writing(kio.write_part))
    cfg = load_config(sets=["limit=4", "samples=1", "plan.enabled=false", "judge.enabled=false",
                            "stages.generate.max_tokens=16", "backend.n_ctx=512",
                            "runner.name=BundleBasedDirectRunner"])  # fmt: skip
    manifest = run_solve(str(SAMPLE), str(tmp_path / "out"), cfg)
    assert FAILED_ONCE[0].exists()  # the failure happened and the runner retried the bundle
    ids = pq.read_table(tmp_path / "out" / "solutions").column("id").to_pylist()
    assert sorted(collections.Counter(ids).values()) == [1, 1, 1, 1], ids
    assert manifest["counts"]["solutions"] == 4


def test_commit_publishes_only_the_finalized_parts(tmp_path):
    staging, out = str(tmp_path / "staging"), str(tmp_path / "out")
    kept = kio.write_part(staging, "rejects", [])
    kio.write_part(staging, "rejects", [])  # a failed attempt's part: written, never finalized
    kio.finalize_parts(staging, "rejects", [kept.rsplit("/", 1)[1]])
    kio.write_part(staging, "solutions", [])
    with pytest.raises(RuntimeError, match="never finalized"):
        kio.commit(staging, out, {})  # solutions has a part but no list: an unfinished run
    manifest = kio.commit(staging, out, {}, outputs=("rejects",))
    assert manifest["outputs"]["rejects"] == [f"rejects/{kept.rsplit('/', 1)[1]}"]
    assert [p.name for p in (tmp_path / "out" / "rejects").iterdir()] == [kept.rsplit("/", 1)[1]]
