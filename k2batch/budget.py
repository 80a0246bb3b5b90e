"""Hard budgets: tokens, dollars and a deadline. Each engine process keeps a ledger; a problem is
admitted at its first new model call only while what is spent, plus what admitted problems may
still spend, plus this problem's projected spend fits; once the budget is spent no new call
starts. So a job never exceeds its budget by more than the calls in flight. A refused call fails
with an error starting "budget", its problem goes to rejects with that reason, and the job is
`partial`: a rerun with a larger budget solves it, reusing every stored call.

The projection per problem is `budget.tokens_per_problem` where given (e.g. from `k2batch
estimate`), else an upper bound from the settings: every call's prompt (its characters / 4, plus
the template) and `max_tokens` — until problems have finished in this process (with
`runner.wave_size`, an earlier wave): then their mean spend plus 20 %. With runner.workers > 1
each process holds its share."""

from __future__ import annotations

import datetime as dt
import threading
import time

from k2batch.config import JobConfig
from k2batch.perrun import PerRun

PREFIX = "budget"
_TEMPLATE_TOKENS = 200  # the recipe's instructions around a problem, per call


def call_cost(cfg: JobConfig, model: str | None, backend: str, prompt: int, completion: int,
              reasoning: int | None = None) -> float | None:  # fmt: skip
    """USD of one call by the job's price table (model name, its file name, or backend kind);
    None where no price is given."""
    model = model or ""
    prices = getattr(cfg, "prices", None) or {}
    price = next((prices[k] for k in (model, model.rsplit("/", 1)[-1], backend) if k in prices), None)
    if price is None:
        return None
    reasoning = reasoning or 0
    think = price.reasoning if price.reasoning is not None else price.output
    return (prompt * price.input + (completion - reasoning) * price.output + reasoning * think) / 1e6


def upper_bound(cfg: JobConfig, problem_chars: int) -> int:
    """Tokens one problem can spend at most under the settings (every call at its max_tokens)."""
    s, n = cfg.stages, cfg.n_max
    prompt = problem_chars // 4 + _TEMPLATE_TOKENS
    calls = [("generate", n)]
    if cfg.plan.enabled:
        calls += [("triage", 1 if cfg.plan.triage else 0), ("plan", n)]
    if cfg.judge.enabled:
        pairs = n * (n - 1) // 2
        calls += [("judge", 2 * pairs)]
    total = 0
    for stage, count in calls:
        extra = s.plan.max_tokens if stage == "generate" and cfg.plan.enabled else 0
        extra += 2 * cfg.judge.answer_chars // 4 if stage == "judge" else 0
        total += count * (prompt + extra + getattr(s, stage).max_tokens)
    return total


class Ledger:
    """One process's spend against its share of the budget (thread-safe)."""

    def __init__(self, cfg: JobConfig, share: float = 1.0):
        b = cfg.budget
        self.cfg, self.share = cfg, share
        self.tokens = None if b.tokens is None else b.tokens * share
        self.usd = None if b.usd is None else b.usd * share
        self.deadline = b.deadline.timestamp() if b.deadline else None
        self.spent_tokens, self.spent_usd = 0, 0.0
        self._reserved: dict[str, float] = {}  # admitted problem -> tokens it may still spend
        self._refused: dict[str, str] = {}  # problem -> why it was not admitted
        self._spent: dict[str, int] = {}  # admitted problem -> tokens so far
        self._finished: list[int] = []  # tokens each finished problem spent
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

    def _usd_per_token(self) -> float:
        return self.spent_usd / self.spent_tokens if self.spent_tokens else 0.0

    def _over(self, extra: float) -> str | None:
        if self.deadline is not None and time.time() >= self.deadline:
            when = dt.datetime.fromtimestamp(self.deadline, dt.UTC).isoformat()
            return f"{PREFIX}: past the deadline {when}"
        if self.tokens is not None and self.spent_tokens + extra > self.tokens:
            return f"{PREFIX}: {self.spent_tokens:,} of {self.tokens:,.0f} tokens spent"
        if self.usd is not None and self.spent_usd + extra * self._usd_per_token() > self.usd:
            return f"{PREFIX}: ${self.spent_usd:.4f} of ${self.usd:.4f} spent"
        return None

    def allow(self, problem: dict) -> str | None:
        """None: the problem may make a call now; else why not (a "budget..." reason)."""
        if not self.active:
            return None
        pid = problem["id"]
        with self._lock:
            if pid in self._refused:
                return self._refused[pid]
            if pid in self._reserved:
                return self._over(0)  # admitted: it may go on until the budget is spent
            why = self._over(sum(self._reserved.values()) + self._projection(problem))
            if why and not self._reserved and not self._over(0):
                why = None  # nothing in flight: one problem may always go (the hard cap still holds)
            if why:
                self._refused[pid] = why = f"{why} (not admitted)"
                return why
            self._reserved[pid] = self._projection(problem)
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

    def release(self, problem_id: str) -> None:
        """A problem is finished: its reservation goes, its spend informs the projection."""
        with self._lock:
            if self._reserved.pop(problem_id, None) is not None:
                self._finished.append(self._spent.pop(problem_id, 0))


def _new_ledger(cfg: JobConfig) -> Ledger:
    # one share per engine process where there may be several (conservative under "auto")
    workers = cfg.runner.workers or 1 if cfg.runner.mode in ("multi_processing", "auto") else 1
    return Ledger(cfg, 1.0 / max(1, workers))


_LEDGERS = PerRun(_new_ledger)


def release_row(row: dict, run_key: str) -> dict:
    """Beam step after a solution or reject row: its problem releases its reservation."""
    return _LEDGERS.on_row(row, run_key, "release")


def ledger(cfg: JobConfig, run_key: str) -> Ledger:
    """This process's ledger for one run of a job (engines in one process share it)."""
    return _LEDGERS.get(run_key, cfg)
