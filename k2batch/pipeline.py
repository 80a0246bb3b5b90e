"""The Beam pipeline: the recipe's stages as transforms. Model calls go through RunInference with
one engine per worker process; everything else is the plain functions of `k2batch.recipe`."""

from __future__ import annotations

import atexit
import functools
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.ml.inference.base import ModelHandler, PredictionResult, RunInference

from k2batch import io as kio
from k2batch import progress, quiet, recipe, verify
from k2batch.backends import ChatRequest, ChatResult, get_backend, hints
from k2batch.config import JobConfig
from k2batch.deadlines import Deadlines
from k2batch.store import open_store
from k2batch.validate import id_text, json_safe, validate_row
from k2batch.verify.pool import VerifierPool
from k2batch.waves import Wave

quiet.install()



@dataclass(frozen=True)
class Calls:
    """One element per problem and stage: that problem's requests and what the next stage needs.
    Keeping a problem's samples together lets every stage stream: no regrouping barrier between
    generating, verifying and judging, so the engine is fed while other problems are verified."""

    problem: dict
    requests: tuple[ChatRequest, ...]
    plans: tuple[str | None, ...] = ()  # generate: the plan each sample was given
    candidates: tuple[dict, ...] = ()  # judge: the candidates compared
    pairs: tuple[tuple[int, int], ...] = ()  # judge: (first, second) sample of each request


@dataclass(frozen=True)
class Answered:
    """Calls with their results, in request order."""

    calls: Calls
    results: tuple[ChatResult, ...]


@dataclass(frozen=True)
class JobRun:
    """Where one run of a job reads and writes."""

    input_uri: str
    staging_uri: str  # this run's parts, committed by the job when the pipeline succeeds
    store_uri: str  # the job's result store, shared by every run of the job
    job_id: str


class ChatModelHandler(ModelHandler):
    """RunInference adapter: batches of (context, request) to the backend, results paired back."""

    def __init__(self, cfg: JobConfig, run: JobRun, stage: str):
        super().__init__()
        self._stage = stage
        self._backend = cfg.backend_for(stage)
        self._batch_size = cfg.runner.batch_size or hints(self._backend).batch_size
        self._store = (run.store_uri, True, cfg.resume.flush_s, run.staging_uri)
        self._timeouts = cfg.timeouts

    def load_model(self):
        return get_backend(self._backend)  # one engine per process, shared by every stage

    def run_inference(self, batch: Sequence[Calls], model, inference_args=None):
        """Stored calls are answered from the store; the rest go to the backend in one batch and
        are stored as each finishes."""
        store = open_store(*self._store)
        reqs = [req for calls in batch for req in calls.requests]
        keys = [req.key() for req in reqs]
        results = [store.get(k) for k in keys]
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:

            def keep(j: int, result) -> None:
                store.add(keys[todo[j]], result)

            fresh = model.generate(
                [reqs[i] for i in todo], on_result=keep, deadlines=self._deadlines(batch, todo)
            )
            for i, result in zip(todo, fresh, strict=True):
                results[i] = result
            store.flush()
        progress.count_metric(self._stage, len(todo), len(reqs) - len(todo))
        out, it = [], iter(results)
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
            | "Unpack" >> beam.Map(lambda pr: Answered(pr.example, pr.inference))
        )
        stats = done | "Stats" >> beam.FlatMap(_stats_rows, self._run.job_id)
        return done, stats


