"""What a job learns for the next one like it, kept per user and host: small JSON files of
entries by key, each stamped with when it was written and forgotten after `TTL_S`.

The folder is `$K2BATCH_STATE_DIR` (else `$XDG_STATE_HOME/k2batch/`, else
`~/.local/state/k2batch/`). Where it cannot be read or written nothing is kept and every job
starts as the first did: a read-only home is no error."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path

from k2batch.io import read_json

log = logging.getLogger(__name__)
TTL_S = 7 * 86400  # a week: a nightly job sees its own figure, a server or cluster rebuilt since does not


def path(name: str) -> Path | None:
    """The file, or None for a user with no home to keep it in (no $HOME and no passwd entry:
    `~` would be a folder of that name in the working directory)."""
    base = os.environ.get("K2BATCH_STATE_DIR")
    if not base:
        home = os.path.expanduser("~")
        if not os.environ.get("XDG_STATE_HOME") and home == "~":
            return None
        xdg = os.environ.get("XDG_STATE_HOME") or os.path.join(home, ".local", "state")
        base = os.path.join(xdg, "k2batch")
    return Path(base) / name


def _fresh(name: str) -> dict:
    """The file's entries still within TTL_S (a file that is missing or garbled: none)."""
    p = path(name)
    kept = (read_json(str(p)) if p else None) or {}
    return {k: v for k, v in kept.items()
            if isinstance(v, dict) and _number(v.get("at")) and time.time() - v["at"] <= TTL_S}  # fmt: skip


def _number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def recall(name: str, key: str, field: str) -> float | None:
    """A number kept under `key` within TTL_S, if any."""
    v = _fresh(name).get(key, {}).get(field)
    return v if _number(v) else None


def remember(name: str, key: str, **fields) -> None:
    """Keep `fields` under `key` (written atomically: other processes read the file whole)."""
    p = path(name)
    if p is None:
        return
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        known = _fresh(name)
        known[key] = {**fields, "at": time.time()}
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.stem}-")
        with os.fdopen(fd, "w") as f:
            json.dump(known, f)
        os.replace(tmp, p)
    except OSError as e:
        log.debug("cannot keep %s in %s: %s", key, p, e)
