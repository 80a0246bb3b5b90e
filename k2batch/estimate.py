"""`k2batch estimate`: solve a stratified pilot of a problem set for real and project the full job
from it (tokens by stage, cost, wall time, verified yield), each with a 95 % confidence interval.

The pilot runs into OUT/_estimate/ (its own manifest and outputs) but stores its calls in the
full job's store, OUT/_calls: call keys depend only on the request, so `k2batch solve INPUT --out
OUT` afterwards reuses every pilot call and the estimate costs nothing extra."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid

import numpy as np
from scipy import stats

from k2batch import budget, progress
from k2batch.config import STAGES, JobConfig
from k2batch.io import _fs, absolute, join, output_parts, read_parts
from k2batch.pilot import choose, load_problems, pilot_size, stratify, weights, write_pilot

# The pilot's floor: on simulated 400-problem jobs of skewed lengths (benchmarks/RESULTS.md) a pilot of
# 8 gave 95 % intervals 2.5 times the total wide that held it 0.86-0.91 of the time; 16 halves the
# width and holds it 0.91-0.97, and the full run reuses the pilot, so it costs only time to decide.
SHARE, MIN_PROBLEMS, RESAMPLES = 0.02, 16, 2000
PILOT_DIR, OUTS = "_estimate", ("token_stats", "solutions")
METHOD = (
    "Pilot: a stratified random sample (domain x problem-length tertile within the domain; "
    "proportional allocation, at least one problem per non-empty stratum; seeded by the job seed), "
    "solved for real. Totals: each pilot problem weighs N_h/n_h, its stratum's problems per pilot "
    "problem; 95 % CI: expanded percentile bootstrap (tails widened to Student's t, n - 1 df, for "
    "small pilots), {B} resamples of the n pilot problems with replacement, each keeping its weight "
    "(totals scaled to N), deviations shrunk by the finite-population correction sqrt(1 - n/N), "
    "widened to the bootstrap-t interval of the same resamples where that reaches further (a skewed "
    "length: the percentile interval's top is too low for a small pilot). "
    "Wall time: the pilot's fixed overhead (elapsed minus the busy time of the calls it made, not "
    "reused) + the binding one of busy time (sum of call latencies) / parallel slots and the HTTP "
    "quota (rpm: calls, tpm: prompt + max_tokens per call); its CI from the same resamples. Yield: "
    "Clopper-Pearson interval on the pilot's weighted verified-correct share (at Kish's effective "
    "n), kept within what the pilot's own verdicts prove, times N. Calls a stage made equally "
    "for every pilot problem: at most 1 - 0.05^(1/n) of all problems differ (rule of three), "
    "from no call up to the settings' most."
)


KINDS = ("calls", "prompt", "completion", "reasoning")
NAMES = [f"{s}.{k}" for s in STAGES for k in KINDS] + ["latency", "made", "reserved", "cost"]
COL = {c: j for j, c in enumerate(NAMES)}  # the columns of a pilot problem's sums over its calls


def per_problem(cfg: JobConfig, ids: list[str], calls: list[dict]) -> tuple[np.ndarray, dict]:
    """One row per pilot problem of COL, and the stages reporting reasoning and unpriced models.
    `made`: the latency of the calls the pilot made itself (not reused from the store), the only
    ones its elapsed time covers."""
    x, at, col = np.zeros((len(ids), len(COL))), {pid: i for i, pid in enumerate(ids)}, COL
    seen = {"reasoning": set(), "unpriced": set()}
    for c in calls:
        i, s = at.get(c["problem_id"]), c["stage"]
        if i is None or s not in STAGES:
            continue
        reasoning = c["reasoning_tokens"]
        if reasoning is not None:
            seen["reasoning"].add(s)
        prompt, completion, reasoning = c["prompt_tokens"], c["completion_tokens"], reasoning or 0
        for k, v in (("calls", 1), ("prompt", prompt), ("completion", completion), ("reasoning", reasoning)):
            x[i, col[f"{s}.{k}"]] += v
        x[i, col["latency"]] += c["latency_s"]
        x[i, col["made"]] += 0.0 if c.get("cache_hit") else c["latency_s"]
        x[i, col["reserved"]] += prompt + getattr(cfg.stages, s).max_tokens
        usd = budget.call_cost(cfg, c["model"], c["backend"], prompt, completion, reasoning)
        if usd is None:
            seen["unpriced"].add(c["model"] or c["backend"])
            continue
        x[i, col["cost"]] += usd
    return x, seen


def _capacity(cfg: JobConfig, busy: float, elapsed_s: float) -> dict:
    """Parallel slots: engines (`engines` per worker process, each a request at a time; an
    engine that batches continuously, as many as the pilot kept in flight on average), or HTTP
    requests in flight: max_concurrency, or where concurrency adapts to the server the pilot's
    mean in flight. `busy`: the latency of the calls the pilot made."""
    from k2batch.backends import hints

    b, h = cfg.backend, hints(cfg.backend)
    processes = cfg.runner.workers if cfg.runner.mode == "multi_processing" else 1
    measured = max(1.0, busy / elapsed_s) if busy > 0 and elapsed_s > 0 else None  # a lower bound: the
    # pilot's start-up counts as idle, and a small pilot fills fewer slots than the full job
    if not h.io_bound:
        local = 1 if cfg.runner.mode in ("in_memory", "multi_threading") else cfg.runner.workers  # auto too
        slots = local * (b.engines if b.kind == "llamacpp" else 1)
        if h.overlapping and measured:
            slots = max(slots, measured)
        return {"backend": b.kind, "io_bound": False, "slots": slots, "rpm": None, "tpm": None}
    slots = b.max_concurrency * processes
    if getattr(b, "concurrency", "fixed") == "adaptive" and measured:
        slots = min(slots, measured)
    return {"backend": b.kind, "io_bound": True, "slots": slots, "rpm": b.rpm, "tpm": b.tpm}


def tails(n: int) -> tuple[float, float]:
    """Percentiles of the expanded percentile bootstrap (Hesterberg 2015). The plain 2.5-97.5 %
    interval is too narrow for a pilot of a few problems (normal tails, and a resample's spread
    is the divide-by-n one); widening to Student's t with n - 1 degrees of freedom, times
    sqrt(n / (n - 1)), restores the coverage (tests/test_estimate.py measures it)."""
    if n < 2:
        return 0.0, 100.0
    a = 100 * stats.norm.cdf(math.sqrt(n / (n - 1)) * stats.t.ppf(0.025, n - 1))
    return a, 100 - a


def _interval(point: float, boot: np.ndarray, n: int, t: tuple[float, float] | None = None) -> dict:
    """The expanded percentile interval of `boot`, widened to the bootstrap-t interval `t` where
    that reaches further (see `studentized`)."""
    lo, hi = np.percentile(boot, tails(n)) if len(boot) else (point, point)
    lo, hi = (min(lo, t[0]), max(hi, t[1])) if t else (lo, hi)
    return {"point": float(point), "lo": float(min(lo, point)), "hi": float(max(hi, point))}


def studentized(y: np.ndarray, w: np.ndarray, counts: np.ndarray, fpc: float) -> tuple[float, float] | None:
    """The bootstrap-t interval of the weighted total w @ y from the same resamples (`counts`: how
    often each pilot problem was drawn). A skewed length (a few long replies) leaves a small
    pilot's percentile interval too low at its top: 8 draws rarely hold the tail, and each
    resample's mean moves with its spread; dividing by each resample's own standard error takes
    that into account (Hall 1988; Hesterberg 2015 recommends it for skewed data). None where the
    pilot's values do not vary or it is too small to studentize."""
    n = len(y)
    z = n * w * y  # its mean is the weighted total
    se = float(z.std(ddof=1)) / math.sqrt(n) if n > 2 else 0.0
    if se <= 1e-12 * max(1.0, abs(float(z.mean()))):
        return None
    mean = counts @ z / n
    se_b = np.sqrt(np.maximum(counts @ (z * z) / n - mean**2, 0) / (n - 1))
    ok = se_b > 1e-9 * se
    q_lo, q_hi = np.percentile((mean[ok] - z.mean()) / se_b[ok], [2.5, 97.5])
    return float(z.mean() - fpc * q_hi * se), float(z.mean() - fpc * q_lo * se)


