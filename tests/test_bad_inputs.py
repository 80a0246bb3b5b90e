"""A catalogue of bad inputs: each gives a clear message or a rejects row; nothing is lost."""

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch.config import load_config
from k2batch.job import run_solve
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow
FAST = ["stages.triage.max_tokens=16", "stages.plan.max_tokens=16", "stages.generate.max_tokens=24",
        "judge.enabled=false", "backend.n_ctx=512", "samples=1"]  # fmt: skip


def cli(*args):
    return subprocess.run([sys.executable, "-m", "k2batch.cli", "solve", *args, "--no-prefect"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def truncated(d):
    data = SAMPLE.read_bytes()
    (d / "t.parquet").write_bytes(data[: len(data) // 2])
    return str(d / "t.parquet")


def empty(d):
    (d / "e.parquet").write_bytes(b"")
    return str(d / "e.parquet")


def not_parquet(d):
    (d / "n.parquet").write_text("id,problem\n1,2+2\n")
    return str(d / "n.parquet")


def missing_columns(d):
    pq.write_table(pa.table({"id": ["a"], "statement": ["2+2?"]}), d / "m.parquet")  # no problem column by any name
    return str(d / "m.parquet")


@pytest.mark.parametrize(
    "make,needle",
    [
        (not_parquet, "not a readable Parquet"),
        (truncated, "not a readable Parquet"),
        (empty, "not a readable Parquet"),
        (missing_columns, "lacks required column(s): problem"),
        (lambda d: str(d / "nowhere.parquet"), "input not found"),
        (lambda d: "nosuchproto://bucket/x.parquet", "cannot read input"),
        (lambda d: str(d), "holds no Parquet, JSON, CSV or Arrow file"),  # a folder of no problem files
    ],
)
def test_unreadable_inputs_are_one_clear_line(tmp_path, make, needle):
    r = cli(make(tmp_path), "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1  # one line, for a person


def test_bad_rows_are_rejected_with_reasons_and_none_lost(tmp_path):
    rows = [
        {"id": "good", "problem": "What is 2+2?", "domain": "math", "answer": "4", "blob": b"ok"},
        {"id": "good", "problem": "duplicate id", "domain": "math", "answer": "4", "blob": b""},
        {"id": None, "problem": "null id", "domain": "math", "answer": None, "blob": b""},
        {"id": "null-problem", "problem": None, "domain": "math", "answer": None, "blob": b""},
        {"id": "empty-problem", "problem": "  \n", "domain": "math", "answer": None, "blob": b""},
        {"id": "domain", "problem": "x", "domain": "astrology", "answer": None, "blob": b"\xff\xfe"},
        {"id": "huge", "problem": "Add these numbers: " + " 7" * 3000, "domain": "math", "answer": "0",
         "blob": b""},
    ]  # fmt: skip
    table = pa.Table.from_pylist(rows)
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    manifest = run_solve(str(src), str(tmp_path / "out"), load_config(sets=FAST))
    sols = pq.read_table(tmp_path / "out" / "solutions").to_pylist()
    rejects = {r["row_index"]: r for r in pq.read_table(tmp_path / "out" / "rejects").to_pylist()}
    assert [s["id"] for s in sols] == ["good"]
    assert sorted(rejects) == [1, 2, 3, 4, 5, 6]  # every other row, exactly once
    assert rejects[1]["reason"] == "duplicate id (first at row 0)"
    assert rejects[2]["reason"] == "missing id" and rejects[3]["reason"] == "missing problem"
    assert rejects[4]["reason"] == "empty problem" and "unknown domain 'astrology'" in rejects[5]["reason"]
    assert rejects[6]["stage"] == "generate" and "context" in rejects[6]["reason"]
    assert '"blob": "\\\\xff\\\\xfe"' in rejects[5]["row"]  # the rejected row is kept, bytes escaped
    assert manifest["counts"]["rejects"] == 6


@pytest.mark.parametrize(
    "column,needle",
    [(pa.array([12345]), "problem must be text, got int"),
     (pa.array([b"\xff\xfeproblem"], pa.binary()), "problem must be UTF-8 text, got bytes that are not")],
)  # fmt: skip
def test_wrong_column_types_and_non_utf8_bytes_are_rejected(tmp_path, column, needle):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a"], "problem": column}), src)
    run_solve(str(src), str(tmp_path / "out"), load_config(sets=FAST))
    [reject] = pq.read_table(tmp_path / "out" / "rejects").to_pylist()
    assert reject["id"] == "a" and needle in reject["reason"]
    assert pq.read_table(tmp_path / "out" / "solutions").num_rows == 0
