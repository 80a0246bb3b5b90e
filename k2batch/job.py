"""A solve job from end to end: check inputs, take the job lock, run the pipeline into a staging
area (reusing stored calls), commit the outputs and the manifest. Plain Python: the Prefect flow
and the CLI both call this."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import posixpath
import socket
import time
import uuid
from contextlib import contextmanager

import pyarrow.parquet as pq

from k2batch import __version__
from k2batch.config import STAGES, ConfigError, JobConfig
from k2batch.identity import job_id_of, job_identity, settings_digest
from k2batch.inputs import input_files, input_format, inspect_input, root
from k2batch.io import (
    OUTPUTS,
    InputError,
    _fs,
    absolute,
    check_writable,
    commit,
    count_rows,
    join,
    read_json,
    read_manifest,
    staged_parts,
)

log = logging.getLogger(__name__)
LOCK = "_lock.json"
STORE, REPLACED = "_calls", "_calls_replaced"  # the result store; stores set aside by --force
MANAGED = (*OUTPUTS, "_staging", STORE, REPLACED, "report")  # what a job writes or deletes in OUT


class JobLocked(RuntimeError):
    """Another live run holds the job's output location."""


class JobFailed(RuntimeError):
    """A job whose model calls failed and that solved nothing (its manifest is written)."""

    def __init__(self, manifest: dict):
        super().__init__(
            f"job {manifest['job_id']} failed: {manifest['calls']['failed']} model calls failed and no "
            "problem was solved (see rejects); rerun to retry"
        )
        self.manifest = manifest

    def __reduce__(self):  # Prefect pickles a failed flow's exception: keep the manifest
        return JobFailed, (self.manifest,)


def default_job_id(input_uri: str, cfg: JobConfig) -> str:
    """The job id: a hash of what changes the outputs (see k2batch.identity)."""
    return job_id_of(job_identity(input_uri, cfg))


def _location(uri: str) -> tuple[str, str]:
    fs, path = _fs(uri)
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    path = os.path.realpath(path) if protocol in ("file", "local") else path
    return protocol, path.rstrip("/")


def check_input_outside_out(input_uri: str, out_uri: str) -> None:
    """The input must not lie where the job writes or deletes (a job would destroy its input)."""
    (p_in, inp), (p_out, out) = _location(input_uri), _location(out_uri)
    if p_in != p_out:
        return
    for folder in MANAGED:
        if inp == posixpath.join(out, folder) or inp.startswith(posixpath.join(out, folder) + "/"):
            raise InputError(
                f"input {input_uri} lies inside {folder}/ of the output {out_uri}, which the job "
                "replaces: copy the input elsewhere first"
            )
    folder = _location(root(input_uri))[1]  # a glob's: the folder before its first wildcard
    if input_files(input_uri) is not None and (out == folder or out.startswith(folder + "/")):
        raise InputError(f"the output {out_uri} lies inside the input folder {input_uri}: its Parquet "
                         "parts would be read as problems by the next run; write it elsewhere")  # fmt: skip


def settings_of(cfg: JobConfig) -> str:
    """The output settings' hash of a job run with `cfg` (as its manifest's identity has it)."""
    from k2batch import domains

    return settings_digest(anchored(cfg).with_domains(domains.shipped()))


def anchored(cfg: JobConfig) -> JobConfig:
    """`cfg` with local model paths made absolute (SDK workers of a distributed runner run in
    another working directory)."""

    def fix(model: str | None) -> str | None:
        local = model and cfg.backend.kind in ("llamacpp", "vllm") and os.path.exists(model)
        return os.path.abspath(model) if local else model

    stages = {s: getattr(cfg.stages, s).model_copy(update={"model": fix(getattr(cfg.stages, s).model)})
              for s in STAGES}  # fmt: skip
    new = cfg.model_copy(update={
        "backend": cfg.backend.model_copy(update={"model": fix(cfg.backend.model)}),
        "stages": cfg.stages.model_copy(update=stages),
    })  # fmt: skip
    new.__pydantic_private__["_memo"] = {}  # memoised per-stage settings name the models
    return new


def preflight(input_uri: str, out_uri: str, cfg: JobConfig) -> None:
    """Raise InputError/ConfigError early with a message for a person."""
    from k2batch.backends import BACKENDS, check_backend, check_engines
    from k2batch.budget import unpriced

    if cfg.backend.kind not in BACKENDS:
        raise ConfigError(f"unknown backend {cfg.backend.kind!r}; available: {', '.join(BACKENDS)}")
    stages = [cfg.backend_for(stage) for stage in STAGES]
    spill = [cfg.backend.spill] if cfg.backend.spill is not None else []  # a missing key shows now too
    for backend in {b.model_dump_json(): b for b in [*stages, *spill]}.values():
        check_backend(backend)
    check_engines(stages)
    if cfg.budget.usd is not None and (missing := unpriced(cfg)):
        raise ConfigError(f"budget.usd counts calls by the price table, which has no price for "
                          f"{', '.join(missing)}: add [prices.\"NAME\"] input and output (USD per million "
                          f"tokens), keyed by the model, its file name or the backend kind")  # fmt: skip
    inspect_input(input_uri)
    check_input_outside_out(input_uri, out_uri)
    check_writable(out_uri)
    _check_runner(cfg, input_uri, out_uri)
    _warn_if_no_sandbox(cfg)


