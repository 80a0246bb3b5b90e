"""The hostile suite (benchmarks/hostile.py): wrong programs that try to forge their verdict or get
out of the sandbox, in every test format. None may be verified correct, and the host must show no
trace of any trick — as this user (root in CI), as an unprivileged user, with many threads alive."""

import json
import os
import shutil
import subprocess
import threading

import pytest

from benchmarks.hostile import CASES, run_suite
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def check(rows: list[dict]) -> None:
    assert len({r["case"] for r in rows}) == len(CASES) >= 30
    forged = [r for r in rows if r["status"] == "correct"]
    escaped = [r for r in rows if not r["contained"]]
    assert not forged, forged
    assert not escaped, escaped


def test_as_this_user_with_many_threads_alive():
    stop = threading.Event()
    threads = [threading.Thread(target=stop.wait, daemon=True) for _ in range(40)]
    for t in threads:
        t.start()
    try:
        check(run_suite())
    finally:
        stop.set()


def test_as_an_unprivileged_user():
    runuser, python = shutil.which("runuser"), shutil.which("python3", path="/usr/bin")
    if os.geteuid() != 0 or not runuser or not python:
        pytest.skip("needs root (to become another user) and the system's python3")
    r = subprocess.run([runuser, "-u", "nobody", "--", "env", "-i", "PATH=/usr/bin:/bin", "HOME=/tmp",
                        f"PYTHONPATH={ROOT}", python, "-m", "benchmarks.hostile", "--threads", "40", "--json"],
                       capture_output=True, text=True, timeout=600, cwd="/tmp")  # fmt: skip
    if r.returncode and "Permission denied" in r.stderr:
        pytest.skip(f"the checkout at {ROOT} is not readable by nobody")
    assert r.returncode == 0, r.stderr[-2000:]
    check(json.loads(r.stdout))
