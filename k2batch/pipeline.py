"""The Beam pipeline: the recipe's stages as transforms. Model calls go through RunInference with
one engine per worker process; everything else is the plain functions of `k2batch.recipe`."""

from __future__ import annotations

import atexit
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.ml.inference.base import ModelHandler, PredictionResult, RunInference
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from k2batch import progress, quiet, recipe
from k2batch.backends import ChatRequest, get_backend
from k2batch.config import JobConfig
from k2batch.io import read_row_group, write_part
from k2batch.store import open_store
from k2batch.validate import json_safe, validate_row
from k2batch.verify.pool import VerifierPool
from k2batch.waves import Wave, plan_waves

quiet.install()

Call = tuple[dict, ChatRequest]


@dataclass(frozen=True)
class JobRun:
    """Where one run of a job reads and writes."""

    input_uri: str
    staging_uri: str  # this run's parts, committed by the job when the pipeline succeeds
    store_uri: str  # the job's result store, shared by every run of the job
    job_id: str
    reuse: bool = (
        True  # False (--force): recompute every call  # (context carried to the next stage, request)
    )


class ChatModelHandler(ModelHandler):
    """RunInference adapter: batches of (context, request) to the backend, results paired back."""

    def __init__(self, cfg: JobConfig, run: JobRun, stage: str):
        super().__init__()
        self._stage = stage
        self._backend = cfg.backend_for(stage)
        # Engines want whole batches (vLLM's continuous batching, HTTP concurrency); llama.cpp
        # runs one request at a time, so small batches keep results flowing to the store.
        default = {"vllm": 512, "llamacpp": 8}.get(self._backend.kind, 4 * self._backend.max_concurrency)
        self._batch_size = cfg.runner.batch_size or default
        self._store = (run.store_uri, run.reuse, cfg.resume.flush_s, run.staging_uri)

    def load_model(self):
        return get_backend(self._backend)  # one engine per process, shared by every stage

    def run_inference(self, batch: Sequence[Call], model, inference_args=None):
        """Stored calls are answered from the store; the rest go to the backend in one batch and
        are stored as each finishes."""
        store = open_store(*self._store)
        keys = [req.key() for _, req in batch]
        results = [store.get(k) for k in keys]
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:

            def keep(j: int, result) -> None:
                store.add(keys[todo[j]], result)

            fresh = model.generate([batch[i][1] for i in todo], on_result=keep)
            for i, result in zip(todo, fresh, strict=True):
                results[i] = result
            store.flush()
        progress.count(self._stage, len(todo), len(batch) - len(todo))
        return [PredictionResult(example, result) for example, result in zip(batch, results, strict=True)]

    def batch_elements_kwargs(self):
        return {"min_batch_size": 1, "max_batch_size": self._batch_size}


class CallModel(beam.PTransform):
    """Calls → (context, request, result), plus one token_stats row per call (tag 'stats')."""

    def __init__(self, cfg: JobConfig, run: JobRun, stage: str):
        super().__init__()
        self._cfg, self._run, self._stage = cfg, run, stage

    def expand(self, calls):
        handler = ChatModelHandler(self._cfg, self._run, self._stage)
        done = (
            calls
            | "Infer" >> RunInference(handler)
            | "Unpack" >> beam.Map(lambda pr: (pr.example[0], pr.example[1], pr.inference))
        )
        stats = done | "Stats" >> beam.Map(_stats_row, self._run.job_id)
        return done, stats