def _stats_rows(done: Answered, job_id: str):
    for i, (req, res) in enumerate(zip(done.calls.requests, done.results, strict=True)):
        yield {
            "job_id": job_id,
            "problem_id": done.calls.problem["id"],
            "stage": req.stage,
            "sample": None if req.stage == "triage" else i,
            "backend": res.backend,
            "model": res.model,
            "call_key": req.key(),
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
            yield beam.pvalue.TaggedOutput("rejects", _reject(self._job_id, row_index, row, reason, stage))


def _reject(job_id: str, row_index: int, row: dict, reason: str, stage: str = "validate") -> dict:
    """A rejects row: the input row kept whole, with the reason."""
    return {
        "job_id": job_id,
        "id": id_text(row.get("id")),
        "row_index": row_index,
        "stage": stage,
        "reason": reason,
        "row": json_safe(row),
    }


def _reject_problem(job_id: str, problem: dict, reason: str, stage: str) -> dict:
    """A rejects row for a validated problem (its fields, as validation normalised them)."""
    body = {k: v for k, v in problem.items() if k != "row_index"}
    return _reject(job_id, problem["row_index"], body, reason, stage)


def _first_of_id(item, job_id: str):
    """Keep the first row of each id (input order); later duplicates are rejected."""
    _, rows = item
    first, *dupes = sorted(rows, key=lambda r: r["row_index"])
    yield first
    for d in dupes:
        reason = f"duplicate id (first at row {first['row_index']})"
        yield beam.pvalue.TaggedOutput("rejects", _reject_problem(job_id, d, reason, "validate"))


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
        tasks = [self._task(p, c) for p, cands in problems for c in cands]
        verdicts = iter(self._pool.check_all(tasks))
        for problem, candidates in problems:
            for c in candidates:
                recipe.set_verdict(c, *next(verdicts))
            yield problem, candidates

    def _task(self, problem: dict, c: dict) -> dict:
        v = self._cfg.verify
        return verify.task(problem, c["answer"], v.timeout_s, v.sandbox, v.math.model_dump())


def _judge_or_decide(item, cfg: JobConfig, job_id: str):
    problem, candidates = item
    failed = recipe.all_failed(candidates)
    if failed:  # no candidate at all: the row is not solved, and rejects says why
        yield beam.pvalue.TaggedOutput("rejects", _reject_problem(job_id, problem, failed, "generate"))
        return
    comparisons = recipe.judge_comparisons(problem, candidates, cfg)
    if not comparisons:
        yield beam.pvalue.TaggedOutput("solutions", recipe.solution_row(job_id, problem, candidates, [], cfg))
        return
    pairs = tuple((c.first, c.second) for c in comparisons)
    yield Calls(problem, tuple(c.request for c in comparisons), candidates=tuple(candidates), pairs=pairs)


def _decide(done: Answered, cfg: JobConfig, job_id: str) -> dict:
    c = done.calls
    decisions = [
        recipe.judge_decision(recipe.Comparison(first, second, req), res.text, res.error, cfg.recipe)
        for (first, second), req, res in zip(c.pairs, c.requests, done.results, strict=True)
    ]
    return recipe.solution_row(job_id, c.problem, list(c.candidates), decisions, cfg)


def _triage_calls(problem: dict, cfg: JobConfig) -> Calls:
    return Calls(problem, (recipe.triage_request(problem, cfg),))


def _with_triage(done: Answered, cfg: JobConfig) -> dict:
    [res] = done.results
    hard, topics = cfg.recipe.parse_triage(res.text) if not res.error else (None, [])
    return {**done.calls.problem, "triage_hard": hard, "triage_topics": topics}


def _plan_calls(problem: dict, cfg: JobConfig) -> Calls:
    """A plan per sample where triage did not say easy (none otherwise: no call at all)."""
    if not recipe.needs_plan(problem.get("triage_hard"), cfg):
        return Calls(problem, ())
    topics = problem.get("triage_topics") or []
    return Calls(problem, tuple(recipe.plan_request(problem, s, topics, cfg) for s in range(cfg.samples)))


def _solve_calls(done: Answered, cfg: JobConfig) -> Calls:
    problem = done.calls.problem
    plans = tuple(cfg.recipe.parse_plan(r.text) if not r.error else None for r in done.results)
    plans = plans or (None,) * cfg.samples
    reqs = tuple(recipe.solve_request(problem, s, plans[s], cfg) for s in range(cfg.samples))
    return Calls(problem, reqs, plans=plans)


def _candidates(done: Answered) -> tuple[dict, list[dict]]:
    c = done.calls
    cands = [
        recipe.make_candidate(s, c.plans[s], req, res, c.problem)
        for s, (req, res) in enumerate(zip(c.requests, done.results, strict=True))
    ]
    return c.problem, cands


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
        | "Read" >> beam.FlatMapTuple(lambda i, first: kio.read_row_group(input_uri, i, first))
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

    def call(stage: str, calls):
        done, s = calls | stage.capitalize() >> CallModel(cfg, run, stage)
        stats.append(s)
        return done

    # 1. Triage, then a plan per sample where triage did not say easy.
    problems = unique.ok
    if cfg.plan.enabled and cfg.plan.triage:
        triage = call("triage", problems | "TriageCalls" >> beam.Map(_triage_calls, cfg))
        problems = triage | "ParseTriage" >> beam.Map(_with_triage, cfg)
    planned = call("plan", problems | "PlanCalls" >> beam.Map(_plan_calls, cfg))

    # 2. Generate N candidates.
    generated = call("generate", planned | "SolveCalls" >> beam.Map(_solve_calls, cfg))

    # 3. Verify every candidate (batches of problems share the process pool).
    verified = (
        generated
        | "Candidates" >> beam.Map(_candidates)
        | "VerifyBatches" >> beam.BatchElements(min_batch_size=1, max_batch_size=64)
        | "Verify" >> beam.ParDo(VerifyFn(cfg))
    )

    # 4. Judge where candidates disagree; choose.
    routed = verified | "Route" >> beam.FlatMap(_judge_or_decide, cfg, job_id).with_outputs(
        "solutions", "rejects", main="calls"
    )
    decided = call("judge", routed.calls) | "Choose" >> beam.Map(_decide, cfg, job_id)

    # 5. Write.
    solutions = (routed.solutions, decided) | "AllSolutions" >> beam.Flatten()
    rejects = (checked.rejects, unique.rejects, routed.rejects) | "AllRejects" >> beam.Flatten()
    token_stats = tuple(stats) | "AllStats" >> beam.Flatten()
    solutions | "WriteSolutions" >> WriteParts(staging_uri, "solutions", wave.index)
    rejects | "WriteRejects" >> WriteParts(staging_uri, "rejects", wave.index)
    token_stats | "WriteStats" >> WriteParts(staging_uri, "token_stats", wave.index)
