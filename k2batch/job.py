"""A solve job from end to end: check inputs, run the pipeline into a staging area, commit the
outputs and the manifest. Plain Python: the Prefect flow and the CLI both call this."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid

from k2batch import __version__
from k2batch.config import JobConfig
from k2batch.io import check_writable, commit, count_rows, inspect_input, join


def default_job_id(input_uri: str, cfg: JobConfig) -> str:
    """Same input and settings, same job id (so a rerun is recognisably the same job)."""
    blob = json.dumps({"input": input_uri, "cfg": cfg.model_dump(exclude={"job_id"})}, sort_keys=True)
    return "job-" + hashlib.sha256(blob.encode()).hexdigest()[:12]


def preflight(input_uri: str, out_uri: str, cfg: JobConfig) -> None:
    """Raise InputError/ConfigError/ValueError early with a message for a person."""
    from k2batch.backends import BACKENDS

    if cfg.backend.kind not in BACKENDS:
        raise ValueError(f"unknown backend {cfg.backend.kind!r}; available: {', '.join(BACKENDS)}")
    inspect_input(input_uri)
    check_writable(out_uri)


def run_solve(input_uri: str, out_uri: str, cfg: JobConfig) -> dict:
    """Run one solve job; returns the manifest written to OUT/manifest.json."""
    from k2batch import pipeline  # Beam is heavy: import it only when a job runs

    preflight(input_uri, out_uri, cfg)
    job_id = cfg.job_id or default_job_id(input_uri, cfg)
    run_id = uuid.uuid4().hex[:12]
    staging = join(out_uri, "_staging", run_id)
    started = time.time()
    pipeline.run(input_uri, staging, cfg, job_id)
    counts = count_rows(staging)
    manifest = {
        "k2batch_version": __version__,
        "job_id": job_id,
        "run_id": run_id,
        "status": "succeeded",
        "input": input_uri,
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "elapsed_s": round(time.time() - started, 3),
        "counts": counts,
        "settings": cfg.model_dump(mode="json"),  # settings hold no secrets: keys come from env
    }
    return commit(staging, out_uri, manifest)
