"""The K2-Think recipe, top to bottom, as plain functions from rows to requests and from results
to rows. No Beam, no backend: the pipeline composes these in this order.

    triage -> plan (x N) -> generate (x N) -> verify (x N) -> judge (pairs) -> choose
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from k2batch import domains
from k2batch.backends.base import ChatRequest, ChatResult
from k2batch.config import STAGES, JobConfig, StageConfig
from k2batch.extract import answer_part, normalize_answer, option_letters
from k2batch.prompts import Recipe
from k2batch.replies import JUDGE_SCHEMA, TRIAGE_SCHEMA, parse_judge, parse_plan, parse_triage
from k2batch.verify import REFERENCE_UNPARSABLE, SECOND_OPINION, answer_of

__all__ = ["STAGES", "parse_judge", "parse_plan", "parse_triage"]  # the default parsers, re-exported


def derive_seed(job_seed: int, problem_id: str, stage: str, index: int) -> int:
    """A call's seed from (job seed, problem id, stage, sample index): stable across reruns and
    shards, distinct across samples, independent of row order."""
    digest = hashlib.sha256(f"{job_seed}\x1f{problem_id}\x1f{stage}\x1f{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _request(
    cfg: JobConfig, stage: str, messages: list[tuple[str, str]], seed: int, json_schema: str | None = None
) -> ChatRequest:
    s: StageConfig = getattr(cfg.stages, stage)
    return ChatRequest(
        messages=tuple(messages),
        max_tokens=s.max_tokens,
        temperature=s.temperature,
        top_p=s.top_p,
        seed=seed,
        stage=stage,
        model=cfg.backend_for(stage).model,
        json_schema=json_schema,
        backend_settings=cfg.reply_settings(stage),
    )


# 1. Plan-before-you-think ---------------------------------------------------------------------


def triage_request(problem: dict, cfg: JobConfig) -> ChatRequest:
    r = cfg.recipe
    msgs = [("system", r.triage_system), ("user", r.triage_user.format(problem=problem["problem"]))]
    seed = derive_seed(cfg.seed, problem["id"], "triage", 0)
    return _request(cfg, "triage", msgs, seed, TRIAGE_SCHEMA)


def needs_plan(hard: bool | None, cfg: JobConfig) -> bool:
    """Plan unless triage clearly said easy (an unusable triage errs on the side of planning)."""
    return cfg.plan.enabled and (not cfg.plan.triage or hard is not False)


def plan_request(problem: dict, sample: int, topics: list[str], cfg: JobConfig) -> ChatRequest:
    user = cfg.recipe.plan_user.format(problem=problem["problem"], topics=", ".join(topics) or "-")
    msgs = [("system", cfg.recipe.plan_system), ("user", user)]
    return _request(cfg, "plan", msgs, derive_seed(cfg.seed, problem["id"], "plan", sample))


# 2. Generate ---------------------------------------------------------------------------------


def solve_prompt(problem: dict, plan: str | None = None, recipe: Recipe | None = None) -> str:
    """The solver's user message: statement, lettered options, the plan as <ideas>, the
    domain's instruction. Without a plan it is the problem as a user asks it (distillation)."""
    r = recipe or Recipe()
    domain = domains.get(problem["domain"]) or domains.get("math")
    choices = problem.get("choices") or []
    letters = option_letters(len(choices))  # validation caps options at A-Z
    options = "\n".join(f"{letter}. {c}" for letter, c in zip(letters, choices, strict=True))
    return r.solve_user.format(
        problem=problem["problem"],
        choices=r.choices_block.format(options=options) if choices else "",
        ideas=r.ideas_block.format(plan=plan) if plan else "",
        instruction=r.instructions.get(domain.name, domain.instruction),
    )


def solve_request(problem: dict, sample: int, plan: str | None, cfg: JobConfig) -> ChatRequest:
    seed = derive_seed(cfg.seed, problem["id"], "generate", sample)
    return _request(cfg, "generate", [("user", solve_prompt(problem, plan, cfg.recipe))], seed)


