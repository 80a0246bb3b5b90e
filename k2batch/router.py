"""Deadline-aware routing between two backends: `[backend]` (primary, e.g. GPU workers or the
embedded engine) and `[backend.spill]` (secondary, e.g. Cerebras or an OpenAI-compatible server).

Whole problems are routed, at their first call, so a problem's candidates (and its triage, plans
and judge) all come from one model. The router measures the primary's throughput (problems it
finished per second of holding unfinished ones) and from it how many more problems the primary can
finish by `budget.deadline` (planned 5 % of the time left early), less those it holds
unfinished. While that covers every problem not yet routed, all go to the primary; otherwise the
primary keeps that share of them and the rest spill, spread evenly (a running credit) rather
than all at once: a wave routed wholly to the secondary would leave the primary idle, and idle
time is what makes the spill larger than the capacities require. As the primary catches up, its
share grows back to all. Until the primary has finished a problem there is no pace to go by:
with a deadline, those first problems alternate between the two. Decisions are made as problems
start, so they are revised between waves (`waved`: a routed job runs in waves of 8 rows for each
worker process, except where late binding, below, makes them unnecessary).

With several worker processes (the local runner's `runner.workers`, a portable runner's SDK
workers) each decides for the problems it gets, from what the run's processes publish (files under
the run's staging area, as the budget's spend; k2batch/shared.py): problems routed anywhere, the
primary's pace pooled over every process so far (a later wave's new processes start from it),
and the primary's capacity as that pace times the processes at work (those the local runner
starts, or more if more hold unfinished problems) less the problems they hold. The pace counts
only the seconds the primary holds problems, so the time each wave still to come will spend
starting (a new pipeline; on the local runner's worker processes, new processes loading the
model) is taken off the time left: each process measures the gap before its wave, from the last
problem the run finished before the wave to its first decision in it, and the run's mean gap is
what each later wave is expected to lose. A process that died (a killed worker: its file unchanged for
`shared.STALE_S`) counts as no capacity, and its unfinished problems as neither held nor routed:
the runner's retry routes them again.

Routes to the primary are bound late: a problem asks again when an engine picks up its first
call (`keep`, through the `Handoff` gate on the primary's calls), not when it was queued. If by
then the primary's work per problem (its calls' seconds: measured on finished problems, until
then the mean call times the calls the settings make per problem), after the work left of the
problems it holds, would end past the deadline on the engines seen busy at once, the problem
goes to the secondary at once, beside the primary's calls. So a decision made without a pace (the
first batch) or from a stale one costs no time at the deadline. Where a problem is one call and
the primary binds late (llama.cpp), the job needs no waves for its later problems to be decided
by a pace; otherwise the work per problem is known only from finished problems, and the waves
stay. Once one of its calls has started on the primary, a problem stays there. An HTTP primary
asks as soon as a call waits in its client: it decides at queue time.

The router plans for problems to finish by the deadline less the job's tail (`budget.tail_s`):
unless set, what the last routed job on the same runner (its name, worker processes and options)
took from its last problem's end to its outputs committed (writing them, the runner's last stages
and stopping its workers), as measured by that job and kept for a week (`TAILS`,
k2batch/state.py), read where the job starts (`with_tail`); for the first such job, a tenth of
the time it has, at most a minute (a first nightly job missed its deadline by its unplanned
tail); and at most a quarter of the time the job has. A nightly job so finishes its output by the deadline,
not just its calls.

A routed problem keeps its route: on a rerun, a problem with a stored call on either backend
goes back to that backend, so a killed routed job reuses the calls of both."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time

from k2batch import state
from k2batch.backends import ChatRequest, hints, reply_settings
from k2batch.config import BackendConfig, JobConfig, RunnerConfig
from k2batch.io import join
from k2batch.perrun import PerRun
from k2batch.shared import Shared

log = logging.getLogger(__name__)
PRIMARY, SPILL = "primary", "spill"
Wave = tuple[int, int, float]  # a wave's index, how many the run has, when the driver started it
DEFAULT_WAVE = 8  # rows a wave for each worker process, where a routed job needs waves
ROUTE_HOLDS = ("open", "unfinished")  # a dead process's count as nothing (k2batch/shared.py)
HANDED = "handed to the spill backend"  # a primary call's result when its problem moved (never stored)
MARGIN = 0.05  # the primary is planned to finish this share of the time left before the deadline:
# its pace varies, and a problem's later calls (judge) that would start past it are refused
TAILS = "tails.json"  # in the state folder: a routed job's end after its last problem, by runner
MAX_TAIL = 0.25  # of the time from the router's start to the deadline, whatever was learned
FIRST_TAIL, FIRST_TAIL_S = 0.1, 60.0  # a job with no tail learned on its runner: this share of its
# time, at most these seconds (its workers' stop and the outputs' write do not grow with the job)


def spill_of(cfg: JobConfig) -> BackendConfig | None:
    return getattr(cfg.backend, "spill", None)


def for_spill(req: ChatRequest, spill: BackendConfig) -> ChatRequest:
    """The same call on the secondary backend (its model and reply settings: another key)."""
    return dataclasses.replace(req, model=spill.model, backend_settings=reply_settings(spill))


class Router:
    """One process's routing decisions and the primary's measured pace (thread-safe)."""

    def __init__(self, cfg: JobConfig, total: int, clock=time.time, timer=time.monotonic,
                 shared: Shared | None = None, processes: int = 1, per_problem: float = 1.0,
                 tail_s: float = 0.0):  # fmt: skip
        self.clock, self.timer = clock, timer  # the deadline is on the wall clock, the pace is not
        self._shared, self._processes = shared, processes  # the run's other processes; how many run
        self.deadline = cfg.budget.deadline.timestamp() if cfg.budget.deadline else None
        if self.deadline is not None:  # problems are planned to finish by then, less the job's tail
            self.deadline -= min(max(0.0, tail_s), MAX_TAIL * max(0.0, self.deadline - clock()))
        self.total = total
        self.routes: dict[str, str] = {}
        self._open: set[str] = set()  # routed to the primary, not finished
        self._finished_primary = 0
        self._busy = 0.0  # seconds the primary held unfinished problems: a pace of its own, not
        self._busy_since: float | None = None  # lowered while it waits for the secondary's side
        self._credit = 0.0  # the primary's share of the decisions so far, not yet given to it
        self._wave, self._startup_s, self._startups = -1, 0.0, 0  # waves seen: their start-up
        self._last: float | None = None  # when this process last saw a problem finish
        self._done: set[str] = set()  # routed here and finished, on either side
        # late binding (`keep`): the primary's work per problem, measured on its calls here
        self._bound: set[str] = set()  # keep their route: a call started on the primary, or stored
        self._work: dict[str, float] = {}  # an open primary problem's call seconds so far
        self._calls = [0.0, 0, 0.0, 0]  # call seconds, calls; of finished problems: seconds, problems
        self._per_problem = per_problem  # calls, until a problem has finished here
        self._running = self._width = 0  # primary calls running now; the most at once (its engines)
        self.handed = 0  # problems moved to the secondary as their first call would have started
        self._lock = threading.Lock()

    def route(self, problem_id: str, stored: str | None = None, wave: Wave | None = None) -> str:
        """The problem's backend: its earlier route, where its calls are stored, or the decision."""
        if problem_id in self.routes:  # every later call of a routed problem
            return self.routes[problem_id]
        others = self._others() if self.deadline is not None and not stored else []
        with self._lock:
            if problem_id not in self.routes:
                if wave is not None and wave[0] != self._wave:  # this process's first in the wave
                    self._wave_started(wave, others)
                route = self.routes[problem_id] = stored or self._decide(others, wave)
                if stored:
                    self._bound.add(problem_id)
                # the pace counts the problems decided here: a rerun's, answered from the store at
                # once, would make the primary look far faster than it is
                if route == PRIMARY and not stored:
                    if not self._open:
                        self._busy_since = self.timer()
                    self._open.add(problem_id)
                self._publish()  # once a problem, as the budget's admissions: the others count it now
            return self.routes[problem_id]

    def _wave_started(self, wave: Wave, others: list[dict]) -> None:
        """The time lost between waves, measured: from the last problem the run finished before
        the wave (its tail, writing its output, the next pipeline's start, new processes loading
        the model) to this process's first decision in it. The first wave's start is not a
        sample: the model it loads stays loaded in one process."""
        self._wave = wave[0]
        before = [t for t in (self._last, *(o.get("last") for o in others)) if t and t <= wave[2]]
        if before:
            self._startup_s, self._startups = self._startup_s + self.clock() - max(before), self._startups + 1

    def _decide(self, others: list[dict], wave: Wave | None) -> str:
        if self.deadline is None:
            return PRIMARY
        finished = self._finished_primary + sum(o["finished"] for o in others)
        if not finished:  # nothing measured yet: the first problems probe both sides,
            return SPILL if len(self.routes) % 2 else PRIMARY  # so a tight deadline loses no wave
        rate = finished / max(1e-9, self._state()["busy"] + sum(o["busy"] for o in others))  # one process's
        working = [o for o in others if o["open"]]  # other processes holding the primary's problems
        processes = max(self._processes, 1 + len(working))
        held = len(self._open) + sum(o["open"] for o in working)
        startup = (self._startup_s + sum(o.get("startup_s", 0.0) for o in others)) / max(
            1, self._startups + sum(o.get("startups", 0) for o in others))  # a wave's, on average
        later = wave[1] - 1 - wave[0] if wave else 0  # waves still to start, each losing `startup`
        work_s = max(0.0, self.deadline - self.clock() - later * startup)
        room = processes * rate * (1 - MARGIN) * work_s - held  # what it can take in time
        left = self.total - len(self.routes) - sum(o["done"] + o["unfinished"] for o in others)  # a dead
        # process's unfinished problems are routed again where the runner retries its bundle
        share = min(1.0, max(0.0, room / max(1, left)))
        self._credit = min(1.0, self._credit + share)  # caught up: the primary takes them all
        if self._credit >= 1.0 - 1e-9:
            self._credit -= 1.0
            return PRIMARY
        return SPILL

    def keep(self, problem_id: str) -> bool:
        """Asked as the primary picks up a call of `problem_id`: does the problem stay there? Not
        when, after the work of the problems it holds, this one's would end past the deadline:
        it moves to the secondary, whole (none of its calls has started on the primary)."""
        with self._lock:
            if self.routes.get(problem_id) != PRIMARY:
                return False
            if problem_id in self._bound or self.deadline is None:
                return True
            call_s, calls, problem_s, problems = self._calls
            work = problem_s / problems if problems else call_s / calls * self._per_problem if calls else None
            if work is not None:  # nothing measured yet: the primary probes
                ahead = sum(max(0.0, work - self._work.get(p, 0.0)) for p in self._open if p in self._bound)
                if (ahead + work) / max(1, self._width) > (1 - MARGIN) * (self.deadline - self.clock()):
                    self.routes[problem_id] = SPILL
                    self.handed += 1
                    self._close(problem_id)
                    self._publish()
                    return False
            self._bound.add(problem_id)
            return True

    def call_started(self, problem_id: str) -> None:
        with self._lock:
            self._running += 1
            self._width = max(self._width, self._running)

    def call_finished(self, problem_id: str, seconds: float) -> None:
        with self._lock:
            self._running -= 1
            self._calls[0] += seconds
            self._calls[1] += 1
            if problem_id in self._open:
                self._work[problem_id] = self._work.get(problem_id, 0.0) + seconds

    def _close(self, problem_id: str) -> None:
        """Under the lock: the primary no longer holds `problem_id`."""
        self._open.discard(problem_id)
        if not self._open:
            self._busy += self.timer() - self._busy_since

    def finished(self, problem_id: str) -> None:
        with self._lock:
            self._last = self.clock()  # on either side: a wave ends with its last problem
            if problem_id in self.routes:
                self._done.add(problem_id)
            if problem_id not in self._open:
                self._publish()
                return
            self._close(problem_id)
            self._finished_primary += 1
            if problem_id in self._work:  # its calls' seconds: the primary's work per problem
                self._calls[2] += self._work.pop(problem_id)
                self._calls[3] += 1
            self._publish()

    def _state(self) -> dict:
        busy = self._busy + (self.timer() - self._busy_since if self._open else 0.0)
        return {"done": len(self._done), "unfinished": len(self.routes) - len(self._done),
                "finished": self._finished_primary, "busy": busy, "open": len(self._open),
                "startup_s": self._startup_s, "startups": self._startups, "last": self._last}  # fmt: skip

    def _others(self) -> list[dict]:
        """What the run's other processes published (read now for this process's first decision,
        so a later wave starts from the pace of the earlier ones)."""
        return self._shared.rows(now=not self.routes) if self._shared else []

    def _publish(self) -> None:
        """Under the lock, as the budget's: threads would race on the file and reorder states."""
        if self._shared and self.deadline is not None:
            self._shared.publish(self._state(), now=True)

    def split(self) -> dict[str, int]:
        with self._lock:
            return {PRIMARY: sum(r == PRIMARY for r in self.routes.values()),
                    SPILL: sum(r == SPILL for r in self.routes.values())}  # fmt: skip


