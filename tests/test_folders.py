"""A problem set given as a folder or a glob of files (a published set's Parquet shards, JSON
Lines parts): one input, its files in sorted order, rows numbered across them."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import estimate as est
from k2batch.config import load_config
from k2batch.identity import input_fingerprint
from k2batch.inputs import inspect_input, read_group
from k2batch.io import InputError
from k2batch.job import preflight, run_solve
from k2batch.testing import instant
from k2batch.validate import validate_row
from k2batch.waves import plan_waves


def _shards(folder, rows, per_shard=7, group=3):
    folder.mkdir(parents=True, exist_ok=True)
    n = (len(rows) + per_shard - 1) // per_shard
    for k in range(n):  # HF's names; several row groups each
        pq.write_table(pa.Table.from_pylist(rows[k * per_shard:(k + 1) * per_shard]),
                       folder / f"test-{k:05d}-of-{n:05d}.parquet", row_group_size=group)  # fmt: skip
    (folder / "_SUCCESS").write_text("")
    (folder / "README.md").write_text("not a shard")


def _read(uri):
    return [(pos, row, why) for f, i, first, _ in inspect_input(uri) for pos, row, why in read_group(uri, f, i, first)]


def test_shards_read_as_one_set_in_order_with_every_files_columns(tmp_path):
    rows = [{"question": f"What is {i}+1?", "answer": f"#### {i + 1}"} for i in range(20)]
    _shards(tmp_path / "gsm8k" / "main", rows)
    pq.write_table(pa.table({"question": ["What is 99+1?"], "answer": ["#### 100"], "source": ["later"]}),
                   tmp_path / "gsm8k" / "main" / "test-zz-extra.parquet")  # a column the others lack  # fmt: skip
    read = _read(str(tmp_path / "gsm8k"))  # recursively
    assert [pos for pos, _, _ in read] == list(range(21))
    problems = [validate_row(row, pos, why)[0] for pos, row, why in read]
    assert [(p["id"], p["answer"]) for p in problems] == [(str(i), str(i + 1)) for i in range(20)] + [("20", "100")]
    assert read[0][1]["source"] is None and read[-1][1]["source"] == "later"
    assert len(_read(str(tmp_path / "gsm8k" / "main" / "test-0000[01]-*.parquet"))) == 14  # a glob


def test_a_job_over_a_folder_then_a_shard_added_is_a_new_input_that_reuses_the_calls(tmp_path):
    instant.register()
    rows = [{"id": f"p{i}", "problem": f"What is {i}+2?", "answer": str(i + 2)} for i in range(10)]
    _shards(tmp_path / "set", rows[:7])
    cfg = load_config(sets=["backend.kind=instant", "samples=1", "runner.wave_size=4"])  # waves cross files
    first = run_solve(str(tmp_path / "set"), str(tmp_path / "out"), cfg)
    assert first["counts"]["solutions"] == 7 and first["status"] == "succeeded"
    before = input_fingerprint(str(tmp_path / "set"))
    pq.write_table(pa.Table.from_pylist(rows[7:] + [rows[0]]), tmp_path / "set" / "test-00001-of-00001.parquet")
    assert input_fingerprint(str(tmp_path / "set")) != before
    again = run_solve(str(tmp_path / "set"), str(tmp_path / "out"), cfg)
    assert again["job_id"] != first["job_id"] and again["counts"]["solutions"] == 10
    assert again["calls"]["reused"] == first["calls"]["made"]  # the first shard's calls
    (dup,) = pq.read_table(tmp_path / "out" / "rejects").to_pylist()
    assert dup["reason"] == "duplicate id (first at row 0)" and dup["row_index"] == 10


def test_an_estimate_over_jsonl_parts_keeps_the_jobs_ids(tmp_path):
    instant.register()
    folder = tmp_path / "parts"
    folder.mkdir()
    for k in range(3):
        (folder / f"part-{k}.jsonl").write_text("".join(json.dumps({"problem": f"What is {k}*{i}?{' pad' * i}",
                                                                    "answer": str(k * i)}) + "\n" for i in range(10)))  # fmt: skip
    cfg = load_config(sets=["backend.kind=instant", "samples=1"])
    res = est.estimate(str(folder), str(tmp_path / "out"), cfg, min_problems=6)
    assert res["problems"] == 30 and res["tokens"]["total"]["calls"]["pilot"] > 0
    pilot = pq.read_table(tmp_path / "out" / "_estimate" / "solutions").to_pylist()
    assert {r["problem"] for r in pilot} == {f"What is {int(r['id']) // 10}*{int(r['id']) % 10}?"
                                             f"{' pad' * (int(r['id']) % 10)}" for r in pilot}  # fmt: skip


def test_folders_that_cannot_be_a_set_are_one_clear_error(tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    pq.write_table(pa.table({"id": ["a"], "problem": ["x"]}), mixed / "a.parquet")
    (mixed / "b.jsonl").write_text('{"id": "b", "problem": "y"}\n')
    with pytest.raises(InputError, match="holds JSON and Parquet files"):
        inspect_input(str(mixed))
    (mixed / "b.jsonl").unlink()
    with pytest.raises(InputError, match="lies inside the input folder"):
        preflight(str(mixed), str(mixed / "out"), load_config())


def test_a_file_added_while_a_job_runs_changes_nothing_it_planned(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "b.jsonl").write_text("".join(json.dumps({"problem": f"b{i}"}) + "\n" for i in range(3)))
    (wave,) = plan_waves(str(folder), None, None)
    (folder / "a.jsonl").write_text('{"problem": "a0"}\n')  # sorts first: it would shift every row
    rows = [(pos, row["problem"]) for f, i, first in wave.groups for pos, row, _ in read_group(str(folder), f, i, first)]
    assert rows == [(0, "b0"), (1, "b1"), (2, "b2")]


def test_spark_leftovers_and_checkpoints_are_not_the_sets(tmp_path):
    folder = tmp_path / "set"
    for part in ("part-0.jsonl", "_temporary/0/part-0.jsonl", ".ipynb_checkpoints/part-0.jsonl", "sub/part-1.jsonl"):
        (folder / part).parent.mkdir(parents=True, exist_ok=True)
        (folder / part).write_text(json.dumps({"problem": part}) + "\n")
    assert [r["problem"] for _, r, _ in _read(str(folder))] == ["part-0.jsonl", "sub/part-1.jsonl"]


def test_a_glob_is_named_by_its_files_within_its_folder_and_keeps_its_output_out(tmp_path):
    for where in ("one", "two"):
        folder = tmp_path / where / "data"
        folder.mkdir(parents=True)
        (folder / "a.jsonl").write_text('{"problem": "x"}\n')
    prints = [input_fingerprint(str(tmp_path / w / "data" / "*.jsonl")) for w in ("one", "two")]
    assert prints[0] == prints[1] and prints[0]["files"][0]["name"] == "a.jsonl"  # moved data: the same input
    with pytest.raises(InputError, match="lies inside the input folder"):
        preflight(str(tmp_path / "one" / "**" / "*.jsonl"), str(tmp_path / "one" / "out"), load_config())


def test_an_estimate_over_shards_typed_unlike_each_other(tmp_path):
    instant.register()
    folder = tmp_path / "set"
    folder.mkdir()
    rows = [{"id": f"p{i}", "problem": f"What is {i}+1?{' pad' * i}", "answer": i + 1} for i in range(12)]
    pq.write_table(pa.Table.from_pylist(rows[:6]), folder / "a.parquet")  # answers as integers
    pq.write_table(pa.Table.from_pylist([r | {"answer": str(r["answer"])} for r in rows[6:]]), folder / "b.parquet")
    cfg = load_config(sets=["backend.kind=instant", "samples=1"])
    res = est.estimate(str(folder), str(tmp_path / "out"), cfg, min_problems=6)
    assert res["problems"] == 12 and res["tokens"]["total"]["calls"]["pilot"] > 0
    pilot = pq.read_table(tmp_path / "out" / "_estimate" / "solutions").to_pylist()
    assert {r["reference"] for r in pilot} == {str(int(r["id"][1:]) + 1) for r in pilot}


def _save_to_disk(folder, table, batch=4):
    """A folder as `datasets`' Dataset.save_to_disk writes it (checked against datasets 4): an
    Arrow stream of record batches beside state.json and dataset_info.json."""
    folder.mkdir(parents=True)
    with pa.OSFile(str(folder / "data-00000-of-00001.arrow"), "wb") as f, pa.ipc.new_stream(f, table.schema) as w:
        for b in table.to_batches(max_chunksize=batch):
            w.write_batch(b)
    (folder / "state.json").write_text(json.dumps({"_data_files": [{"filename": "data-00000-of-00001.arrow"}],
                                                   "_fingerprint": "c7a42b88", "_split": None}))  # fmt: skip
    (folder / "dataset_info.json").write_text(json.dumps({"features": {n: {"dtype": "string", "_type": "Value"}
                                                                       for n in table.column_names}}))  # fmt: skip


def test_a_dataset_saved_by_hugging_face_datasets_and_a_feather_file_are_sets(tmp_path):
    instant.register()
    table = pa.table({"question": [f"What is {i}+3?" for i in range(10)], "answer": [f"#### {i + 3}" for i in range(10)]})
    _save_to_disk(tmp_path / "dd" / "test", table)  # a DatasetDict: one folder a split
    (tmp_path / "dd" / "dataset_dict.json").write_text(json.dumps({"splits": ["test"]}))
    read = _read(str(tmp_path / "dd" / "test"))
    assert [pos for pos, _, _ in read] == list(range(10)) and len(inspect_input(str(tmp_path / "dd"))) == 3
    assert [validate_row(row, pos, why)[0]["answer"] for pos, row, why in read] == [str(i + 3) for i in range(10)]
    cfg = load_config(sets=["backend.kind=instant", "samples=1"])
    res = run_solve(str(tmp_path / "dd"), str(tmp_path / "out"), cfg)  # the metadata files are no rows
    assert res["counts"]["solutions"] == 10 and res["counts"]["rejects"] == 0
    table.to_pandas().to_feather(tmp_path / "set.feather")  # the Arrow file layout, with its footer
    assert _read(str(tmp_path / "set.feather")) == read
    res = est.estimate(str(tmp_path / "set.feather"), str(tmp_path / "est"), cfg, min_problems=4)
    assert res["problems"] == 10 and res["tokens"]["total"]["calls"]["pilot"] > 0
    (tmp_path / "set.arrow").write_bytes(b"not arrow at all")
    with pytest.raises(InputError, match="not a readable Arrow file"):
        inspect_input(str(tmp_path / "set.arrow"))
