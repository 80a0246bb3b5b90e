"""Problem sets as JSON Lines or a JSON array (k2batch/jsonl.py), the way GSM8K, MATH-500 and
HumanEval publish theirs: read as their Parquet twins are, bad lines to rejects, nothing lost."""

import codecs
import csv
import gzip
import json
import logging

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import jsonl
from k2batch.config import load_config
from k2batch.inputs import input_format, inspect_input, read_group
from k2batch.io import InputError
from k2batch.job import run_solve
from k2batch.testing import instant, moto_s3
from k2batch.validate import validate_row
from k2batch.waves import plan_waves


def _problems(uri: str) -> list:
    out = []
    for file, index, first, _ in inspect_input(uri):
        for position, row, damage in read_group(uri, file, index, first):
            out.append(validate_row(row, position, damage))
    return out


def test_published_jsonl_files_read_as_the_same_sets_in_parquet(shared_data, tmp_path):
    gsm = pq.read_table(shared_data / "gsm8k_test.parquet").to_pylist()
    (tmp_path / "test.jsonl").write_text("".join(json.dumps({"question": r["problem"], "answer": r["solution"]})
                                                 + "\n" for r in gsm))  # fmt: skip
    mine = _problems(str(tmp_path / "test.jsonl"))  # 1,319 rows: two groups
    assert len(jsonl.groups(str(tmp_path / "test.jsonl"))) == 2
    assert [(p["id"], p["answer"]) for p, _ in mine] == [(str(i), r["answer"]) for i, r in enumerate(gsm)]
    he = pq.read_table(shared_data / "humaneval.parquet").to_pylist()
    with gzip.open(tmp_path / "HumanEval.jsonl.gz", "wt") as f:  # as openai/human-eval ships it
        for r in he:
            f.write(json.dumps({"task_id": r["id"], "prompt": r["problem"], "canonical_solution": r["answer"],
                                "test": json.loads(r["tests"])["test"], "entry_point": r["entry_point"]}) + "\n")  # fmt: skip
    mine = _problems(str(tmp_path / "HumanEval.jsonl.gz"))
    assert [p["id"] for p, _ in mine] == [r["id"] for r in he] and {p["domain"] for p, _ in mine} == {"code"}
    rllm = pq.read_table(shared_data / "leetcode_rllm.parquet").slice(0, 20).to_pylist()
    (tmp_path / "leetcode.json").write_text(json.dumps([{"problem": r["problem"], "tests": r["tests"],
                                                         "solutions": r["answer"]} for r in rllm]))  # an array  # fmt: skip
    ours = [validate_row(r, i)[0]["tests"] for i, r in enumerate(rllm)]
    mine = _problems(str(tmp_path / "leetcode.json"))
    assert [p["tests"] for p, _ in mine] == ours and {p["domain"] for p, _ in mine} == {"code"}  # tests: code


def test_bad_lines_are_rejects_naming_the_line_and_the_rest_is_solved(tmp_path):
    instant.register()
    lines = [json.dumps({"id": "a", "problem": "What is 2+3?", "answer": "5"}).encode(), b"",
             b'{"id": "b", "problem": "cut off', b"[1, 2]", b"   ",
             json.dumps({"id": "c", "problem": "What is 1+1?"}).encode(),  # no answer key at all
             b'{"id": "d", "problem": "\xff\xfe not UTF-8"}', json.dumps({"id": "a", "problem": "again"}).encode()]  # fmt: skip
    src = tmp_path / "set.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    manifest = run_solve(str(src), str(tmp_path / "out"), load_config(sets=["backend.kind=instant", "samples=1"]))
    solved = {r["id"] for r in pq.read_table(tmp_path / "out" / "solutions").to_pylist()}
    rejects = {r["row_index"]: (r["stage"], r["reason"]) for r in pq.read_table(tmp_path / "out" / "rejects").to_pylist()}
    assert solved == {"a", "c"} and manifest["counts"] == {**manifest["counts"], "solutions": 2, "rejects": 4}
    assert rejects[1][0] == "read" and rejects[1][1].startswith("line 3 is not JSON")
    assert rejects[2] == ("read", "line 4 is a JSON list, not an object")
    assert rejects[4][0] == "read" and "line 7 is not JSON" in rejects[4][1]  # bytes that are not UTF-8
    assert rejects[5][1] == "duplicate id (first at row 0)"  # blank lines are not rows: positions skip them


