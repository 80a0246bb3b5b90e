"""Big inputs on the local runner run in waves; the outputs must equal one big run, duplicates
across wave boundaries included. The instant backend (a benchmark harness) keeps this fast."""

import pyarrow as pa
import pyarrow.parquet as pq

from k2batch.config import load_config
from k2batch.job import run_solve
from k2batch.testing import instant
from k2batch.waves import plan_waves


def _problems(path):
    n = 23
    ids = [f"p{i}" for i in range(n)]
    ids[9] = "p2"  # repeats an id of wave 0 inside wave 1
    ids[16] = "p15"  # repeats an id of the same wave
    ids[20] = "p5"  # first row of p5 is invalid (empty problem): this later row is the one kept
    problems = [f"What is {i} + {i + 1}? (answer {2 * i + 1})" for i in range(n)]
    problems[5] = ""
    pq.write_table(
        pa.table({"id": ids, "problem": problems, "answer": [str(2 * i + 1) for i in range(n)]}),
        path,
        row_group_size=4,
    )


def test_rows_of_a_repeated_id_go_to_the_wave_of_its_first_row(tmp_path):
    src = tmp_path / "in.parquet"
    _problems(src)
    waves = plan_waves(str(src), None, 7)
    assert [(w.start, w.end) for w in waves] == [(0, 7), (7, 14), (14, 21), (21, 23)]
    owners = {r: [w.index for w in waves if w.keeps(r)] for r in range(23)}
    assert all(len(o) == 1 for o in owners.values())  # every row in exactly one wave
    assert owners[9] == [0] and owners[20] == [0] and owners[16] == [2]
    assert 8 in {first for _, _, first in waves[0].groups}  # wave 0 reads row 9's group too
    assert plan_waves(str(src), 10, 7)[-1].end == 10  # --limit cuts the last wave
    assert len(plan_waves(str(src), None, None)) == 1


def test_waves_give_the_same_outputs_as_one_run(tmp_path):
    instant.register()
    src = tmp_path / "in.parquet"
    _problems(src)
    outs = {}
    for wave_size in (None, 7):
        out = tmp_path / f"out-{wave_size}"
        cfg = load_config(sets=["backend.kind=instant", f"runner.wave_size={wave_size or 'null'}"])
        manifest = run_solve(str(src), str(out), cfg)
        sols = pq.read_table(out / "solutions").drop(["job_id"]).to_pylist()
        rejects = pq.read_table(out / "rejects").drop(["job_id"]).to_pylist()
        outs[wave_size] = (sorted(sols, key=lambda r: r["id"]), sorted(rejects, key=lambda r: r["row_index"]))
        assert manifest["counts"] == {"solutions": 20, "rejects": 3, "token_stats": manifest["counts"]["token_stats"]}
    assert outs[None] == outs[7]
    reasons = {r["row_index"]: r["reason"] for r in outs[7][1]}
    assert reasons == {5: "empty problem", 9: "duplicate id (first at row 2)", 16: "duplicate id (first at row 15)"}