def _unvaried_calls(est: dict, per_problem: np.ndarray, most: int, n_total: int) -> dict:
    """Where every pilot problem made the same number of calls, the bootstrap has no spread to
    show, yet other problems may make fewer (the judge compares only distinct answers) or more.
    By the rule of three, at most a share 1 - 0.05^(1/n) of all problems differ (95 %): they may
    make from no call up to the settings' most."""
    if len(per_problem) < 2 or np.ptp(per_problem):
        return est
    v, q = float(per_problem[0]), 1 - 0.05 ** (1 / len(per_problem))
    return {**est, "lo": est["point"] - q * n_total * v, "hi": est["point"] + q * n_total * max(0, most - v)}


def clopper_pearson(k: float, n: float) -> tuple[float, float]:
    """The exact binomial 95 % interval of a share of k in n (k and n may be effective counts).
    Conservative where Wilson's is not: a pilot of 8 with one verified problem gave Wilson a lower
    bound of 1.8 of 40 problems for a job whose only verified problem was that one."""
    lo = stats.beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return float(lo), float(hi)


def weighted_yield(correct: np.ndarray, w: np.ndarray, n_total: int) -> dict:
    """The verified share of the job: the pilot's weighted share, its Clopper-Pearson interval at
    Kish's effective sample size (the plain one where weights are equal), kept within what the
    pilot proves: at least its verified problems, at most all but its unverified ones (a point
    where the pilot is the whole job)."""
    rate = float(w @ correct / w.sum())
    n_eff = w.sum() ** 2 / (w @ w)
    lo, hi = clopper_pearson(rate * n_eff, n_eff)
    known_right, known_wrong = float(correct.sum()) / n_total, float(len(correct) - correct.sum()) / n_total
    return {"point": rate, "lo": min(rate, max(lo, known_right)), "hi": max(rate, min(hi, 1 - known_wrong))}


