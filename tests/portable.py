"""Helpers for the portable-runner tests: a real SDK worker pool in its own process and folder."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

FAST = ["stages.triage.max_tokens=16", "stages.plan.max_tokens=24", "stages.generate.max_tokens=32",
        "stages.judge.max_tokens=16", "samples=2", "backend.n_ctx=1024"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def worker_pool(cwd: Path, env: dict | None = None):
    """`k2batch worker-pool` on a free port, run from `cwd` (not the driver's folder) with its
    own environment, as on a worker host. Yields (port, process)."""
    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "k2batch.cli", "worker-pool", "--port", str(port)],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert proc.poll() is None and time.monotonic() < deadline, "worker pool did not start"
            time.sleep(0.2)
        yield port, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def sdk_workers(pool: subprocess.Popen) -> list[int]:
    """The SDK worker processes the pool started (its children)."""
    r = subprocess.run(["pgrep", "-P", str(pool.pid)], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def portable_sets(runner: str, port: int) -> list[str]:
    options = ["--environment_type=EXTERNAL", f"--environment_config=localhost:{port}"]
    if runner == "PortableRunner":
        options.append("--job_endpoint=embed")
    quoted = ", ".join(f'"{o}"' for o in options)
    return [f"runner.name={runner}", f"runner.options=[{quoted}]"]


def view(out) -> tuple[list, list]:
    """What a job decided: its solutions and rejects, in a runner-independent order."""
    sol = pq.read_table(f"{out}/solutions").to_pylist()
    rej = pq.read_table(f"{out}/rejects").to_pylist()
    return (
        sorted((r["id"], r["chosen_sample"], r["status"], [c["response"] for c in r["candidates"]]) for r in sol),
        sorted((r["id"], r["row_index"], r["reason"]) for r in rej),
    )
