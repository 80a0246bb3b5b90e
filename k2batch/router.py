"""Deadline-aware routing between two backends: `[backend]` (primary, e.g. GPU workers or the
embedded engine) and `[backend.spill]` (secondary, e.g. Cerebras or an OpenAI-compatible server).

Whole problems are routed, at their first call, so a problem's candidates (and its triage, plans
and judge) all come from one model. The router measures the primary's throughput (problems it
finished per second since its first call) and sends a problem to the secondary only when the
primary's backlog — its unfinished problems plus every problem not yet routed — would finish
past `budget.deadline`; as the primary catches up, problems go back to it. Until the primary has
finished a problem there is no pace to go by: with a deadline, those first problems alternate
between the two. Decisions are made
as problems start, so with the in-memory runner they are revised between waves
(`runner.wave_size`; a job with a spill backend runs in waves of 8 unless told otherwise).

A routed problem keeps its route: on a rerun, a problem with a stored call on either backend
goes back to that backend, so a killed routed job reuses the calls of both."""

from __future__ import annotations

import dataclasses
import threading
import time

from k2batch.backends import ChatRequest, reply_settings
from k2batch.config import BackendConfig, JobConfig
from k2batch.perrun import PerRun

PRIMARY, SPILL = "primary", "spill"
DEFAULT_WAVE = 8


def spill_of(cfg: JobConfig) -> BackendConfig | None:
    return getattr(cfg.backend, "spill", None)


def for_spill(req: ChatRequest, spill: BackendConfig) -> ChatRequest:
    """The same call on the secondary backend (its model and reply settings: another key)."""
    return dataclasses.replace(req, model=spill.model, backend_settings=reply_settings(spill))


class Router:
    """One process's routing decisions and the primary's measured pace (thread-safe)."""

    def __init__(self, cfg: JobConfig, total: int):
        self.deadline = cfg.budget.deadline.timestamp() if cfg.budget.deadline else None
        self.total = total
        self.routes: dict[str, str] = {}
        self._open: set[str] = set()  # routed to the primary, not finished
        self._finished_primary = 0
        self._t0: float | None = None  # the primary's first call
        self._lock = threading.Lock()

    def route(self, problem_id: str, stored: str | None = None) -> str:
        """The problem's backend: its earlier route, where its calls are stored, or the decision."""
        with self._lock:
            if problem_id not in self.routes:
                self.routes[problem_id] = stored or self._decide()
                if self.routes[problem_id] == PRIMARY:
                    self._open.add(problem_id)
                    self._t0 = self._t0 or time.monotonic()
            return self.routes[problem_id]

    def _decide(self) -> str:
        if self.deadline is None:
            return PRIMARY
        if not self._finished_primary:  # nothing measured yet: the first problems probe both sides,
            return SPILL if len(self.routes) % 2 else PRIMARY  # so a tight deadline loses no wave
        rate = self._finished_primary / max(1e-9, time.monotonic() - (self._t0 or time.monotonic()))
        backlog = len(self._open) + max(1, self.total - len(self.routes))
        return SPILL if time.time() + backlog / rate > self.deadline else PRIMARY

    def finished(self, problem_id: str) -> None:
        with self._lock:
            if problem_id in self._open:
                self._open.discard(problem_id)
                self._finished_primary += 1

    def split(self) -> dict[str, int]:
        with self._lock:
            return {PRIMARY: sum(r == PRIMARY for r in self.routes.values()),
                    SPILL: sum(r == SPILL for r in self.routes.values())}  # fmt: skip


_ROUTERS = PerRun(Router)


def finished_row(row: dict, run_key: str) -> dict:
    """Beam step after a solution or reject row: the primary's pace counts finished problems."""
    return _ROUTERS.on_row(row, run_key, "finished")


def router(cfg: JobConfig, run_key: str, total: int) -> Router:
    """This process's router for one run of a job."""
    return _ROUTERS.get(run_key, cfg, total)