def test_json_that_is_no_problem_set_is_one_clear_error(tmp_path):
    (tmp_path / "broken.json").write_text('[{"id": "a", "problem": "x"},')
    with pytest.raises(InputError, match="not a readable JSON file.*array that does not parse"):
        inspect_input(str(tmp_path / "broken.json"))
    (tmp_path / "nested.json").write_text(json.dumps({"data": [{"id": "a", "body": "x"}], "version": 2}))
    with pytest.raises(InputError, match=r"lacks required column\(s\): id, problem.*\(data, version\)"):
        inspect_input(str(tmp_path / "nested.json"))  # rows under a key, but no problem column in them


def test_a_json_object_holding_a_table_is_read_as_its_rows(tmp_path):
    """pandas' to_json layouts, TriviaQA's official file (rows under "Data" beside metadata) and
    BIG-bench's task.json; an object that is one row (MATH's files) stays one row."""
    import pandas as pd

    df = pd.DataFrame({"question": ["What is 2+3?", "What is 4*5?"], "answer": ["5", "20"]}, index=["a", "b"])
    expect = [("a", "What is 2+3?", "5"), ("b", "What is 4*5?", "20")]
    for orient in ("columns", "index", "split", "records"):
        df.to_json(tmp_path / f"{orient}.json", orient=orient)
        rows = [validate_row(row, pos, why)[0] for pos, row, why in _rows(tmp_path / f"{orient}.json")]
        assert [(p["id"], p["problem"], p["answer"]) for p in rows] == (
            expect if orient != "records" else [(str(i), q, a) for i, (_, q, a) in enumerate(expect)]), orient
    (tmp_path / "task.json").write_text(json.dumps({"name": "arithmetic", "keywords": ["math"], "examples": [
        {"input": "1 + 1 =", "target": "2"}, {"input": "2 + 2 =", "target": "4"}]}, indent=2))  # fmt: skip
    assert [validate_row(r, p, w)[0]["answer"] for p, r, w in _rows(tmp_path / "task.json")] == ["2", "4"]
    (tmp_path / "one.json").write_text(json.dumps({"problem": "What is 1+1?", "solution": "$\\boxed{2}$",
                                                   "level": "Level 1"}, indent=2))  # fmt: skip
    assert [r["problem"] for _, r, _ in _rows(tmp_path / "one.json")] == ["What is 1+1?"]


def _rows(path):
    uri = str(path)
    return [r for f, i, first, _ in inspect_input(uri) for r in read_group(uri, f, i, first)]


