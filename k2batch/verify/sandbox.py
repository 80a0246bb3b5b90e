"""Run untrusted Python in a sandbox that holds as root and as an unprivileged user.

Strict (the default), with bubblewrap (`bwrap`, Debian package `bubblewrap`):
- its own user, PID, network, IPC, UTS and cgroup namespaces; no capabilities; no further user
  namespaces; the program runs as uid 65534, and when the job runs as root bwrap itself drops
  to that real uid first, so no file permission ever sees root;
- a root filesystem made only of read-only system folders (/usr, /lib*, /bin, the interpreter's
  prefix): no /home, /root, /work, /sys, no daemon sockets; fresh /proc and /dev; /tmp and the
  working directory are small private tmpfs; the program file is copied in, never bound;
- no network at all (not even the host's loopback);
- limits the program cannot raise: CPU time, per-process address space, file size, open files,
  processes (RLIMIT_NPROC inside its namespace), and a total memory budget — a cgroup
  (memory + pids) where one is writable (root), else few enough processes that their
  address-space limits add up to the budget;
- nothing outlives a check: bwrap dies with its parent and its PID namespace with it; output
  goes to unlinked temporary files; cgroups of dead verifiers are swept at the next start.
Where a mechanism is missing, strict mode refuses (`SandboxUnavailable`, an `error` verdict
with the reason); `strict=False` (job setting `verify.sandbox = "weak"`) falls back to rlimits,
a scrubbed environment and a process-group kill, and says so once."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass

log = logging.getLogger(__name__)

UID = 65534  # nobody: the sandbox's uid, inside and (when the job runs as root) outside
OUTPUT_CAP = 16 << 20  # what a program may print (its files are capped alike: fsize_mb); 20,000 lines pass
TMPFS_BYTES = 64 * 1024 * 1024  # each of /tmp and the working directory
NO_CGROUP_PROCS = 4  # without a cgroup, at least this many processes (bwrap's init among them)
PREFIX = "k2batch-sbx-"  # cgroups are named PREFIX<pid>-<random>: stale ones are swept
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives",
               "/etc/ld.so.cache")  # fmt: skip


class SandboxUnavailable(RuntimeError):
    """Strict sandboxing is impossible here; the message says what is missing."""


@dataclass
class SandboxResult:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


# -- what this machine grants ------------------------------------------------------------------


def _cgroup_roots() -> tuple[str, str] | None:
    """(memory root, pids root) where this process may create cgroups: cgroup v1 controllers,
    or the v2 root with both controllers delegated. None elsewhere (most unprivileged users)."""
    candidates = [("/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids")]
    try:
        with open("/sys/fs/cgroup/cgroup.subtree_control") as f:
            if {"memory", "pids"} <= set(f.read().split()):
                candidates.append(("/sys/fs/cgroup", "/sys/fs/cgroup"))
    except OSError:
        pass
    for roots in candidates:
        try:
            made = [os.path.join(r, f"{PREFIX}probe-{uuid.uuid4().hex[:8]}") for r in dict.fromkeys(roots)]
            for path in made:
                os.mkdir(path)
            for path in made:
                os.rmdir(path)
            return roots
        except OSError:
            continue
    return None


def _sweep(roots: tuple[str, str] | None) -> None:
    """Remove cgroups and (weak mode) working folders left by verifiers that died."""
    for root in (*dict.fromkeys(roots or ()), tempfile.gettempdir()):
        with contextlib.suppress(OSError):
            for name in os.listdir(root):
                pid = name[len(PREFIX) :].split("-", 1)[0] if name.startswith(PREFIX) else ""
                legacy = name.startswith("k2batch-sandbox-") and root != tempfile.gettempdir()
                if legacy or (pid.isdigit() and not _alive(int(pid))):  # a cgroup in use resists
                    path = os.path.join(root, name)
                    with contextlib.suppress(OSError):
                        os.rmdir(path) if root != tempfile.gettempdir() else shutil.rmtree(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _interpreters() -> list[str]:
    """Python interpreters to try inside, this one's base first. The sandbox uid must be able to
    reach it: pyenv's under /root is not, when a root job drops to uid 65534."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    found = [os.path.realpath(base), os.path.realpath(sys.executable)]
    found += [p for p in (shutil.which("python3"), "/usr/bin/python3", "/usr/local/bin/python3") if p]
    return list(dict.fromkeys(p for p in found if os.path.isfile(p)))


@dataclass(frozen=True)
class Mechanisms:
    bwrap: str | None
    python: str | None  # the interpreter that works inside
    cgroups: tuple[str, str] | None  # (memory root, pids root)
    packages: tuple[tuple[str, str], ...]  # (host folder, name) of judge packages bound inside
    problem: str | None  # why strict sandboxing is unavailable; None when it works


