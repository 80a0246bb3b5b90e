"""What an adaptive window learned about a server, kept for the next job against it.

A cold window starts at 16 (the most a server of 4 with a queue of 16 takes without a 429) and,
where neither the server's counts nor its streams show what it runs, needs a few round trips to
reach a large server's 2 x capacity; a short job spends much of itself there
(benchmarks/saturation.py). Nightly and scheduled jobs meet the same server again,
so, as TCP caches a path's slow-start threshold (RFC 2140, Linux's tcp_metrics), each worker
process writes its window to a small file when it changes (at most every `EVERY_S`), and the
next job against the same server (kind, URL, model) within a week (`state.TTL_S`) starts at half
of it, slow start doubling it from there once a round trip shows no queue. A server that has
shrunk since answers the first burst's excess with 429s (retried) and the window halves from there.

The file is `windows.json` in the state folder (k2batch/state.py: `$K2BATCH_STATE_DIR`, else
`~/.local/state/k2batch/`), per user and host; where it cannot be read or written every job
starts cold. `backend.remember_window = false` turns it off."""

from __future__ import annotations

import logging

from k2batch import state
from k2batch.config import BackendConfig

log = logging.getLogger(__name__)
FILE = "windows.json"  # under the state folder (k2batch/state.py)
EVERY_S = 1.0  # the window is written when it changed, at most this often


def server(cfg: BackendConfig) -> str:
    return f"{cfg.kind} {cfg.base_url or '(default)'} {cfg.model}"


def recall(cfg: BackendConfig) -> int | None:
    """The window last learned from this server, if within state.TTL_S."""
    window = state.recall(FILE, server(cfg), "window")
    return int(window) if window is not None and window >= 1 else None


def remember(cfg: BackendConfig, window: int) -> None:
    state.remember(FILE, server(cfg), window=int(window))


def initial(cfg: BackendConfig, cold: int) -> int:
    """The window a job starts at: half of what it learned from this server, or `cold`."""
    learned = recall(cfg) if cfg.remember_window else None
    start = max(cold, learned // 2) if learned else cold
    if start != cold:
        log.info("%s: starting with %d requests in flight (half the window it showed)", server(cfg), start)
    return min(start, cfg.max_concurrency)


def streams_ok(cfg: BackendConfig) -> bool:
    """Whether to stream to this server while the window grows (k2batch/backends/http.py): yes
    until a stream came back without its token counts or was refused (then for state.TTL_S)."""
    return state.recall(FILE, f"{server(cfg)} streams", "ok") != 0


def no_streams(cfg: BackendConfig) -> None:
    state.remember(FILE, f"{server(cfg)} streams", ok=0)