def test_waves_over_jsonl_keep_repeated_ids_together(tmp_path):
    rows = [{"id": f"p{i % 1500}", "problem": f"q{i}"} for i in range(1600)]  # p0..p99 twice, 1,500 apart
    (tmp_path / "big.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    waves = plan_waves(str(tmp_path / "big.jsonl"), None, 1000)
    assert [(w.start, w.end) for w in waves] == [(0, 1000), (1000, 1600)]
    assert waves[0].owner[1500] == 0 and waves[1].keeps(1500) is False and waves[0].keeps(1500)
    assert (str(tmp_path / "big.jsonl"), 1, 1024) in waves[0].groups  # the second group holds the repeats: read by the first wave too


def test_a_jsonl_set_on_s3_reads_and_its_content_is_the_jobs_identity(tmp_path):
    import s3fs

    from k2batch.identity import input_fingerprint

    body = "".join(json.dumps({"question": f"What is {i}+1?", "answer": f"#### {i + 1}"}) + "\n" for i in range(5))
    with moto_s3():
        fs = s3fs.S3FileSystem()
        fs.mkdir("k2batch-jsonl")
        with fs.open("k2batch-jsonl/gsm.jsonl.gz", "wb") as f:
            f.write(gzip.compress(body.encode()))
        uri = "s3://k2batch-jsonl/gsm.jsonl.gz"
        assert [p["answer"] for p, _ in _problems(uri)] == ["1", "2", "3", "4", "5"]
        first = input_fingerprint(uri)
        with fs.open("k2batch-jsonl/gsm.jsonl.gz", "wb") as f:
            f.write(gzip.compress(body.replace("#### 5", "#### 6").encode()))
        assert input_fingerprint(uri) != first and [p["answer"] for p, _ in _problems(uri)][-1] == "6"


def test_parquet_and_jsonl_of_the_same_rows_give_the_same_problems(tmp_path):
    rows = [{"id": i, "problem": f"What is {i}+1?", "answer": str(i + 1), "domain": "math"} for i in range(30)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "s.parquet")
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert _problems(str(tmp_path / "s.jsonl")) == _problems(str(tmp_path / "s.parquet"))


def test_a_bom_and_math_as_its_authors_ship_it_one_pretty_object_a_file(tmp_path, caplog):
    (tmp_path / "bom.json").write_bytes(codecs.BOM_UTF8 + json.dumps([{"id": "a", "problem": "x"}]).encode())
    assert [p["id"] for p, _ in _problems(str(tmp_path / "bom.json"))] == ["a"]
    for subject in ("algebra", "geometry"):  # MATH/test/<subject>/<n>.json
        folder = tmp_path / "MATH" / "test" / subject
        folder.mkdir(parents=True)
        for i in range(2):
            (folder / f"{i}.json").write_text(json.dumps({"problem": f"{subject} {i}", "level": "Level 1",
                                                          "type": subject, "solution": f"$\\boxed{{{i}}}$"},
                                                         indent=4))  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="k2batch.inputs"):
        problems = _problems(str(tmp_path / "MATH" / "test"))
    assert "its 4 files lie in 2 folders" in caplog.text  # one set from several folders: said
    assert [(p["id"], p["problem"], p["answer"]) for p, _ in problems] == [
        ("0", "algebra 0", "0"), ("1", "algebra 1", "1"), ("2", "geometry 0", "0"), ("3", "geometry 1", "1")]  # fmt: skip


GPQA_HEADER = ["Pre-Revision Question", "Pre-Revision Correct Answer", "Question", "Correct Answer",
               "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3", "Explanation", "Record ID",
               "High-level domain", "Subdomain"]  # fmt: skip


def test_csv_as_gpqa_ships_it_and_a_bad_record_is_a_reject(tmp_path):
    """GPQA's published gpqa_diamond.csv: a header, questions that span lines inside quotes, empty
    cells. Read as the same problems as the same rows in JSON Lines; a record with more fields than
    the header is that row's reject; TSV and a gzipped CSV read alike."""
    import csv
    import io

    rows = [["old q", "old a", f"Which particle has spin {i}/2?\nConsider the options carefully, \"twice\".",
             f"right {i}", f" wrong {i}a ", f"wrong {i}b", f"wrong {i}c", "", f"rec{i:03d}", "Physics",
             "Quantum"] for i in range(5)]  # fmt: skip

    def text(delimiter=",", extra=()):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")  # as Excel and pandas write
        w.writerows([GPQA_HEADER, *rows[:2], *extra, *rows[2:]])
        return buf.getvalue()

    (tmp_path / "gpqa_diamond.csv").write_text(text(extra=[["x"] * (len(GPQA_HEADER) + 1)]), encoding="utf-8-sig")
    (tmp_path / "gpqa.jsonl").write_text("".join(json.dumps({k: v or None for k, v in zip(GPQA_HEADER, r, strict=True)}) + "\n"
                                                 for r in rows))  # fmt: skip
    got = _problems(str(tmp_path / "gpqa_diamond.csv"))
    assert [reason for p, reason in got if p is None] == ["line 6 is not a CSV record: 12 fields, the header has 11: "
                                                          + str(["x"] * 8)]  # fmt: skip
    got = [p for p, _ in got if p]
    at = [p.pop("row_index") for p in got]  # the bad record holds a position, as a bad JSON line does
    assert at == [0, 1, 3, 4, 5] and got == [p for p, _ in _problems(str(tmp_path / "gpqa.jsonl"))
                                             if p.pop("row_index") is not None]  # fmt: skip
    assert [p["id"] for p in got] == [f"rec{i:03d}" for i in range(5)] and {p["domain"] for p in got} == {"choice"}
    first = got[0]
    assert "spin 0/2?\nConsider" in first["problem"] and sorted(first["choices"]) == ["right 0", "wrong 0a",
                                                                                      "wrong 0b", "wrong 0c"]  # fmt: skip
    assert first["choices"]["ABCD".index(first["answer"])] == "right 0"
    (tmp_path / "gpqa.tsv").write_text(text("\t"))
    with gzip.open(tmp_path / "gpqa.csv.gz", "wt", encoding="utf-8", newline="") as f:
        f.write(text())
    for other in ("gpqa.tsv", "gpqa.csv.gz"):
        assert [p for p, _ in _problems(str(tmp_path / other)) if p.pop("row_index") is not None] == got


