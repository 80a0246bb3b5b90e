"""Run an untrusted Python program under every containment this machine grants without asking.

Always: a fresh temporary directory as cwd and HOME, a scrubbed environment, its own process
group (killed as a whole at the end), rlimits (CPU time, address space, file size, open files,
no core dumps), stdout/stderr into capped files.
Where `unshare` may create namespaces (Linux, unprivileged user namespaces or root): a new user,
network (no interfaces up: no network), PID (the program is PID 1: every descendant dies with
it; a fresh /proc hides other processes and their environments) and mount namespace in which
every filesystem but the sandbox directory is read-only.
Where a pids cgroup is writable (root): at most `max_procs` processes (fork bombs). Elsewhere
RLIMIT_NPROC, which binds every user but root.
Not covered: reading world-readable files (the filesystem is read-only, not hidden)."""

from __future__ import annotations

import contextlib
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

OUTPUT_CAP = 64 * 1024
PIDS_CGROUP_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")

# Runs inside the new namespaces before the program: make everything but $SBX read-only.
_LOCKDOWN = r"""
mount --bind "$SBX" "$SBX" || exit 97
awk '{print $2}' /proc/self/mounts | grep -vE '^/(proc|sys)(/|$)|^/dev/pts$' | grep -vxF "$SBX" |
while read -r m; do mount -o remount,bind,ro "$m" 2>/dev/null; done
cd "$SBX" || exit 97  # re-enter: the old cwd handle points below the bind mount
exec "$@"
"""


@dataclass
class SandboxResult:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


@functools.cache
def namespace_prefix() -> tuple[str, ...]:
    """The `unshare` command line if namespaces work here, else () with one warning."""
    cmd = shutil.which("unshare")
    if cmd:
        prefix = (
            cmd,
            "--user",
            "--map-root-user",
            "--net",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount",
            "--mount-proc",
            "sh",
            "-c",
            _LOCKDOWN,
            "lockdown",
        )
        with tempfile.TemporaryDirectory() as d:
            try:
                probe = subprocess.run(
                    [*prefix, "true"],
                    env={"SBX": d, "PATH": "/usr/bin:/bin"},
                    capture_output=True,
                    timeout=10,
                )
                if probe.returncode == 0:
                    return prefix
            except (OSError, subprocess.SubprocessError):
                pass
    log.warning(
        "sandbox: no namespaces here: generated code keeps network access and a writable "
        "filesystem; only rlimits, a scrubbed environment and timeouts contain it"
    )
    return ()


@functools.cache
def _pids_cgroup_root() -> str | None:
    for root in PIDS_CGROUP_ROOTS:
        if os.path.exists(os.path.join(root, "pids.max" if root.endswith("cgroup") else "tasks")):
            try:
                probe = os.path.join(root, f"k2batch-probe-{uuid.uuid4().hex[:8]}")
                os.mkdir(probe)
                os.rmdir(probe)
                return root
            except OSError:
                continue
    log.info("sandbox: no writable pids cgroup; process count bound by RLIMIT_NPROC only")
    return None


@contextlib.contextmanager
def _pids_cgroup(max_procs: int):
    """A pids cgroup the sandbox joins (path yielded), or None where none can be made."""
    root = _pids_cgroup_root()
    if root is None:
        yield None
        return
    path = os.path.join(root, f"k2batch-sandbox-{uuid.uuid4().hex}")
    try:
        os.mkdir(path)
        with open(os.path.join(path, "pids.max"), "w") as f:
            f.write(str(max_procs))
    except OSError:
        yield None
        return
    try:
        yield path
    finally:
        for _ in range(50):  # the group empties once the killed processes are reaped
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.05)


def _child_setup(cpu_s: int, memory_mb: int, fsize_mb: int, max_procs: int, cgroup: str | None) -> None:
    """Runs in the child between fork and exec."""
    if cgroup:
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    fs = fsize_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (fs, fs))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.geteuid() != 0:  # root ignores RLIMIT_NPROC; there the cgroup bounds processes
        resource.setrlimit(resource.RLIMIT_NPROC, (max_procs, max_procs))


def _read_capped(f) -> str:
    f.seek(0)
    data = f.read(OUTPUT_CAP + 1)
    text = data[:OUTPUT_CAP].decode("utf-8", "replace")
    return text + ("\n[output truncated]" if len(data) > OUTPUT_CAP else "")


def run_python(
    source: str,
    stdin: str = "",
    timeout_s: float = 10.0,
    memory_mb: int = 1024,
    fsize_mb: int = 16,
    max_procs: int = 32,
) -> SandboxResult:
    """Run `source` with `python -I` in the sandbox; never raises for what the program does."""
    with tempfile.TemporaryDirectory(prefix="k2batch-sandbox-") as tmp:
        with open(os.path.join(tmp, "main.py"), "w") as f:
            f.write(source)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": tmp, "TMPDIR": tmp, "SBX": tmp}
        cmd = [*namespace_prefix(), sys.executable, "-I", "main.py"]
        with (
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            _pids_cgroup(max_procs) as cgroup,
        ):
            setup = functools.partial(
                _child_setup, int(timeout_s) + 1, memory_mb, fsize_mb, max_procs, cgroup
            )
            proc = subprocess.Popen(
                cmd,
                cwd=tmp,
                env=env,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                start_new_session=True,
                preexec_fn=setup,
            )
            timed_out = False
            try:
                proc.communicate(stdin.encode(), timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # the whole group, forks included
                proc.wait()
            return SandboxResult(proc.returncode, _read_capped(out), _read_capped(err), timed_out)
