"""The Beam pipeline: the recipe's stages as transforms. Model calls go through RunInference with
one engine per worker process; everything else is the plain functions of `k2batch.recipe`."""

from __future__ import annotations

import atexit
import functools
import posixpath
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.ml.inference.base import ModelHandler, PredictionResult, RunInference

from k2batch import budget, inputs, progress, quiet, recipe, router, steps, verify
from k2batch import io as kio
from k2batch.backends import ChatResult, get_backend, hints
from k2batch.config import JobConfig
from k2batch.deadlines import Deadlines
from k2batch.steps import Answered, Calls
from k2batch.store import open_store
from k2batch.validate import validate_row
from k2batch.verify.pool import VerifierPool
from k2batch.waves import Wave

quiet.install()


@dataclass(frozen=True)
class JobRun:
    """Where one run of a job reads and writes."""

    input_uri: str
    staging_uri: str  # this run's parts, committed by the job when the pipeline succeeds
    store_uri: str  # the job's result store, shared by every run of the job
    job_id: str
    total: int = 0  # input rows of the run (the router's backlog)
    wave: router.Wave | None = None  # the wave this pipeline runs (the router's start-up clock)


class ChatModelHandler(ModelHandler):
    """RunInference adapter: batches of (context, request) to the backend, results paired back."""

    def __init__(self, cfg: JobConfig, run: JobRun, stage: str):
        super().__init__()
        self._stage = stage
        self._backend = cfg.backend_for(stage)
        self._batch_size = cfg.runner.batch_size or hints(self._backend).batch_size
        self._store = (run.store_uri, True, cfg.resume.flush_s, run.staging_uri)
        self._timeouts = cfg.timeouts
        self._cfg, self._run_key, self._total = cfg, run.staging_uri, run.total
        self._spill, self._wave = router.spill_of(cfg), run.wave

    def load_model(self):
        return get_backend(self._backend)  # one engine per process, shared by every stage

    def _router(self) -> router.Router:
        return router.router(self._cfg, self._run_key, self._total)

    def _routed(self, store, reqs: list, problems: list[dict]) -> tuple[list, list[str]]:
        """With a spill backend: each problem's route (sticky; a stored call decides on a rerun),
        and its requests made for the backend it goes to."""
        if self._spill is None:
            return reqs, [router.PRIMARY] * len(reqs)
        rt = self._router()
        stored: dict[str, str] = {}  # a new problem's backend where any of its calls here is stored
        for req, problem in zip(reqs, problems, strict=True):
            pid = problem["id"]
            if pid not in rt.routes and pid not in stored:
                if store.get(req.key()):
                    stored[pid] = router.PRIMARY
                elif store.get(router.for_spill(req, self._spill).key()):
                    stored[pid] = router.SPILL
        routes = [rt.route(p["id"], stored.get(p["id"]), self._wave) for p in problems]
        return [router.for_spill(r, self._spill) if w == router.SPILL else r
                for r, w in zip(reqs, routes, strict=True)], routes  # fmt: skip

    def run_inference(self, batch: Sequence[Calls], model, inference_args=None):
        """Stored calls are answered from the store; the rest go to the backend in one batch and
        are stored as each finishes."""
        store = open_store(*self._store)
        problems = [calls.problem for calls in batch for _ in calls.requests]
        reqs, routes = self._routed(store, [req for calls in batch for req in calls.requests], problems)
        keys = [req.key() for req in reqs]
        # a reply that stopped under another token limit is this limit's reply too: only replies
        # cut at a limit are made again when it grows
        results = [store.get(k) or store.get_stopped(r.free_key(), r.max_tokens)
                   for k, r in zip(keys, reqs, strict=True)]  # fmt: skip
        todo = [i for i, r in enumerate(results) if r is None]
        if len(todo) < len(results):  # reused work, which the ETA by the estimate counts as done
            progress.results(self._stage, [r for r in results if r is not None])
        ledger = budget.ledger(self._cfg, self._run_key)
        reused = {problems[i]["id"] for i, r in enumerate(results) if r is not None} if ledger.active else ()
        for problem in reused:  # their spend is no sample of a whole problem's
            ledger.reused(problem)
        refused = 0
        for i in list(todo) if ledger.active else ():  # hard budgets: no new call past them
            why = ledger.allow(problems[i])
            if why:
                results[i] = ChatResult("", "error", error=why, backend=self._backend.kind)
                todo.remove(i)
                refused += 1
        if todo:
            sides, failed = [], []  # threads calling the secondary; what they raised

            def call(engine, idx: list[int], rt=None) -> None:
                def keep(j: int, result) -> None:
                    store.add(keys[idx[j]], result, reqs[idx[j]].free_key())
                    ledger.spend(problems[idx[j]]["id"], result)

                limits = self._deadlines(batch, idx)
                if ledger.active:  # and no call starts past the budget, queued as it may be
                    limits = budget.Gate(ledger, [problems[i] for i in idx], limits)
                if rt is not None:  # late binding: a problem may still move as its first call starts
                    pids = [problems[i]["id"] for i in idx]
                    limits = router.Handoff(rt, pids, limits, lambda j: spill([idx[j]]))
                fresh = engine.generate([reqs[i] for i in idx], on_result=keep, deadlines=limits)
                for i, result in zip(idx, fresh, strict=True):
                    if result.error != router.HANDED:  # a handed call's result is the secondary's
                        results[i] = result
                progress.results(self._stage, fresh, self._cfg)  # tokens (and dollars) for the display

            def spill(idx: list[int]) -> None:
                """The secondary works beside the primary, each on its own problems."""
                for i in idx:
                    if routes[i] != router.SPILL:  # handed over as its call would have started
                        reqs[i], routes[i] = router.for_spill(reqs[i], self._spill), router.SPILL
                        keys[i] = reqs[i].key()

                def run() -> None:
                    try:
                        call(get_backend(self._spill), idx)
                    except BaseException as exc:  # raised in this bundle's thread below: the bundle fails
                        failed.append(exc)

                sides.append(threading.Thread(target=run, daemon=True))
                sides[-1].start()

            if spilled := [i for i in todo if routes[i] == router.SPILL]:
                spill(spilled)
            primary = [i for i in todo if routes[i] != router.SPILL]
            try:
                if primary:
                    late = self._spill is not None and self._cfg.budget.deadline is not None
                    call(model, primary, self._router() if late else None)
            finally:  # never leave the secondary spending for a bundle the runner will retry
                for side in sides:  # the primary's call has returned: no more are added
                    side.join()
            if failed:
                raise failed[0]
            store.flush()
        progress.count_metric(self._stage, len(todo), len(reqs) - len(todo) - refused)
        out, it = [], iter(zip(results, keys, strict=True))  # with the key each call is stored under
        for calls in batch:
            out.append(PredictionResult(calls, tuple(next(it) for _ in calls.requests)))
        return out

    def _deadlines(self, batch: Sequence[Calls], todo: list[int]) -> Deadlines | None:
        """The solver's per-problem limits over the calls still to make (stored samples count
        as finished, so a resumed problem does not wait past its soft limit)."""
        t = self._timeouts
        if self._stage != "generate" or (t.soft_s is None and t.hard_s is None):
            return None
        problem = [calls.problem["id"] for calls in batch for _ in calls.requests]
        deadlines = Deadlines([problem[i] for i in todo], t.soft_s, t.hard_s)
        pending = set(todo)
        for i, pid in enumerate(problem):
            if i not in pending:
                deadlines.finished_problem(pid)
        return deadlines

    def batch_elements_kwargs(self):
        # A batch holds up to batch_size requests, whatever the number of problems.
        return {"min_batch_size": self._batch_size, "max_batch_size": self._batch_size,
                "element_size_fn": lambda calls: max(1, len(calls.requests))}  # fmt: skip


