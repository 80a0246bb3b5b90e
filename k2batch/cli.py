"""Command line: `k2batch solve INPUT --out OUT [--config JOB.toml] [--limit N] ...`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from k2batch import quiet
from k2batch.config import ConfigError, load_config
from k2batch.io import InputError
from k2batch.job import JobFailed, JobLocked
from k2batch.secrets import RedactingFormatter, redact

EXIT_FAILED, EXIT_USAGE = 1, 2
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _samples(text: str) -> int | dict:
    """`3` or `2:3` (adaptive: min 2, max 3)."""
    lo, sep, hi = text.partition(":")
    try:
        return {"min": int(lo), "max": int(hi)} if sep else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"samples is N or MIN:MAX, not {text!r}") from None


def _solve_parser(sub) -> None:
    p = sub.add_parser("solve", help="run the K2-Think recipe over a problem set (Parquet, JSON Lines, CSV)")
    p.add_argument("input", help="problem set: a Parquet, JSON Lines (.jsonl[.gz]) or CSV file, or a "
                   "folder of them; a path or an fsspec URI (s3://, gs://)")  # fmt: skip
    p.add_argument("--out", required=True, help="output folder or URI")
    p.add_argument("--config", action="append",
                   help="job file (TOML or YAML); repeat to merge several")  # fmt: skip
    p.add_argument("--limit", type=int, help="only the first N input rows")
    p.add_argument("--samples", type=_samples,
                   help="candidates per problem (default 3), or MIN:MAX (more while they disagree)")
    p.add_argument("--seed", type=int, help="job seed")
    p.add_argument("--backend", help="llamacpp (default) | vllm | openai | cerebras")
    p.add_argument("--model", help="model: a GGUF path (llamacpp), a model name or id (others)")
    p.add_argument("--base-url", help="server URL (openai: http://HOST:PORT/v1; cerebras: without /v1)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any job setting, dotted (e.g. stages.generate.max_tokens=512)",
    )
    p.add_argument("--no-prefect", action="store_true", help="run the job directly, without the Prefect flow")
    p.add_argument("--force", action="store_true", help="recompute everything, even stored model calls")
    p.add_argument("--break-lock", action="store_true", help="take over OUT from a run that died elsewhere")


def _solve(args: argparse.Namespace) -> int:
    cfg = load_config(
        args.config,
        sets=args.set,
        overrides={
            "limit": args.limit,
            "samples": args.samples,
            "seed": args.seed,
            "backend.kind": args.backend,
            "backend.model": args.model,
            "backend.base_url": args.base_url,
        },
    )
    from k2batch.job import preflight

    preflight(args.input, args.out, cfg)  # clear errors before any engine or flow starts
    _say_format(args.input)
    from k2batch.progress import display

    with display():
        if args.no_prefect:
            from k2batch.job import run_solve

            manifest = run_solve(args.input, args.out, cfg, force=args.force, break_lock=args.break_lock)
        else:
            os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
            os.environ.setdefault("DO_NOT_TRACK", "1")
            from flows.solve import solve

            try:
                manifest = solve(
                    args.input, args.out, cfg.model_dump(mode="json"), args.force, args.break_lock
                )
            except JobFailed as exc:  # the flow fails its run; the outputs and manifest are written
                manifest = exc.manifest
    return _outcome(manifest, args.out)


def _outcome(manifest: dict, out: str) -> int:
    """One JSON line on stdout; a line for a person on stderr unless all went well. Exit status:
    0 succeeded (or partial: the rows that failed are in rejects, a rerun retries them),
    1 failed (model calls failed and nothing was solved)."""
    status, calls = manifest.get("status"), manifest.get("calls") or {}
    if manifest.get("noop"):
        print(f"k2batch: job {manifest['job_id']} already complete in {out}; --force recomputes it",
              file=sys.stderr)  # fmt: skip
    elif status in ("partial", "failed"):
        if calls.get("failed") or not calls.get("refused"):
            print(f"k2batch: job {status}: {calls.get('failed')} model calls failed (token_stats.error, "
                  "rejects.reason); rerun the same command to retry only those", file=sys.stderr)  # fmt: skip
        if calls.get("refused"):
            print(f"k2batch: the budget refused {calls['refused']} model calls (rejects with reason "
                  "'budget'); rerun with a larger [budget] to solve those, reusing every stored call",
                  file=sys.stderr)  # fmt: skip
    print(json.dumps({"job_id": manifest["job_id"], "status": status, "out": out, **manifest["counts"],
                      "calls": calls, "noop": bool(manifest.get("noop"))}))  # fmt: skip
    return EXIT_FAILED if status == "failed" else 0


def _verify_parser(sub) -> None:
    p = sub.add_parser("verify", help="re-verify an existing solve output without calling a model")
    p.add_argument("input", help="a solve output folder or URI (holding solutions/)")
    p.add_argument("--out", required=True, help="where the re-verified solutions go")
    p.add_argument("--workers", type=int, default=2, help="verifier processes")
    p.add_argument("--timeout", type=float, help="hard limit per verification, seconds")


def _verify(args: argparse.Namespace) -> int:
    from k2batch.reverify import run_verify

    manifest = run_verify(args.input, args.out, args.workers, args.timeout)
    print(json.dumps({"out": args.out, **manifest["counts"]}))
    return 0


def _report_parser(sub) -> None:
    p = sub.add_parser("report", help="write OUT/report/: HTML and Markdown with plots and summaries")
    p.add_argument("out", help="a finished solve output")


def _report(args: argparse.Namespace) -> int:
    from k2batch.report import write_report

    summary = write_report(args.out)
    keys = ("problems", "calls", "tokens", "verified_rate", "pass_at_1", "overhead_share")
    print(
        json.dumps({"report": f"{args.out.rstrip('/')}/report/index.html", **{k: summary[k] for k in keys}})
    )
    return 0


def _distill_parser(sub) -> None:
    p = sub.add_parser("distill", help="an SFT dataset from a solve output's verified candidates")
    p.add_argument("out", help="a finished solve output")
    p.add_argument("--out", dest="dest", required=True, help="where the dataset goes")
    p.add_argument(
        "--all-verified", action="store_true", help="every verified candidate, not only the chosen"
    )
    p.add_argument("--reasoning", choices=["inline", "field"], default="inline",
                   help="keep <think> inside the assistant message, or as a separate field")  # fmt: skip
    p.add_argument("--dedup-threshold", type=float, default=0.85, metavar="J",
                   help="drop a problem whose word 3-gram Jaccard similarity to an earlier one (with the "
                   "same numbers) is at least J (default 0.85; 1: exact duplicates only)")  # fmt: skip
    p.add_argument("--no-dedup", action="store_true", help="keep near-duplicates (exact duplicates still go)")
    p.add_argument("--decontaminate", action="append", default=[], metavar="PATH_OR_URI",
                   help="an evaluation set (Parquet, JSON Lines or CSV file or folder, as published): "
                   "drop problems that share a word n-gram with it (repeatable)")  # fmt: skip
    p.add_argument("--decontaminate-ngram", type=int, default=13, metavar="N",
                   help="n-gram length for --decontaminate (default 13; shorter problems: "
                   "exact match)")  # fmt: skip
    p.add_argument("--include-suspect", action="store_true",
                   help="keep problems whose reference the job flagged as suspect")  # fmt: skip


def _distill(args: argparse.Namespace) -> int:
    from k2batch.distill import run_distill

    mode = "all" if args.all_verified else "chosen"
    res = run_distill(args.out, args.dest, mode, args.reasoning,
                      dedup_threshold=None if args.no_dedup else args.dedup_threshold,
                      decontaminate=args.decontaminate, ngram=args.decontaminate_ngram,
                      include_suspect=args.include_suspect)  # fmt: skip
    print(json.dumps(res))
    return 0


def _reselect_parser(sub) -> None:
    p = sub.add_parser("reselect", help="choose again from a solve output's stored candidates and judge "
                       "decisions, without any model call; compare strategies")  # fmt: skip
    p.add_argument("out", help="a finished solve output")
    p.add_argument("--strategy", choices=["judge", "majority", "shortest", "first"], default="judge")
    p.add_argument("--into", dest="dest",
                   help="where the re-chosen solutions go (default OUT/reselect-STRATEGY)")  # fmt: skip


def _reselect(args: argparse.Namespace) -> int:
    from k2batch.reselect import run_reselect, table

    manifest = run_reselect(args.out, args.strategy, args.dest)
    print(table(manifest["strategies"], args.strategy))
    dest = args.dest or f"{args.out.rstrip('/')}/reselect-{args.strategy}"
    print(json.dumps({"out": dest, "strategy": args.strategy, **manifest["counts"]}))
    return 0


def _estimate_parser(sub) -> None:
    p = sub.add_parser("estimate", help="solve a stratified pilot for real; project the job's tokens, "
                       "cost, wall time and verified yield with 95 %% CIs")  # fmt: skip
    p.add_argument("input", help="problem set: a Parquet, JSON Lines or CSV file or folder, path or URI")
    p.add_argument("--out", required=True, help="the job's output folder: `solve` reuses the pilot's calls")
    p.add_argument("--config", action="append", help="job file (TOML or YAML); repeat to merge several")
    p.add_argument("--limit", type=int, help="only the first N input rows")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="any job setting, dotted")
    p.add_argument("--share", type=float, default=0.02, help="pilot share of the problems (default 0.02)")
    p.add_argument("--min-problems", type=int, default=16, help="pilot floor (default 16; at most the input)")
    p.add_argument("--json", dest="json_path", metavar="PATH", help="default OUT/estimate.json")


def _say_format(input_uri: str) -> None:
    """Name the published format a set is read as (HumanEval, GSM8K...), so a person sees how
    their columns were taken; an unreadable input is left to the job's own clear error."""
    from k2batch.inputs import input_format

    try:
        how = input_format(input_uri)
    except Exception:
        return
    if how:
        print(f"k2batch: reading {input_uri} as {how}", file=sys.stderr)


