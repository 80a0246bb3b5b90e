"""The `distill` flow: an SFT dataset from a finished solve job's verified candidates."""

from __future__ import annotations

from prefect import flow

from k2batch.distill import run_distill


@flow(name="distill")
def distill(out_uri: str, dest_uri: str, mode: str = "chosen", reasoning: str = "inline") -> dict:
    """Build DEST from OUT's verified solutions (see k2batch.distill)."""
    return run_distill(out_uri, dest_uri, mode, reasoning)
