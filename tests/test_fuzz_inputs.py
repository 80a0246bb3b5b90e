"""Malformed rows of every column type thrown at whole jobs: each ends in rejects with a reason,
the good rows are solved, every input row is accounted for exactly once, and no job dies. The
instant backend (a benchmark harness) stands in for the model: this is about the input side."""

import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch.config import load_config
from k2batch.job import run_solve
from k2batch.testing import instant

pytestmark = pytest.mark.slow

STARTER = "class Solution:\n    def add(self, a: int, b: int) -> int:\n        "
LCB_FUNCTIONAL = json.dumps([{"input": "1\n2", "output": "3", "testtype": "functional"}])
LCB_STDIN = json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}])


def row(id, problem="What is 1 + 1? (answer 2)", **kw):
    return {"id": id, "problem": problem, **kw}


GOOD = [
    row("good-math", answer="2"),
    row("good-lcb-functional", "Add a and b.", domain="code", tests=LCB_FUNCTIONAL, starter_code=STARTER),
    row("good-lcb-stdin", "Read a and b, print a + b.", domain="code", tests=LCB_STDIN),
    row("good-humaneval", "def inc(x):\n", domain="code", entry_point="inc",
        tests="def check(candidate):\n    assert candidate(1) == 2\n"),  # fmt: skip
    row("good-apps", "Read a and b, print a + b.", domain="code",
        tests=json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]})),  # fmt: skip
]
BAD = {  # reason fragment -> row
    "missing id": row(None),
    "empty id": row(""),
    "missing problem": row("b1", None),
    "empty problem": row("b2", " \n\t"),
    "unknown domain 'astrology'": row("b3", domain="astrology"),
    "neither JSON nor Python test code": row("b4", domain="CODE", tests="not json"),
    "stdio tests need at least one case": row("b5", domain="code", tests='{"type": "stdio", "cases": []}'),
    "assert strings (MBPP), LiveCodeBench cases or input/output": row("b6", domain="code", tests='[{"input": "1"}]'),
    "need a function name": row("b7", "Add.", domain="code", tests=LCB_FUNCTIONAL),
    "2 inputs but outputs": row("b8", domain="code", tests='{"inputs": ["1", "2"], "outputs": ["1"]}'),
    "check tests need `check` code and an entry_point": row("b9", domain="code", tests='{"type": "check", "check": "x"}'),
    "unrecognised tests format (keys: foo)": row("b10", domain="code", tests='{"foo": 1}'),
    "a tests list must hold": row("b11", domain="code", tests="[]"),
    "call cases must be objects": row("b12", domain="code",
                                      tests='{"type": "call", "fn_name": "f", "cases": [{"args": 1, "expected": 2}]}'),
    "a choice problem needs choices": row("b13", domain="choice"),
    "at most 26 options": row("b14", domain="choice", choices=[f"option {i}" for i in range(30)]),
    "all be stdin or all functional": row("b15", "Add.", domain="code", starter_code=STARTER, tests=json.dumps(
        [{"input": "1", "output": "1", "testtype": "stdin"}, {"input": "1", "output": "1", "testtype": "functional"}])),
    "tests must be an object or a list, got str": row("b16", domain="code", tests='"just text"'),
    "tests must be an object or a list, got NoneType": row("b17", domain="code", tests="null"),
    "stdio input must be text, got dict": row("b18", domain="code",
                                              tests='{"type": "stdio", "cases": [{"input": {"a": 1}, "output": "x"}]}'),
    "functional case 0: not JSON": row("b19", "Add.", domain="code", starter_code=STARTER,
                                       tests=json.dumps([{"input": "{oops", "output": "3", "testtype": "functional"}])),
    "duplicate id (first at row 0)": row("good-math", answer="2"),
}  # fmt: skip


def run(tmp_path, table, **write):
    instant.register()
    src = tmp_path / "in.parquet"
    pq.write_table(table, src, **write)
    out = tmp_path / "out"
    manifest = run_solve(str(src), str(out), load_config(sets=["backend.kind=instant", "samples=2"]))
    sols = [s["id"] for s in pq.read_table(out / "solutions").to_pylist()]
    rejects = pq.read_table(out / "rejects").to_pylist()
    assert len(sols) + len(rejects) == table.num_rows, "a row was lost or written twice"
    assert len({r["row_index"] for r in rejects}) == len(rejects) and len(set(sols)) == len(sols)
    assert all(r["reason"] for r in rejects)
    return manifest, {s["id"]: s for s in pq.read_table(out / "solutions").to_pylist()}, rejects


