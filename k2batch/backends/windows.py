"""What an adaptive window learned about a server, kept for the next job against it.

A cold window starts at 16 (the most a server of 4 with a queue of 16 takes without a 429) and
needs a few round trips to reach a large server's 2 x capacity; a short job spends much of
itself there (benchmarks/saturation.py). Nightly and scheduled jobs meet the same server again,
so, as TCP caches a path's slow-start threshold (RFC 2140, Linux's tcp_metrics), each worker
process writes its window to a small file when it changes (at most every `EVERY_S`), and the next
job against the same server (kind, URL, model) within `TTL_S` starts at half of it, slow start
doubling it from there once a round trip shows no queue. A server that has shrunk since answers
the first burst's excess with 429s (retried) and the window halves from there.

The file is `$K2BATCH_STATE_DIR/windows.json` (else `$XDG_STATE_HOME/k2batch/`, else
`~/.local/state/k2batch/`), per user and host; where it cannot be read or written every job
starts cold. `backend.remember_window = false` turns it off."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path

from k2batch.config import BackendConfig
from k2batch.io import read_json

log = logging.getLogger(__name__)
TTL_S = 7 * 86400  # a week: a nightly job sees its own figure, a server rebuilt since does not
EVERY_S = 1.0  # the window is written when it changed, at most this often


def _path() -> Path:
    base = os.environ.get("K2BATCH_STATE_DIR")
    if not base:
        xdg = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
        base = os.path.join(xdg, "k2batch")
    return Path(base) / "windows.json"


def server(cfg: BackendConfig) -> str:
    return f"{cfg.kind} {cfg.base_url or '(default)'} {cfg.model}"


def _read() -> dict:
    """What is kept, the entries that are still fresh (a file that is missing or garbled: none)."""
    kept = read_json(str(_path())) or {}
    return {k: v for k, v in kept.items() if isinstance(v, dict) and time.time() - v.get("at", 0) <= TTL_S}


def recall(cfg: BackendConfig) -> int | None:
    """The window last learned from this server, if within TTL_S."""
    window = _read().get(server(cfg), {}).get("window")
    return int(window) if isinstance(window, int | float) and window >= 1 else None


def remember(cfg: BackendConfig, window: int) -> None:
    """Write it (atomically: other processes read the file whole); a read-only home is no error."""
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        known = _read()
        known[server(cfg)] = {"window": int(window), "at": time.time()}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".windows-")
        with os.fdopen(fd, "w") as f:
            json.dump(known, f)
        os.replace(tmp, path)
    except OSError as e:
        log.debug("cannot keep the learned window in %s: %s", path, e)


def initial(cfg: BackendConfig, cold: int) -> int:
    """The window a job starts at: half of what it learned from this server, or `cold`."""
    learned = recall(cfg) if cfg.remember_window else None
    start = max(cold, learned // 2) if learned else cold
    if start != cold:
        log.info("%s: starting with %d requests in flight (half the window it showed)", server(cfg), start)
    return min(start, cfg.max_concurrency)
