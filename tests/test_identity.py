"""What a job is: its id covers what changes outputs and nothing else; call keys cover what changes
a reply; --force starts a fresh store; the job lock is exclusive; a job never touches its input."""

import json
import os
import socket

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import recipe
from k2batch.config import load_config
from k2batch.io import InputError
from k2batch.job import LOCK, REPLACED, JobLocked, default_job_id, job_lock, preflight, run_solve
from k2batch.prompts import Recipe
from k2batch.testing import instant, moto_s3
from tests.conftest import SAMPLE


def problems(path, n):
    ids = [f"p{i}" for i in range(n)]
    pq.write_table(pa.table({"id": ids, "problem": [f"What is {i} + 1? (answer {i + 1})" for i in range(n)],
                             "answer": [str(i + 1) for i in range(n)]}), path)  # fmt: skip
    return str(path)


def test_the_job_id_covers_what_changes_outputs_and_nothing_else(tmp_path, monkeypatch):
    src = problems(tmp_path / "in.parquet", 3)
    base = default_job_id(src, load_config())
    same = ["runner.workers=2", "runner.wave_size=5", "resume.flush_s=1", "backend.max_concurrency=3",
            "backend.n_threads=1", "backend.engines=2", "verify.workers=4", "backend.timeout_s=5", "runner.mode=multi_threading"]  # fmt: skip
    for s in same:
        assert default_job_id(src, load_config(sets=[s])) == base, s
    changed = ["samples=2", "seed=1", "limit=2", "stages.generate.max_tokens=9", "judge.both_orders=false",
               "backend.speculative=prompt_lookup", "verify.timeout_s=3", "backend.model=/x.gguf"]  # fmt: skip
    assert len({base, *(default_job_id(src, load_config(sets=[s])) for s in changed)}) == len(changed) + 1
    copy = tmp_path / "moved.parquet"  # the same content elsewhere is the same job
    copy.write_bytes((tmp_path / "in.parquet").read_bytes())
    assert default_job_id(str(copy), load_config()) == base
    assert default_job_id(problems(tmp_path / "in.parquet", 4), load_config()) != base  # content
    brief = Recipe().plan_system + " Be brief."
    assert default_job_id(str(copy), load_config(overrides={"recipe.plan_system": brief})) != base  # a prompt


def test_reply_changing_backend_settings_are_in_every_call_key():
    problem = {"id": "p", "problem": "1+1?", "domain": "math"}

    def key(*sets):
        return recipe.solve_request(problem, 0, None, load_config(sets=list(sets))).key()

    base = key()
    assert key("backend.speculative=prompt_lookup") != base  # llama.cpp drafts change the text
    assert key("backend.max_concurrency=2") == key("backend.n_threads=1") == base
    http = ["backend.kind=openai", "backend.base_url=http://h/v1", "backend.model=m"]
    assert key(*http) != key(*http, "backend.json_mode=json_object")
    vllm = ["backend.kind=vllm", "backend.model=m"]
    for s in ("backend.vllm.dtype=float16", "backend.vllm.quantization=fp8",
              'backend.vllm.speculative_config={"method": "ngram", "num_speculative_tokens": 4}'):  # fmt: skip
        assert key(*vllm, s) != key(*vllm), s
    assert key(*vllm, "backend.vllm.gpu_memory_utilization=0.5") == key(*vllm)


def test_appending_rows_solves_the_new_rows_and_reuses_every_stored_call(tmp_path):
    instant.register()
    cfg = load_config(sets=["backend.kind=instant"])
    src, out = tmp_path / "in.parquet", str(tmp_path / "out")
    first = run_solve(problems(src, 3), out, cfg)
    assert run_solve(str(src), out, cfg)["noop"]
    more = run_solve(problems(src, 5), out, cfg)  # two rows appended to the same file
    assert not more.get("noop") and more["job_id"] != first["job_id"]
    assert more["counts"]["solutions"] == 5 and more["calls"]["reused"] == first["calls"]["made"]
    assert more["identity"]["input"]["size"] == os.path.getsize(src)
    # runner knobs do not change outputs: the finished job stays finished
    assert run_solve(str(src), out, load_config(sets=["backend.kind=instant", "runner.workers=2"]))["noop"]


