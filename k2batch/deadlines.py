"""Per-problem soft and hard time limits on the solver's samples (K2-Think's serving rule): past
the soft limit, a problem stops waiting for its slow samples once one has finished, and the
judge compares what finished; at the hard limit every sample still running is stopped. Clocks
start at a problem's first solver call, not when it was queued. Backends that can stop a call
(llama.cpp between tokens, HTTP by cancelling) ask `stop_reason`; a stopped call is a failed
call, so it is never stored and a rerun tries it again."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence


class Deadlines:
    def __init__(
        self, groups: Sequence[str], soft_s: float | None, hard_s: float | None, clock=time.monotonic
    ):
        self._groups, self.soft_s, self.hard_s, self._clock = list(groups), soft_s, hard_s, clock
        self._start: dict[str, float] = {}
        self._finished: set[str] = set()  # problems with at least one finished sample
        self._lock = threading.Lock()

    def started(self, i: int) -> None:
        with self._lock:
            self._start.setdefault(self._groups[i], self._clock())

    def finished(self, i: int, ok: bool = True) -> None:
        """Request i is over; `ok`: it produced a sample the judge can use."""
        if ok:
            self.finished_problem(self._groups[i])

    def finished_problem(self, group: str) -> None:
        """A sample of `group` finished earlier (a stored result)."""
        with self._lock:
            self._finished.add(group)

    def stop_reason(self, i: int) -> str | None:
        """Why request i must stop now, or None."""
        g = self._groups[i]
        with self._lock:
            t0, others_done = self._start.get(g), g in self._finished
        if t0 is None:
            return None
        age = self._clock() - t0
        if self.hard_s is not None and age >= self.hard_s:
            return f"stopped at the problem's hard limit ({self.hard_s:g} s)"
        if self.soft_s is not None and age >= self.soft_s and others_done:
            return f"stopped past the problem's soft limit ({self.soft_s:g} s): another sample finished"
        return None