@functools.cache
def mechanisms() -> Mechanisms:
    """Probe once per process: bwrap, an interpreter that runs inside, cgroups."""
    cgroups = _cgroup_roots() if os.geteuid() == 0 else None
    _sweep(cgroups)
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        missing = "bubblewrap (bwrap) is not installed: apt install bubblewrap"
        return Mechanisms(None, None, cgroups, (), missing)
    errors = []
    for python in _interpreters():
        for packages in (tuple(_judge_packages()), ()):  # judge packages the sandbox uid can read
            try:
                with _Run(bwrap, python, "print(6 * 7)", cgroups, packages, memory_mb=512) as run:
                    r = run.wait(b"", 30.0)
            except OSError as exc:
                errors.append(f"{python}: {exc}")
                continue
            if r.ok and r.stdout.strip() == "42":
                return Mechanisms(bwrap, python, cgroups, packages, None)
            errors.append(f"{python}: exit {r.returncode}: {r.stderr.strip()[-200:]}")
    return Mechanisms(bwrap, None, cgroups, (), "bwrap cannot run Python here: " + "; ".join(errors))


def unavailable() -> str | None:
    """Why code cannot be verified in the strict sandbox here (None: it can)."""
    return mechanisms().problem


# -- one sandboxed run -------------------------------------------------------------------------

# Runs first inside the sandbox: the process limit is set inside its own user namespace, where
# only its own processes count (the job's threads outside do not), and cannot be raised again;
# the packages judge sites provide become importable.
_PROLOGUE = (
    "import resource as _r, sys as _s\n_r.setrlimit(_r.RLIMIT_NPROC, ({n}, {n}))\n"
    "_s.path.insert(0, '/k2b-site')\ndel _r, _s\n"
)
# what judge sites offer beyond the standard library: LeetCode's sortedcontainers, AtCoder's and
# LiveCodeBench's numpy (with its bundled libraries, `numpy.libs`, beside it)
JUDGE_PACKAGES = ("sortedcontainers", "numpy")


def _judge_packages() -> list[tuple[str, str]]:
    """(host folder, name) of each judge package installed beside k2batch."""
    import importlib.util

    found = []
    for name in JUDGE_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            folder = list(spec.submodule_search_locations)[0]
            found.append((folder, name))
            libs = f"{folder}.libs"
            if os.path.isdir(libs):
                found.append((libs, f"{name}.libs"))
    return found


