"""What the processes of one run tell each other (budget spend, the router's pace): one small
JSON file per process under a folder of the run's staging area (the local disk or the bucket
every worker reaches). Each process rewrites its own file and reads the others' at most every
`SHARED_S`, or now where a decision needs it; files of processes that ended stay, so a later
wave (new processes on the local runner) sees what the earlier ones did."""

from __future__ import annotations

import json
import os
import time
import uuid

from k2batch.io import _fs

SHARED_S = 0.5  # how stale another process's state may be when this one decides


class Shared:
    """This process's file under `folder` (its state, by `publish`) and the others' (`rows`)."""

    def __init__(self, folder: str, keys: tuple[str, ...]):
        self._fs, self._dir = _fs(folder)
        self.keys = keys
        self._local = type(self._fs).__name__ == "LocalFileSystem"
        self._mine = f"{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
        self._seen: dict[str, dict] = {}  # another process's file -> what it last said
        self._read_at, self._wrote_at = float("-inf"), float("-inf")

    def rows(self, now: bool = False) -> list[dict]:
        """What each other process of the run said last."""
        if now or time.monotonic() - self._read_at >= SHARED_S:
            try:  # refresh: object stores cache listings
                listed = self._fs.ls(self._dir, detail=False, refresh=True)
                names = [n for n in listed if not n.rsplit("/", 1)[-1].startswith(".")
                         and not n.endswith("/" + self._mine)]  # fmt: skip
            except FileNotFoundError:
                names = []
            for name in names:
                try:
                    self._seen[name] = json.loads(self._fs.cat_file(name))
                except (OSError, ValueError):  # being replaced: what it said last stands
                    continue
            self._read_at = time.monotonic()
        return list(self._seen.values())

    def others(self, now: bool = False) -> dict[str, float]:
        """The other processes' figures, summed."""
        rows = self.rows(now)
        return {k: sum(row.get(k, 0) for row in rows) for k in self.keys}

    def publish(self, state: dict, now: bool = False) -> None:
        """This process's state, at most every SHARED_S unless `now`."""
        if not now and time.monotonic() - self._wrote_at < SHARED_S:
            return
        data, path = json.dumps(state).encode(), f"{self._dir}/{self._mine}"
        if self._local:  # readers see the old file or the new one
            self._fs.makedirs(self._dir, exist_ok=True)
            self._fs.pipe_file(tmp := f"{self._dir}/.{self._mine}.tmp", data)
            self._fs.mv(tmp, path)
        else:
            self._fs.pipe_file(path, data)  # an object store replaces an object whole
        self._wrote_at = time.monotonic()
