"""Token statistics: per-problem and per-job summaries from `token_stats` and `solutions` rows.
Pure functions; the report and the Prefect artifacts both print what these return."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

OVERHEAD_STAGES = ("triage", "plan", "judge")  # what the recipe spends besides generating


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def _dist(values: list[float]) -> dict:
    return {
        "n": len(values),
        "mean": statistics.fmean(values) if values else None,
        "median": statistics.median(values) if values else None,
        "p90": percentile(values, 90),
    }


def by_stage(calls: Iterable[dict]) -> dict[str, dict]:
    """Totals per stage: calls, reused calls, prompt/completion/reasoning tokens, seconds."""
    out: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    for c in calls:
        s = out[c["stage"]]
        s["calls"] += 1
        s["reused"] += bool(c.get("cache_hit"))
        s["failed"] += bool(c.get("error"))
        s["prompt_tokens"] += c["prompt_tokens"]
        s["completion_tokens"] += c["completion_tokens"]
        s["reasoning_tokens"] += c.get("reasoning_tokens") or 0
        s["latency_s"] += c["latency_s"]
    return {
        k: {n: (int(x) if n != "latency_s" else round(x, 3)) for n, x in v.items()} for k, v in out.items()
    }


def _verifiable(solutions: list[dict]) -> list[dict]:
    return [s for s in solutions if s["status"] in ("correct", "incorrect")]


def mean_pass_at_1(solutions: list[dict]) -> float | None:
    """Mean pass@1 over the problems that have one: a problem with a candidate whose verification
    ended in error (a timeout, a crash) or could not run has none, and is left out."""
    values = [s["pass_at_1"] for s in solutions if s.get("pass_at_1") is not None]
    return statistics.fmean(values) if values else None


def job_summary(calls: list[dict], solutions: list[dict], rejects: int = 0) -> dict:
    """The numbers a user budgets and judges a job by."""
    stages = by_stage(calls)
    total = sum(v["prompt_tokens"] + v["completion_tokens"] for v in stages.values())
    overhead = sum(
        v["prompt_tokens"] + v["completion_tokens"] for k, v in stages.items() if k in OVERHEAD_STAGES
    )
    lengths = [c["completion_tokens"] for c in calls if c["stage"] == "generate" and not c.get("error")]
    verifiable = _verifiable(solutions)
    correct = sum(s["status"] == "correct" for s in verifiable)
    pass1 = mean_pass_at_1(verifiable)
    return {
        "problems": len(solutions),
        "rejects": rejects,
        "calls": len(calls),
        "calls_reused": sum(bool(c.get("cache_hit")) for c in calls),
        "tokens": total,
        "by_stage": stages,
        "response_length": _dist(lengths),
        "overhead_share": overhead / total if total else None,
        "verifiable": len(verifiable),
        "verified_rate": correct / len(verifiable) if verifiable else None,
        "pass_at_1": pass1,
        "best_of_n": correct / len(verifiable) if verifiable else None,
        "tokens_per_verified": total / correct if correct else None,
        "selection": dict(sorted(_count(s["selection"] for s in solutions).items())),
        # verdicts to look at again: the cascade and math-verify disagree; the reference looks wrong
        "by_backend": _by_backend(calls),
        "second_opinion": sum(bool(s.get("second_opinion")) for s in solutions),
        "suspect_reference": sum(bool(s.get("suspect_reference")) for s in solutions),
    }


def _by_backend(calls: list[dict]) -> dict[str, dict]:
    """Calls, problems and tokens per backend (the split of a routed job)."""
    out: dict[str, dict] = {}
    for c in calls:
        if c.get("cache_hit") or c.get("error"):
            continue
        b = out.setdefault(c.get("backend") or "?", {"calls": 0, "tokens": 0, "problems": set()})
        b["calls"] += 1
        b["tokens"] += c["prompt_tokens"] + c["completion_tokens"]
        b["problems"].add(c["problem_id"])
    return {k: {**v, "problems": len(v["problems"])} for k, v in sorted(out.items())}


def by_domain(calls: list[dict], solutions: list[dict]) -> dict[str, dict]:
    """job_summary per domain."""
    domain_of = {s["id"]: s["domain"] for s in solutions}
    out = {}
    for d in sorted(set(domain_of.values())):
        out[d] = job_summary(
            [c for c in calls if domain_of.get(c["problem_id"]) == d],
            [s for s in solutions if s["domain"] == d],
        )
    return out


def problem_rows(calls: list[dict], solutions: list[dict]) -> list[dict]:
    """One summary row per problem."""
    per: dict[str, list[dict]] = defaultdict(list)
    for c in calls:
        per[c["problem_id"]].append(c)
    rows = []
    for s in solutions:
        cs = per.get(s["id"], [])
        gen = [c["completion_tokens"] for c in cs if c["stage"] == "generate"]
        rows.append({
            "id": s["id"], "domain": s["domain"], "status": s["status"], "selection": s["selection"],
            "calls": len(cs), "tokens": sum(c["prompt_tokens"] + c["completion_tokens"] for c in cs),
            "overhead_tokens": sum(c["prompt_tokens"] + c["completion_tokens"] for c in cs
                                   if c["stage"] in OVERHEAD_STAGES),
            "mean_response_tokens": statistics.fmean(gen) if gen else None,
            "pass_at_1": s["pass_at_1"],
        })  # fmt: skip
    return rows


def _count(items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for i in items:
        out[i] += 1
    return out
