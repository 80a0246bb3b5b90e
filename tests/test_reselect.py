"""`k2batch reselect`: a finished job's choices made again by each strategy from what it stored,
without any model call; and the report's evidence tables on the same job."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch.config import load_config
from k2batch.io import InputError
from k2batch.reselect import STRATEGIES, run_reselect

# 9 -> 10, 99 -> 100, 999 -> 1000: the instant backend's wrong answer is one character longer
ANSWERS = [9, 99, 999, 5, 19, 42, 7, 3, 0, 12]


@pytest.fixture(scope="module")
def job(tmp_path_factory) -> Path:
    """A real finished job, cheaply: the instant test backend (the judge always prefers the
    response shown first, a third of the candidates are wrong)."""
    from k2batch.job import run_solve
    from k2batch.testing import instant

    instant.register()
    tmp = tmp_path_factory.mktemp("reselect")
    rows = [{"id": f"p{n}", "problem": f"Give the answer {n}.", "answer": str(n)} for n in ANSWERS]
    pq.write_table(pa.Table.from_pylist(rows), tmp / "in.parquet")
    run_solve(
        str(tmp / "in.parquet"), str(tmp / "out"), load_config(sets=["backend.kind=instant", "samples=3"])
    )
    return tmp / "out"


def store_files(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_size for p in (out / "_calls").rglob("*") if p.is_file()}


def stored(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in pq.read_table(out / "solutions").to_pylist()}


def after_think(c: dict) -> str:
    return c["response"].split("</think>", 1)[1].strip()


def expected(row: dict, strategy: str) -> int:
    """The rules, written out again by hand (every instant candidate has an answer)."""
    cands = sorted(row["candidates"], key=lambda c: c["sample"])
    if strategy == "first":
        return 0
    if strategy == "shortest":
        return min(cands, key=lambda c: (len(after_think(c)), c["sample"]))["sample"]
    votes = Counter(c["answer"] for c in cands)
    return min(cands, key=lambda c: (-votes[c["answer"]], c["sample"]))["sample"]  # majority and judge


def test_the_job_has_something_to_choose(job):
    rows = stored(job).values()
    assert all(len(r["candidates"]) == 3 and all(c["answer"] for c in r["candidates"]) for r in rows)
    assert any(0 < r["n_correct"] < 3 for r in rows) and any(r["judge"] for r in rows)
    # the instant judge prefers whatever is shown first: both orders tie, the vote decides
    assert all(r["chosen_sample"] == expected(r, "judge") for r in rows)


def test_each_strategy_picks_by_its_rule_without_a_model(job, tmp_path, monkeypatch):
    import k2batch.backends

    def no_model(*a, **k):
        raise AssertionError("reselect asked for a backend")

    monkeypatch.setattr(k2batch.backends, "get_backend", no_model)
    before, source = store_files(job), stored(job)
    assert before  # the job stored its calls
    for strategy in STRATEGIES:
        dest = tmp_path / strategy
        manifest = run_reselect(str(job), strategy, str(dest))
        assert manifest["kind"] == "reselect" and manifest["strategy"] == strategy
        assert manifest["counts"]["solutions"] == len(ANSWERS)
        new = stored(dest)
        assert set(new) == set(source)
        for pid, r in new.items():
            old = source[pid]
            pick = next(c for c in old["candidates"] if c["sample"] == r["chosen_sample"])
            assert r["chosen_sample"] == expected(old, strategy), (strategy, pid)
            assert (r["chosen_answer"], r["chosen_response"], r["status"]) == (
                pick["answer"], pick["response"], pick["verdict"])  # fmt: skip
            assert r["selection"] == f"reselect:{strategy}"
            assert r["candidates"] == old["candidates"] and r["judge"] == old["judge"]
            assert r["job_id"] == old["job_id"] and r["pass_at_1"] == old["pass_at_1"]
            if strategy == "shortest" and int(pid[1:]) in (9, 99, 999):  # the right answer is shorter
                assert (r["status"] == "correct") == (r["n_correct"] > 0)
        assert pq.read_schema(next((dest / "solutions").glob("part-*.parquet"))).metadata[
            b"k2batch.schema"] == b"solution"  # fmt: skip
    assert store_files(job) == before  # the result store did not grow
    assert json.loads((job / "manifest.json").read_text()).get("kind") != "reselect"  # OUT untouched
    judge = json.loads((tmp_path / "judge" / "manifest.json").read_text())
    assert judge["counts"]["changed"] == 0  # the stored choice, recomputed
    s = judge["strategies"]
    assert (
        s["judge"]["correct"]
        == s["stored"]["correct"]
        == sum(r["status"] == "correct" for r in source.values())
    )
    assert s["first"]["correct"] == sum(r["candidates"][0]["verdict"] == "correct" for r in source.values())
    for v in s.values():
        assert v["verifiable"] == len(ANSWERS) and (
            v["ci"] is None or v["ci"][0] <= v["accuracy"] <= v["ci"][1]
        )


def test_cli_in_a_process_that_knows_no_backend(job):
    """The instant backend is registered only in the test process: the CLI's process could not
    reach any model if it tried."""
    before = store_files(job)
    r = subprocess.run([sys.executable, "-m", "k2batch.cli", "reselect", str(job), "--strategy", "shortest"],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    *table, last = r.stdout.strip().splitlines()
    res = json.loads(last)
    assert res["strategy"] == "shortest" and res["solutions"] == len(ANSWERS)
    assert res["out"].endswith("reselect-shortest") and (job / "reselect-shortest" / "manifest.json").exists()
    names = [line.split("|")[1].strip() for line in table[2:]]
    assert names == ["stored", "judge", "majority", "shortest (written)", "first"]
    assert store_files(job) == before
    bad = subprocess.run([sys.executable, "-m", "k2batch.cli", "reselect", str(job), "--into", str(job)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert bad.returncode == 2 and "replace the job's own solutions" in bad.stderr


def test_reselect_without_solutions_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no solutions"):
        run_reselect(str(tmp_path), "majority")
    with pytest.raises(InputError, match="unknown strategy"):
        run_reselect(str(tmp_path), "longest")


def test_report_shows_the_evidence(job):
    from k2batch.report import write_report

    summary = write_report(str(job))
    ev = summary["evidence"]
    assert ev["verifiable"] == len(ANSWERS) and [e["k"] for e in ev["pass_at_k"]] == [1, 2, 3]
    assert ev["pass_at_k"][0]["mean"] == pytest.approx(summary["pass_at_1"])  # pass@1 is the mean share
    assert ev["best_of_n"]["mean"] == summary["best_of_n"] and ev["tokens_per_verified"] == pytest.approx(
        summary["tokens_per_verified"])  # fmt: skip
    md = (job / "report" / "report.md").read_text()
    assert "## pass@k / maj@k / Best-of-N with 95 % CI" in md and "## Judge audit" in md
    assert "| maj@k | 3 |" in md and "order-flip rate" in md
    audit = ev["judge_audit"]  # the instant judge prefers whatever is shown first
    assert audit["order_flip"]["rate"] == 1.0 and audit["first_shown_wins"]["rate"] == 1.0
    assert "Judge audit" in (job / "report" / "index.html").read_text()
    saved = json.loads((job / "report" / "summary.json").read_text())
    assert saved["job"]["evidence"]["pass_at_k"] == json.loads(json.dumps(ev["pass_at_k"]))
