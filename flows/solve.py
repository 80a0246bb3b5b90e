"""The `solve` flow: one bulk solving job = one Beam pipeline run, with a summary artifact."""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from k2batch.config import JobConfig
from k2batch.job import run_solve


@task(name="run-solve-pipeline")
def run_pipeline(input_uri: str, out_uri: str, cfg: JobConfig) -> dict:
    return run_solve(input_uri, out_uri, cfg)


@task(name="publish-summary")
def publish_summary(manifest: dict, out_uri: str) -> None:
    counts = manifest["counts"]
    create_markdown_artifact(
        key="solve-summary",
        markdown=(
            f"## k2batch solve `{manifest['job_id']}`\n\n"
            f"- input: `{manifest['input']}`\n- output: `{out_uri}`\n"
            f"- solutions: {counts['solutions']}, rejects: {counts['rejects']}, "
            f"model calls: {counts['token_stats']}\n- elapsed: {manifest['elapsed_s']} s\n"
        ),
        description="k2batch solve summary",
    )


@flow(name="solve")
def solve(input_uri: str, out_uri: str, config: dict | None = None) -> dict:
    """Solve every problem of `input_uri` into `out_uri` with the K2-Think recipe."""
    cfg = JobConfig.model_validate(config or {})
    manifest = run_pipeline(input_uri, out_uri, cfg)
    publish_summary(manifest, out_uri)
    return manifest