def _check_runner(cfg: JobConfig, *uris: str) -> None:
    from k2batch import runners

    if cfg.runner.name in runners.LOCAL:
        return
    runners.check_locations(cfg.runner.name, *uris)
    runners.pipeline_options(cfg, resolve=True)  # raises if a job-server jar or prism is missing
    runners.check_reachable(cfg.runner.options, cfg.runner.name)


def _warn_if_no_sandbox(cfg: JobConfig) -> None:
    from k2batch.verify.sandbox import unavailable

    problem = unavailable()
    if problem and cfg.verify.sandbox == "strict":
        log.warning("no sandbox for generated code (%s): code answers will get 'error' verdicts; "
                    "install bubblewrap, or set verify.sandbox = 'weak'", problem)  # fmt: skip


def _alive(holder: dict) -> bool:
    if holder.get("host") != socket.gethostname():
        return True  # cannot tell from here: assume it lives
    try:
        os.kill(int(holder["pid"]), 0)
    except (ProcessLookupError, ValueError, KeyError, TypeError):
        return False
    except PermissionError:
        return True
    return True


def _read_lock(fs, path: str) -> dict | None:
    try:
        with fs.open(path, "r") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}  # a torn lock file: nobody's, take it over


def _create(fs, path: str, body: bytes) -> bool:
    """Create `path` only if absent, atomically where the store can: O_EXCL on local disks,
    S3's conditional PUT (If-None-Match). False if it exists."""
    try:
        with fs.open(path, "xb") as f:
            f.write(body)
        return True
    except FileExistsError:
        return False


