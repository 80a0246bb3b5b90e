"""Running the pipeline on a Beam runner: its options, the checks made before a job is
submitted, and the local SDK worker pool.

Beam quietly downloads what a runner lacks at run time (Prism from GitHub, Flink's and Spark's
job-server jars from Maven Central) and submits jobs whose workers cannot start. k2batch never
lets that happen: what a runner needs is found here first, or the job stops with one line
saying what to do."""

from __future__ import annotations

import dataclasses
import glob
import logging
import os
import shutil
import socket
import sys
import threading
import time

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.runners.runner import PipelineState

from k2batch import progress
from k2batch.backends import hints
from k2batch.config import ConfigError, JobConfig
from k2batch.pipeline import JobRun, build
from k2batch.waves import plan_waves

log = logging.getLogger(__name__)
LOCAL = ("FnApiRunner", "BundleBasedDirectRunner")  # in this process: share the driver's disk


def _option(flags: list[str], name: str) -> str | None:
    for f in flags:
        if f.startswith(f"--{name}="):
            return f.split("=", 1)[1]
    return None


def _beam_version() -> str:
    import apache_beam

    return apache_beam.__version__


def _jar_in_maven_cache(artifact: str) -> str | None:
    """The job-server jar of this Beam release in the local Maven repository (where
    `mvn dependency:get`, run by infra/flink/fetch-jar.sh, puts it)."""
    version = _beam_version()
    base = os.path.expanduser(f"~/.m2/repository/org/apache/beam/{artifact}/{version}")
    found = glob.glob(f"{base}/{artifact}-{version}.jar")
    return found[0] if found else None


def _job_server_jar(flags: list[str], runner: str) -> list[str]:
    kind = "flink" if runner == "FlinkRunner" else "spark"
    given = _option(flags, f"{kind}_job_server_jar")
    if given:
        if "://" not in given and not os.path.isfile(given):
            raise ConfigError(f"--{kind}_job_server_jar={given}: no such file")
        return []
    if kind == "flink":
        from apache_beam.options.pipeline_options import FlinkRunnerOptions

        minor = _option(flags, "flink_version") or FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS[-1]
        artifact = f"beam-runners-flink-{minor}-job-server"
    else:
        artifact = "beam-runners-spark-3-job-server"
    jar = _jar_in_maven_cache(artifact)
    if jar:
        return [f"--{kind}_job_server_jar={jar}"]
    raise ConfigError(
        f"{runner} needs Beam's job server org.apache.beam:{artifact}:{_beam_version()} (the same "
        f"release as the Python SDK), and k2batch does not let Beam download it while a job runs: "
        f"fetch it with `infra/flink/fetch-jar.sh {artifact}` or pass --{kind}_job_server_jar=PATH"
    )


def _prism(flags: list[str]) -> list[str]:
    if _option(flags, "prism_location"):
        return []
    here = os.path.join(os.path.dirname(sys.executable), "prism")
    found = here if os.access(here, os.X_OK) else shutil.which("prism")
    if found:
        return [f"--prism_location={found}"]
    raise ConfigError(
        "PrismRunner needs the prism binary, and k2batch does not let Beam download it while a job "
        "runs: build it with `make prism` (Go), or pass --prism_location=PATH"
    )


def completed_flags(flags: list[str], runner: str) -> list[str]:
    """`flags` plus what the runner would otherwise fetch from the internet at run time."""
    if runner in ("FlinkRunner", "SparkRunner"):
        return flags + _job_server_jar(flags, runner)
    if runner == "PrismRunner":
        return flags + _prism(flags)
    return flags


def check_reachable(flags: list[str], runner: str) -> None:
    """The services a portable job needs answer before it is submitted: the SDK worker pool of an
    EXTERNAL environment (else the job hangs waiting for workers) and a remote job endpoint."""
    if runner in LOCAL:
        return
    if _option(flags, "environment_type") == "EXTERNAL":
        address = _option(flags, "environment_config") or ""
        if not _answers(address):
            port = address.rpartition(":")[2] or "PORT"
            raise ConfigError(
                f"no SDK worker pool answers at {address or '(no --environment_config)'}: start one "
                f"on every worker host with `k2batch worker-pool --port {port}`"
            )
    endpoint = _option(flags, "job_endpoint")
    if endpoint and endpoint != "embed" and not _answers(endpoint):
        raise ConfigError(f"no job service answers at --job_endpoint={endpoint}")


