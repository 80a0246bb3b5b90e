"""Live counts of model calls, for the terminal progress display (`rich`) and the job log.
With the in-memory runner (the default) every call is counted in this process; on runners whose
workers are other processes (portable runners, a cluster) the counts come from Beam metrics,
read while the job runs where the runner reports them live, and at its end in any case."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import Counter

from k2batch.config import STAGES

calls: Counter = Counter()  # "<stage>" and "<stage>:reused"
_lock = threading.Lock()


def count(stage: str, made: int, reused: int) -> None:
    with _lock:
        calls[stage] += made
        calls[f"{stage}:reused"] += reused


def count_metric(stage: str, made: int, reused: int) -> None:
    """Count in this process and in Beam metrics (what a driver sees of other processes)."""
    from apache_beam.metrics import Metrics

    count(stage, made, reused)
    Metrics.counter("k2batch", f"{stage}.calls").inc(made)
    Metrics.counter("k2batch", f"{stage}.reused").inc(reused)


def from_metrics(result) -> dict[str, int]:
    """A run's k2batch counters from Beam metrics (committed where the runner has them)."""
    from apache_beam.metrics.metric import MetricsFilter

    totals: Counter = Counter()
    for c in result.metrics().query(MetricsFilter().with_namespace("k2batch"))["counters"]:
        value = c.committed if c.committed is not None else c.attempted
        totals[c.key.metric.name] += value or 0
    return dict(totals)


def follow(result, stop: threading.Event, every_s: float = 2.0) -> None:
    """Until `stop`: copy a running job's metrics into the display's counts (runners that only
    report at the end raise or return nothing here: the display keeps its own counts)."""
    base = Counter(calls)
    while not stop.wait(every_s):
        try:
            seen = from_metrics(result)
        except Exception:  # noqa: BLE001 - a runner without live metrics
            continue
        with _lock:
            for name, value in seen.items():
                stage, _, kind = name.partition(".")
                key = stage if kind == "calls" else f"{stage}:reused"
                calls[key] = max(calls[key], base[key] + value)


def line() -> str:
    with _lock:
        parts = []
        for s in STAGES:
            made, reused = calls[s], calls[f"{s}:reused"]
            if made or reused:
                parts.append(f"{s} {made}" + (f" (+{reused} reused)" if reused else ""))
    return "model calls: " + (", ".join(parts) or "starting")


@contextlib.contextmanager
def display(enabled: bool | None = None):
    """A live status line on a terminal while the block runs; nothing when not a terminal."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        yield
        return
    from rich.console import Console

    console, t0 = Console(stderr=True), time.monotonic()
    with console.status(line()) as status:
        stop = threading.Event()

        def refresh() -> None:
            while not stop.wait(0.5):
                status.update(f"{line()}  [{time.monotonic() - t0:.0f}s]")

        thread = threading.Thread(target=refresh, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
