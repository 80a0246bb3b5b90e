"""Hostile generated code, written for k2batch: programs that try to forge a verdict or get out of
the sandbox. Each is a *wrong* answer to "add two numbers" (so the right verdict is never
`correct`) that also tries something; each case names what must stay true on the host.

    python -m benchmarks.hostile [--kinds check,stdio,call,script] [--threads 40]

prints a table: case, test format, verdict, reason, contained. The tests run the same suite as
root, as an unprivileged user and with many threads alive (tests/test_hostile.py)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from k2batch.verify.code import verify_code  # noqa: E402

# ruff: noqa: E501  (programs read best one statement per string)

SPECS = {  # "add two numbers" in each test format
    "check": {"type": "check", "entry_point": "add",
              "check": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-5, 5) == 0\n"},
    "script": ["assert add(1, 2) == 3", "assert add(-5, 5) == 0"],
    "stdio": {"type": "stdio", "cases": [{"input": "1 2\n", "output": "3"}, {"input": "-5 5\n", "output": "0"}]},
    "call": {"type": "call", "fn_name": "add", "cases": [{"args": [1, 2], "expected": 3},
                                                         {"args": [-5, 5], "expected": 0}]},
}  # fmt: skip
# Every program is a wrong answer unless its trick worked: a trick sets `escaped` when it gets
# through, and the answer is then right, so a verdict of `correct` means the sandbox failed.
WRONG = "def add(a, b):\n    return a + b if escaped else a - b\n"
STDIO_WRONG = "a, b = map(int, input().split())\nprint(a + b if escaped else a - b)\n"


@dataclass
class Host:
    """Things planted on the host for the programs to reach for, and checks that they did not."""

    root: Path
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    tcp_hits: list = field(default_factory=list)
    udp_hits: list = field(default_factory=list)
    unix_hits: list = field(default_factory=list)

    def __post_init__(self):
        self.secret = self.root / "secret.txt"
        self.secret.write_text("expected outputs: 3 0\n")
        os.chmod(self.secret, 0o600)
        self.problems = self.root / "problems.json"  # world-readable, as problem sets often are
        self.problems.write_text(json.dumps({"add": {"(1, 2)": 3, "(-5, 5)": 0}}))
        os.chmod(self.problems, 0o644)
        os.chmod(self.root, 0o755)
        self.escape = Path(tempfile.gettempdir()) / f"k2batch-escaped-{self.tag}"
        self.core_pattern = _read("/proc/sys/kernel/core_pattern")
        self.verifier_pid = os.getpid()
        self._servers = []
        tcp = self._listen(socket.socket(), ("127.0.0.1", 0), self.tcp_hits)
        self.tcp_port = tcp.getsockname()[1]
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        self.udp_port = udp.getsockname()[1]
        threading.Thread(target=lambda: self.udp_hits.append(udp.recv(64)), daemon=True).start()
        self._servers.append(udp)
        self.unix_path = str(self.root / "daemon.sock")
        self._listen(socket.socket(socket.AF_UNIX), self.unix_path, self.unix_hits)
        os.chmod(self.unix_path, 0o777)
        self.abstract = f"\0k2batch-{self.tag}"
        self._listen(socket.socket(socket.AF_UNIX), self.abstract, self.unix_hits)

    def _listen(self, s: socket.socket, addr, hits: list) -> socket.socket:
        s.bind(addr)
        s.listen(4)
        threading.Thread(target=lambda: hits.append(s.accept()), daemon=True).start()
        self._servers.append(s)
        return s

    def close(self) -> None:
        for s in self._servers:
            s.close()

    def stray_processes(self) -> list[int]:
        """Processes still running a hostile program (they carry the tag in their code)."""
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError):
                if self.tag.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(int(pid))
        return found


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


@dataclass(frozen=True)
class Case:
    name: str
    code: str  # may use {host fields}: escape, secret, problems, tcp_port, udp_port, unix_path, tag
    kinds: tuple[str, ...] = ("check",)
    contained: str = "nothing"  # what the host checks afterwards (see `_contained`)


CASES = [
    # -- forging the verdict ------------------------------------------------------------------
    Case("exit 0 at module level", "import os\nos._exit(0)\n", ("check", "script", "stdio", "call")),
    Case("sys.exit(0) at module level", "import sys\nsys.exit(0)\n", ("check", "script", "stdio", "call")),
    Case("sys.exit(0) inside the function", "import sys\ndef add(a, b):\n    sys.exit(0)\n", ("check", "call")),
    Case("atexit handler exits 0", "import atexit, os\natexit.register(lambda: os._exit(0))\n",
         ("check", "script", "stdio", "call")),
    Case("excepthook exits 0", "import sys, os\nsys.excepthook = lambda *a: os._exit(0)\n", ("check", "script")),
    Case("object equal to anything", "class Yes:\n    def __eq__(self, o): return True\n    __hash__ = None\n"
         "def add(a, b):\n    return Yes()\n", ("check", "script", "call")),
    Case("int subclass equal to anything", "class I(int):\n    def __eq__(self, o): return True\n"
         "    __hash__ = int.__hash__\ndef add(a, b):\n    return I(0)\n", ("check", "script", "call")),
    Case("reads the tests beside it", "import glob\nsrc = ''.join(open(p, errors='ignore').read() for p in "
         "glob.glob('/sbx/*') + glob.glob('/tmp/*') + glob.glob('*.py'))\n"
         "def add(a, b):\n    import re\n    m = re.search(r'candidate\\(%d, %d\\) == (-?\\d+)' % (a, b), src)\n"
         "    return int(m.group(1)) if m else a - b\n", ("check", "script")),
    Case("reads the problem set", "import json\ntry:\n    known = json.load(open('{problems}'))['add']\n"
         "except OSError:\n    known = {{}}\ndef add(a, b):\n    return known.get(str((a, b)), a - b)\n",
         ("check", "script", "call")),
    Case("writes PASS to every descriptor", "import os\nfor fd in range(3, 64):\n    try:\n"
         "        os.write(fd, b'PASS\\n{{\"ok\": 3}}\\n')\n    except OSError:\n        pass\n",
         ("check", "script", "stdio", "call")),
    Case("tampers with builtins", "import builtins\nbuiltins.AssertionError = type('A', (Exception,), {{}})\n"
         "builtins.isinstance = lambda *a: True\n", ("check", "script")),
    Case("answers through a patched json", "import json\n_d = json.dumps\n"
         "json.dumps = lambda o, *a, **k: _d({{'ok': 3}} if isinstance(o, dict) and 'ok' in o else o, *a, **k)\n",
         ("check", "script", "call")),
    Case("prints a forged result line", "print('PASS')\nprint('{{\"value\": 3}}')\n", ("stdio", "call")),
    Case("reads a root-only file", "try:\n    escaped = bool(open('{secret}').read())\nexcept OSError:\n"
         "    pass\n", ("check",)),
    # -- getting out --------------------------------------------------------------------------
    Case("remounts / read-write and writes outside", "import subprocess\n"
         "subprocess.run(['mount', '-o', 'remount,bind,rw', '/'], capture_output=True)\n"
         "subprocess.run(['mount', '-o', 'remount,rw', '/usr'], capture_output=True)\n"
         "for p in ['/usr/k2batch-{tag}', '/etc/k2batch-{tag}', '/bin/k2batch-{tag}']:\n    try:\n"
         "        open(p, 'w').write('x')\n        escaped = True\n    except OSError:\n        pass\n"
         "try:\n    open('{escape}', 'w').write('x')\nexcept OSError:\n    pass\n",  # its own /tmp: a tmpfs
         contained="no escape file"),
    Case("connects to a daemon's unix socket", "import socket\nfor addr in ['{unix_path}', '\\0k2batch-{tag}']:\n"
         "    try:\n        socket.socket(socket.AF_UNIX).connect(addr)\n        escaped = True\n"
         "    except OSError:\n        pass\n", contained="no unix connection"),
    Case("connects to a local TCP server", "import socket\ntry:\n"
         "    socket.create_connection(('127.0.0.1', {tcp_port}), timeout=2)\n    escaped = True\n"
         "except OSError:\n    pass\n", contained="no tcp connection"),
    Case("sends UDP to the host", "import socket\ntry:\n    socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
         ".sendto(b'x', ('127.0.0.1', {udp_port}))\nexcept OSError:\n    pass\n", contained="no udp datagram"),
    Case("opens raw and packet sockets", "import socket\nfor fam, kind in [(socket.AF_PACKET, socket.SOCK_RAW), "
         "(socket.AF_INET, socket.SOCK_RAW)]:\n    try:\n        socket.socket(fam, kind, 0)\n"
         "        escaped = True\n    except OSError:\n        pass\n"),
    Case("writes /proc/sys", "try:\n    open('/proc/sys/kernel/core_pattern', 'w').write('|/tmp/pwn')\n"
         "    escaped = True\nexcept OSError:\n    pass\n", contained="core_pattern unchanged"),
    Case("writes under /sys (cgroups)", "import glob\nfor p in glob.glob('/sys/fs/cgroup/**/pids.max', "
         "recursive=True):\n    try:\n        open(p, 'w').write('max')\n        escaped = True\n"
         "    except OSError:\n        pass\n"),
    Case("becomes root", "import os, subprocess\nfor f in (lambda: os.setuid(0), lambda: os.setgid(0)):\n"
         "    try:\n        f()\n        escaped = True\n    except OSError:\n        pass\n"
         "for cmd in (['su', '-c', 'true'], ['unshare', '-r', 'true'], ['sudo', 'true']):\n    try:\n"
         "        escaped = escaped or subprocess.run(cmd, capture_output=True, timeout=3).returncode == 0\n"
         "    except Exception:\n        pass\n", contained="no escape file"),
    Case("lifts its own limits", "import resource\nfor r in (resource.RLIMIT_NPROC, resource.RLIMIT_AS, "
         "resource.RLIMIT_CPU):\n    try:\n        resource.setrlimit(r, (resource.RLIM_INFINITY, "
         "resource.RLIM_INFINITY))\n        escaped = True\n    except (ValueError, OSError):\n        pass\n"),
    Case("ptraces the verifier", "import ctypes\nctypes.CDLL(None).ptrace(16, {verifier_pid}, 0, 0)\n",
         contained="verifier not traced"),
    Case("kills every process it can see", "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\n"
         "except OSError:\n    pass\n", ("check", "stdio")),
    Case("kills its parent", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n", ("check", "stdio")),
    Case("reads others' environments", "import glob\nleak = ''\nfor p in glob.glob('/proc/*/environ'):\n"
         "    try:\n        leak += open(p, errors='ignore').read()\n    except OSError:\n        pass\n"
         "escaped = 'K2BATCH_HOSTILE_SECRET' in leak\n", ("check", "stdio")),
    Case("lists /root, /home and /work", "import os\nfound = []\nfor d in ('/root', '/home', '/work'):\n"
         "    try:\n        found += os.listdir(d)\n    except OSError:\n        pass\n"
         "escaped = bool(found)\n", ("check", "stdio")),
    # -- exhausting the machine ---------------------------------------------------------------
    Case("fork bomb", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        break\n",
         contained="no stray process"),
    Case("thread bomb", "import threading, time\ntry:\n    while True:\n"
         "        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\nexcept Exception:\n"
         "    pass\n"),
    Case("memory spread over children", "import os, time\nfor _ in range(4):\n    if os.fork() == 0:\n"
         "        try:\n            b = bytearray(800 * 1024 * 1024)\n        except MemoryError:\n            pass\n"
         "        time.sleep(30)\n        os._exit(0)\n", contained="no stray process"),
    Case("memory bomb", "x = bytearray(8 * 1024 ** 3)\n"),
    Case("fills the disk", "for i in range(1000):\n    try:\n        open(f'fill-{{i}}', 'wb').write(b'x' * (16 << 20))\n"
         "    except OSError:\n        break\n"),
    Case("opens many files", "fs = []\ntry:\n    while True:\n        fs.append(open('/dev/null'))\nexcept OSError:\n"
         "    pass\n"),
    Case("sleeps forever", "import time\ntime.sleep(3600)\n", ("check", "stdio", "call")),
    Case("huge output", "import sys\nfor _ in range(10 ** 6):\n    sys.stdout.write('y' * 100)\n", ("stdio",)),
    Case("a daemon that outlives the check", "import os, time\nif os.fork() == 0:\n    os.setsid()\n"
         "    if os.fork() == 0:\n        time.sleep(60)\n        open('{escape}', 'w').write('late')\n"
         "    os._exit(0)\n", contained="no stray process"),
    Case("never answers a call", "import time\ndef add(a, b):\n    time.sleep(3600)\n", ("check", "script", "call")),
]  # fmt: skip


def _program(case: Case, kind: str, host: Host) -> str:
    trick = case.code.format(**{k: getattr(host, k) for k in (
        "escape", "secret", "problems", "tcp_port", "udp_port", "unix_path", "tag", "verifier_pid")})  # fmt: skip
    tail = STDIO_WRONG if kind == "stdio" else WRONG
    if "def add(" in trick:
        tail = STDIO_WRONG if kind == "stdio" else ""
    return f"# {host.tag}\nescaped = False\n{trick}\n{tail}"


def _contained(case: Case, host: Host) -> bool:
    checks = {
        "nothing": lambda: True,
        "no escape file": lambda: not host.escape.exists(),
        "no unix connection": lambda: not host.unix_hits,
        "no tcp connection": lambda: not host.tcp_hits,
        "no udp datagram": lambda: not host.udp_hits,
        "core_pattern unchanged": lambda: _read("/proc/sys/kernel/core_pattern") == host.core_pattern,
        "no stray process": lambda: not host.stray_processes(),
        "verifier not traced": lambda: "TracerPid:\t0\n" in (_read("/proc/self/status") or ""),
    }
    time.sleep(0.05)
    return checks[case.contained]() and not host.escape.exists() and not host.stray_processes()


def run_suite(kinds: tuple[str, ...] = ("check", "script", "stdio", "call"), timeout_s: float = 3.0) -> list[dict]:
    """Every case in every format it applies to; one row each."""
    rows = []
    os.environ["K2BATCH_HOSTILE_SECRET"] = "planted"
    with tempfile.TemporaryDirectory(prefix="k2batch-hostile-") as d:
        host = Host(Path(d))
        try:
            for case in CASES:
                for kind in (k for k in case.kinds if k in kinds):
                    t0 = time.perf_counter()
                    status, reason = verify_code(_program(case, kind, host), SPECS[kind], timeout_s=timeout_s)
                    rows.append({"case": case.name, "kind": kind, "status": status, "reason": reason[:80],
                                 "contained": _contained(case, host), "seconds": time.perf_counter() - t0})  # fmt: skip
        finally:
            host.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", default="check,script,stdio,call")
    ap.add_argument("--threads", type=int, default=0, help="threads kept alive in this process meanwhile")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args(argv)
    stop = threading.Event()
    for _ in range(args.threads):
        threading.Thread(target=stop.wait, daemon=True).start()
    rows = run_suite(tuple(args.kinds.split(",")))
    stop.set()
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'case':42} {'format':7} {'verdict':10} {'contained':9}  reason")
    for r in rows:
        print(f"{r['case'][:42]:42} {r['kind']:7} {r['status']:10} {str(r['contained']):9}  {r['reason'][:60]}")
    forged = sum(r["status"] == "correct" for r in rows)
    escaped = sum(not r["contained"] for r in rows)
    print(f"{len(rows)} runs of {len(CASES)} cases: forged verdicts {forged} (goal 0), not contained {escaped} (goal 0)")
    return int(forged or escaped)


if __name__ == "__main__":
    sys.exit(main())
