"""The evidence behind a job's accuracy: what each extra sample buys (unbiased pass@k, maj@k), what
the judge adds (Best-of-N, and an audit of its choices on contested problems against majority
vote, shortest answer, a random candidate and the oracle; its order flips and length bias), with
bootstrap confidence intervals. Pure functions over `solutions` and `token_stats` rows: no I/O,
no model. `k2batch reselect` picks with the same rules (majority, shortest, first)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from k2batch.extract import answer_part, normalize_answer
from k2batch.recipe import answer_groups

VERDICTS = ("correct", "incorrect")
RESAMPLES, SEED, LEVEL = 1000, 0, 0.95


# Estimators ----------------------------------------------------------------------------------


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of one problem with `c` correct among `n` samples (Chen et al. 2021):
    1 - C(n-c, k) / C(n, k), computed as a product (no huge binomials)."""
    if not 1 <= k <= n or not 0 <= c <= n:
        raise ValueError(f"pass@k needs 1 <= k <= n and 0 <= c <= n (n={n}, c={c}, k={k})")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def bootstrap_ci(
    values: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED, level: float = LEVEL
) -> list[float] | None:
    """Percentile bootstrap interval of the mean, resampling the values (problems) with
    replacement; deterministic for a seed. None for no values."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return None
    rng = np.random.default_rng(seed)
    if np.isin(v, (0.0, 1.0)).all():  # 0/1 outcomes: the resampled count is exactly Binomial(n, p)
        means = rng.binomial(v.size, v.mean(), size=resamples) / v.size
    else:  # in chunks, so a large job never holds resamples x problems at once
        step = max(1, 2_000_000 // v.size)
        means = np.concatenate([
            v[rng.integers(0, v.size, size=(min(step, resamples - i), v.size))].mean(axis=1)
            for i in range(0, resamples, step)
        ])  # fmt: skip
    lo, hi = np.percentile(means, [(1 - level) / 2 * 100, (1 + level) / 2 * 100])
    return [float(lo), float(hi)]


def _mean_ci(values: Sequence[float]) -> dict:
    return {
        "problems": len(values),
        "mean": float(np.mean(values)) if len(values) else None,
        "ci": bootstrap_ci(values),
    }


# Picking a candidate without the judge --------------------------------------------------------


def candidates_of(row: dict) -> list[dict]:
    return sorted(row.get("candidates") or [], key=lambda c: c["sample"])


def _fallback(candidates: list[dict]) -> int | None:
    """No candidate has an answer: the first whose call did not fail (as recipe.choose does)."""
    ok = [c["sample"] for c in candidates if not c.get("error")]
    return min(ok) if ok else None


def majority_pick(candidates: list[dict]) -> int | None:
    """The first sample of the largest answer group (recipe.answer_groups' key); ties go to the
    group whose first sample is lower."""
    groups = answer_groups(candidates)
    if not groups:
        return _fallback(candidates)
    return min(groups.values(), key=lambda s: (-len(s), s[0]))[0]


def shortest_pick(candidates: list[dict]) -> int | None:
    """The candidate with an answer whose answer part (the text after `</think>`) is shortest;
    ties go to the lower sample."""
    with_answer = [c for c in candidates if normalize_answer(c["answer"]) is not None]
    if not with_answer:
        return _fallback(candidates)
    return min(with_answer, key=lambda c: (len(answer_part(c["response"] or "")), c["sample"]))["sample"]


def first_pick(candidates: list[dict]) -> int | None:
    """Sample 0, or the first sample with an answer where it has none."""
    with_answer = [c["sample"] for c in candidates if normalize_answer(c["answer"]) is not None]
    return min(with_answer) if with_answer else _fallback(candidates)


PICKS: dict[str, Callable[[list[dict]], int | None]] = {
    "majority": majority_pick, "shortest": shortest_pick, "first": first_pick,
}  # fmt: skip


def is_correct(candidates: list[dict], sample: int | None) -> bool:
    return any(c["sample"] == sample and c["verdict"] == "correct" for c in candidates)


def verified(row: dict) -> bool:
    """Every candidate has a verdict (correct or incorrect): the rows the estimators cover."""
    cands = candidates_of(row)
    return bool(cands) and all(c["verdict"] in VERDICTS for c in cands)


def maj_at_k(candidates: list[dict], k: int) -> bool:
    """Majority vote over the first k candidates (by sample index) picks a correct one. No
    answer among them is a wrong vote."""
    first = candidates[:k]
    return bool(answer_groups(first)) and is_correct(first, majority_pick(first))


# The judge's audit ----------------------------------------------------------------------------


def _length(candidates: list[dict], sample: int) -> int | None:
    c = next((c for c in candidates if c["sample"] == sample), None)
    return len(answer_part(c["response"] or "")) if c else None


def judge_bias(rows: list[dict]) -> dict:
    """Over every judged pair: how often the winner changes when the order is swapped (pairs
    asked in both orders, both with a winner), how often the response shown first wins, and how
    often the longer answer part (what the judge sees) wins where the two differ in length."""
    pairs = flips = decided = first_wins = longer = longer_wins = 0
    for row in rows:
        cands = candidates_of(row)
        won = {(d["first"], d["second"]): d["winner"] for d in row.get("judge") or []
               if d.get("winner") is not None}  # fmt: skip
        for (a, b), w in won.items():
            decided += 1
            first_wins += w == a
            if a < b and (b, a) in won:
                pairs += 1
                flips += won[(b, a)] != w
            la, lb = _length(cands, a), _length(cands, b)
            if la is not None and lb is not None and la != lb and w in (a, b):
                longer += 1
                longer_wins += (la > lb) == (w == a)
    return {
        "order_flip": {"pairs": pairs, "flips": flips, "rate": flips / pairs if pairs else None},
        "first_shown_wins": {"decisions": decided, "rate": first_wins / decided if decided else None},
        "longer_wins": {"decisions": longer, "rate": longer_wins / longer if longer else None},
    }


def judge_audit(rows: list[dict]) -> dict:
    """On contested problems (at least one correct and one incorrect candidate): how often the
    stored choice is correct, against majority vote, the shortest answer, sample 0, a random
    candidate (its expected value) and the oracle. `decided_by` says how the stored choices were
    made there (`verified` used the reference, not the judge)."""
    contested = [r for r in rows if 0 < sum(c["verdict"] == "correct" for c in candidates_of(r))
                 < len(candidates_of(r))]  # fmt: skip
    picks: dict[str, list[float]] = {"stored": [], **{k: [] for k in PICKS}, "random": [], "oracle": []}
    decided_by: dict[str, int] = {}
    for r in contested:
        cands = candidates_of(r)
        picks["stored"].append(float(r["status"] == "correct"))
        for name, pick in PICKS.items():
            picks[name].append(float(is_correct(cands, pick(cands))))
        picks["random"].append(sum(c["verdict"] == "correct" for c in cands) / len(cands))
        picks["oracle"].append(1.0)
        decided_by[r["selection"]] = decided_by.get(r["selection"], 0) + 1
    return {
        "contested": len(contested),
        "decided_by": dict(sorted(decided_by.items())),
        "accuracy": {name: _mean_ci(v) for name, v in picks.items()},
    }


# Plan ablation (a paired control arm, where a job has one) ----------------------------------


def _ablated(row: dict) -> bool:
    v = row.get("plan_ablation")
    return v is True or (isinstance(v, str) and v.strip().lower() in ("1", "true", "yes"))


def plan_ablation(rows: list[dict]) -> dict | None:
    """Rows marked `plan_ablation` solved a problem without a plan; each is paired with the planned
    row of the same id, or whose id it extends by a suffix (`p1` and `p1#noplan`). Returns what
    planning buys: the mean paired difference in correctness with its CI. None without such rows
    (the solution schema has no `plan_ablation` column yet)."""
    control = [r for r in rows if _ablated(r) and r["status"] in VERDICTS]
    if not control:
        return None
    planned = {r["id"]: r for r in rows if not _ablated(r) and r["status"] in VERDICTS}
    diffs = []
    for r in control:
        rid = r["id"]
        bases = [i for i in planned if i == rid or (rid.startswith(i) and not rid[len(i)].isalnum())]
        base = max(bases, key=len, default=None)
        if base is not None:
            diffs.append(float(planned[base]["status"] == "correct") - float(r["status"] == "correct"))
    unpaired = len(control) - len(diffs)
    return {"pairs": len(diffs), "unpaired": unpaired, "planned_minus_unplanned": _mean_ci(diffs)}


# All of it ------------------------------------------------------------------------------------


def evidence(solutions: list[dict], calls: list[dict]) -> dict:
    """The evidence of one job, JSON-serialisable. pass@k and maj@k cover the problems whose every
    candidate was verified and that have at least k candidates (with adaptive sampling the count
    varies: `left_out` says how many had fewer); Best-of-N is the stored choice on the same
    problems. CIs: percentile bootstrap over problems."""
    main = [r for r in solutions if not _ablated(r)]
    rows = [r for r in main if verified(r)]
    ns = [len(candidates_of(r)) for r in rows]
    top = max(ns, default=0)
    passk, majk = [], []
    for k in range(1, top + 1):
        have = [r for r in rows if len(candidates_of(r)) >= k]
        p = [pass_at_k(len(candidates_of(r)), sum(c["verdict"] == "correct" for c in candidates_of(r)), k)
             for r in have]  # fmt: skip
        m = [float(maj_at_k(candidates_of(r), k)) for r in have]
        passk.append({"k": k, **_mean_ci(p), "left_out": len(rows) - len(have)})
        majk.append({"k": k, **_mean_ci(m), "left_out": len(rows) - len(have)})
    tokens = sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls)
    solved = sum(r["status"] == "correct" for r in main)
    return {
        "problems": len(main),
        "verifiable": len(rows),
        "candidates": {"max": top, "min": min(ns, default=0)},
        "bootstrap": {"resamples": RESAMPLES, "seed": SEED, "level": LEVEL, "unit": "problem"},
        "pass_at_k": passk,
        "maj_at_k": majk,
        "best_of_n": {"k": top, **_mean_ci([float(r["status"] == "correct") for r in rows])},
        "tokens": tokens,
        "verified_solutions": solved,
        "tokens_per_verified": tokens / solved if solved else None,
        "judge_audit": {**judge_audit(rows), **judge_bias(main)},
        "plan_ablation": plan_ablation(solutions),
    }


# Tables for the report ------------------------------------------------------------------------


def fmt(v) -> str:
    """A number as the report prints it."""
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _ci(ci: list[float] | None) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "–"


def accuracy_rows(ev: dict) -> list[tuple[str, ...]]:
    """pass@k / maj@k / Best-of-N with 95 % CI, one row per metric and k."""
    rows = [("metric", "k", "problems", "mean", "95 % CI")]
    for name, key in (("pass@k", "pass_at_k"), ("maj@k", "maj_at_k")):
        for e in ev[key]:
            rows.append((name, str(e["k"]), fmt(e["problems"]), fmt(e["mean"]), _ci(e["ci"])))
    b = ev["best_of_n"]
    rows.append(("Best-of-N (judge)", str(b["k"]), fmt(b["problems"]), fmt(b["mean"]), _ci(b["ci"])))
    return rows


AUDIT_LABELS = {
    "stored": "stored choice (judge)", "majority": "majority vote", "shortest": "shortest answer",
    "first": "first sample", "random": "random candidate (expected)", "oracle": "oracle",
}  # fmt: skip


def audit_rows(ev: dict) -> list[tuple[str, ...]]:
    """The judge audit on contested problems, its biases, cost per verified solution, and the
    plan ablation where the job has one."""
    a = ev["judge_audit"]
    by = ", ".join(f"{k} {v}" for k, v in a["decided_by"].items()) or "–"
    rows = [("judge audit", "value", "95 % CI", "n"), ("contested problems", fmt(a["contested"]), "", by)]
    for name, label in AUDIT_LABELS.items():
        e = a["accuracy"][name]
        rows.append((f"correct: {label}", fmt(e["mean"]), _ci(e["ci"]), fmt(e["problems"])))
    flip, first, longer = a["order_flip"], a["first_shown_wins"], a["longer_wins"]
    rows += [
        ("order-flip rate (pairs asked both ways)", fmt(flip["rate"]), "", fmt(flip["pairs"])),
        ("shown-first wins", fmt(first["rate"]), "", fmt(first["decisions"])),
        ("longer answer wins", fmt(longer["rate"]), "", fmt(longer["decisions"])),
        ("tokens per verified solution", fmt(ev["tokens_per_verified"]), "", fmt(ev["verified_solutions"])),
    ]
    if ev["plan_ablation"]:
        p = ev["plan_ablation"]["planned_minus_unplanned"]
        rows.append(("plan ablation: planned − unplanned", fmt(p["mean"]), _ci(p["ci"]), fmt(p["problems"])))
    return rows