@contextmanager
def job_lock(out_uri: str, run_id: str, break_lock: bool = False):
    """One run per output location at a time: the lock file is created only if absent. A lock
    left by a dead process on this host is taken over; one from another host needs
    `break_lock`. The lock is released only if it is still ours. Remaining windows: taking over
    a dead run's lock is delete-then-create (two runs doing it at once: one wins, one is told
    the location is in use), and release is read-then-delete; on stores without conditional
    writes "create only if absent" is not atomic (S3 and local disks have it)."""
    fs, path = _fs(join(out_uri, LOCK))
    me = {"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(),
          "since": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
    body = json.dumps(me).encode()
    fs.makedirs(posixpath.dirname(path), exist_ok=True)
    if break_lock:
        with fs.open(path, "wb") as f:
            f.write(body)
    elif not _create(fs, path, body):
        holder = _read_lock(fs, path) or {}
        if holder and _alive(holder):
            raise JobLocked(
                f"{out_uri} is in use by run {holder.get('run_id')} (pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {holder.get('since')}); if that run is dead, rerun "
                "with --break-lock"
            )
        fs.rm(path)  # a dead run's lock
        if not _create(fs, path, body):
            raise JobLocked(f"{out_uri} was just taken by another run")
    try:
        yield
    finally:
        if (_read_lock(fs, path) or {}).get("run_id") == run_id:
            fs.rm(path)


def _calls(staging: str, cfg: JobConfig) -> tuple[dict[str, int], int, float | None]:
    """(model calls made now, reused from the store, failed, and refused by the budget (never
    made)); the tokens and dollars (by the price table; None without one) the calls made now
    spent, from the staged token_stats."""
    from k2batch.budget import PREFIX, call_cost

    fs, _ = _fs(staging)
    made = reused = failed = refused = tokens = 0
    usd = 0.0 if cfg.prices else None
    columns = ["cache_hit", "error", "prompt_tokens", "completion_tokens", "reasoning_tokens", "model",
               "backend"]  # fmt: skip
    for part in staged_parts(staging, "token_stats"):
        with fs.open(part, "rb") as f:
            t = pq.read_table(f, columns=columns)
        for c in t.to_pylist() if usd is not None else ():
            if not c["cache_hit"]:
                usd += call_cost(cfg, c["model"], c["backend"], c["prompt_tokens"], c["completion_tokens"],
                                 c["reasoning_tokens"]) or 0.0  # fmt: skip
        hits, errors = t.column("cache_hit").to_pylist(), t.column("error").to_pylist()
        budget = sum(1 for e in errors if e and e.startswith(PREFIX))
        reused += sum(hits)
        made += len(hits) - sum(hits) - budget
        failed += len(hits) - t.column("error").null_count - budget
        refused += budget
        spent = zip(hits, t.column("prompt_tokens").to_pylist(), t.column("completion_tokens").to_pylist(),
                    strict=True)  # fmt: skip
        tokens += sum(p + c for hit, p, c in spent if not hit)
    return {"made": made, "reused": reused, "failed": failed, "refused": refused}, tokens, usd


def count_budget_rejects(staging: str) -> int:
    """Problems this run did not admit (or cut off) for the budget: rejects with that reason."""
    fs, _ = _fs(staging)
    n = 0
    for part in staged_parts(staging, "rejects"):
        with fs.open(part, "rb") as f:
            reasons = pq.read_table(f, columns=["reason"]).column("reason").to_pylist()
        n += sum(r.startswith("budget") for r in reasons)
    return n


def _status(counts: dict, calls: dict) -> str:
    """succeeded: nothing left to retry; partial: some model calls failed or the budget refused
    some (a rerun retries them, reusing the rest); failed: calls failed and no problem was solved
    (a budget that admitted nothing is no failure: a rerun with a larger one goes on)."""
    if not calls["failed"] and not calls["refused"]:
        return "succeeded"
    return "partial" if counts["solutions"] or calls["refused"] else "failed"


def _set_store_aside(out_uri: str, run_id: str) -> None:
    """--force: move the result store aside (kept under OUT/_calls_replaced/, for the user to
    delete), so the run starts with an empty one."""
    fs, path = _fs(join(out_uri, STORE))
    if fs.exists(path):
        dest = join(out_uri, REPLACED, run_id)
        fs.makedirs(_fs(join(out_uri, REPLACED))[1], exist_ok=True)
        fs.mv(path, _fs(dest)[1], recursive=True)


def run_solve(input_uri: str, out_uri: str, cfg: JobConfig, force: bool = False,
              break_lock: bool = False, store_uri: str | None = None) -> dict:  # fmt: skip
    """Run one solve job; returns the manifest written to OUT/manifest.json. A job that already
    succeeded with the same identity (input content, output-relevant settings, prompts, code) is
    not run again (the manifest says `noop`) unless `force`, which also recomputes every model
    call (the old store is set aside). A partial or failed job is run again, reusing what it
    stored: only its failed calls are made again. `store_uri`: another result store than OUT/_calls
    (the estimate's pilot shares the full job's)."""
    # Beam is heavy: import it only when a job runs
    from k2batch import domains, pipeline, progress, router, runners
    from k2batch.budget import by_estimate
    from k2batch.store import ResultStore

    input_uri, out_uri = absolute(input_uri), absolute(out_uri)
    cfg = anchored(cfg).with_domains(domains.shipped())
    # a deadline given as a time of day or a duration becomes one date and time for the whole run
    cfg = cfg.model_copy(update={"budget": cfg.budget.at(dt.datetime.now(dt.UTC))})
    preflight(input_uri, out_uri, cfg)
    identity = job_identity(input_uri, cfg)
    job_id = cfg.job_id or job_id_of(identity)
    previous = read_manifest(out_uri)
    if not force and previous and previous.get("job_id") == job_id and previous.get("status") == "succeeded":
        return {**previous, "noop": True}
    run_id = uuid.uuid4().hex[:12]
    staging = join(out_uri, "_staging", run_id)
    total = progress.input_rows(input_uri, cfg.limit)
    run = pipeline.JobRun(input_uri, staging, absolute(store_uri or join(out_uri, STORE)), job_id, total)
    cfg = router.with_tail(router.waved(cfg))
    started = time.time()
    with job_lock(out_uri, run_id, break_lock):
        if force:
            _set_store_aside(out_uri, run_id)
        # rows, for the display; its ETA follows `k2batch estimate`'s forecast where there is one,
        # and a budget admits problems by its projected spend per problem
        estimate = read_json(join(out_uri, "estimate.json"))
        forecast = progress.forecast_of(estimate, input_uri, total, identity["settings"])
        cfg = by_estimate(cfg, estimate) if forecast is not None else cfg
        progress.set_total(total, cfg, forecast)
        runners.run(run, cfg)
        ResultStore(run.store_uri, reuse=False, flush_s=0).compact()  # streams; loads nothing
        counts, (calls, spent, usd) = count_rows(staging), _calls(staging, cfg)
        manifest = {
            "k2batch_version": __version__,
            "job_id": job_id,
            "identity": identity,
            "run_id": run_id,
            "status": _status(counts, calls),
            "input": input_uri,
            "input_format": input_format(input_uri) or "k2batch",
            "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "elapsed_s": round(time.time() - started, 3),
            "counts": counts,
            "calls": calls,
            "settings": cfg.model_dump(mode="json"),  # no secrets: keys come from the environment
        }
        if cfg.budget.tokens or cfg.budget.usd or cfg.budget.deadline:  # spend vs budget
            manifest["budget"] = {**cfg.budget.model_dump(mode="json"), "tokens_spent": spent,
                                  "usd_spent": usd,
                                  "rejected_for_budget": count_budget_rejects(staging)}  # fmt: skip
        last = router.last_finished(cfg, staging)
        committed = commit(staging, out_uri, manifest)
        router.learn_tail(cfg, last)
        return committed