class CallModel(beam.PTransform):
    """Calls → Answered, plus one token_stats row per call (tag 'stats')."""

    def __init__(self, cfg: JobConfig, run: JobRun, stage: str):
        super().__init__()
        self._cfg, self._run, self._stage = cfg, run, stage

    def expand(self, calls):
        handler = ChatModelHandler(self._cfg, self._run, self._stage)
        done = (
            calls
            | "Infer" >> RunInference(handler)
            | "Unpack" >> beam.Map(_unpack)
        )
        stats = done | "Stats" >> beam.FlatMap(_stats_rows, self._run.job_id)
        return done, stats


def _unpack(pr: PredictionResult) -> Answered:
    """The calls, their results and the keys the store keeps them under (run_inference's pairs)."""
    return Answered(pr.example, tuple(r for r, _ in pr.inference), tuple(k for _, k in pr.inference))


def _stats_rows(done: Answered, job_id: str):
    calls = zip(done.calls.requests, done.results, done.keys, strict=True)
    for i, (req, res, key) in enumerate(calls, done.calls.offset):
        yield {
            "job_id": job_id,
            "problem_id": done.calls.problem["id"],
            "stage": req.stage,
            "sample": None if req.stage == "triage" else i,
            "backend": res.backend,
            "model": res.model,
            "call_key": key,  # where the store keeps it: a spilled call's is the secondary's
            "seed": req.seed,
            "prompt_tokens": res.prompt_tokens,
            "completion_tokens": res.completion_tokens,
            "reasoning_tokens": res.reasoning_tokens,
            "answer_tokens": None
            if res.reasoning_tokens is None
            else res.completion_tokens - res.reasoning_tokens,
            "draft_tokens_accepted": res.draft_accepted,
            "latency_s": res.latency_s,
            "tokens_per_s": None
            if res.cache_hit or res.latency_s <= 0
            else res.completion_tokens / res.latency_s,
            "finish_reason": res.finish_reason,
            "cache_hit": res.cache_hit,
            "error": res.error,
        }


