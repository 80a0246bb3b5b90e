"""The `nightly` flow and its deployment: solve each configured dataset into a dated prefix, then
write its report and its distillation set.

    python -m flows.nightly serve --config flows/nightly.toml     # a long-running deployment
    python -m flows.nightly run --config flows/nightly.toml       # one run now

`serve` needs a Prefect server (`prefect server start`, offline) with PREFECT_API_URL set."""

from __future__ import annotations

import argparse
import datetime as dt
import tomllib

from prefect import flow, get_run_logger, task

from flows.distill import distill
from flows.solve import solve
from k2batch.io import join
from k2batch.report import write_report


@task(name="write-report")
def report(out_uri: str) -> dict:
    return write_report(out_uri)


@flow(name="nightly")
def nightly(
    datasets: dict[str, str], out_root: str, config: dict | None = None, day: str | None = None
) -> dict:
    """For each name -> input URI: solve into OUT_ROOT/NAME/YYYY-MM-DD, then report and distill.
    One dataset's failure does not stop the others; the run fails at the end, naming each."""
    day = day or dt.datetime.now(dt.UTC).date().isoformat()
    done, failed = {}, {}
    for name, input_uri in sorted(datasets.items()):
        out = join(out_root, name, day)
        try:
            manifest = solve(input_uri, out, config)
            report(out)
            distill(out, join(out, "distill"))
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
            get_run_logger().error("dataset %s failed: %s", name, failed[name])
            continue
        done[name] = {"out": out, "status": manifest["status"], "counts": manifest["counts"]}
    if failed:
        raise RuntimeError(f"nightly: {len(failed)} of {len(datasets)} datasets failed: {failed}")
    return done


def _load(path: str) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="nightly k2batch runs")
    ap.add_argument("action", choices=["serve", "run"])
    ap.add_argument("--config", required=True, help="TOML: cron, out_root, [datasets], [job]")
    ap.add_argument("--interval", type=float, help="seconds between runs instead of the cron (tests)")
    args = ap.parse_args(argv)
    cfg = _load(args.config)
    params = {"datasets": cfg["datasets"], "out_root": cfg["out_root"], "config": cfg.get("job")}
    if args.action == "run":
        nightly(**params)
        return
    schedule = {"interval": args.interval} if args.interval else {"cron": cfg.get("cron", "0 2 * * *")}
    nightly.serve(name=cfg.get("name", "k2batch-nightly"), parameters=params, **schedule)


if __name__ == "__main__":
    main()
