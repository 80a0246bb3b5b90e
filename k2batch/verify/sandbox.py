"""Run an untrusted Python program: own process group, scrubbed environment, temporary directory,
rlimits (CPU, memory, file size, open files), capped output, no network where the kernel lets an
unprivileged process drop it (`unshare -rn`)."""

from __future__ import annotations

import functools
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass

log = logging.getLogger(__name__)

OUTPUT_CAP = 64 * 1024


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
def _net_isolation_prefix() -> tuple[str, ...]:
    """`unshare -rn` where it works here (a new user+network namespace: no interfaces but a
    down loopback), else nothing, with one warning."""
    cmd = shutil.which("unshare")
    if cmd:
        try:
            ok = subprocess.run([cmd, "-rn", "true"], capture_output=True, timeout=5).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return (cmd, "-rn")
    log.warning("sandbox: cannot create a network namespace here; generated code keeps network access")
    return ()


def _limits(cpu_s: int, memory_mb: int, fsize_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    fs = fsize_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (fs, fs))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read_capped(f) -> str:
    f.seek(0)
    data = f.read(OUTPUT_CAP + 1)
    text = data[:OUTPUT_CAP].decode("utf-8", "replace")
    return text + ("\n[output truncated]" if len(data) > OUTPUT_CAP else "")


def run_python(
    source: str, stdin: str = "", timeout_s: float = 10.0, memory_mb: int = 1024, fsize_mb: int = 16
) -> SandboxResult:
    """Run `source` with `python -I` in a fresh temporary directory under the limits above."""
    with tempfile.TemporaryDirectory(prefix="k2batch-sandbox-") as tmp:
        path = os.path.join(tmp, "main.py")
        with open(path, "w") as f:
            f.write(source)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": tmp, "TMPDIR": tmp}
        cmd = [*_net_isolation_prefix(), sys.executable, "-I", "main.py"]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                cmd,
                cwd=tmp,
                env=env,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                start_new_session=True,
                preexec_fn=functools.partial(_limits, int(timeout_s) + 1, memory_mb, fsize_mb),
            )
            timed_out = False
            try:
                proc.communicate(stdin.encode(), timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                try:  # the whole group: children the program forked die with it
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            return SandboxResult(proc.returncode, _read_capped(out), _read_capped(err), timed_out)
