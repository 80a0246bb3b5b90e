"""The per-problem steps between model calls: plain functions from one stage's results to the
next stage's calls (`Calls` in, `Answered` out of each model stage). The pipeline wires them;
a step that routes a problem elsewhere (a reject, a finished row, a top-up) yields a tagged output."""

from __future__ import annotations

from dataclasses import dataclass

import apache_beam as beam

from k2batch import recipe
from k2batch.backends import ChatRequest, ChatResult
from k2batch.config import JobConfig
from k2batch.validate import id_text, json_safe


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
    decided: tuple[dict, ...] = ()  # judge, confirming round: the first round's decisions
    offset: int = 0  # index of the first request among the problem's calls of this stage


@dataclass(frozen=True)
class Answered:
    """Calls with their results, in request order."""

    calls: Calls
    results: tuple[ChatResult, ...]
    keys: tuple[str, ...]  # each call's stored key (a spilled call's is the secondary's)


def reject(job_id: str, row_index: int, row: dict, reason: str, stage: str = "validate") -> dict:
    """A rejects row: the input row kept whole, with the reason."""
    return {
        "job_id": job_id,
        "id": id_text(row.get("id")),
        "row_index": row_index,
        "stage": stage,
        "reason": reason,
        "row": json_safe(row),
    }


def reject_problem(job_id: str, problem: dict, reason: str, stage: str) -> dict:
    """A rejects row for a validated problem (its fields, as validation normalised them)."""
    body = {k: v for k, v in problem.items() if k != "row_index"}
    return reject(job_id, problem["row_index"], body, reason, stage)


def judge_or_decide(item, cfg: JobConfig, job_id: str):
    problem, candidates = item
    failed = recipe.all_failed(candidates)
    if failed:  # no candidate at all: the row is not solved, and rejects says why
        yield beam.pvalue.TaggedOutput("rejects", reject_problem(job_id, problem, failed, "generate"))
        return
    comparisons = recipe.judge_comparisons(problem, candidates, cfg)
    if not comparisons:
        yield beam.pvalue.TaggedOutput("solutions", recipe.solution_row(job_id, problem, candidates, [], cfg))
        return
    pairs = tuple((c.first, c.second) for c in comparisons)
    yield Calls(problem, tuple(c.request for c in comparisons), candidates=tuple(candidates), pairs=pairs)


def judged(done: Answered, cfg: JobConfig) -> list[dict]:
    c = done.calls
    return [*c.decided] + [
        recipe.judge_decision(recipe.Comparison(first, second, req), res.text, res.error, cfg.recipe)
        for (first, second), req, res in zip(c.pairs, c.requests, done.results, strict=True)
    ]


def decide_or_confirm(done: Answered, cfg: JobConfig, job_id: str):
    """The solution row, or (judge.mode = confirm) the reverse-order calls that must confirm
    where the judge overruled the majority."""
    c, decisions = done.calls, judged(done, cfg)
    more = recipe.confirmations(c.problem, list(c.candidates), decisions, cfg)
    if not more:
        yield recipe.solution_row(job_id, c.problem, list(c.candidates), decisions, cfg)
        return
    pairs = tuple((m.first, m.second) for m in more)
    yield beam.pvalue.TaggedOutput(
        "confirm",
        Calls(
            c.problem,
            tuple(m.request for m in more),
            candidates=c.candidates,
            pairs=pairs,
            decided=tuple(decisions),
            offset=len(decisions),
        ),
    )


def decide(done: Answered, cfg: JobConfig, job_id: str) -> dict:
    c = done.calls
    return recipe.solution_row(job_id, c.problem, list(c.candidates), judged(done, cfg), cfg)


def triage_calls(problem: dict, cfg: JobConfig) -> Calls:
    return Calls(problem, (recipe.triage_request(problem, cfg),))


def with_triage(done: Answered, cfg: JobConfig) -> dict:
    [res] = done.results
    hard, topics = cfg.recipe.parse_triage(res.text) if not res.error else (None, [])
    return {**done.calls.problem, "triage_hard": hard, "triage_topics": topics}


def plan_calls(problem: dict, cfg: JobConfig) -> Calls:
    """A plan per sample where triage did not say easy (none otherwise: no call at all)."""
    if not recipe.needs_plan(problem.get("triage_hard"), cfg):
        return Calls(problem, ())
    topics = problem.get("triage_topics") or []
    return Calls(problem, tuple(recipe.plan_request(problem, s, topics, cfg) for s in range(cfg.n_min)))


def solve_calls(done: Answered, cfg: JobConfig) -> Calls:
    problem = done.calls.problem
    plans = tuple(cfg.recipe.parse_plan(r.text) if not r.error else None for r in done.results)
    plans = plans or (None,) * cfg.n_min
    reqs = tuple(recipe.solve_request(problem, s, plans[s], cfg) for s in range(cfg.n_min))
    return Calls(problem, reqs, plans=plans)


def settled_or_top_up(item, cfg: JobConfig):
    """Adaptive sampling: a problem whose candidates settle it goes on to the judge; the others get
    one more sample: its plan call first (none where triage said easy)."""
    problem, candidates = item
    if recipe.settled(candidates, cfg):
        yield item
        return
    k = len(candidates)
    plan = (recipe.plan_request(problem, k, problem.get("triage_topics") or [], cfg),)
    reqs = plan if recipe.needs_plan(problem.get("triage_hard"), cfg) else ()
    yield beam.pvalue.TaggedOutput("more", Calls(problem, reqs, candidates=tuple(candidates), offset=k))


def top_up_calls(done: Answered, cfg: JobConfig) -> Calls:
    c, k = done.calls, len(done.calls.candidates)
    plans = tuple(cfg.recipe.parse_plan(r.text) if not r.error else None for r in done.results) or (None,)
    req = recipe.solve_request(c.problem, k, plans[0], cfg)
    return Calls(c.problem, (req,), plans=plans, candidates=c.candidates, offset=k)


def with_top_up(done: Answered) -> tuple[dict, list[dict]]:
    c, k = done.calls, len(done.calls.candidates)
    [req], [res] = c.requests, done.results
    return c.problem, [*c.candidates, recipe.make_candidate(k, c.plans[0], req, res, c.problem)]


def candidates(done: Answered) -> tuple[dict, list[dict]]:
    c = done.calls
    cands = [
        recipe.make_candidate(s, c.plans[s], req, res, c.problem)
        for s, (req, res) in enumerate(zip(c.requests, done.results, strict=True))
    ]
    return c.problem, cands
