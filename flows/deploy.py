"""Deployments of the `solve` flow on a Prefect work pool, one per runner profile in
infra/runners: a worker picks up each run and submits the Beam pipeline to the runner the
profile names (the local FnApiRunner, Dataflow, Flink, Spark).

    prefect server start                              # or Prefect Cloud, with PREFECT_API_URL set
    python -m flows.deploy --pool k2batch             # every profile; --profile NAME to pick
    prefect worker start --pool k2batch               # on a host that can reach the runner
    prefect deployment run solve/dataflow-gpu -p input_uri=gs://b/set.parquet -p out_uri=gs://b/out

Job settings go in the run's `config` parameter (a job file's content as a dict); the profile's
runner settings sit under them. The worker runs the flow from this checkout (a process pool).
The Beam workers' container for Dataflow is infra/Dockerfile.worker, named in the profile."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectNotFound

from flows.solve import solve

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "infra" / "runners"


async def ensure_pool(name: str, kind: str = "process") -> None:
    async with get_client() as client:
        try:
            await client.read_work_pool(name)
        except ObjectNotFound:
            await client.create_work_pool(WorkPoolCreate(name=name, type=kind))


def deploy(pool: str, profiles: list[str] | None = None) -> list[str]:
    """Register `solve/<profile>` for each profile (all by default); returns their names."""
    asyncio.run(ensure_pool(pool))
    names = []
    for path in sorted(PROFILES.glob("*.toml")):
        if profiles and path.stem not in profiles:
            continue
        solve.from_source(str(ROOT), "flows/solve.py:solve").deploy(
            name=path.stem,
            work_pool_name=pool,
            build=False,
            push=False,
            parameters={"profile": str(path.relative_to(ROOT))},
            description=f"k2batch solve on the {path.stem} runner profile ({path.relative_to(ROOT)})",
            tags=["k2batch", path.stem],
            print_next_steps=False,
            ignore_warnings=True,  # "a process pool runs flows from a local path": intended
        )
        names.append(f"solve/{path.stem}")
    if profiles and len(names) != len(profiles):
        known = ", ".join(p.stem for p in sorted(PROFILES.glob("*.toml")))
        raise SystemExit(f"unknown profile among {profiles}; known: {known}")
    return names


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="deploy the solve flow on a Prefect work pool")
    ap.add_argument("--pool", default="k2batch", help="work pool (created as a process pool if missing)")
    ap.add_argument("--profile", action="append", help="a profile name in infra/runners (repeatable)")
    args = ap.parse_args(argv)
    for name in deploy(args.pool, args.profile):
        print(name)


if __name__ == "__main__":
    main()
