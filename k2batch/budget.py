"""Hard budgets: tokens, dollars and a deadline. Each engine process keeps a ledger; a problem is
admitted at its first new model call only while what is spent, plus what admitted problems may
still spend, plus this problem's projected spend fits; once the budget is spent no new call
starts. So a job never exceeds its budget by more than the calls in flight. A refused call fails
with an error starting "budget", its problem goes to rejects with that reason, and the job is
`partial`: a rerun with a larger budget solves it, reusing every stored call.

The projection per problem is `budget.tokens_per_problem` where given, else the mean spend per
problem `k2batch estimate` projected for this job plus 20 % (`by_estimate`), else an upper bound
from the settings: every call's prompt (its characters / 4, plus the template) and `max_tokens`
— until problems have finished in this process (with `runner.wave_size`, an earlier wave): then
their mean spend plus 20 %.

Every process of a run checks the whole budget against the whole run's spend: each publishes its
spent and reserved tokens and dollars to a file of its own under the run's staging area (the
local disk or the bucket every worker reaches), and reads the others' before admitting a problem
and at most every `shared.SHARED_S` otherwise (k2batch/shared.py).
So 2 worker processes, a portable runner's SDK workers or a cluster share one budget, however
many there are, and later waves see earlier waves' spend; a call may start on another
process's spend of the last `SHARED_S` not yet read, besides the calls in flight."""

from __future__ import annotations

import datetime as dt
import math
import threading
import time

from k2batch.config import STAGES, JobConfig
from k2batch.io import join
from k2batch.perrun import PerRun
from k2batch.shared import Shared

PREFIX = "budget"
_TEMPLATE_TOKENS = 200  # the recipe's instructions around a problem, per call
KEYS = ("tokens", "usd", "reserved", "admitted")  # admitted: problems holding a reservation
HOLDS = ("reserved", "admitted")  # a dead process's count as nothing (k2batch/shared.py)


def _price(cfg: JobConfig, model: str | None, backend: str):
    """The price table's entry for a model: by its name, its file name, or the backend kind."""
    model, prices = model or "", getattr(cfg, "prices", None) or {}
    return next((prices[k] for k in (model, model.rsplit("/", 1)[-1], backend) if k in prices), None)


def call_cost(cfg: JobConfig, model: str | None, backend: str, prompt: int, completion: int,
              reasoning: int | None = None) -> float | None:  # fmt: skip
    """USD of one call by the job's price table; None where no price is given."""
    price = _price(cfg, model, backend)
    if price is None:
        return None
    reasoning = min(reasoning or 0, completion)  # part of the completion (OpenAI's convention)
    think = price.reasoning if price.reasoning is not None else price.output
    return (prompt * price.input + (completion - reasoning) * price.output + reasoning * think) / 1e6


def _backends(cfg: JobConfig) -> list:
    spill = getattr(cfg.backend, "spill", None)
    return [cfg.backend_for(stage) for stage in STAGES] + ([spill] if spill else [])


def unpriced(cfg: JobConfig) -> list[str]:
    """The models the job calls that the price table does not price (a dollar budget cannot
    count their calls)."""
    return sorted({b.model or b.kind for b in _backends(cfg) if _price(cfg, b.model, b.kind) is None})


def list_rate(cfg: JobConfig) -> float:
    """USD a token at most by the price table (the dearest kind of token of any model the job
    calls): what reservations cost before the run has spent anything to measure its rate by."""
    prices = [p for b in _backends(cfg) if (p := _price(cfg, b.model, b.kind)) is not None]
    return max((max(p.input, p.output, p.reasoning or 0.0) for p in prices), default=0.0) / 1e6