def check_locations(runner: str, *uris: str) -> None:
    """Dataflow's workers are cloud VMs: a local input or output would be read and written on
    each worker's own disk. (A Flink or Spark cluster may share a disk by NFS: local paths are
    the user's call there.)"""
    local = [u for u in uris if "://" not in u or u.startswith("file://")]
    if runner == "DataflowRunner" and local:
        raise ConfigError(f"DataflowRunner workers cannot see local paths ({', '.join(local)}): use gs:// or s3://")


def _answers(address: str) -> bool:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return False
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return True
    except OSError:
        return False


def worker_pool(port: int) -> None:
    """Serve SDK workers for `--environment_type=EXTERNAL` jobs until interrupted. Each job's
    worker is a separate process of this interpreter (Beam's pool starts `python` from PATH, so
    this environment's bin folder goes first)."""
    from apache_beam.runners.worker import worker_pool_main

    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    worker_pool_main.main(["--service_port", str(port)])


def pipeline_options(cfg: JobConfig, resolve: bool = False) -> PipelineOptions:
    """Beam options for the job's runner profile (never parsed from sys.argv: the CLI owns it);
    `resolve`: add the local paths of what the runner would otherwise download (or raise)."""
    r = cfg.runner
    flags = [f"--runner={r.name}", *r.options]
    if r.name == "FnApiRunner":
        mode, workers, h = r.mode, r.workers, hints(cfg.backend)
        if mode == "auto" and h.io_bound:
            mode, workers = "multi_threading", max(workers, 4)  # measured: benchmarks/saturation.py
        elif mode == "auto" and workers == 1 and h.bundle_threads > 1:  # one process's engine pool
            mode, workers = "multi_threading", h.bundle_threads  # benchmarks/pipeline_vs_engine.py
        elif mode == "auto":
            mode = "in_memory" if workers == 1 else "multi_processing"
        flags += [f"--direct_running_mode={mode}", f"--direct_num_workers={workers}"]
    return PipelineOptions(flags=completed_flags(flags, r.name) if resolve else flags)


def worker_processes(cfg: JobConfig) -> int:
    """How many worker processes the local runner starts (1 for other runners: their workers are
    known only as they show up)."""
    o = pipeline_options(cfg).get_all_options()
    return o["direct_num_workers"] if o.get("direct_running_mode") == "multi_processing" else 1


def unknown_flags(options: PipelineOptions) -> list[str]:
    """Flags Beam would silently drop (misspelt or for another runner)."""
    known = options.get_all_options(drop_default=False)
    return [f for f in options.get_all_options(retain_unknown_options=True) if f not in known]


def run(job: JobRun, cfg: JobConfig) -> None:
    """Build and run the pipeline: locally on the FnApiRunner (never the Prism download), or on
    the runner the job's profile names."""
    options = pipeline_options(cfg, resolve=True)
    local = cfg.runner.name == "FnApiRunner"
    processes = worker_processes(cfg) if local else 1
    if processes > 1 and cfg.backend.kind == "llamacpp" and not cfg.backend.n_threads:
        # the local worker processes' engines share this host's cores: two processes of two threads
        # on two cores spin in ggml's thread pool (a 16-token call took 56 s, not 1 s, in one suite run)
        threads = max(1, (os.cpu_count() or 1) // (cfg.backend.engines * processes))
        cfg = cfg.model_copy(update={"backend": cfg.backend.model_copy(update={"n_threads": threads})})
    waves = plan_waves(job.input_uri, cfg.limit, cfg.runner.wave_size if local else None)
    for wave in waves:
        p = beam.Pipeline(runner=FnApiRunner() if local else None, options=options)  # None: --runner
        build(p, dataclasses.replace(job, wave=(wave.index, len(waves), time.time())), cfg, wave)
        result = p.run()
        stop = threading.Event()
        watcher = threading.Thread(target=progress.follow, args=(result, stop), daemon=True)
        watcher.start()
        try:
            state = result.wait_until_finish()
        finally:
            stop.set()
            watcher.join()
        if state != PipelineState.DONE:
            raise RuntimeError(f"pipeline ended {state} (wave {wave.index})")
        log.info("wave %d: %s", wave.index, progress.from_metrics(result))
