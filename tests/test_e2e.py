"""End to end on the real embedded model (SmolLM2-135M GGUF through llama.cpp)."""

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.crash_resume import FAST as CRASH_FAST
from k2batch.config import load_config
from k2batch.job import run_solve
from k2batch.schemas import check_table
from tests.conftest import SAMPLE, SAMPLE_JOB

pytestmark = pytest.mark.slow
FAST = [s for s in CRASH_FAST if not s.startswith("samples=")]  # the benchmark's small budgets


def k2batch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "k2batch.cli", *args], capture_output=True, text=True, timeout=600
    )


def read(out: Path, name: str) -> pa.Table:
    return pq.read_table(str(out / name))


def test_cli_solve_through_prefect_writes_every_output(tmp_path):
    out = tmp_path / "out"
    sets = [x for s in FAST for x in ("--set", s)]
    r = k2batch("solve", str(SAMPLE), "--out", str(out), "--config", str(SAMPLE_JOB), "--limit", "3", *sets)
    assert r.returncode == 0, r.stderr[-3000:]
    solutions, stats, rejects = (read(out, n) for n in ("solutions", "token_stats", "rejects"))
    for name, table in (("solution", solutions), ("token_stats", stats), ("rejects", rejects)):
        assert check_table(name, table) == [], name

    assert solutions.num_rows == 3 and rejects.num_rows == 0
    sols = solutions.to_pylist()
    assert all(len(s["candidates"]) == 3 for s in sols)
    calls = stats.to_pylist()
    by = lambda stage: [c for c in calls if c["stage"] == stage]  # noqa: E731
    assert len(by("triage")) == 3 and len(by("generate")) == 9
    planned = sum(c["plan"] is not None for s in sols for c in s["candidates"])
    assert len(by("plan")) >= planned  # every plan came from a plan call (a failed one has no plan)
    assert len(by("judge")) == sum(len(s["judge"]) for s in sols)
    assert all(c["completion_tokens"] > 0 and c["prompt_tokens"] > 0 for c in calls if not c["error"])
    assert {c["backend"] for c in calls} == {"llamacpp"}
    # each candidate's seed is its generate call's seed
    gen_seeds = {(c["problem_id"], c["sample"]): c["seed"] for c in by("generate")}
    assert all(gen_seeds[(s["id"], c["sample"])] == c["seed"] for s in sols for c in s["candidates"])

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "succeeded"
    assert manifest["counts"] == {"solutions": 3, "token_stats": len(calls), "rejects": 0}
    assert all((out / p).exists() for parts in manifest["outputs"].values() for p in parts)
    assert not (out / "_staging").exists() or not any((out / "_staging").iterdir())


def test_bad_rows_are_rejected_and_nothing_is_lost(tmp_path):
    rows = [
        {"id": "ok-1", "problem": "What is 1+1?", "answer": "2", "domain": "math"},
        {"id": "ok-1", "problem": "duplicate", "answer": "3", "domain": "math"},
        {"id": None, "problem": "no id", "answer": None, "domain": "math"},
        {"id": "empty", "problem": " ", "answer": None, "domain": "math"},
        {"id": "weird", "problem": "x", "answer": None, "domain": "poetry"},
        {"id": "ok-2", "problem": "Name a colour.", "answer": None, "domain": None},
    ]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    cfg = load_config(sets=FAST + ["samples=2", "judge.enabled=false", "plan.enabled=false"])
    manifest = run_solve(str(src), str(tmp_path / "out"), cfg)
    sols = read(tmp_path / "out", "solutions").to_pylist()
    rejects = read(tmp_path / "out", "rejects").to_pylist()
    assert sorted(s["id"] for s in sols) == ["ok-1", "ok-2"]
    assert sorted(r["row_index"] for r in rejects) == [1, 2, 3, 4]
    reasons = {r["row_index"]: r["reason"] for r in rejects}
    assert "duplicate id (first at row 0)" == reasons[1] and "missing id" == reasons[2]
    assert "unknown domain" in reasons[4]
    assert next(s for s in sols if s["id"] == "ok-2")["status"] == "unverified"
    assert manifest["counts"]["rejects"] == 4


def test_same_seed_same_outputs_from_one_engine_or_a_pool(tmp_path):
    sets = FAST + ["samples=2", "limit=2", "plan.triage=false", "backend.n_threads=1"]
    a = run_solve(str(SAMPLE), str(tmp_path / "a"), load_config(sets=sets))
    # two engines taking the calls as they come free: which engine made a reply does not matter
    b = run_solve(str(SAMPLE), str(tmp_path / "b"), load_config(sets=sets + ["backend.engines=2"]))
    assert a["job_id"] == b["job_id"]
    key = lambda s: s["id"]  # noqa: E731
    sa = sorted(read(tmp_path / "a", "solutions").to_pylist(), key=key)
    sb = sorted(read(tmp_path / "b", "solutions").to_pylist(), key=key)
    assert [[c["response"] for c in s["candidates"]] for s in sa] == [
        [c["response"] for c in s["candidates"]] for s in sb
    ]


@pytest.mark.parametrize(
    "make,needle",
    [
        (lambda d: str(d / "missing.parquet"), "input not found"),
        (
            lambda d: (d / "x.parquet").write_text("not parquet") and str(d / "x.parquet"),
            "not a readable Parquet",
        ),
        (
            lambda d: pq.write_table(pa.table({"id": ["a"]}), d / "np.parquet") or str(d / "np.parquet"),
            "lacks required column(s): problem",
        ),
    ],
)
def test_cli_bad_input_is_a_clear_error(tmp_path, make, needle):
    r = k2batch("solve", make(tmp_path), "--out", str(tmp_path / "out"), "--no-prefect")
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_cli_unknown_backend_and_unwritable_out(tmp_path):
    r = k2batch("solve", str(SAMPLE), "--out", str(tmp_path / "o"), "--backend", "nope")
    assert r.returncode == 2 and "unknown backend 'nope'" in r.stderr and "Traceback" not in r.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = k2batch("solve", str(SAMPLE), "--out", str(blocker / "out"))
    assert r.returncode == 2 and "not writable" in r.stderr and "Traceback" not in r.stderr