def project(cfg: JobConfig, x: np.ndarray, n_total: int, elapsed_s: float, seen: dict, seed: int = 0,
            weights: np.ndarray | None = None) -> dict:
    """The full job's totals from the pilot's per-problem matrix and each pilot problem's weight
    (problems of the job it stands for; N/n each by default) (see METHOD)."""
    n = len(x)
    w = np.full(n, n_total / n) if weights is None else np.asarray(weights, dtype=float)
    fpc = math.sqrt(max(0.0, 1 - n / n_total))
    pilot, point = x.sum(0), w @ x
    rng, boots, counts = np.random.default_rng(seed), [], []
    for start in range(0, RESAMPLES, 250):
        counts.append(rng.multinomial(n, np.full(n, 1 / n), size=min(250, RESAMPLES - start)))
        drawn = counts[-1] * w
        boots.append(drawn @ x * (n_total / drawn.sum(1, keepdims=True)))  # each resample stands for N
    boot, counts = point + fpc * (np.vstack(boots) - point), np.vstack(counts)

    def student(y):  # the bootstrap-t interval of a per-problem quantity's total, shifted to any point
        return studentized(np.asarray(y, dtype=float), w, counts, fpc)

    def shifted(t, by):
        return (t[0] + by, t[1] + by) if t else None

    def total(names: list[str], m):
        return sum(m[..., COL[c]] for c in names) if m is not None else 0.0

    tokens, most = {}, budget.most_calls(cfg)
    for s in [*STAGES, "total"]:
        stages = STAGES if s == "total" else (s,)
        for k in KINDS:
            if k == "reasoning" and not seen["reasoning"] & set(stages):
                continue  # no backend reported it
            names = [f"{t}.{k}" for t in stages]
            est = _interval(total(names, point), total(names, boot), n, student(total(names, x)))
            if k == "calls" and n < n_total:
                est = _unvaried_calls(est, total(names, x), sum(most.get(t, 0) for t in stages), n_total)
            tokens.setdefault(s, {})[k] = {"pilot": float(total(names, pilot)), **est}
    cap, calls = _capacity(cfg, float(pilot[COL["made"]]), elapsed_s), [f"{s}.calls" for s in STAGES]

    def need(m, minus=None, busy="latency"):  # seconds per constraint, and the binding one
        busy, n_calls, reserved = (
            np.maximum(total(c, m) - total(c, minus), 0) for c in ([busy], calls, ["reserved"])
        )
        t = {"engines": busy / cap["slots"]}
        if cap["rpm"]:
            t["rpm"] = n_calls * 60 / cap["rpm"]
        if cap["tpm"]:
            t["tpm"] = reserved * 60 / cap["tpm"]
        return t, np.max(np.stack(list(t.values())), axis=0)

    overhead = max(0.0, elapsed_s - float(need(pilot, busy="made")[1]))  # reused calls took none of it
    times, bound = need(point)
    per = need(x)[0][max(times, key=lambda k: times[k])]  # each problem's seconds of the binding constraint
    t_wall = student(per)
    rest = shifted(t_wall, float(need(point, pilot)[1]) - float(bound))
    pilot_tokens = tokens["total"]["prompt"]["pilot"] + tokens["total"]["completion"]["pilot"]
    wall = {
        "total": _interval(overhead + bound, overhead + need(boot)[1], n, shifted(t_wall, overhead)),
        "remaining": _interval(overhead + need(point, pilot)[1], overhead + need(boot, pilot)[1], n,
                               shifted(rest, overhead)),
        "binding": max(times, key=lambda k: times[k]),
        "seconds_by_constraint": {k: float(v) for k, v in times.items()},
        "overhead_s": overhead,
        "pilot_elapsed_s": elapsed_s,
        "tokens_per_s_per_slot": pilot_tokens / busy if (busy := float(pilot[COL["latency"]])) else None,
        **cap,
    }
    cost, spend = None, [f"{s}.{k}" for s in STAGES for k in ("prompt", "completion")]  # a budget's tokens

    def left(names):  # what `solve` after the pilot spends: the pilot's calls are reused, free
        used = total(names, pilot)
        t = shifted(student(total(names, x)), -used)
        t = (max(t[0], 0.0), t[1]) if t else None
        return _interval(total(names, point) - used, np.maximum(total(names, boot) - used, 0), n, t)

    remaining = {"tokens": left(spend), "usd": None}
    if cfg.prices and not seen["unpriced"]:
        t_cost = student(x[:, COL["cost"]])
        cost = {"pilot": float(pilot[COL["cost"]]),
                **_interval(point[COL["cost"]], boot[:, COL["cost"]], n, t_cost)}
        remaining["usd"] = left(["cost"])
    return {"tokens": tokens, "wall_time_s": wall, "cost_usd": cost, "unpriced": sorted(seen["unpriced"]),
            "remaining": remaining}  # fmt: skip


