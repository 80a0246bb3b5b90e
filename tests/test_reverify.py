"""`k2batch verify`: re-verification of a stored solve output, no model involved."""

import json
import subprocess
import sys

import pyarrow.parquet as pq

from k2batch import recipe
from k2batch.config import load_config
from k2batch.io import commit, finalize_parts, join, write_part


def cand(sample, response, verdict):
    return {
        "sample": sample,
        "seed": sample,
        "plan": None,
        "response": response,
        "answer": "stale",
        "verdict": verdict,
        "verdict_reason": "old verifier",
        "finish_reason": "stop",
        "error": None,
    }


def make_output(out: str) -> None:
    problem = {
        "id": "p1",
        "problem": "What is 6*7?",
        "domain": "math",
        "answer": "42",
        "tests": None,
        "choices": None,
        "extra": None,
    }
    # Stored verdicts are wrong on purpose: an "older verifier" got both backwards.
    cands = [cand(0, "so \\boxed{42}", "incorrect"), cand(1, "so \\boxed{41}", "correct")]
    decisions = [
        {"first": 0, "second": 1, "winner": 0, "rationale": "r", "error": None},
        {"first": 1, "second": 0, "winner": 0, "rationale": "r", "error": None},
    ]
    row = recipe.solution_row("job-x", problem, cands, decisions)
    staging = join(out, "_staging", "t")
    finalize_parts(staging, "solutions", [write_part(staging, "solutions", [row]).rsplit("/", 1)[1]])
    commit(staging, out, {"job_id": "job-x", "settings": load_config().model_dump(mode="json")})


def test_verify_command_recomputes_verdicts_without_a_model(tmp_path):
    src, dest = str(tmp_path / "src"), str(tmp_path / "dest")
    make_output(src)
    r = subprocess.run(
        [sys.executable, "-m", "k2batch.cli", "verify", src, "--out", dest],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["verdicts_changed"] == 2
    [row] = pq.read_table(join(dest, "solutions")).to_pylist()
    assert [c["verdict"] for c in row["candidates"]] == ["correct", "incorrect"]
    assert [c["answer"] for c in row["candidates"]] == ["42", "41"]
    assert row["chosen_sample"] == 0 and row["status"] == "correct" and row["pass_at_1"] == 0.5
    assert len(row["judge"]) == 2  # the judge's decisions are kept as they were
    manifest = json.loads((tmp_path / "dest" / "manifest.json").read_text())
    assert manifest["kind"] == "verify" and manifest["source"] == src


def test_verify_command_without_solutions_is_a_clear_error(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "k2batch.cli", "verify", str(tmp_path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "no solutions found" in r.stderr and "Traceback" not in r.stderr