class Handoff:
    """The `deadlines` protocol (k2batch.deadlines) over the primary's calls of a batch, for late
    binding: before a call starts, the router decides whether its problem stays on the primary;
    if not, `send(i)` starts the call on the secondary and the primary's result is `HANDED`.
    Limits from `inner` (budget, time limits) come first: a call they refuse is refused on both."""

    def __init__(self, rt: Router, problems: list[str], inner, send):
        self._rt, self._problems, self._inner, self._send = rt, problems, inner, send
        self._t0: dict[int, float] = {}
        self._handed: set[int] = set()

    def stop_reason(self, i: int) -> str | None:
        if i in self._t0:  # started: only the limits stop it
            return self._inner.stop_reason(i) if self._inner is not None else None
        if i in self._handed:
            return HANDED
        if self._inner is not None and (why := self._inner.stop_reason(i)):
            return why
        if self._rt.keep(self._problems[i]):
            return None
        self._handed.add(i)
        self._send(i)
        return HANDED

    def started(self, i: int) -> None:
        self._t0[i] = self._rt.timer()
        self._rt.call_started(self._problems[i])
        if self._inner is not None:
            self._inner.started(i)

    def finished(self, i: int, ok: bool = True) -> None:
        if i in self._t0:
            self._rt.call_finished(self._problems[i], self._rt.timer() - self._t0[i])
        if self._inner is not None:
            self._inner.finished(i, ok)


