"""The sandbox generated code runs in: what it allows, what it refuses, and that nothing outlives a
check. The hostile suite (tests/test_hostile.py) throws the tricks at it."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from k2batch.verify import sandbox
from k2batch.verify.code import verify_code
from k2batch.verify.sandbox import SandboxUnavailable, run_python

CHECK = {"type": "script", "code": "pass"}


def test_a_program_runs_as_an_unprivileged_uid_in_a_bare_root():
    r = run_python("import os\nprint(os.getuid(), sorted(os.listdir('/')))\nprint(open('/proc/self/status').read())")
    uid, _, listing = r.stdout.partition(" ")
    assert r.ok and uid == str(sandbox.UID)
    for hidden in ("home", "root", "work", "sys", "run"):
        assert f"'{hidden}'" not in listing.splitlines()[0], hidden
    assert "CapEff:\t0000000000000000" in r.stdout  # no capabilities at all


def test_its_working_directory_and_tmp_are_writable_and_nothing_else():
    code = "open('scratch.txt', 'w').write('ok')\nopen('/tmp/t', 'w').write('ok')\nopen('/usr/x', 'w')"
    r = run_python(code)
    assert r.returncode == 1 and "Read-only file system" in r.stderr and "/usr/x" in r.stderr


def test_judge_packages_are_importable():
    if not sandbox.mechanisms().packages:
        pytest.skip("sortedcontainers is not readable by the sandbox's uid here")
    assert run_python("from sortedcontainers import SortedList\nprint(SortedList([3, 1])[0])").stdout == "1\n"


def test_limits_hold(monkeypatch):
    assert run_python("while True:\n    pass", timeout_s=1).timed_out
    bomb = run_python("x = bytearray(8 * 1024**3)")
    assert bomb.returncode == 1 and "MemoryError" in bomb.stderr
    fork = run_python("import os\nwhile True:\n    os.fork()", timeout_s=5)
    assert "BlockingIOError" in fork.stderr or fork.timed_out
    out = run_python("import sys\nfor _ in range(10**6): sys.stdout.write('y' * 100)", timeout_s=10)
    assert len(out.stdout) <= sandbox.OUTPUT_CAP + 100


def test_the_environment_is_scrubbed(monkeypatch):
    monkeypatch.setenv("CEREBRAS_API_KEY", "csk-planted-secret")
    r = run_python("import os, glob\nprint(sorted(os.environ))\nprint([open(p).read() for p in glob.glob('/proc/*/environ')])")
    assert r.ok and "csk-planted-secret" not in r.stdout and "CEREBRAS" not in r.stdout


def test_killing_the_verifier_kills_the_sandboxed_program():
    tag = uuid.uuid4().hex
    verifier = subprocess.Popen([sys.executable, "-c", (
        "from k2batch.verify.sandbox import run_python\n"
        f"run_python('# {tag}\\nimport os, time\\nos.fork()\\ntime.sleep(120)', timeout_s=120)\n")])  # fmt: skip

    def running() -> list[str]:
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if tag.encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                    pids.append(pid)
            except OSError:
                pass
        return pids

    try:
        deadline = time.time() + 20
        while not running() and time.time() < deadline:
            time.sleep(0.1)
        assert running(), "the sandboxed program never started"
    finally:
        verifier.send_signal(signal.SIGKILL)
        verifier.wait()
    deadline = time.time() + 5
    while running() and time.time() < deadline:
        time.sleep(0.1)
    assert not running(), "the sandboxed program outlived its verifier"


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are the root job's mechanism")
def test_stale_cgroups_of_dead_verifiers_are_swept():
    roots = sandbox.mechanisms().cgroups
    if not roots:
        pytest.skip("no writable cgroup here")
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = os.path.join(roots[1], f"{sandbox.PREFIX}{dead.pid}-deadbeef")
    os.mkdir(stale)
    sandbox.mechanisms.cache_clear()
    try:
        assert sandbox.mechanisms().problem is None and not os.path.exists(stale)
    finally:
        if os.path.exists(stale):
            os.rmdir(stale)


def test_no_sandbox_means_no_run_unless_the_job_allows_a_weaker_one(monkeypatch, caplog):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.mechanisms.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="apt install bubblewrap"):
            run_python("print(1)")
        status, reason = verify_code("print(1)", CHECK)
        assert status == "error" and "no sandbox" in reason and "verify.sandbox = 'weak'" in reason
        assert verify_code("x = 1", CHECK, strict=False) == ("correct", "all tests passed")
        assert "WITHOUT namespaces" in caplog.text
    finally:
        sandbox.mechanisms.cache_clear()