def test_csv_in_the_contract_s_columns_is_solved_and_non_utf8_is_one_clear_error(tmp_path):
    instant.register()
    src = tmp_path / "set.csv"
    src.write_text("id,problem,answer,domain\n1,What is 2+3? answer 5,5,math\n2,\"What is\n1+1? answer 2\",,\n"
                   "3,What is 4+4? answer 8,8\n\n")  # a short record: the rest are None; a blank line
    manifest = run_solve(str(src), str(tmp_path / "out"), load_config(sets=["backend.kind=instant", "samples=1"]))
    sols = {r["id"]: r for r in pq.read_table(tmp_path / "out" / "solutions").to_pylist()}
    assert manifest["counts"]["solutions"] == 3 and sorted(sols) == ["1", "2", "3"]
    assert sols["1"]["reference"] == "5" and sols["2"]["reference"] is None and sols["3"]["domain"] == "math"
    (tmp_path / "latin1.csv").write_bytes("id,problem\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not a readable CSV file.*not UTF-8"):
        inspect_input(str(tmp_path / "latin1.csv"))


def test_mmlus_own_csvs_have_no_header_row_and_are_read_whole(tmp_path):
    """Hendrycks' data/test/*_test.csv: question, four options, answer letter, no header. Its first
    question was taken for a header before, and the set stopped: "lacks required column(s)"."""
    folder = tmp_path / "test"
    folder.mkdir()
    rows = [["Find the degree of Q(sqrt(2)) over Q.", "0", "4", "2", "6", "C"],
            ['Which is "even"?\nPick one.', "3", "8", "5", "7", "B"]]  # fmt: skip
    for name in ("abstract_algebra_test.csv", "anatomy_test.csv"):
        with open(folder / name, "w", newline="") as f:
            csv.writer(f).writerows(rows)
    assert input_format(str(folder)) == "lettered options (question, A, B, ...); ids are row positions"
    problems = [validate_row(row, pos)[0] for g in inspect_input(str(folder)) for pos, row, _ in read_group(str(folder), *g[:3])]
    assert [p["id"] for p in problems] == ["0", "1", "2", "3"]
    assert (problems[1]["problem"], problems[1]["choices"], problems[1]["answer"]) == (
        'Which is "even"?\nPick one.', ["3", "8", "5", "7"], "B")  # fmt: skip
    assert [json.loads(p["extra"])["subject"] for p in problems] == ["abstract_algebra"] * 2 + ["anatomy"] * 2
    lettered = tmp_path / "lettered.csv"  # a header of lettered columns is a header
    lettered.write_text("id,Question,A,B,C,D\nq1,Pick.,x,y,z,w\n")
    assert input_format(str(lettered)) == "lettered options (question, A, B, ...); ids from 'id'"


def test_mgsms_tsvs_have_no_header_row_either(tmp_path):
    path = tmp_path / "mgsm_en.tsv"  # simple-evals reads `question \t number` lines
    path.write_text("Janet's ducks lay 16 eggs. How many are left?\t18\nA robe takes 2 bolts. How many?\t3\n")
    assert input_format(str(path)) == "GSM8K (question, answer); ids are row positions"
    rows = [validate_row(row, pos)[0] for g in inspect_input(str(path)) for pos, row, _ in read_group(str(path), *g[:3])]
    assert [(r["id"], r["answer"]) for r in rows] == [("0", "18"), ("1", "3")]
    named = tmp_path / "named.tsv"  # a header row stays one
    named.write_text("question\tanswer\nWhat is 1+1?\t2\n")
    assert [r["answer"] for r in (validate_row(row, p)[0] for g in inspect_input(str(named))
                                  for p, row, _ in read_group(str(named), *g[:3]))] == ["2"]  # fmt: skip