def _stats_row(call, job_id: str) -> dict:
    ctx, req, res = call
    return {
        "job_id": job_id,
        "problem_id": ctx["problem"]["id"],
        "stage": req.stage,
        "sample": ctx.get("sample"),
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

    def process(self, row: dict):
        problem, reason = validate_row(row)
        if problem is not None:
            yield problem
        else:
            yield beam.pvalue.TaggedOutput("rejects", _reject(self._job_id, row, reason))


def _reject(job_id: str, row: dict, reason: str, stage: str = "validate") -> dict:
    raw_id = row.get("id")
    body = {k: v for k, v in row.items() if k != "row_index"}
    return {
        "job_id": job_id,
        "id": None if raw_id is None else str(raw_id),
        "row_index": row["row_index"],
        "stage": stage,
        "reason": reason,
        "row": json_safe(body),
    }


def _first_of_id(item, job_id: str):
    """Keep the first row of each id (input order); later duplicates are rejected."""
    _, rows = item
    first, *dupes = sorted(rows, key=lambda r: r["row_index"])
    yield first
    for d in dupes:
        reason = f"duplicate id (first at row {first['row_index']})"
        yield beam.pvalue.TaggedOutput("rejects", _reject(job_id, d, reason))


@functools.cache
def _verifier_pool(workers: int, timeout_s: float) -> VerifierPool:
    pool = VerifierPool(workers, timeout_s)  # one per worker process, like the engine
    atexit.register(pool.close)
    return pool


class VerifyFn(beam.DoFn):
    """Verify every candidate of a batch of problems: cheap verdicts here, the rest in the
    process pool (hard timeouts), all scheduled before any is awaited."""

    def __init__(self, cfg: JobConfig):
        self._cfg = cfg

    def setup(self):
        self._pool = _verifier_pool(self._cfg.verify.workers, self._cfg.verify.timeout_s)

    def process(self, batch):
        problems = []
        for _, pairs in batch:
            pairs = sorted(pairs, key=lambda pc: pc[1]["sample"])
            problems.append((pairs[0][0], [c for _, c in pairs]))
        tasks = [self._task(p, c) for p, cands in problems for c in cands]
        verdicts = iter(self._pool.check_all(tasks))
        for problem, candidates in problems:
            for c in candidates:
                status, reason = next(verdicts)
                c["verdict"] = status
                c["verdict_reason"] = f"{reason} ({c['verdict_reason']})"
            yield problem, candidates

    def _task(self, problem: dict, c: dict) -> dict:
        return {
            "domain": problem["domain"],
            "reference": problem.get("answer"),
            "answer": c["answer"],
            "tests": problem.get("tests"),
            "entry_point": problem.get("entry_point"),
            "prompt": problem["problem"],
            "choices": problem.get("choices"),
            "timeout_s": self._cfg.verify.timeout_s,
        }


def _judge_or_decide(item, cfg: JobConfig, job_id: str):
    problem, candidates = item
    failed = recipe.all_failed(candidates)
    if failed:  # no candidate at all: the row is not solved, and rejects says why
        yield beam.pvalue.TaggedOutput("rejects", _reject(job_id, problem, failed, stage="generate"))
        return
    comparisons = recipe.judge_comparisons(problem, candidates, cfg)
    if not comparisons:
        yield beam.pvalue.TaggedOutput("solutions", recipe.solution_row(job_id, problem, candidates, [], cfg))
    for i, comp in enumerate(comparisons):
        ctx = {
            "problem": problem,
            "sample": i,
            "candidates": candidates,
            "first": comp.first,
            "second": comp.second,
        }
        yield ctx, comp.request


def _decide(item, cfg: JobConfig, job_id: str) -> dict:
    _, judged = item
    judged = sorted(judged, key=lambda j: j[0]["sample"])
    ctx = judged[0][0]
    decisions = [
        recipe.judge_decision(recipe.Comparison(c["first"], c["second"], req), res.text, res.error)
        for c, req, res in judged
    ]
    return recipe.solution_row(job_id, ctx["problem"], ctx["candidates"], decisions, cfg)


def _with_triage(call) -> dict:
    ctx, _, res = call
    hard, topics = recipe.parse_triage(res.text) if not res.error else (None, [])
    return {**ctx["problem"], "triage_hard": hard, "triage_topics": topics}


def _samples(problem: dict, cfg: JobConfig) -> Iterable[dict]:
    for s in range(cfg.samples):
        yield {"problem": problem, "sample": s, "plan": None}


def _with_plan(call) -> dict:
    ctx, _, res = call
    return {**ctx, "plan": recipe.parse_plan(res.text) if not res.error else None}


def _candidate(call) -> tuple[str, tuple[dict, dict]]:
    ctx, req, res = call
    p = ctx["problem"]
    cand = recipe.make_candidate(
        ctx["sample"], req.seed, ctx["plan"], res.text, res.finish_reason, res.error, p
    )
    return p["id"], (p, cand)


class WriteParts(beam.PTransform):
    def __init__(self, staging_uri: str, output: str):
        super().__init__()
        self._uri, self._output = staging_uri, output

    def expand(self, rows):
        return (
            rows
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=2000)
            | "Write" >> beam.Map(lambda batch: write_part(self._uri, self._output, batch))
        )


