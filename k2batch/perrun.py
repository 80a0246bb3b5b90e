"""Objects that live once per run of a job in each process (a budget ledger, a router): engines
and stages of one process share them; Beam steps after a finished row find them by the run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerRun(Generic[T]):
    def __init__(self, make: Callable[..., T]):
        self._make, self._items, self._lock = make, {}, threading.Lock()

    def get(self, run_key: str, *args) -> T:
        """This process's object for the run, made from `args` on first use."""
        with self._lock:
            if run_key not in self._items:
                self._items[run_key] = self._make(*args)
            return self._items[run_key]

    def on_row(self, row: dict, run_key: str, method: str) -> dict:
        """For a Beam step after a finished row: `method(row["id"])` on the run's object, if this
        process has one. (Steps must be module-level functions that call this: Beam pickles a
        closure by value, and the copy would not see this process's objects.)"""
        found = self._items.get(run_key)
        if found is not None:
            getattr(found, method)(row["id"])
        return row