def _estimate(args: argparse.Namespace) -> int:
    from k2batch.estimate import estimate, render
    from k2batch.progress import display

    cfg = load_config(args.config, sets=args.set, overrides={"limit": args.limit})
    _say_format(args.input)
    with display():
        result = estimate(args.input, args.out, cfg, args.share, args.min_problems, args.json_path)
    render(result)
    return 0


def _worker_pool_parser(sub) -> None:
    from k2batch.config import WORKER_POOL_PORT

    p = sub.add_parser("worker-pool", help="serve SDK workers to portable runners "
                       "(--environment_type=EXTERNAL), one per worker host")  # fmt: skip
    p.add_argument("--port", type=int, default=WORKER_POOL_PORT, help=f"default {WORKER_POOL_PORT}")


def _worker_pool(args: argparse.Namespace) -> int:
    from k2batch.runners import worker_pool

    worker_pool(args.port)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="k2batch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _solve_parser(sub)
    _verify_parser(sub)
    _report_parser(sub)
    _distill_parser(sub)
    _worker_pool_parser(sub)
    _estimate_parser(sub)
    _reselect_parser(sub)
    parser.add_argument("--log-level", default="WARNING", type=str.upper, choices=LOG_LEVELS,
                        help="DEBUG, INFO, WARNING (default), ERROR, CRITICAL")  # fmt: skip
    args = parser.parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("k2batch").setLevel(args.log_level)  # not every library's debug
    quiet.install()
    try:
        commands = {"solve": _solve, "verify": _verify, "report": _report, "distill": _distill,
                    "worker-pool": _worker_pool, "estimate": _estimate, "reselect": _reselect}  # fmt: skip
        return commands[args.command](args)
    except (InputError, ConfigError, JobLocked) as exc:  # a person's mistake: one line, no traceback
        print(f"k2batch: error: {redact(' '.join(str(exc).split()))}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