def make_candidate(
    sample: int, plan: str | None, request: ChatRequest, result: ChatResult, problem: dict
) -> dict:
    """A candidate row (see schemas/solution: candidates), answer extracted, not yet verified."""
    answer, rule = (None, "call failed")
    if not result.error:
        answer, rule = answer_of(result.text, problem["domain"], choices=problem.get("choices"))
    return {
        "sample": sample,
        "seed": request.seed,
        "plan": plan,
        "response": result.text,
        "answer": answer,
        "verdict": "unverified",
        "verdict_reason": f"extracted by: {rule}",
        "finish_reason": result.finish_reason,
        "error": result.error,
        "backend": result.backend or None,  # where it ran (a routed job uses two)
    }


def unverified(candidate: dict) -> bool:
    """Not yet through verification (its reason still only says how the answer was extracted)."""
    return candidate["verdict_reason"].startswith("extracted by:")


def set_verdict(candidate: dict, status: str, reason: str) -> None:
    """Record a verification verdict, keeping how the answer was extracted."""
    candidate["verdict"] = status
    candidate["verdict_reason"] = f"{reason} ({candidate['verdict_reason']})"


def settled(candidates: list[dict], cfg: JobConfig) -> bool:
    """Adaptive sampling: no more samples once two or more candidates all give the same answer
    (or, with samples.stop_on_verified, once one verifies correct)."""
    if len(candidates) >= cfg.n_max:
        return True
    stop_on_verified = not isinstance(cfg.samples, int) and cfg.samples.stop_on_verified
    if stop_on_verified and any(c["verdict"] == "correct" for c in candidates):
        return True
    answered = [c for c in candidates if c["answer"] is not None]
    return len(answered) == len(candidates) >= 2 and len(answer_groups(candidates)) == 1


def all_failed(candidates: list[dict]) -> str | None:
    """The reason a problem got no candidate at all (every solver call failed), else None."""
    if candidates and all(c["error"] for c in candidates):
        first = candidates[0]["error"]
        return first if first.startswith("budget") else f"every solver call failed: {first}"
    return None


# 3. Verify: see k2batch.verify (runs in a process pool, never calls a model) -----------------


# 4. Judge (Best-of-N) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    first: int  # sample shown as "Response 1"
    second: int
    request: ChatRequest


def answer_groups(candidates: list[dict]) -> dict[str, list[int]]:
    """Samples grouped by normalised final answer (candidates without an answer are left out)."""
    groups: dict[str, list[int]] = {}
    for c in sorted(candidates, key=lambda c: c["sample"]):
        key = normalize_answer(c["answer"])
        if key is not None:
            groups.setdefault(key, []).append(c["sample"])
    return groups


def _only_verified(candidates: list[dict], cfg: JobConfig) -> int | None:
    correct = [c["sample"] for c in candidates if c["verdict"] == "correct"]
    return correct[0] if cfg.judge.skip_when_one_verified and len(correct) == 1 else None


def judge_view(response: str, chars: int) -> str:
    """What the judge sees of a response: the text after `</think>` (or the end of reasoning that
    never closed), at most `chars` characters — the last ones, where the answer is — so a long
    answer never overflows the judge's context."""
    part = answer_part(response, chars)
    return part if len(part) <= chars else "…" + part[-chars:]


def judge_comparisons(problem: dict, candidates: list[dict], cfg: JobConfig) -> list[Comparison]:
    """Pairwise comparisons between one representative of each distinct answer: in both orders
    (position bias cancels), or in confirm mode once, in an order balanced across problems (see
    `confirmations`). Empty when there is nothing to decide."""
    if not cfg.judge.enabled or _only_verified(candidates, cfg) is not None:
        return []
    groups = list(answer_groups(candidates).values())  # by first sample
    if cfg.judge.mode == "confirm":
        groups.sort(key=lambda g: (-len(g), g[0]))  # the majority's answer first
    reps = [samples[0] for samples in groups]
    orders = []
    for i, a in enumerate(reps):
        for b in reps[i + 1 :]:
            if cfg.judge.mode == "confirm":  # one order, balanced across problems and pairs
                flip = derive_seed(cfg.seed, problem["id"], "judge-order", a * 64 + b) % 2
                orders.append((b, a) if flip else (a, b))
            else:
                orders += [(a, b), (b, a)] if cfg.judge.both_orders else [(a, b)]
    return [_comparison(problem, candidates, a, b, n, cfg) for n, (a, b) in enumerate(orders)]


