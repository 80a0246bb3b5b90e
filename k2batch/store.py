"""The result store: every finished model call, keyed by its request's identity, appended under
the job's output URI. A rerun reuses stored calls, so a crash costs only the calls in flight and
a job can finish on another backend. Failed calls are not stored: a rerun retries them."""

from __future__ import annotations

import functools
import json
import logging
import posixpath
import sqlite3
import threading
import time
import uuid

import fsspec

from k2batch.backends.base import ChatResult

SUFFIX = ".jsonl"
log = logging.getLogger(__name__)


class ResultStore:
    """Append-only JSONL parts under `uri`; each part is written whole (a temporary name, then
    renamed; one PUT on object stores), so a crash never leaves a half-read part behind."""

    def __init__(self, uri: str, reuse: bool = True, flush_s: float = 0.2, max_buffer: int = 256):
        self.fs, self.path = fsspec.core.url_to_fs(uri)
        self.fs.makedirs(self.path, exist_ok=True)
        self._flush_s, self._max_buffer = flush_s, max_buffer
        self._prefix = uuid.uuid4().hex[:12]
        self._seq = 0
        self._buffer: list[dict] = []
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()
        # Results of earlier runs (for reuse) sit in a private temporary SQLite file, not in
        # memory; this run's go straight to parts. Memory stays flat however big the store.
        self._index = sqlite3.connect("", check_same_thread=False)  # "": on disk, gone at close
        self._index.execute("CREATE TABLE calls (key TEXT PRIMARY KEY, line TEXT)")  # the part's line
        if reuse:
            self._load()

    def parts(self) -> list[str]:
        try:  # on object stores an empty prefix does not exist
            names = self.fs.ls(self.path, detail=False, refresh=True)
        except FileNotFoundError:
            return []
        return sorted(
            p for p in names if p.endswith(SUFFIX) and not posixpath.basename(p).startswith(".tmp-")
        )

    def _load(self) -> None:
        for part in self.parts():
            with self.fs.open(part, "r") as f:
                lines = ((json.loads(line)["key"], line) for line in f if line.strip())
                self._index.executemany("INSERT OR REPLACE INTO calls VALUES (?, ?)", lines)
        self._index.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._index.execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def get(self, key: str) -> ChatResult | None:
        """The stored result of a call, marked as a cache hit."""
        with self._lock:
            row = self._index.execute("SELECT line FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else ChatResult(**{**json.loads(row[0])["result"], "cache_hit": True})

    def add(self, key: str, result: ChatResult) -> None:
        """Remember a finished call (failed ones are skipped); flushes at least every flush_s."""
        if result.error:
            return
        log.debug("call finished %s", key)  # crash benchmarks read this to know what finished
        rec = {"key": key, "result": dict(vars(result))}  # its fields; asdict's deep copy is slow
        with self._lock:
            self._buffer.append(rec)
            due = time.monotonic() - self._last_flush >= self._flush_s
            if due or len(self._buffer) >= self._max_buffer:
                self._flush_locked()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        self._seq += 1
        name = f"{self._prefix}-{self._seq:06d}{SUFFIX}"
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self._buffer)
        tmp = posixpath.join(self.path, f".tmp-{name}")
        with self.fs.open(tmp, "w") as f:
            f.write(body)
        self.fs.mv(tmp, posixpath.join(self.path, name))
        self._buffer = []

    def compact(self) -> None:
        """Merge all parts into one (after a successful run), so reruns read one file. Streams
        part by part: memory holds the keys, not the results."""
        with self._lock:
            self._flush_locked()
            parts = self.parts()
            if len(parts) <= 1:
                return
            name = f"compacted-{uuid.uuid4().hex[:12]}-000001{SUFFIX}"
            tmp = posixpath.join(self.path, f".tmp-{name}")
            seen: set[str] = set()
            with self.fs.open(tmp, "w") as out:
                for part in parts:
                    with self.fs.open(part, "r") as f:
                        for line in f:
                            if line.strip() and (key := json.loads(line)["key"]) not in seen:
                                seen.add(key)
                                out.write(line if line.endswith("\n") else line + "\n")
            self.fs.mv(tmp, posixpath.join(self.path, name))
            for p in parts:
                self.fs.rm(p)


@functools.lru_cache(maxsize=4)
def open_store(uri: str, reuse: bool = True, flush_s: float = 0.2, run: str = "") -> ResultStore:
    """One store per process and run of a job (every stage's handler shares it); a new run
    opens it afresh, so it sees what earlier runs stored."""
    return ResultStore(uri, reuse=reuse, flush_s=flush_s)