class ValidateFn(beam.DoFn):
    def __init__(self, job_id: str):
        self._job_id = job_id

    def process(self, item: tuple[int, dict, str | None]):
        row_index, row, damage = item
        problem, reason = validate_row(row, row_index, damage)  # never raises
        if problem is not None:
            yield problem
        else:
            stage = "read" if damage else "validate"
            yield beam.pvalue.TaggedOutput(
                "rejects", steps.reject(self._job_id, row_index, row, reason, stage)
            )


def _first_of_id(item, job_id: str):
    """Keep the first row of each id (input order); later duplicates are rejected."""
    _, rows = item
    first, *dupes = sorted(rows, key=lambda r: r["row_index"])
    yield first
    for d in dupes:
        reason = f"duplicate id (first at row {first['row_index']})"
        yield beam.pvalue.TaggedOutput("rejects", steps.reject_problem(job_id, d, reason, "validate"))


@functools.cache
def _verifier_pool(workers: int, timeout_s: float, domains_blob: bytes | None) -> VerifierPool:
    pool = VerifierPool(workers, timeout_s, domains_blob=domains_blob)  # one per worker process
    atexit.register(pool.close)
    return pool


class VerifyFn(beam.DoFn):
    """Verify every candidate of a batch of problems: cheap verdicts here, the rest in the
    process pool (hard timeouts), all scheduled before any is awaited."""

    def __init__(self, cfg: JobConfig):
        self._cfg = cfg

    def setup(self):
        v = self._cfg.verify
        self._pool = _verifier_pool(v.workers, v.timeout_s, self._cfg.__pydantic_private__.get("_domains"))

    def process(self, problems):
        fresh = [
            (p, c) for p, cands in problems for c in cands if recipe.unverified(c)
        ]  # not top-ups' others
        verdicts = self._pool.check_all([self._task(p, c) for p, c in fresh])
        for (_, c), verdict in zip(fresh, verdicts, strict=True):
            recipe.set_verdict(c, *verdict)
        yield from problems

    def _task(self, problem: dict, c: dict) -> dict:
        v = self._cfg.verify
        return verify.task(problem, c["answer"], v.timeout_s, v.sandbox, v.math.model_dump())


class _WritePartFn(beam.DoFn):
    def __init__(self, staging_uri: str, output: str):
        self._uri, self._output = staging_uri, output

    def process(self, batch: list[dict]):
        yield posixpath.basename(kio.write_part(self._uri, self._output, batch))


class WriteParts(beam.PTransform):
    """Rows → Parquet parts under the staging area, safe under retried bundles: the names of the
    parts written by successful bundle attempts are gathered and recorded (`finalize_parts`);
    the job commits only those."""

    def __init__(self, staging_uri: str, output: str, wave: int):
        super().__init__()
        self._uri, self._output, self._wave = staging_uri, output, wave

    def expand(self, rows):
        return (
            rows
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=2000)
            | "Write" >> beam.ParDo(_WritePartFn(self._uri, self._output))
            | "Gather" >> beam.combiners.ToList()
            | "Finalize"
            >> beam.Map(lambda names: kio.finalize_parts(self._uri, self._output, names, self._wave))
        )


