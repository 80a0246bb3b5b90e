"""The result store: every finished model call, keyed by its request's identity, appended under
the job's output URI. A rerun reuses stored calls, so a crash costs only the calls in flight and
a job can finish on another backend. Failed calls are not stored: a rerun retries them."""

from __future__ import annotations

import functools
import json
import logging
import posixpath
import re
import sqlite3
import threading
import time
import uuid
import weakref

import fsspec

from k2batch.backends.base import ChatResult

SUFFIX = ".jsonl"
_STAMP = re.compile(r"^(\d{20})-")  # parts are named <time_ns>-<writer>-<seq>: name order is age
log = logging.getLogger(__name__)


def part_age(path: str) -> tuple[int, str]:
    """Sort key of a part, oldest first: its write time, then its name (parts written before
    names carried a time count as oldest)."""
    name = posixpath.basename(path)
    m = _STAMP.match(name)
    return (int(m.group(1)) if m else 0), name


def _records(fs, part: str):
    """(key, free key or None, line) of each sound line of a part. A damaged line (a part cut
    mid-line by a crash on a filesystem without atomic renames, or a partial copy) is skipped
    with a warning: the call is simply made again."""
    bad = 0
    with fs.open(part, "r", encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                key, free = rec["key"], rec.get("free")
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                bad += 1
                continue
            yield key, free, line if line.endswith("\n") else line + "\n"
    if bad:
        log.warning("result store: skipped %d damaged line(s) in %s", bad, part)


class ResultStore:
    """Append-only JSONL parts under `uri`; each part is written whole (a temporary name, then
    renamed; one PUT on object stores). Where one call was stored more than once (a retried
    bundle, a rerun after --force), the newest result wins, by the time in the part's name."""

    def __init__(self, uri: str, reuse: bool = True, flush_s: float = 0.2, max_buffer: int = 256):
        self.fs, self.path = fsspec.core.url_to_fs(uri)
        self.fs.makedirs(self.path, exist_ok=True)
        self._flush_s, self._max_buffer = flush_s, max_buffer
        self._prefix = uuid.uuid4().hex[:12]
        self._seq = 0
        self._buffer: list[dict] = []
        self._oldest = 0.0  # when the oldest buffered result arrived
        self._lock = threading.Lock()
        # Results of earlier runs (for reuse) sit in a private temporary SQLite file, not in
        # memory; this run's go straight to parts (indexing them too cost ~15 % of the pipeline's
        # own time per call in benchmarks/scale.py, for the rare bundle retried in-process).
        self._index = sqlite3.connect("", check_same_thread=False)  # "": on disk, gone at close
        self._index.execute("CREATE TABLE calls (key TEXT PRIMARY KEY, line TEXT)")  # the part's line
        # replies that stopped on their own, by their key without max_tokens (ChatRequest.free_key)
        self._index.execute("CREATE TABLE stopped (free TEXT PRIMARY KEY, tokens INTEGER, line TEXT)")
        if reuse:
            self._load()
        if flush_s > 0:  # results wait at most flush_s, even when no further result arrives
            threading.Thread(target=_flush_when_due, args=(weakref.ref(self),), daemon=True).start()

    def parts(self) -> list[str]:
        """The store's parts, oldest first."""
        try:  # on object stores an empty prefix does not exist
            names = self.fs.ls(self.path, detail=False, refresh=True)
        except FileNotFoundError:
            return []
        parts = [p for p in names if p.endswith(SUFFIX) and not posixpath.basename(p).startswith(".tmp-")]
        return sorted(parts, key=part_age)

    def _load(self) -> None:
        for part in self.parts():  # oldest first: a newer copy of a key replaces an older one
            records = list(_records(self.fs, part))
            calls = [(k, ln) for k, _, ln in records]
            self._index.executemany("INSERT OR REPLACE INTO calls VALUES (?, ?)", calls)
            stopped = [(f, json.loads(ln)["result"]["completion_tokens"], ln) for _, f, ln in records if f]
            self._index.executemany("INSERT OR REPLACE INTO stopped VALUES (?, ?, ?)", stopped)
        self._index.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._index.execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def get(self, key: str) -> ChatResult | None:
        """The stored result of a call, marked as a cache hit."""
        with self._lock:
            row = self._index.execute("SELECT line FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else ChatResult(**{**json.loads(row[0])["result"], "cache_hit": True})

    def get_stopped(self, free_key: str, max_tokens: int) -> ChatResult | None:
        """A stored reply to the same call under another `max_tokens` that stopped on its own
        within `max_tokens` tokens: the reply this limit gives too (see ChatRequest.free_key)."""
        with self._lock:
            row = self._index.execute("SELECT line FROM stopped WHERE free = ? AND tokens <= ?",
                                      (free_key, max_tokens)).fetchone()  # fmt: skip
        return None if row is None else ChatResult(**{**json.loads(row[0])["result"], "cache_hit": True})

    def add(self, key: str, result: ChatResult, free_key: str | None = None) -> None:
        """Remember a finished call (failed ones are skipped); it is persisted within flush_s.
        `free_key`: the call's key without its token limit, kept for a reply that stopped."""
        if result.error:
            return
        log.debug("call finished %s", key)  # crash benchmarks read this to know what finished
        rec = {"key": key, "result": dict(vars(result))}  # its fields; asdict's deep copy is slow
        if free_key and result.finish_reason == "stop":
            rec["free"] = free_key
        with self._lock:
            if not self._buffer:
                self._oldest = time.monotonic()
            self._buffer.append(rec)
            if self._flush_s <= 0 or len(self._buffer) >= self._max_buffer:
                self._flush_locked()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_if_due(self) -> None:
        with self._lock:
            if self._buffer and time.monotonic() - self._oldest >= self._flush_s:
                self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._buffer:
            return
        self._seq += 1
        name = f"{time.time_ns():020d}-{self._prefix}-{self._seq:06d}{SUFFIX}"
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self._buffer)
        tmp = posixpath.join(self.path, f".tmp-{name}")
        with self.fs.open(tmp, "w") as f:
            f.write(body)
        self.fs.mv(tmp, posixpath.join(self.path, name))
        self._buffer = []

    def compact(self) -> None:
        """Merge all parts into one (after a successful run), so reruns read one file. Keeps the
        newest copy of each key; the merged part is named for the newest part it replaces, so
        anything stored later still counts as newer. Streams: memory holds keys, not results."""
        with self._lock:
            self._flush_locked()
            parts = self.parts()
            if len(parts) <= 1:
                return
            name = f"{part_age(parts[-1])[0]:020d}-compacted-{uuid.uuid4().hex[:12]}{SUFFIX}"
            tmp = posixpath.join(self.path, f".tmp-{name}")
            seen: set[str] = set()
            with self.fs.open(tmp, "w") as out:
                for part in reversed(parts):  # newest first: the first copy of a key is kept
                    for key, _, line in _records(self.fs, part):
                        if key not in seen:
                            seen.add(key)
                            out.write(line)
            self.fs.mv(tmp, posixpath.join(self.path, name))
            for p in parts:
                self.fs.rm(p)


def _flush_when_due(ref: weakref.ref) -> None:
    """The store's flush timer; ends with the store."""
    while (store := ref()) is not None:
        period = store._flush_s / 2
        store._flush_if_due()
        del store  # hold no reference while asleep, so the store can be collected
        time.sleep(period)


@functools.lru_cache(maxsize=4)
def open_store(uri: str, reuse: bool = True, flush_s: float = 0.2, run: str = "") -> ResultStore:
    """One store per process and run of a job (every stage's handler shares it); a new run
    opens it afresh, so it sees what earlier runs stored."""
    return ResultStore(uri, reuse=reuse, flush_s=flush_s)
