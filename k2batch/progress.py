"""Live counts of model calls in this process, for the terminal progress display (`rich`).
With the in-memory runner (the default) every call is counted; other runners count nothing
here and the display shows elapsed time only."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import Counter

calls: Counter = Counter()  # "<stage>" and "<stage>:reused"
_lock = threading.Lock()


def count(stage: str, made: int, reused: int) -> None:
    with _lock:
        calls[stage] += made
        calls[f"{stage}:reused"] += reused


def line() -> str:
    with _lock:
        parts = []
        for s in ("triage", "plan", "generate", "judge"):
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