def _comparison(problem: dict, candidates: list[dict], first: int, second: int, n: int, cfg: JobConfig):
    by_sample = {c["sample"]: c for c in candidates}
    user = cfg.recipe.judge_user.format(
        problem=problem["problem"],
        first=judge_view(by_sample[first]["response"], cfg.judge.answer_chars),
        second=judge_view(by_sample[second]["response"], cfg.judge.answer_chars),
    )
    msgs = [("system", cfg.recipe.judge_system), ("user", user)]
    seed = derive_seed(cfg.seed, problem["id"], "judge", n)
    return Comparison(first, second, _request(cfg, "judge", msgs, seed, JUDGE_SCHEMA))


def confirmations(problem: dict, candidates: list[dict], decisions: list[dict], cfg: JobConfig) -> list:
    """confirm mode: the reverse order of each comparison where the judge overruled the majority
    (chose the answer fewer samples gave). Empty in pairs mode."""
    if cfg.judge.mode != "confirm":
        return []
    size = {samples[0]: len(samples) for samples in answer_groups(candidates).values()}
    start = len(decisions)
    out = []
    for d in decisions:
        loser = d["second"] if d["winner"] == d["first"] else d["first"]
        if d["winner"] is not None and size.get(d["winner"], 0) < size.get(loser, 0):
            out.append(_comparison(problem, candidates, d["second"], d["first"], start + len(out), cfg))
    return out


def order_agreement(decisions: list[dict]) -> list[dict]:
    """Decisions with `orders_agree`: for a pair asked in both orders, whether both chose the same
    answer (None where a pair was asked once, or a reply gave no winner)."""
    winners: dict[frozenset, list] = {}
    for d in decisions:
        winners.setdefault(frozenset((d.get("first"), d.get("second"))), []).append(d.get("winner"))
    out = []
    for d in decisions:
        w = winners[frozenset((d.get("first"), d.get("second")))]
        agree = None if len(w) < 2 or None in w else len(set(w)) == 1
        out.append({**d, "orders_agree": agree})
    return out


def judge_decision(comp: Comparison, text: str, error: str | None, recipe: Recipe | None = None) -> dict:
    """One row of solutions.judge."""
    if error:
        return {"first": comp.first, "second": comp.second, "winner": None, "rationale": None, "error": error}
    better, rationale = (recipe or Recipe()).parse_judge(text)
    winner = {1: comp.first, 2: comp.second}.get(better)
    return {
        "first": comp.first,
        "second": comp.second,
        "winner": winner,
        "rationale": rationale,
        "error": None if winner is not None else "unparsable reply",
    }


def choose(
    candidates: list[dict], decisions: list[dict], cfg: JobConfig | None = None
) -> tuple[int | None, str]:
    """(chosen sample, selection rule). The documented rule, judge or no judge:
    - judge.skip_when_one_verified and exactly one candidate verified correct -> it ("verified");
    - no candidate has an answer  -> the first sample that did not fail ("no_answer");
    - one distinct answer         -> its first sample ("single" if only one candidate has an
                                     answer, "agreement" if several share it);
    - otherwise the representative with most judge wins; ties (including a judge that failed
      everywhere) go to the answer more samples agree on, then to the lower sample index."""
    if not candidates:
        return None, "error"
    if cfg is not None and (only := _only_verified(candidates, cfg)) is not None:
        return only, "verified"
    groups = answer_groups(candidates)
    if not groups:
        ok = [c["sample"] for c in candidates if not c["error"]]
        return (min(ok) if ok else None), ("no_answer" if ok else "error")
    if len(groups) == 1:
        samples = next(iter(groups.values()))
        return samples[0], ("single" if len(samples) == 1 else "agreement")
    wins = {samples[0]: 0 for samples in groups.values()}
    votes = {samples[0]: len(samples) for samples in groups.values()}
    for d in decisions:
        if d["winner"] in wins:
            wins[d["winner"]] += 1
    best = max(wins, key=lambda s: (wins[s], votes[s], -s))
    return best, "judge"


# 5. The solution row -------------------------------------------------------------------------


def needs_second_look(candidates: list[dict]) -> bool:
    """Some verdict where the cascade and math-verify disagree, or the reference did not parse."""
    reasons = [c["verdict_reason"] or "" for c in candidates]
    return any(SECOND_OPINION in r or r.startswith(REFERENCE_UNPARSABLE) for r in reasons)