def calls_per_problem(cfg: JobConfig) -> float:
    """A problem's calls by the settings (late binding's guess until a problem has finished)."""
    n = cfg.samples if isinstance(cfg.samples, int) else cfg.samples.max
    plan = n + (1 if cfg.plan.triage else 0) if cfg.plan.enabled else 0
    return plan + n + (n * (n - 1) / 2 if cfg.judge.enabled else 0)


def waved(cfg: JobConfig) -> JobConfig:
    """The job in the waves its routing needs. Where a problem is one call on a primary that binds
    late (llama.cpp), none: the work per problem is one call's, known from the first. Otherwise it
    is known only from finished problems, so the job runs in waves of `DEFAULT_WAVE` rows for each
    worker process and later waves are routed by the earlier ones' pace (each wave is a new
    pipeline; under `multi_processing`, new processes that load the model)."""
    if spill_of(cfg) is None or cfg.budget.deadline is None or cfg.runner.wave_size not in (
            None, RunnerConfig.model_fields["wave_size"].default):  # fmt: skip
        return cfg
    if calls_per_problem(cfg) == 1 and hints(cfg.backend).binds_late:
        return cfg
    from k2batch.runners import worker_processes  # runners imports the pipeline, which imports this

    wave = DEFAULT_WAVE * worker_processes(cfg)
    return cfg.model_copy(update={"runner": cfg.runner.model_copy(update={"wave_size": wave})})