def test_force_sets_the_old_store_aside_and_recomputes_every_call(tmp_path):
    instant.register()
    cfg = load_config(sets=["backend.kind=instant"])
    src, out = problems(tmp_path / "in.parquet", 3), tmp_path / "out"
    first = run_solve(src, str(out), cfg)
    forced = run_solve(src, str(out), cfg, force=True)
    assert forced["calls"] == {"made": first["calls"]["made"], "reused": 0, "failed": 0, "refused": 0}
    [aside] = (out / REPLACED).iterdir()
    assert aside.name == forced["run_id"] and list(aside.glob("*.jsonl"))


def test_the_lock_is_exclusive_and_released_only_by_its_holder(tmp_path):
    out = str(tmp_path)
    with job_lock(out, "run-a"):
        with pytest.raises(JobLocked, match="in use by run run-a"):
            with job_lock(out, "run-b"):
                pass
        with job_lock(out, "run-c", break_lock=True):  # run-c takes over (the holder looked dead)
            pass
        assert not (tmp_path / LOCK).exists()
    with job_lock(out, "run-d"):
        with job_lock(out, "run-e", break_lock=True):
            holder = json.loads((tmp_path / LOCK).read_text())
        # run-e released its own lock; run-d must not delete a lock it no longer holds
        (tmp_path / LOCK).write_text(json.dumps({**holder, "run_id": "run-f", "host": "elsewhere"}))
    assert json.loads((tmp_path / LOCK).read_text())["run_id"] == "run-f"
    with pytest.raises(JobLocked, match="in use by run run-f"):  # another host's: presumed alive
        with job_lock(out, "run-g"):
            pass
    dead = {"run_id": "dead", "pid": 2**22 + 7, "host": socket.gethostname()}
    (tmp_path / LOCK).write_text(json.dumps(dead))  # a dead process on this host: taken over
    with job_lock(out, "run-g"):
        assert json.loads((tmp_path / LOCK).read_text())["run_id"] == "run-g"


def test_the_lock_on_s3_is_a_conditional_write():
    import s3fs

    with moto_s3():
        s3fs.S3FileSystem().mkdir("k2batch-lock")
        with job_lock("s3://k2batch-lock/out", "run-a"):
            with pytest.raises(JobLocked, match="in use by run run-a"):
                with job_lock("s3://k2batch-lock/out", "run-b"):
                    pass
        assert not s3fs.S3FileSystem().exists("k2batch-lock/out/" + LOCK)


def test_an_input_inside_the_outputs_folders_is_refused(tmp_path):
    out = tmp_path / "out"
    (out / "solutions").mkdir(parents=True)
    inside = out / "solutions" / "part-x.parquet"
    inside.write_bytes(SAMPLE.read_bytes())
    with pytest.raises(InputError, match="lies inside solutions/"):
        preflight(str(inside), str(out), load_config())
    beside = out / "mine.parquet"  # OUT's own top level is the user's to use
    beside.write_bytes(SAMPLE.read_bytes())
    preflight(str(beside), str(out), load_config())


# Backend settings that change neither a reply nor an output, or enter the key another way.
NOT_REPLY_SETTINGS = {
    "kind": "switching backends reuses calls whose model matches, by design",
    "model": "part of every request (ChatRequest.model)",
    "n_ctx": "a prompt that does not fit fails; one that fits gets the same reply",
    "vllm.tensor_parallel_size": "the same model split otherwise: reused on purpose",
    "vllm.max_model_len": "as n_ctx",
    "vllm.seed": "every request carries its own seed",
    "spill": "a spilled call carries the spill backend's own model and reply settings (router.for_spill)",
}


def leaves(model_cls, prefix=""):
    from pydantic import BaseModel

    for name, field in model_cls.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from leaves(field.annotation, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", field


def test_every_backend_setting_is_classified_for_the_call_key():
    """A new backend setting fails this test until someone decides whether it changes a reply
    (then a backend lists it in REPLY_SETTINGS), only where a job runs (EXECUTION_ONLY), or
    neither (NOT_REPLY_SETTINGS, with the reason)."""
    from k2batch.backends import BACKENDS, _module
    from k2batch.config import BackendConfig

    reply = {s for kind in BACKENDS for s in getattr(_module(kind), "REPLY_SETTINGS", ())}
    for name, field in leaves(BackendConfig):
        execution_only = bool((field.json_schema_extra or {}).get("execution_only"))
        kinds = [name in reply, execution_only, name in NOT_REPLY_SETTINGS]
        assert sum(kinds) == 1, f"backend.{name}: classify it (reply / execution-only / neither)"
