"""A pool of verifier processes with hard per-task timeouts. A verification that hangs or
crashes becomes an `error` verdict; the pool replaces the worker and the job goes on."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from k2batch import domains
from k2batch.verify import check, quick_check


class VerifierPool:
    def __init__(self, workers: int = 2, timeout_s: float = 10.0, fn=check, quick=quick_check,
                 domains_blob: bytes | None = None):  # fmt: skip
        self.timeout_s, self._fn, self._workers = timeout_s, fn, workers
        self._domains = domains_blob  # the user's domains, registered in each verifier process
        self._quick = quick if fn is check else None  # a custom fn sees every task
        self._pool: ProcessPool | None = None  # started at the first task that needs it

    @property
    def pool(self) -> ProcessPool:
        if self._pool is None:  # spawning costs CPU the engine could use: only when needed
            self._pool = self._new_pool()
        return self._pool

    def _new_pool(self) -> ProcessPool:
        # spawn: never fork a process that holds model threads or Beam state.
        return ProcessPool(max_workers=self._workers, context=multiprocessing.get_context("spawn"),
                           initializer=_start_worker, initargs=(self._domains,))  # fmt: skip

    def _schedule(self, tasks: list[dict]) -> list:
        # Code runs its own sandbox timeout per test program; the pool's limit is the backstop.
        return [self.pool.schedule(self._fn, args=(t,), timeout=self._limit(t)) for t in tasks]

    def check_all(self, tasks: list[dict]) -> list[tuple[str, str]]:
        """(status, reason) per task, in order. Cheap verdicts are decided here; the rest run in
        the pool, all scheduled before any is awaited."""
        out = [self._quick(t) if self._quick else None for t in tasks]
        slow = [i for i, v in enumerate(out) if v is None]
        if not slow:
            return out
        try:
            futures = self._schedule([tasks[i] for i in slow])
        except RuntimeError:  # the pool broke (a worker could not start): one fresh try
            self._pool.stop()
            self._pool = self._new_pool()
            futures = self._schedule([tasks[i] for i in slow])
        for i, f in zip(slow, futures, strict=True):
            try:
                out[i] = f.result()
            except FutureTimeout:
                out[i] = ("error", f"timeout: verification ran past {self.timeout_s:g}s")
            except ProcessExpired as exc:
                out[i] = ("error", f"verifier crashed: {exc}")
            except Exception as exc:  # a verifier bug is this row's error, not the job's
                out[i] = ("error", f"verifier error: {type(exc).__name__}: {exc}")
        return out

    def _limit(self, task: dict) -> float:
        # Code runs one sandboxed program per stdio case, each under its own timeout.
        return self.timeout_s * 2 + 5 if task.get("domain") == "code" else self.timeout_s

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join(timeout=10)
            self._pool.stop()


def _start_worker(blob: bytes | None) -> None:
    """Set up a verifier process before it takes tasks. Pebble starts a task's clock when a worker
    takes it, so importing math-verify here (about 1 s, more on a busy machine) keeps the first
    check in every new or replaced worker from running into its timeout."""
    domains.install(blob)
    try:
        from math_verify import parse

        parse("$1/2$")  # builds the LaTeX parser once
    except Exception:  # a broken install shows up in the checks themselves, with a reason
        pass

