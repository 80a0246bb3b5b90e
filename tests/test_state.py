"""What a job keeps for the next one (k2batch/state.py): fresh entries only, a garbled file as
nothing, and nothing at all for a user with no home."""

import json
import os
import time

from k2batch import state


def test_entries_are_kept_for_a_week_and_a_garbled_file_is_no_error(monkeypatch, tmp_path):
    monkeypatch.setenv("K2BATCH_STATE_DIR", str(tmp_path))
    state.remember("t.json", "a", tail_s=1.5)
    assert state.recall("t.json", "a", "tail_s") == 1.5 and state.recall("t.json", "b", "tail_s") is None
    kept = json.loads((tmp_path / "t.json").read_text())
    kept["a"]["at"] = time.time() - state.TTL_S - 1
    kept["c"] = {"tail_s": 2.0, "at": "yesterday"}
    kept["d"] = {"tail_s": "long", "at": time.time()}
    (tmp_path / "t.json").write_text(json.dumps(kept))
    assert [state.recall("t.json", k, "tail_s") for k in "acd"] == [None, None, None]
    (tmp_path / "t.json").write_text("{not json")
    assert state.recall("t.json", "a", "tail_s") is None
    state.remember("t.json", "e", tail_s=3)  # replaces the garbled file
    assert state.recall("t.json", "e", "tail_s") == 3


def test_a_user_with_no_home_keeps_nothing_and_writes_nothing(monkeypatch, tmp_path):
    for var in ("K2BATCH_STATE_DIR", "XDG_STATE_HOME", "HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda p: p)  # no passwd entry either
    monkeypatch.chdir(tmp_path)
    state.remember("t.json", "a", tail_s=1.0)
    assert state.recall("t.json", "a", "tail_s") is None and not list(tmp_path.iterdir())
