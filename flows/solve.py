"""The `solve` flow: one bulk solving job = one Beam pipeline run, with a summary artifact."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from k2batch import live, quiet
from k2batch.config import JobConfig, load_config
from k2batch.job import JobFailed, run_solve
from k2batch.report import write_report

quiet.install()  # no secret in any log record, Prefect's flow logs included
ROOT = Path(__file__).resolve().parent.parent


@task(name="run-solve-pipeline")
def run_pipeline(input_uri: str, out_uri: str, cfg: JobConfig, force: bool, break_lock: bool) -> dict:
    return run_solve(input_uri, out_uri, cfg, force=force, break_lock=break_lock)


@task(name="write-report")
def report(out_uri: str) -> dict:
    return write_report(out_uri)


@task(name="publish-summary")
def publish_summary(manifest: dict, summary: dict, out_uri: str) -> None:
    """The job's numbers as Prefect artifacts: a per-stage table and a summary linked to the report."""
    create_table_artifact(
        key="solve-tokens-by-stage",
        table=[{"stage": k, **v} for k, v in summary["by_stage"].items()],
        description=f"k2batch {manifest['job_id']}: model calls and tokens by stage",
    )
    counts, fmt = manifest["counts"], lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    create_markdown_artifact(
        key="solve-summary",
        markdown=(
            f"## k2batch solve `{manifest['job_id']}`\n\n"
            f"- input: `{manifest['input']}`\n- output: `{out_uri}`\n"
            f"- report: `{out_uri.rstrip('/')}/report/index.html`\n"
            f"- solutions: {counts['solutions']}, rejects: {counts['rejects']}, "
            f"model calls: {counts['token_stats']} ({manifest.get('calls')})\n"
            f"- verified rate (Best-of-N): {fmt(summary['verified_rate'])}, "
            f"pass@1: {fmt(summary['pass_at_1'])}, "
            f"plan+judge share of tokens: {fmt(summary['overhead_share'])}\n"
            f"- status: {manifest['status']}; elapsed: {manifest['elapsed_s']} s"
            f"{' (already complete: nothing run)' if manifest.get('noop') else ''}\n"
        ),
        description="k2batch solve summary",
    )


@task(name="publish-progress")
def publish_progress(manifest: dict) -> None:
    """The live display's final numbers (k2batch.progress: problems done / total, verified, calls
    made / reused per stage, tokens/s, spend vs budget, ETA) as a table artifact. Tasks run in the
    flow's process, where the job counted them."""
    create_table_artifact(
        key="solve-progress",
        table=live.table(),
        description=f"k2batch {manifest['job_id']}: progress"
        + (" (already complete: nothing run)" if manifest.get("noop") else ""),
    )


@flow(name="solve")
def solve(
    input_uri: str,
    out_uri: str,
    config: dict | None = None,
    force: bool = False,
    break_lock: bool = False,
    profile: str | None = None,
) -> dict:
    """Solve every problem of `input_uri` into `out_uri` with the K2-Think recipe. `config` is a
    job file's content; `profile` a runner profile file (relative paths from the project root)
    that `config` is merged over. A rerun reuses every stored model call; a rerun of a finished
    job does nothing unless `force`."""
    profiles = [ROOT / profile] if profile else None  # ROOT / an absolute path is that path
    cfg = load_config(profiles, data=config)
    manifest = run_pipeline(input_uri, out_uri, cfg, force, break_lock)
    publish_progress(manifest)
    publish_summary(manifest, report(out_uri), out_uri)
    if manifest["status"] == "failed":  # the flow run fails too, so schedules and alerts see it
        raise JobFailed(manifest)
    return manifest