def test_malformed_text_rows_are_rejected_with_reasons_and_good_rows_solved(tmp_path):
    rows = GOOD + list(BAD.values())
    columns = ["id", "problem", "domain", "answer", "tests", "choices", "starter_code", "entry_point"]
    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
    manifest, sols, rejects = run(tmp_path, table)
    assert sorted(sols) == sorted(r["id"] for r in GOOD)
    by_row = {r["row_index"]: r["reason"] for r in rejects}
    for i, fragment in enumerate(BAD, start=len(GOOD)):
        assert fragment in by_row[i], (fragment, by_row.get(i))
    assert sols["good-lcb-functional"]["candidates"][0]["verdict"] in ("correct", "incorrect")
    assert json.loads(sols["good-lcb-functional"]["tests"])["type"] == "call"
    assert manifest["status"] == "succeeded"


def test_columns_of_unexpected_types(tmp_path):
    table = pa.table({
        "id": pa.array([1.0, None, float("nan"), 4.0, 5.0, 6.0, 7.0, 8.0]),
        "problem": pa.array([b"What is 1 + 1? (answer 2)", b"x", b"x", b"\xff\xfe", b"ok (answer 2)",
                             b"ok", b"ok", b"ok"], pa.binary()),
        "answer": pa.array([[1], None, None, None, [2, 3], None, None, None], pa.list_(pa.int64())),
        "choices": pa.array([None, None, None, None, None, [1, 2], None, None], pa.list_(pa.int64())),
        "domain": pa.array([None, None, None, None, None, "choice", "choice", None]),
        "metadata": pa.array([{"k": 1}] * 8, pa.struct([("k", pa.int64())])),
        "tests": pa.array([{"note": "for a math row"}] * 8, pa.struct([("note", pa.string())])),
        "row_index": pa.array(["mine"] * 8),  # an input column named like our internal one
        "score": pa.array([Decimal("1.50")] * 8, pa.decimal128(5, 2)),
        "tags": pa.array([{"a": 1}] * 8, pa.map_(pa.string(), pa.int64())),
    })  # fmt: skip
    manifest, sols, rejects = run(tmp_path, table)
    reasons = {r["row_index"]: r["reason"] for r in rejects}
    assert reasons[0] == "answer must be text, got list"
    assert reasons[1] == "missing id" and reasons[2] == "missing id"
    assert reasons[3] == "problem must be UTF-8 text, got bytes that are not"
    assert reasons[4] == "answer must be text, got list"
    assert reasons[6] == "a choice problem needs choices"
    assert sorted(sols) == ["6.0", "8.0"]  # numeric ids as text; numeric options as text
    assert sols["6.0"]["choices"] == ["1", "2"]
    extra = json.loads(sols["8.0"]["extra"])
    assert extra["row_index"] == "mine" and extra["score"] == "1.50" and json.loads(sols["8.0"]["tests"])


def test_values_python_cannot_hold_and_a_damaged_row_group(tmp_path):
    n = 600
    far = 253402300800 * 10**6  # 10000-01-01: past what Python's datetime holds
    table = pa.table({
        "id": [f"r{i}" for i in range(n)],
        "problem": [f"What is {i} + 1? (answer {i + 1}) " + "padding " * 8 for i in range(n)],
        "answer": [str(i + 1) for i in range(n)],
        "when": pa.array([far + i for i in range(n)], pa.timestamp("us")),
    })  # fmt: skip
    src = tmp_path / "in.parquet"
    pq.write_table(table, src, row_group_size=300, compression="snappy")
    data = bytearray(src.read_bytes())
    chunk = pq.ParquetFile(src).metadata.row_group(1).column(1)  # problem, second row group
    for k in range(chunk.data_page_offset + 40, chunk.data_page_offset + 400):
        data[k] ^= 0x5A  # a corrupt page; the footer stays intact
    src.write_bytes(bytes(data))
    instant.register()
    out = tmp_path / "out"
    run_solve(str(src), str(out), load_config(sets=["backend.kind=instant", "samples=1", "plan.enabled=false"]))
    sols = pq.read_table(out / "solutions").to_pylist()
    rejects = pq.read_table(out / "rejects").to_pylist()
    assert len(sols) == 300 and len(rejects) == 300  # the sound group solved, the damaged one rejected
    assert all(r["stage"] == "read" and "column 'problem' unreadable in row group 1" in r["reason"]
               for r in rejects)  # fmt: skip
    assert {r["id"] for r in rejects} == {f"r{i}" for i in range(300, 600)}  # ids still readable
    assert json.loads(sols[0]["extra"])["when"].startswith("10000-01-01")
