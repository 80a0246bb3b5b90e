"""`k2batch verify`: re-verify the candidates of an existing solve output (after a verifier
upgrade) without calling any model. Answers are re-extracted from the stored responses."""

from __future__ import annotations

import datetime as dt
import posixpath
import time
import uuid

from k2batch import __version__, recipe
from k2batch.config import JobConfig
from k2batch.io import (
    InputError,
    check_writable,
    commit,
    finalize_parts,
    join,
    output_parts,
    read_manifest,
    read_parts,
    write_part,
)
from k2batch.verify import answer_of, task
from k2batch.verify.pool import VerifierPool


def _problem(row: dict) -> dict:
    return {
        "id": row["id"], "problem": row["problem"], "domain": row["domain"], "answer": row["reference"],
        "tests": row.get("tests"), "choices": row.get("choices"), "triage_hard": row["triage_hard"],
        "triage_topics": row["triage_topics"], "extra": row["extra"],
    }  # fmt: skip


def reverify_rows(rows: list[dict], pool: VerifierPool, cfg: JobConfig) -> tuple[list[dict], int]:
    """New solution rows with every candidate re-extracted and re-verified; and how many verdicts
    changed. The judge's decisions are kept: only the verdicts are recomputed."""
    tasks, changed, out = [], 0, []
    for row in rows:
        for c in row["candidates"]:
            c["answer"], rule = answer_of(c["response"], row["domain"], choices=row.get("choices"))
            c["_before"], c["verdict_reason"] = c["verdict"], f"extracted by: {rule}"
            policy = cfg.verify.math.model_dump()
            tasks.append(task(row, c["answer"], pool.timeout_s, cfg.verify.sandbox, policy))
    verdicts = iter(pool.check_all(tasks))
    for row in rows:
        for c in row["candidates"]:
            recipe.set_verdict(c, *next(verdicts))
            changed += c.pop("_before") != c["verdict"]
        out.append(recipe.solution_row(row["job_id"], _problem(row), row["candidates"], row["judge"], cfg))
    return out, changed


def run_verify(input_uri: str, out_uri: str, workers: int = 2, timeout_s: float | None = None) -> dict:
    """Re-verify `input_uri`'s solutions into `out_uri`; returns the manifest written there."""
    parts = output_parts(input_uri, "solutions")
    if not parts:
        raise InputError(f"no solutions found under {input_uri}")
    source = read_manifest(input_uri) or {}
    cfg = JobConfig.model_validate(source.get("settings", {}))
    check_writable(out_uri)
    staging = join(out_uri, "_staging", uuid.uuid4().hex[:12])
    started, rows_done, changed, names = time.time(), 0, 0, []
    pool = VerifierPool(workers, timeout_s or cfg.verify.timeout_s)
    try:
        for rows in read_parts(parts):
            new_rows, n_changed = reverify_rows(rows, pool, cfg)
            names.append(posixpath.basename(write_part(staging, "solutions", new_rows)))
            rows_done, changed = rows_done + len(rows), changed + n_changed
    finally:
        pool.close()
    finalize_parts(staging, "solutions", names)
    manifest = {
        "k2batch_version": __version__, "kind": "verify", "source": input_uri,
        "job_id": source.get("job_id"), "status": "succeeded",
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "elapsed_s": round(time.time() - started, 3),
        "counts": {"solutions": rows_done, "verdicts_changed": changed},
        "settings": cfg.model_dump(mode="json"),
    }  # fmt: skip
    return commit(staging, out_uri, manifest, outputs=("solutions",))