def _pilot_cfg(cfg: JobConfig) -> JobConfig:
    """The pilot's settings: the job's, every pilot row. A budget still stops its calls once
    spent, but admits every pilot problem while it lasts: the settings' upper bound per problem
    (every call at max_tokens) would admit a few of them, and a pilot of those few says little."""
    b = cfg.budget
    if (b.tokens or b.usd) and b.tokens_per_problem is None:
        b = b.model_copy(update={"tokens_per_problem": 1})
    return cfg.model_copy(update={"limit": None, "job_id": None, "budget": b})


def estimate(input_uri: str, out_uri: str, cfg: JobConfig, share: float = SHARE,
             min_problems: int = MIN_PROBLEMS, json_path: str | None = None) -> dict:  # fmt: skip
    """Solve the pilot (into OUT/_estimate/, calls into OUT/_calls) and project the full job; the
    result is also written as JSON (`json_path`, default OUT/estimate.json)."""
    from k2batch.io import InputError
    from k2batch.job import STORE, job_lock, preflight, run_solve, settings_of

    input_uri, out_uri = absolute(input_uri), absolute(out_uri)
    if not 0 < share <= 1 or min_problems < 1:
        raise InputError("--share is in (0, 1] and --min-problems at least 1")
    preflight(input_uri, out_uri, cfg)
    source, problems = load_problems(input_uri, cfg.limit)
    if not problems:
        raise InputError(f"no valid problem in {input_uri}: nothing to estimate")
    strata = stratify(problems)
    chosen, alloc = choose(strata, pilot_size(len(problems), share, min_problems), cfg.seed)
    pilot_dir = join(out_uri, PILOT_DIR)
    pilot_uri = write_pilot(source, chosen, pilot_dir)
    with job_lock(out_uri, "estimate-" + uuid.uuid4().hex[:12]):  # no full run into OUT meanwhile
        manifest = run_solve(pilot_uri, pilot_dir, _pilot_cfg(cfg), store_uri=join(out_uri, STORE))
    ids = [p["id"] for _, p in chosen]
    calls, solved = ([r for rows in read_parts(output_parts(pilot_dir, o)) for r in rows] for o in OUTS)
    x, seen = per_problem(cfg, ids, calls)
    right = {r["id"] for r in solved if r["status"] == "correct"}
    n_total, w = len(problems), weights(strata, alloc, chosen)
    rate = weighted_yield(np.array([pid in right for pid in ids], dtype=float), w, n_total)
    strata_rows = [{"domain": d, "length": size, "problems": len(items), "pilot": alloc[(d, size)],
                    "chars": [len(items[0][1]["problem"]), len(items[-1][1]["problem"])]}
                   for (d, size), items in strata.items()]  # fmt: skip
    pilot = {"problems": len(ids), "share": len(ids) / n_total, "out": pilot_dir, "strata": strata_rows,
             **{k: manifest[k] for k in ("job_id", "status", "calls", "elapsed_s")}}  # fmt: skip
    result = {
        "input": input_uri,
        "out": out_uri,
        "problems": n_total,
        "rows": progress.input_rows(input_uri, cfg.limit),  # what a job's progress counts (bad rows too)
        "settings": settings_of(cfg),  # the full job's: its live ETA follows this forecast
        "pilot": pilot,
        **project(cfg, x, n_total, float(manifest["elapsed_s"]), seen, cfg.seed, w),
        "budget": {},
        "verified_yield": {
            "pilot_correct": len(right & set(ids)),
            "rate": rate,
            "problems": {k: v * n_total for k, v in rate.items()},
        },
        "method": METHOD.format(B=RESAMPLES),
    }
    result["budget"] = budget.against(cfg, result, dt.datetime.now(dt.UTC))
    fs, path = _fs(json_path or join(out_uri, "estimate.json"))
    with fs.open(path, "w") as f:
        json.dump(result, f, indent=2)
    return result