def most_calls(cfg: JobConfig) -> dict[str, int]:
    """The calls one problem can make at most, by stage, under the settings."""
    n = cfg.n_max
    calls = {"generate": n}
    if cfg.plan.enabled:
        calls |= {"triage": 1 if cfg.plan.triage else 0, "plan": n}
    if cfg.judge.enabled:
        calls["judge"] = 2 * (n * (n - 1) // 2)  # each pair in both orders
    return calls


def upper_bound(cfg: JobConfig, problem_chars: int) -> int:
    """Tokens one problem can spend at most under the settings (every call at its max_tokens)."""
    s = cfg.stages
    prompt = problem_chars // 4 + _TEMPLATE_TOKENS
    total = 0
    for stage, count in most_calls(cfg).items():
        extra = s.plan.max_tokens if stage == "generate" and cfg.plan.enabled else 0
        extra += 2 * cfg.judge.answer_chars // 4 if stage == "judge" else 0
        total += count * (prompt + extra + getattr(s, stage).max_tokens)
    return total


def by_estimate(cfg: JobConfig, estimate: dict) -> JobConfig:
    """`cfg` admitting by an estimate made for this job (OUT/estimate.json, its input and settings
    checked by the caller): its projected prompt + completion tokens per problem plus 20 %, as a
    measured wave's mean. The settings' upper bound (every call at max_tokens) would admit a small
    share of what the budget affords. A `tokens_per_problem` the job sets stays."""
    b = cfg.budget
    if b.tokens_per_problem is not None or (b.tokens is None and b.usd is None):
        return cfg
    try:
        total = estimate["tokens"]["total"]
        per = (total["prompt"]["point"] + total["completion"]["point"]) / estimate["problems"]
    except (KeyError, TypeError, ZeroDivisionError):
        return cfg
    per = max(1, math.ceil(1.2 * per))
    return cfg.model_copy(update={"budget": b.model_copy(update={"tokens_per_problem": per})})


def against(cfg: JobConfig, result: dict, now: dt.datetime) -> dict:
    """What `solve` after this estimate (reusing the pilot) would meet of the job's budget: for
    each limit, the projection of what the run needs and a verdict: `fits` (the CI's upper end
    fits), `may exceed` (the point fits) or `exceeds`; `share`: about the share of the problems
    the limit lets through (the rest go to rejects for budget, or to the spill backend)."""
    b = cfg.budget
    deadline = b.at(now).deadline
    needs = {"tokens": (b.tokens, result["remaining"]["tokens"]),
             "usd": (b.usd, result["remaining"]["usd"]),
             "seconds": (deadline and (deadline - now).total_seconds(), result["wall_time_s"]["remaining"])}
    out = {}
    for name, (limit, need) in needs.items():
        if limit is None or need is None:
            continue
        verdict = "fits" if need["hi"] <= limit else "may exceed" if need["point"] <= limit else "exceeds"
        share = min(1.0, max(0.0, limit / need["point"])) if need["point"] > 0 else 1.0
        out[name] = {"limit": limit, **need, "verdict": verdict, "share": share}
    if "seconds" in out:
        spill = cfg.backend.spill is not None
        out["seconds"].update(deadline=deadline.isoformat(timespec="seconds"), spill=spill)
    return out  # fmt: skip


class Ledger:
    """The run's spend against the budget, as this process sees it (thread-safe): its own, plus
    the other processes' through `shared` where given."""

    def __init__(self, cfg: JobConfig, shared: Shared | None = None):
        b = cfg.budget
        self.cfg, self._shared = cfg, shared
        self.tokens = b.tokens
        self.usd = b.usd
        self.deadline = b.deadline.timestamp() if b.deadline else None
        self.spent_tokens, self.spent_usd = 0, 0.0
        self._reserved: dict[str, float] = {}  # admitted problem -> tokens it may still spend
        self._refused: dict[str, str] = {}  # problem -> why it was not admitted
        self._spent: dict[str, int] = {}  # admitted problem -> tokens so far
        self._finished: list[int] = []  # tokens each finished problem spent
        self._reused: set[str] = set()  # problems with calls answered from the store: spent less
        self._list_rate = list_rate(cfg) if b.usd is not None else 0.0  # once: _over runs per check
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return self.tokens is not None or self.usd is not None or self.deadline is not None

    def _projection(self, problem: dict) -> float:
        """budget.tokens_per_problem; else, once problems have finished here (an earlier
        wave), their mean spend with a 20 % margin; else the upper bound of the settings."""
        per = self.cfg.budget.tokens_per_problem
        if per is not None:
            return float(per)
        bound = upper_bound(self.cfg, len(problem.get("problem") or ""))
        if self._finished:
            return min(bound, 1.2 * sum(self._finished) / len(self._finished))
        return float(bound)

    def _others(self, now: bool = False) -> dict[str, float]:
        return self._shared.others(now) if self._shared else dict.fromkeys(KEYS, 0)

    def _over(self, extra: float, others: dict[str, float]) -> str | None:
        """Why the run's spend plus `extra` tokens (reservations, a projection) does not fit."""
        if self.deadline is not None and time.time() >= self.deadline:
            when = dt.datetime.fromtimestamp(self.deadline, dt.UTC).isoformat()
            return f"{PREFIX}: past the deadline {when}"
        tokens, usd = others["tokens"] + self.spent_tokens, others["usd"] + self.spent_usd
        if self.tokens is not None and tokens + extra > self.tokens:
            return f"{PREFIX}: {tokens:,.0f} of {self.tokens:,.0f} tokens spent"
        per_token = usd / tokens if tokens else self._list_rate  # the run's, not only this process's
        if self.usd is not None and usd + extra * per_token > self.usd:
            return f"{PREFIX}: ${usd:.4f} of ${self.usd:.4f} spent"
        return None

    def _publish(self, now: bool = False) -> None:
        if self._shared:
            state = {"tokens": self.spent_tokens, "usd": self.spent_usd,
                     "reserved": sum(self._reserved.values()), "admitted": len(self._reserved)}  # fmt: skip
            self._shared.publish(state, now)

    def allow(self, problem: dict) -> str | None:
        """None: the problem may make a call now; else why not (a "budget..." reason)."""
        if not self.active:
            return None
        pid = problem["id"]
        with self._lock:
            if pid in self._refused:
                return self._refused[pid]
            if pid in self._reserved:  # admitted: it goes on until the run's spend reaches the budget
                return self._over(0, self._others())  # (others' reservations do not stop it)
            others = self._others(now=True)  # admitting: what the others hold as of now
            held, projected = others["reserved"] + sum(self._reserved.values()), self._projection(problem)
            why, spent_over = self._over(held + projected, others), self._over(0, others)
            if why and not self._reserved and not others["admitted"] and not spent_over:
                why = None  # nothing in flight anywhere: one problem may always go (the cap holds)
            if why:
                if not spent_over:  # "20,023 of 40,000 tokens spent" alone reads as a budget half unused
                    why += f"; {held:,.0f} tokens held by problems in flight, {projected:,.0f} projected " \
                           "for this one"
                self._refused[pid] = why = f"{why} (not admitted)"
                return why
            self._reserved[pid] = projected
            self._publish(now=True)  # the others count this reservation before admitting theirs
            return None

    def spend(self, problem_id: str, result) -> None:
        """Count a finished call (a ChatResult) against the budget."""
        if not self.active:
            return
        tokens = result.prompt_tokens + result.completion_tokens
        usd = call_cost(self.cfg, result.model, result.backend, result.prompt_tokens,
                        result.completion_tokens, result.reasoning_tokens)  # fmt: skip
        with self._lock:
            self.spent_tokens += tokens
            self.spent_usd += usd or 0.0
            if problem_id in self._reserved:
                self._reserved[problem_id] = max(0.0, self._reserved[problem_id] - tokens)
                self._spent[problem_id] = self._spent.get(problem_id, 0) + tokens
            self._publish()

    def reused(self, problem_id: str) -> None:
        """A call of the problem was answered from the store: its spend is no sample of a
        problem's (a rerun's would lower the projection and admit too many)."""
        with self._lock:
            self._reused.add(problem_id)

    def release(self, problem_id: str) -> None:
        """A problem is finished: its reservation goes, its spend informs the projection."""
        with self._lock:
            if self._reserved.pop(problem_id, None) is not None:
                spent = self._spent.pop(problem_id, 0)
                if problem_id not in self._reused:
                    self._finished.append(spent)
                self._publish(now=True)


class Gate:
    """The budget where a backend looks for its limits (the `deadlines` protocol of
    k2batch.deadlines): a request that has not started may not start once the run's budget is
    spent; one that has started is stopped only by the time limits (`inner`), if any. So no call
    starts past the budget, however many requests a batch queues behind its engines."""

    def __init__(self, ledger: Ledger, problems: list[dict], inner=None):
        self._ledger, self._problems, self._inner = ledger, problems, inner
        self._started: set[int] = set()
        self._lock = threading.Lock()

    def started(self, i: int) -> None:
        with self._lock:
            self._started.add(i)
        if self._inner is not None:
            self._inner.started(i)

    def finished(self, i: int, ok: bool = True) -> None:
        if self._inner is not None:
            self._inner.finished(i, ok)

    def stop_reason(self, i: int) -> str | None:
        if self._inner is not None and (why := self._inner.stop_reason(i)):
            return why
        with self._lock:
            if i in self._started:
                return None
        return self._ledger.allow(self._problems[i])


def _new_ledger(cfg: JobConfig, run_key: str) -> Ledger:
    b = cfg.budget
    shared = None if b.tokens is None and b.usd is None else Shared(join(run_key, "_budget"), KEYS, HOLDS)
    return Ledger(cfg, shared)


_LEDGERS = PerRun(_new_ledger)


def release_row(row: dict, run_key: str) -> dict:
    """Beam step after a solution or reject row: its problem releases its reservation."""
    return _LEDGERS.on_row(row, run_key, "release")


def ledger(cfg: JobConfig, run_key: str) -> Ledger:
    """This process's ledger for one run of a job (engines in one process share it)."""
    return _LEDGERS.get(run_key, cfg, run_key)