def _file_of(data: bytes):
    f = tempfile.TemporaryFile()
    f.write(data)
    f.seek(0)
    return f


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _Run:
    """One program in the sandbox (bwrap) or, with `bwrap=None`, under rlimits only."""

    def __init__(self, bwrap: str | None, python: str, source: str, cgroups: tuple[str, str] | None,
                 packages: tuple = (), memory_mb: int = 1024, max_procs: int = 32, fsize_mb: int = 16,
                 budget_mb: int = 2048, cpu_s: int = 30, pass_fds: tuple[int, ...] = (),
                 args: tuple[str, ...] = ()):  # fmt: skip
        self._cgroup_dirs: list[str] = []
        if cgroups:
            self._cgroup_dirs = self._make_cgroups(cgroups, budget_mb, max_procs)
        elif bwrap:  # no cgroup: few enough processes that their address spaces fit the budget
            max_procs = max(NO_CGROUP_PROCS, budget_mb // memory_mb)
        program = (_PROLOGUE.format(n=max_procs) if bwrap else "") + source
        self._program = _file_of(program.encode())
        self._out, self._err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        root = os.geteuid() == 0
        limits = (cpu_s, memory_mb, fsize_mb, None if bwrap else max_procs)
        fds = (*pass_fds, self._program.fileno())
        plain = [python, "-I", f"/dev/fd/{fds[-1]}", *args]  # weak mode
        cmd = self._bwrap(bwrap, python, packages, args) if bwrap else plain
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        if not bwrap:  # named for this process, so a sweep can tell when it is stale
            self._tmp = tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-")
            env.update(HOME=self._tmp.name, TMPDIR=self._tmp.name)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=self._out, stderr=self._err, pass_fds=fds, env=env,
            cwd=self._tmp.name if not bwrap else "/", start_new_session=True,
            preexec_fn=lambda: _child_setup(limits, self._cgroup_dirs, drop_root=root and bool(bwrap)),
        )  # fmt: skip

    def _bwrap(self, bwrap: str, python: str, packages: tuple, args: tuple[str, ...]) -> list[str]:
        cmd = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
               "--new-session", "--cap-drop", "ALL", "--uid", str(UID), "--gid", str(UID)]  # fmt: skip
        for d in (*SYSTEM_DIRS, os.path.dirname(os.path.dirname(python))):
            cmd += ["--ro-bind-try", d, d]
        for folder, name in packages:
            cmd += ["--ro-bind", folder, f"/k2b-site/{name}"]
        cmd += ["--proc", "/proc", "--dev", "/dev",
                "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp", "--size", str(TMPFS_BYTES), "--tmpfs", "/sbx",
                "--ro-bind-data", str(self._program.fileno()), "/sbx/main.py", "--chdir", "/sbx",
                "--remount-ro", "/",  # the root it was built on: only /tmp and /sbx stay writable
                "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/sbx",
                "--setenv", "TMPDIR", "/tmp", "--setenv", "LANG", "C.UTF-8",
                "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",  # one CPU each
                python, "-I", "main.py", *args]  # fmt: skip
        return cmd

    @staticmethod
    def _make_cgroups(roots: tuple[str, str], budget_mb: int, max_procs: int) -> list[str]:
        name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        memory, pids = (os.path.join(r, name) for r in roots)
        dirs = list(dict.fromkeys([memory, pids]))
        for d in dirs:
            os.mkdir(d)
        limit = str(budget_mb * 1024 * 1024)
        for path, value in ((os.path.join(pids, "pids.max"), str(max_procs)),
                            (os.path.join(memory, "memory.max"), limit),
                            (os.path.join(memory, "memory.limit_in_bytes"), limit),
                            (os.path.join(memory, "memory.swap.max"), "0")):  # fmt: skip
            if os.path.exists(path):
                with open(path, "w") as f:
                    f.write(value)
        return dirs

    def wait(self, stdin: bytes, timeout_s: float) -> SandboxResult:
        timed_out = False
        try:
            self.proc.communicate(stdin, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        except (BrokenPipeError, OSError):  # it exited without reading its input
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout_s)
            timed_out = self.proc.poll() is None
        self.kill()
        out, err = _read_capped(self._out), _read_capped(self._err)
        return SandboxResult(self.proc.returncode, out, err, timed_out)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # bwrap; its PID namespace dies with it
        self.proc.wait()

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.kill()
        for f in (self._program, self._out, self._err):
            f.close()
        if hasattr(self, "_tmp"):
            self._tmp.cleanup()
        for d in self._cgroup_dirs:
            for _ in range(50):  # empty once its killed processes are reaped
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    time.sleep(0.02)


def _child_setup(limits: tuple, cgroups: list[str], drop_root: bool) -> None:
    """Runs in the child between fork and exec: join the cgroups, set the limits, then (a root
    job) become uid 65534 for good, so bwrap builds an unprivileged sandbox."""
    cpu_s, memory_mb, fsize_mb, nproc = limits
    for d in cgroups:
        with open(os.path.join(d, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_mb << 20, fsize_mb << 20))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if nproc is not None and os.geteuid() != 0:  # weak mode: root ignores RLIMIT_NPROC
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    if drop_root:
        os.setgroups([])
        os.setgid(UID)
        os.setuid(UID)
    _die_with_parent()  # after setuid, which clears it


def _read_capped(f) -> str:
    f.seek(0)
    data = f.read(OUTPUT_CAP + 1)
    text = data[:OUTPUT_CAP].decode("utf-8", "replace")
    return text + ("\n[output truncated]" if len(data) > OUTPUT_CAP else "")


@functools.cache
def _warn_weak(reason: str) -> None:
    log.warning("sandbox: running generated code WITHOUT namespaces (verify.sandbox = 'weak'): %s", reason)


def start(source: str, *, strict: bool = True, timeout_s: float = 10.0, **limits) -> _Run:
    """Start `source` in the sandbox (use as a context manager; `wait` gives the result).
    `limits`: memory_mb, max_procs, fsize_mb, budget_mb, pass_fds, args."""
    m = mechanisms()
    if m.problem and strict:
        raise SandboxUnavailable(m.problem)
    if m.problem:
        _warn_weak(m.problem)
        return _Run(None, sys.executable, source, None, cpu_s=int(timeout_s) + 1, **limits)
    return _Run(m.bwrap, m.python, source, m.cgroups, m.packages, cpu_s=int(timeout_s) + 1, **limits)


def run_python(source: str, stdin: str = "", timeout_s: float = 10.0, strict: bool = True,
               **limits) -> SandboxResult:  # fmt: skip
    """Run `source` in the sandbox; never raises for what the program does (SandboxUnavailable
    when strict sandboxing is impossible here)."""
    with start(source, strict=strict, timeout_s=timeout_s, **limits) as run:
        return run.wait(stdin.encode(), timeout_s)
