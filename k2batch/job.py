"""A solve job from end to end: check inputs, take the job lock, run the pipeline into a staging
area (reusing stored calls), commit the outputs and the manifest. Plain Python: the Prefect flow
and the CLI both call this."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import time
import uuid
from contextlib import contextmanager

import pyarrow.parquet as pq

from k2batch import __version__
from k2batch.config import ConfigError, JobConfig
from k2batch.io import (
    _fs,
    check_writable,
    commit,
    count_rows,
    inspect_input,
    join,
    read_manifest,
    staged_parts,
)

LOCK = "_lock.json"


class JobLocked(RuntimeError):
    """Another live run holds the job's output location."""


def default_job_id(input_uri: str, cfg: JobConfig) -> str:
    """Same input and settings, same job id (so a rerun is recognisably the same job)."""
    blob = json.dumps({"input": input_uri, "cfg": cfg.model_dump(exclude={"job_id"})}, sort_keys=True)
    return "job-" + hashlib.sha256(blob.encode()).hexdigest()[:12]


def preflight(input_uri: str, out_uri: str, cfg: JobConfig) -> None:
    """Raise InputError/ConfigError early with a message for a person."""
    from k2batch.backends import BACKENDS, check_backend

    if cfg.backend.kind not in BACKENDS:
        raise ConfigError(f"unknown backend {cfg.backend.kind!r}; available: {', '.join(BACKENDS)}")
    for stage in ("triage", "plan", "generate", "judge"):
        check_backend(cfg.backend_for(stage))
    inspect_input(input_uri)
    check_writable(out_uri)


def _alive(holder: dict) -> bool:
    if holder.get("host") != socket.gethostname():
        return True  # cannot tell from here: assume it lives
    try:
        os.kill(int(holder["pid"]), 0)
    except (ProcessLookupError, ValueError, KeyError):
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def job_lock(out_uri: str, run_id: str, break_lock: bool = False):
    """One run per output location at a time. A lock left by a dead process on this host is
    taken over; one from another host needs `break_lock`. (Object stores offer no atomic
    create-if-absent through fsspec: two runs starting in the same instant could both pass.)"""
    fs, path = _fs(join(out_uri, LOCK))
    if fs.exists(path) and not break_lock:
        with fs.open(path, "r") as f:
            holder = json.load(f)
        if holder.get("run_id") != run_id and _alive(holder):
            raise JobLocked(
                f"{out_uri} is in use by run {holder.get('run_id')} (pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {holder.get('since')}); if that run is dead, rerun "
                "with --break-lock"
            )
    me = {"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(),
          "since": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
    with fs.open(path, "w") as f:
        json.dump(me, f)
    try:
        yield
    finally:
        try:
            fs.rm(path)
        except FileNotFoundError:
            pass


def _calls(staging: str) -> dict[str, int]:
    """Model calls made now and reused from the store, from the staged token_stats."""
    fs, _ = _fs(staging)
    made = reused = 0
    for part in staged_parts(staging, "token_stats"):
        with fs.open(part, "rb") as f:
            hits = pq.read_table(f, columns=["cache_hit"]).column(0).to_pylist()
        reused += sum(hits)
        made += len(hits) - sum(hits)
    return {"made": made, "reused": reused}


def run_solve(input_uri: str, out_uri: str, cfg: JobConfig, force: bool = False,
              break_lock: bool = False) -> dict:  # fmt: skip
    """Run one solve job; returns the manifest written to OUT/manifest.json. A job that already
    succeeded with the same input and settings is not run again (the manifest says `noop`)
    unless `force`, which also recomputes every model call."""
    from k2batch import pipeline  # Beam is heavy: import it only when a job runs
    from k2batch.store import ResultStore

    preflight(input_uri, out_uri, cfg)
    job_id = cfg.job_id or default_job_id(input_uri, cfg)
    previous = read_manifest(out_uri)
    if not force and previous and previous.get("job_id") == job_id and previous.get("status") == "succeeded":
        return {**previous, "noop": True}
    run_id = uuid.uuid4().hex[:12]
    staging = join(out_uri, "_staging", run_id)
    run = pipeline.JobRun(input_uri, staging, join(out_uri, "_calls"), job_id, reuse=not force)
    started = time.time()
    with job_lock(out_uri, run_id, break_lock):
        pipeline.run(run, cfg)
        ResultStore(run.store_uri, reuse=False).compact()  # streams; loads nothing
        manifest = {
            "k2batch_version": __version__,
            "job_id": job_id,
            "run_id": run_id,
            "status": "succeeded",
            "input": input_uri,
            "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "elapsed_s": round(time.time() - started, 3),
            "counts": count_rows(staging),
            "calls": _calls(staging),
            "settings": cfg.model_dump(mode="json"),  # settings hold no secrets: keys come from env
        }
        return commit(staging, out_uri, manifest)
