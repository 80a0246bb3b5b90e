"""Hostile generated code: each case is contained and reported, and the machine is unharmed."""

import os
import socket
import threading

import pytest

from k2batch.verify.code import verify_code
from k2batch.verify.sandbox import namespace_prefix, run_python

CHECK = {"type": "script", "code": "pass"}


def run_hostile(code: str, timeout_s: float = 5) -> tuple[str, str]:
    return verify_code(code, CHECK, timeout_s=timeout_s)


def test_infinite_loop_times_out():
    assert run_hostile("while True:\n    pass", 1) == ("incorrect", "timeout")


def test_fork_bomb_is_bounded_and_cleaned_up():
    before = len(os.listdir("/proc"))
    status, reason = run_hostile("import os\nwhile True:\n    os.fork()", 3)
    assert status == "incorrect"
    assert "BlockingIOError" in reason or reason == "timeout"
    assert len(os.listdir("/proc")) < before + 20  # no stray processes survive


def test_memory_bomb_hits_the_limit():
    status, reason = run_hostile("x = bytearray(8 * 1024**3)")
    assert status == "incorrect" and "MemoryError" in reason


@pytest.mark.skipif(not namespace_prefix(), reason="no namespaces on this machine")
def test_writing_outside_its_directory_fails(tmp_path):
    target = tmp_path / "escaped"
    status, reason = run_hostile(f"open({str(target)!r}, 'w').write('x')")
    assert status == "incorrect" and "Read-only file system" in reason
    assert not target.exists()
    # its own directory stays writable
    assert run_hostile("open('scratch.txt', 'w').write('ok')")[0] == "correct"


def test_environment_secrets_are_not_visible(monkeypatch):
    monkeypatch.setenv("CEREBRAS_API_KEY", "csk-planted-secret")
    code = (
        "import os, glob\n"
        "assert 'CEREBRAS_API_KEY' not in os.environ\n"
        "for p in glob.glob('/proc/[0-9]*/environ'):\n"
        "    try:\n"
        "        assert b'csk-planted-secret' not in open(p, 'rb').read(), p\n"
        "    except PermissionError:\n"
        "        pass\n"
    )
    assert run_hostile(code) == ("correct", "all tests passed")


@pytest.mark.skipif(not namespace_prefix(), reason="no namespaces on this machine")
def test_network_is_unreachable():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    t = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    t.start()
    try:
        status, reason = run_hostile(
            f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)"
        )
        assert status == "incorrect" and ("unreachable" in reason or "refused" in reason)
        assert not accepted
    finally:
        server.close()


def test_huge_output_is_capped():
    r = run_python("import sys\nfor _ in range(10**6): sys.stdout.write('y' * 100)", timeout_s=10)
    assert len(r.stdout) <= 64 * 1024 + 100


def test_killing_its_parent_harms_only_itself():
    code = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.killpg(0, signal.SIGKILL)"
    status, _ = run_hostile(code)
    assert status == "incorrect"
    assert os.getpid() > 0 and run_hostile("print('still here')")[0] == "correct"
