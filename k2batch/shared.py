"""What the processes of one run tell each other (budget spend, the router's pace): one small
JSON file per process under a folder of the run's staging area (the local disk or the bucket
every worker reaches). Each process rewrites its own file and reads the others' at most every
`SHARED_S`, or now where a decision needs it; files of processes that ended stay, so a later
wave (new processes on the local runner) sees what the earlier ones did.

A process can die holding things only its own work would let go of (a budget reservation, a
problem the router counts as the primary's): a killed worker, whose bundle the runner retries on
another. So while a process holds any of `holds`, a thread of its own rewrites its file every
`BEAT_S`, however long its calls; a file a reader has seen unchanged for `STALE_S` is a dead
process's, and what it held counts as nothing (what it spent or finished still counts). Staleness
is judged on the reader's own clock, not the writer's timestamps: hosts' clocks differ."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
import weakref

from k2batch.io import _fs

log = logging.getLogger(__name__)
SHARED_S = 0.5  # how stale another process's state may be when this one decides
BEAT_S = 5.0  # a process holding something rewrites its file at least this often
STALE_S = 30.0  # a file unchanged this long (seen by a reader) is a dead process's
_BEATING: weakref.WeakSet[Shared] = weakref.WeakSet()
_BEAT_LOCK = threading.Lock()
_beat_thread: threading.Thread | None = None


class Shared:
    """This process's file under `folder` (its state, by `publish`) and the others' (`rows`)."""

    def __init__(self, folder: str, keys: tuple[str, ...], holds: tuple[str, ...] = ()):
        self._fs, self._dir = _fs(folder)
        self.keys, self.holds = keys, holds
        self._local = type(self._fs).__name__ == "LocalFileSystem"
        self._mine = f"{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
        self._seen: dict[str, dict] = {}  # another process's file -> what it last said
        self._changed: dict[str, float] = {}  # another process's file -> when it last changed
        self._read_at, self._wrote_at = float("-inf"), float("-inf")
        self._state: dict | None = None  # what this process last wrote
        self._pending: dict | None = None  # a newer state held back by SHARED_S: the beat writes it
        self._writes = 0
        self._write_lock = threading.Lock()  # the beat and the owner's threads share one file
        self._read_lock = threading.Lock()

    def rows(self, now: bool = False) -> list[dict]:
        """What each other process of the run said last; a dead one's holdings as nothing."""
        with self._read_lock:  # a router's bundle threads read outside its lock
            return self._rows(now)

    def _rows(self, now: bool) -> list[dict]:
        if now or time.monotonic() - self._read_at >= SHARED_S:
            try:  # refresh: object stores cache listings
                listed = self._fs.ls(self._dir, detail=False, refresh=True)
                names = [n for n in listed if not n.rsplit("/", 1)[-1].startswith(".")
                         and not n.endswith("/" + self._mine)]  # fmt: skip
            except FileNotFoundError:
                names = []
            for name in names:
                try:
                    row = json.loads(self._fs.cat_file(name))
                except (OSError, ValueError):  # being replaced: what it said last stands
                    continue
                if row != self._seen.get(name):
                    self._seen[name], self._changed[name] = row, time.monotonic()
            self._read_at = time.monotonic()
        return [self._alive_or_freed(name, row) for name, row in self._seen.items()]

    def _alive_or_freed(self, name: str, row: dict) -> dict:
        quiet = time.monotonic() - self._changed[name]
        if quiet > STALE_S and any(row.get(k) for k in self.holds):
            return {**row, **dict.fromkeys(self.holds, 0), "dead": True}
        return row

    def others(self, now: bool = False) -> dict[str, float]:
        """The other processes' figures, summed."""
        rows = self.rows(now)
        return {k: sum(row.get(k, 0) for row in rows) for k in self.keys}

    def publish(self, state: dict, now: bool = False) -> None:
        """This process's state, at most every SHARED_S unless `now` (a state held back is
        written by the beat thread once SHARED_S has passed: the others never see an old one
        for long, however long this process's next call takes)."""
        if not now and time.monotonic() - self._wrote_at < SHARED_S:
            with self._write_lock:
                self._pending = state
            _keep_beating(self)
            return
        with self._write_lock:
            self._write(state)
        if self.holds and any(state.get(k) for k in self.holds):
            _keep_beating(self)

    def _write(self, state: dict) -> None:
        self._writes += 1  # every write is news to a reader, even of the same figures
        state = {**state, "beat": self._writes}
        data, path = json.dumps(state).encode(), f"{self._dir}/{self._mine}"
        if self._local:  # readers see the old file or the new one
            self._fs.makedirs(self._dir, exist_ok=True)
            self._fs.pipe_file(tmp := f"{self._dir}/.{self._mine}.tmp", data)
            self._fs.mv(tmp, path)
        else:
            self._fs.pipe_file(path, data)  # an object store replaces an object whole
        self._state, self._wrote_at, self._pending = state, time.monotonic(), None

    def beat(self) -> bool:
        """Write a state held back by SHARED_S; rewrite the last state (its write count is news)
        if it holds something and was not written for BEAT_S: readers see the process alive.
        False once the run's folder is gone (its job ended or failed and a later run cleared its
        staging): nothing to beat for."""
        with self._write_lock:
            quiet = time.monotonic() - self._wrote_at
            if (self._pending is not None and quiet >= SHARED_S) or (self._holding() and quiet >= BEAT_S):
                if not self._fs.exists(self._dir):
                    return False
                self._write(self._pending if self._pending is not None else self._state)
        return True

    def _holding(self) -> bool:
        return bool(self._state and any(self._state.get(k) for k in self.holds))


def _keep_beating(shared: Shared) -> None:
    """One daemon thread per process beats for every Shared that holds something."""
    global _beat_thread
    with _BEAT_LOCK:
        _BEATING.add(shared)
        if _beat_thread is None or not _beat_thread.is_alive():
            _beat_thread = threading.Thread(target=_beat_forever, name="k2batch-shared-beat", daemon=True)
            _beat_thread.start()


def _beat_forever() -> None:
    while True:
        time.sleep(min(BEAT_S, 1.0) / 2)  # often enough for any BEAT_S; a beat writes only when due
        with _BEAT_LOCK:
            beating = list(_BEATING)
        for s in beating:
            try:
                if not s.beat():
                    with _BEAT_LOCK:
                        _BEATING.discard(s)
            except Exception:  # noqa: BLE001 - a missed beat (a bucket's hiccup) must not end the beats
                log.debug("shared: a beat failed", exc_info=True)