def runner_key(cfg: JobConfig) -> str:
    """The runner a job's tail is kept for: its name, worker processes and options (hashed: they
    may name hosts)."""
    from k2batch.runners import worker_processes  # runners imports the pipeline, which imports this

    options = hashlib.sha256("\0".join(cfg.runner.options).encode()).hexdigest()[:12]
    return f"{cfg.runner.name} x{worker_processes(cfg)} {options}"


def _shared(run_key: str) -> Shared:
    return Shared(join(run_key, "_routes"), (), holds=ROUTE_HOLDS)


def _new_router(cfg: JobConfig, run_key: str, total: int) -> Router:
    from k2batch.runners import worker_processes  # runners imports the pipeline, which imports this

    shared = _shared(run_key) if cfg.budget.deadline is not None else None
    return Router(cfg, total, shared=shared, processes=worker_processes(cfg),
                  per_problem=calls_per_problem(cfg), tail_s=cfg.budget.tail_s or 0.0)  # fmt: skip


def with_tail(cfg: JobConfig) -> JobConfig:
    """The job with `budget.tail_s` learned where it is not set: read where the job starts (the
    worker processes of a distributed runner have another state folder, or none)."""
    if spill_of(cfg) is None or cfg.budget.deadline is None or cfg.budget.tail_s is not None:
        return cfg
    tail = state.recall(TAILS, runner_key(cfg), "tail_s")
    if tail is None:
        left = max(0.0, cfg.budget.deadline.timestamp() - time.time())
        tail = round(min(FIRST_TAIL * left, FIRST_TAIL_S), 3)
    return cfg.model_copy(update={"budget": cfg.budget.model_copy(update={"tail_s": tail})})


def last_finished(cfg: JobConfig, run_key: str) -> float | None:
    """When a routed run's last problem finished, on either side, by what its processes published
    (read before the run's staging area goes); None for a job that is not routed by a deadline."""
    if spill_of(cfg) is None or cfg.budget.deadline is None:
        return None
    lasts = [row["last"] for row in _shared(run_key).rows(now=True) if row.get("last")]
    return max(lasts) if lasts else None


def learn_tail(cfg: JobConfig, last: float | None) -> None:
    """Keep the job's tail (from its last problem to now, its outputs committed) for the next
    routed job on this runner."""
    if last is None:
        return
    tail = max(0.0, time.time() - last)  # another host's clock may run ahead
    state.remember(TAILS, runner_key(cfg), tail_s=round(tail, 3))
    log.info("the job ended %.1f s after its last problem: the next routed job on this runner plans so", tail)


_ROUTERS = PerRun(_new_router)


def finished_row(row: dict, run_key: str) -> dict:
    """Beam step after a solution or reject row: the primary's pace counts finished problems."""
    return _ROUTERS.on_row(row, run_key, "finished")


def router(cfg: JobConfig, run_key: str, total: int) -> Router:
    """This process's router for one run of a job."""
    return _ROUTERS.get(run_key, cfg, run_key, total)