def build(p: beam.Pipeline, run: JobRun, cfg: JobConfig, wave: Wave) -> None:
    """Wire the recipe into pipeline `p` for the rows of `wave`: read, validate, triage, plan,
    generate, verify, judge, write."""
    input_uri, staging_uri, job_id = run.input_uri, run.staging_uri, run.job_id
    rows = (
        p
        | "RowGroups" >> beam.Create(list(wave.groups))
        | "Read" >> beam.FlatMapTuple(lambda file, i, first: inputs.read_group(input_uri, file, i, first))
        | "InWave" >> beam.Filter(lambda item: wave.keeps(item[0]))
    )
    checked = rows | "Validate" >> beam.ParDo(ValidateFn(job_id)).with_outputs("rejects", main="ok")
    unique = (
        checked.ok
        | "ById" >> beam.WithKeys(lambda r: r["id"])
        | "GroupIds" >> beam.GroupByKey()
        | "Dedup" >> beam.FlatMap(_first_of_id, job_id).with_outputs("rejects", main="ok")
    )
    stats = []

    def call(stage: str, calls, label: str | None = None):
        done, s = calls | (label or stage.capitalize()) >> CallModel(cfg, run, stage)
        stats.append(s)
        return done

    # 1. Triage, then a plan per sample where triage did not say easy.
    problems = unique.ok
    if cfg.plan.enabled and cfg.plan.triage:
        triage = call("triage", problems | "TriageCalls" >> beam.Map(steps.triage_calls, cfg))
        problems = triage | "ParseTriage" >> beam.Map(steps.with_triage, cfg)
    planned = call("plan", problems | "PlanCalls" >> beam.Map(steps.plan_calls, cfg))

    # 2. Generate N candidates (adaptive: the minimum).
    generated = call("generate", planned | "SolveCalls" >> beam.Map(steps.solve_calls, cfg))

    # 3. Verify every candidate (batches of problems share the process pool).
    def verify_batches(candidates, suffix: str = ""):
        return (
            candidates
            | f"VerifyBatches{suffix}" >> beam.BatchElements(min_batch_size=1, max_batch_size=64)
            | f"Verify{suffix}" >> beam.ParDo(VerifyFn(cfg))
        )

    verified = verify_batches(generated | "Candidates" >> beam.Map(steps.candidates))

    # 3b. Adaptive: while a problem's candidates disagree, one more sample, up to the maximum.
    settled = []
    for k in range(cfg.n_min, cfg.n_max):
        step = verified | f"Settled{k}" >> beam.FlatMap(steps.settled_or_top_up, cfg).with_outputs(
            "more", main="done"
        )
        settled.append(step.done)
        planned_k = call("plan", step.more, f"Plan{k}")
        generated_k = call(
            "generate", planned_k | f"SolveCalls{k}" >> beam.Map(steps.top_up_calls, cfg), f"Generate{k}"
        )
        verified = verify_batches(generated_k | f"Candidates{k}" >> beam.Map(steps.with_top_up), str(k))
    if settled:
        verified = (*settled, verified) | "AllSampled" >> beam.Flatten()

    # 4. Judge where candidates disagree; choose.
    routed = verified | "Route" >> beam.FlatMap(steps.judge_or_decide, cfg, job_id).with_outputs(
        "solutions", "rejects", main="calls"
    )
    judged = call("judge", routed.calls) | "Decide" >> beam.FlatMap(
        steps.decide_or_confirm, cfg, job_id
    ).with_outputs("confirm", main="solutions")
    confirmed = call("judge", judged.confirm, "Confirm") | "Choose" >> beam.Map(steps.decide, cfg, job_id)

    # 5. Write.
    solutions = (routed.solutions, judged.solutions, confirmed) | "AllSolutions" >> beam.Flatten()
    rejects = (checked.rejects, unique.rejects, routed.rejects) | "AllRejects" >> beam.Flatten()
    solutions = solutions | "CountSolved" >> beam.Map(progress.solved)  # problems done, for the display
    rejects = rejects | "CountRejected" >> beam.Map(progress.rejected)
    if cfg.budget.tokens or cfg.budget.usd:  # finished problems release their budget reservation
        solutions = solutions | "ReleaseSolved" >> beam.Map(budget.release_row, staging_uri)
        rejects = rejects | "ReleaseRejected" >> beam.Map(budget.release_row, staging_uri)
    if router.spill_of(cfg) is not None:  # the router measures the primary's pace by them
        solutions = solutions | "RouteSolved" >> beam.Map(router.finished_row, staging_uri)
        rejects = rejects | "RouteRejected" >> beam.Map(router.finished_row, staging_uri)
    token_stats = tuple(stats) | "AllStats" >> beam.Flatten()
    solutions | "WriteSolutions" >> WriteParts(staging_uri, "solutions", wave.index)
    rejects | "WriteRejects" >> WriteParts(staging_uri, "rejects", wave.index)
    token_stats | "WriteStats" >> WriteParts(staging_uri, "token_stats", wave.index)