def build(p: beam.Pipeline, run: JobRun, cfg: JobConfig, wave: Wave) -> None:
    """Wire the recipe into pipeline `p` for the rows of `wave`: read, validate, triage, plan,
    generate, verify, judge, write."""
    input_uri, staging_uri, job_id = run.input_uri, run.staging_uri, run.job_id
    rows = (
        p
        | "RowGroups" >> beam.Create(list(wave.groups))
        | "Read" >> beam.FlatMapTuple(lambda i, first: read_row_group(input_uri, i, first))
        | "InWave" >> beam.Filter(lambda r: wave.keeps(r["row_index"]))
    )
    checked = rows | "Validate" >> beam.ParDo(ValidateFn(job_id)).with_outputs("rejects", main="ok")
    unique = (
        checked.ok
        | "ById" >> beam.WithKeys(lambda r: r["id"])
        | "GroupIds" >> beam.GroupByKey()
        | "Dedup" >> beam.FlatMap(_first_of_id, job_id).with_outputs("rejects", main="ok")
    )
    stats = []

    # 1. Triage, then a plan per sample where triage did not say easy.
    problems = unique.ok
    if cfg.plan.enabled and cfg.plan.triage:
        triaged, s = (
            problems
            | "TriageCalls" >> beam.Map(lambda p: ({"problem": p}, recipe.triage_request(p, cfg)))
            | "Triage" >> CallModel(cfg, run, "triage")
        )
        stats.append(s)
        problems = triaged | "ParseTriage" >> beam.Map(_with_triage)
    samples = problems | "Samples" >> beam.FlatMap(_samples, cfg)
    to_plan, no_plan = samples | "NeedsPlan" >> beam.Partition(
        lambda c, n: 0 if recipe.needs_plan(c["problem"].get("triage_hard"), cfg) else 1, 2
    )
    planned, s = (
        to_plan
        | "PlanCalls"
        >> beam.Map(
            lambda c: (
                c,
                recipe.plan_request(c["problem"], c["sample"], c["problem"].get("triage_topics") or [], cfg),
            )
        )
        | "Plan" >> CallModel(cfg, run, "plan")
    )
    stats.append(s)
    ready = (planned | "ParsePlan" >> beam.Map(_with_plan), no_plan) | "AllSamples" >> beam.Flatten()

    # 2. Generate N candidates.
    generated, s = (
        ready
        | "SolveCalls"
        >> beam.Map(lambda c: (c, recipe.solve_request(c["problem"], c["sample"], c["plan"], cfg)))
        | "Generate" >> CallModel(cfg, run, "generate")
    )
    stats.append(s)

    # 3. Verify every candidate, per problem.
    verified = (
        generated
        | "Candidates" >> beam.Map(_candidate)
        | "GroupCandidates" >> beam.GroupByKey()
        | "VerifyBatches" >> beam.BatchElements(min_batch_size=1, max_batch_size=64)
        | "Verify" >> beam.ParDo(VerifyFn(cfg))
    )

    # 4. Judge where candidates disagree; choose.
    routed = verified | "Route" >> beam.FlatMap(_judge_or_decide, cfg, job_id).with_outputs(
        "solutions", "rejects", main="calls"
    )
    judged, s = routed.calls | "Judge" >> CallModel(cfg, run, "judge")
    stats.append(s)
    decided = (
        judged
        | "ByProblem" >> beam.WithKeys(lambda j: j[0]["problem"]["id"])
        | "GroupJudged" >> beam.GroupByKey()
        | "Choose" >> beam.Map(_decide, cfg, job_id)
    )

    # 5. Write.
    solutions = (routed.solutions, decided) | "AllSolutions" >> beam.Flatten()
    rejects = (checked.rejects, unique.rejects, routed.rejects) | "AllRejects" >> beam.Flatten()
    token_stats = tuple(stats) | "AllStats" >> beam.Flatten()
    solutions | "WriteSolutions" >> WriteParts(staging_uri, "solutions")
    rejects | "WriteRejects" >> WriteParts(staging_uri, "rejects")
    token_stats | "WriteStats" >> WriteParts(staging_uri, "token_stats")


def pipeline_options(cfg: JobConfig) -> PipelineOptions:
    """Beam options for the job's runner profile (never parsed from sys.argv: the CLI owns it)."""
    r = cfg.runner
    flags = [f"--runner={r.name}", *r.options]
    if r.name == "FnApiRunner":
        flags += [f"--direct_running_mode={r.mode}", f"--direct_num_workers={r.workers}"]
    return PipelineOptions(flags=flags)


def unknown_flags(options: PipelineOptions) -> list[str]:
    """Flags Beam would silently drop (misspelt or for another runner)."""
    known = options.get_all_options(drop_default=False)
    return [f for f in options.get_all_options(retain_unknown_options=True) if f not in known]


def run(job: JobRun, cfg: JobConfig) -> None:
    """Build and run the pipeline: locally on the FnApiRunner (never the Prism download), or on
    the runner the job's profile names."""
    options = pipeline_options(cfg)
    local = cfg.runner.name == "FnApiRunner"
    for wave in plan_waves(job.input_uri, cfg.limit, cfg.runner.wave_size if local else None):
        runner = FnApiRunner() if local else None  # None: from --runner
        with beam.Pipeline(runner=runner, options=options) as p:
            build(p, job, cfg, wave)