def suspect_reference(candidates: list[dict], selection: str) -> bool:
    """Two or more candidates, all with the same answer (so no judge was needed), and the
    reference says every one is wrong or cannot be read: more likely the reference is wrong."""
    if selection != "agreement" or len(candidates) < 2 or any(c["answer"] is None for c in candidates):
        return False
    wrong = [c["verdict"] == "incorrect" or (c["verdict_reason"] or "").startswith(REFERENCE_UNPARSABLE)
             for c in candidates]  # fmt: skip
    return all(wrong)



def solution_row(
    job_id: str, problem: dict, candidates: list[dict], decisions: list[dict], cfg: JobConfig | None = None
) -> dict:
    """One row of `solutions`: the choice, its verdict, every candidate and judge decision."""
    candidates = sorted(candidates, key=lambda c: c["sample"])
    decisions = order_agreement(decisions)
    chosen, selection = choose(candidates, decisions, cfg)
    pick = next((c for c in candidates if c["sample"] == chosen), None)
    verdicts = [c["verdict"] for c in candidates]
    verified = all(v in ("correct", "incorrect") for v in verdicts) and verdicts
    n_correct = sum(v == "correct" for v in verdicts) if verified else None
    return {
        "job_id": job_id,
        "id": problem["id"],
        "problem": problem["problem"],
        "domain": problem["domain"],
        "reference": problem.get("answer"),
        "tests": problem.get("tests"),
        "choices": problem.get("choices"),
        "triage_hard": problem.get("triage_hard"),
        "triage_topics": problem.get("triage_topics"),
        "chosen_sample": chosen,
        "chosen_answer": pick["answer"] if pick else None,
        "chosen_response": pick["response"] if pick else None,
        "status": pick["verdict"] if pick else "error",
        "selection": selection,
        "n_correct": n_correct,
        "pass_at_1": n_correct / len(candidates) if verified else None,
        "second_opinion": needs_second_look(candidates),
        "suspect_reference": suspect_reference(candidates, selection),
        "candidates": candidates,
        "judge": decisions,
        "extra": problem.get("extra"),
    }


# The whole recipe for one problem -------------------------------------------------------------


def solve_problem(problem: dict, backend, cfg: JobConfig, job_id: str = "sequential") -> dict:
    """Steps 1-5 for one validated problem, one after another, with any backend: what the Beam
    pipeline does with the same functions, for reading, tests and debugging (no store, no
    verifier pool: verification runs here). Where every solver call failed, the pipeline writes
    a reject instead of this row."""
    from k2batch.verify import check, task

    def call(reqs: list[ChatRequest]) -> list[ChatResult]:
        return backend.generate(reqs) if reqs else []

    if cfg.plan.enabled and cfg.plan.triage:  # 1. triage, then a plan per sample unless easy
        [res] = call([triage_request(problem, cfg)])
        hard, topics = cfg.recipe.parse_triage(res.text) if not res.error else (None, [])
        problem = {**problem, "triage_hard": hard, "triage_topics": topics}

    def sample(s: int) -> dict:  # a plan (unless triage said easy), a candidate, its verdict
        plan = None
        if needs_plan(problem.get("triage_hard"), cfg):
            [res] = call([plan_request(problem, s, problem.get("triage_topics") or [], cfg)])
            plan = cfg.recipe.parse_plan(res.text) if not res.error else None
        req = solve_request(problem, s, plan, cfg)
        [res] = call([req])
        c = make_candidate(s, plan, req, res, problem)
        v = cfg.verify
        set_verdict(c, *check(task(problem, c["answer"], v.timeout_s, v.sandbox, v.math.model_dump())))
        return c

    candidates = [sample(s) for s in range(cfg.n_min)]  # 2-3. generate and verify
    while not settled(candidates, cfg):  # adaptive: top up one sample at a time
        candidates.append(sample(len(candidates)))

    def judge(comparisons: list[Comparison]) -> list[dict]:
        replies = call([c.request for c in comparisons])
        return [judge_decision(comp, res.text, res.error, cfg.recipe)
                for comp, res in zip(comparisons, replies, strict=True)]  # fmt: skip

    decisions = judge(judge_comparisons(problem, candidates, cfg))  # 4. judge
    decisions += judge(confirmations(problem, candidates, decisions, cfg))
    return solution_row(job_id, problem, candidates, decisions, cfg)  # 5. choose