def _fmt(v: float | None, kind: str = "n") -> str:
    if v is None:
        return "unknown"
    minutes = f"{v:,.0f} s" if v < 120 else f"{v / 60:,.1f} min"
    return {"s": minutes, "usd": f"${v:,.4f}", "%": f"{v:.1%}"}.get(kind, f"{v:,.0f}")


def render(result: dict, console=None) -> None:
    """The estimate as a rich table."""
    from rich.console import Console
    from rich.table import Table

    from k2batch.live import duration

    p = result["pilot"]
    title = f"Estimate for {result['problems']} problems from a pilot of {p['problems']} "
    t = Table(title=title + f"({p['share']:.1%}, {len(p['strata'])} strata)", caption=result["method"])
    for name in ("quantity", "pilot", "projected", "95 % CI"):
        t.add_column(name, justify="left" if name == "quantity" else "right")

    def row(label: str, est: dict | None, kind: str = "n", pilot: float | None = None) -> None:
        ci = f"{_fmt(est['lo'], kind)} – {_fmt(est['hi'], kind)}" if est else ""
        t.add_row(label, _fmt(pilot, kind) if pilot is not None else "", _fmt(est and est["point"], kind), ci)

    for stage, kinds in result["tokens"].items():
        for k, est in kinds.items():
            row(f"{stage} {k}" + ("" if k == "calls" else " tokens"), est, pilot=est["pilot"])
    cost = result["cost_usd"]
    row("cost" + (f" (unpriced: {', '.join(result['unpriced'])})" if result["unpriced"] else ""), cost, "usd",
        cost and cost["pilot"])  # fmt: skip
    w = result["wall_time_s"]
    row(f"wall time, whole job (bound: {w['binding']}; slots: {w['slots']})", w["total"], "s", p["elapsed_s"])
    row("wall time, `solve` now (reuses the pilot)", w["remaining"], "s")
    y = result["verified_yield"]
    row("verified yield", y["rate"], "%", y["pilot_correct"] / p["problems"])
    row("verified problems", y["problems"], pilot=y["pilot_correct"])
    console = console or Console()
    console.print(t)
    for name, b in result.get("budget", {}).items():  # what `solve` now would meet of the budget
        kind = {"tokens": "n", "usd": "usd", "seconds": "s"}[name]
        limit = f"deadline {b['deadline']} (in {duration(b['limit'])})" if name == "seconds" else (
            f"budget {_fmt(b['limit'], kind)}" + (" tokens" if name == "tokens" else ""))
        verdict = b["verdict"] if name != "seconds" else b["verdict"].replace("exceed", "miss")
        if b["verdict"] == "exceeds":
            verdict += f": about {b['share']:.0%} of the problems fit, the rest " + (
                "spill" if b.get("spill") else "go to rejects (budget)")
        console.print(f"{limit}: `solve` now needs {_fmt(b['point'], kind)} ({_fmt(b['lo'], kind)} – "
                      f"{_fmt(b['hi'], kind)}): [bold]{verdict}[/]")  # fmt: skip
    if p["status"] != "succeeded":  # failed calls count as made with few tokens: projections run low
        why = (f"the budget refused {p['calls']['refused']} calls: rerun with a larger budget"
               if p["calls"].get("refused") else
               f"{p['calls'].get('failed', 0)} failed calls: run `estimate` again to retry them")  # fmt: skip
        console.print(f"[bold yellow]warning:[/] the pilot ended {p['status']} ({why}; it reuses the "
                      f"rest); see {p['out']}")  # fmt: skip
