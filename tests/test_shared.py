"""A worker killed while it holds budget reservations and the primary's problems (its bundle is
retried on another worker): a real process, killed with SIGKILL, sharing the run's folder."""

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from k2batch import budget, shared
from k2batch.config import load_config
from k2batch.router import ROUTE_HOLDS
from k2batch.shared import Shared

LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
SETS = ["budget.tokens=1000", "budget.tokens_per_problem=400", f"budget.deadline={LATER}"]
WORKER = """
import sys, time
from k2batch import budget, shared
from k2batch.config import load_config
from k2batch.router import ROUTE_HOLDS, Router
shared.BEAT_S = 0.2
cfg = load_config(sets=sys.argv[2:])
ledger = budget.Ledger(cfg, shared.Shared(sys.argv[1] + "/_budget", budget.KEYS, budget.HOLDS))
router = Router(cfg, total=8, shared=shared.Shared(sys.argv[1] + "/_routes", (), holds=ROUTE_HOLDS))
for pid in ("a1", "a2"):  # 800 of the 1,000 tokens reserved; no pace yet: a1 primary, a2 spilled
    assert ledger.allow({"id": pid, "problem": "Give the answer 1."}) is None
    router.route(pid)
print("holding", flush=True)
time.sleep(600)
"""


def _problem(pid: str) -> dict:
    return {"id": pid, "problem": "Give the answer 2."}


def test_a_killed_workers_reservations_and_problems_stop_counting_but_not_while_it_lives(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "SHARED_S", 0.0)
    monkeypatch.setattr(shared, "STALE_S", 1.5)  # the worker beats every 0.2 s
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), *SETS], stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    try:
        assert worker.stdout.readline().strip() == "holding"
        ledger = budget.Ledger(load_config(sets=SETS), Shared(str(tmp_path / "_budget"), budget.KEYS, budget.HOLDS))
        routes = Shared(str(tmp_path / "_routes"), (), holds=ROUTE_HOLDS)
        assert "not admitted" in ledger.allow(_problem("b1"))  # 800 held + 400 > 1,000
        time.sleep(3.0)  # twice STALE_S: alive, its beats keep what it holds counted
        assert "not admitted" in ledger.allow(_problem("b2"))
        (row,) = routes.rows(now=True)
        assert (row["open"], row["unfinished"], row["done"], row.get("dead")) == (1, 2, 0, None)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        ledger.allow(_problem("b3"))  # seen once more as it was at the kill
        time.sleep(2.0)
        assert ledger.allow(_problem("b4")) is None  # its reservations are free: the retry may go
        (row,) = routes.rows(now=True)
        assert (row["open"], row["unfinished"], row["done"], row["dead"]) == (0, 0, 0, True)
        assert ledger.spent_tokens == 0 and ledger._others()["tokens"] == 0  # spend would still count
    finally:
        worker.kill()


def test_beats_end_with_the_runs_folder(tmp_path, monkeypatch):
    # a run that failed in a long-lived process (a notebook) holds its reservations for good; a
    # later run clears the staging area, and the beats must not write it back
    monkeypatch.setattr(shared, "BEAT_S", 0.1)
    folder = tmp_path / "_staging" / "run" / "_budget"
    mine = Shared(str(folder), budget.KEYS, budget.HOLDS)
    mine.publish({"tokens": 0, "usd": 0.0, "reserved": 400, "admitted": 1}, now=True)
    (path,) = folder.iterdir()
    time.sleep(1.0)
    assert json.loads(path.read_text())["beat"] >= 3  # beating while it holds
    shutil.rmtree(tmp_path / "_staging")
    time.sleep(1.0)
    assert not (tmp_path / "_staging").exists()


def test_a_state_held_back_by_the_write_interval_is_written_soon_after(tmp_path, monkeypatch):
    # spend is published at most every SHARED_S; the last figures of a burst must not wait for
    # this process's next call (minutes, for a long reasoning call) to reach the others
    monkeypatch.setattr(shared, "SHARED_S", 0.3)
    folder = tmp_path / "_budget"
    mine, other = Shared(str(folder), budget.KEYS, budget.HOLDS), Shared(str(folder), budget.KEYS)
    mine.publish({"tokens": 100, "usd": 0.0, "reserved": 0, "admitted": 0}, now=True)
    mine.publish({"tokens": 250, "usd": 0.0, "reserved": 0, "admitted": 0})  # within SHARED_S: held back
    assert other.others(now=True)["tokens"] == 100
    time.sleep(1.5)  # the beat thread wakes every half second
    assert other.others(now=True)["tokens"] == 250
