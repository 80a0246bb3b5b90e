"""`k2batch reselect OUT --strategy judge|majority|shortest|first`: choose each problem's candidate
again from what the job stored — candidates, verdicts, judge decisions — without any model call,
and compare the strategies' accuracy after the fact. The new solutions go to a derived output
(default OUT/reselect-<strategy>/) with its own manifest; OUT is left as it is."""

from __future__ import annotations

import datetime as dt
import posixpath
import time
import uuid

from k2batch import __version__, recipe
from k2batch.config import JobConfig
from k2batch.evidence import PICKS, bootstrap_ci, candidates_of, is_correct, verified
from k2batch.io import (
    InputError,
    absolute,
    check_writable,
    commit,
    finalize_parts,
    join,
    output_parts,
    read_manifest,
    read_parts,
    write_part,
)

STRATEGIES = ("judge", "majority", "shortest", "first")


def pick(row: dict, strategy: str, cfg: JobConfig | None = None) -> int | None:
    """The sample `strategy` chooses for a stored solution row. judge: recipe.choose over the
    stored decisions with the job's settings (the stored choice, recomputed); majority: the
    largest answer group, ties to the lower sample; shortest: the shortest answer part among
    candidates with an answer; first: sample 0, or the first with an answer."""
    cands = candidates_of(row)
    if strategy == "judge":
        return recipe.choose(cands, list(row.get("judge") or []), cfg)[0]
    if strategy not in PICKS:
        raise InputError(f"unknown strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    return PICKS[strategy](cands)


def reselect_row(row: dict, strategy: str, cfg: JobConfig | None = None) -> dict:
    """The row with its choice made again by `strategy`; everything else as stored."""
    chosen = pick(row, strategy, cfg)
    c = next((c for c in candidates_of(row) if c["sample"] == chosen), None)
    return {
        **row,
        "chosen_sample": chosen,
        "chosen_answer": c["answer"] if c else None,
        "chosen_response": c["response"] if c else None,
        "status": c["verdict"] if c else "error",
        "selection": f"reselect:{strategy}",
    }


class Comparison:
    """Every strategy's outcome on the problems whose candidates were all verified."""

    def __init__(self):
        self.correct: dict[str, list[float]] = {s: [] for s in ("stored", *STRATEGIES)}
        self.changed = {s: 0 for s in STRATEGIES}

    def add(self, row: dict, cfg: JobConfig | None) -> None:
        cands, ok = candidates_of(row), verified(row)
        for s in STRATEGIES:
            p = pick(row, s, cfg)
            self.changed[s] += p != row["chosen_sample"]
            if ok:
                self.correct[s].append(float(is_correct(cands, p)))
        if ok:
            self.correct["stored"].append(float(row["status"] == "correct"))

    def result(self) -> dict:
        out = {}
        for s, v in self.correct.items():
            acc = sum(v) / len(v) if v else None
            out[s] = {"verifiable": len(v), "correct": int(sum(v)), "accuracy": acc, "ci": bootstrap_ci(v),
                      "changed": self.changed.get(s, 0)}  # fmt: skip
        return out


def table(strategies: dict, chosen: str | None = None) -> str:
    """The comparison as a Markdown table."""
    lines = ["| strategy | correct | verifiable | accuracy | 95 % CI | choices changed |", "|" + "---|" * 6]
    for s, r in strategies.items():
        acc = "–" if r["accuracy"] is None else f"{r['accuracy']:.3f}"
        ci = f"[{r['ci'][0]:.3f}, {r['ci'][1]:.3f}]" if r["ci"] else "–"
        name = f"{s} (written)" if s == chosen else s
        changed = "–" if s == "stored" else str(r["changed"])
        lines.append(f"| {name} | {r['correct']} | {r['verifiable']} | {acc} | {ci} | {changed} |")
    return "\n".join(lines)


def run_reselect(out_uri: str, strategy: str, dest_uri: str | None = None) -> dict:
    """Write `out_uri`'s solutions, re-chosen by `strategy`, to `dest_uri` (default
    OUT/reselect-<strategy>); returns the manifest written there, with every strategy's accuracy
    under `strategies`. Reads solutions and the manifest only: no backend, no result store."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    parts = output_parts(out_uri, "solutions")
    if not parts:
        raise InputError(f"no solutions found under {out_uri}")
    dest_uri = dest_uri or join(out_uri, f"reselect-{strategy}")
    if absolute(dest_uri).rstrip("/") == absolute(out_uri).rstrip("/"):
        raise InputError("reselect would replace the job's own solutions: give --into another folder")
    source = read_manifest(out_uri) or {}
    cfg = JobConfig.model_validate(source.get("settings", {}))
    check_writable(dest_uri)
    staging = join(dest_uri, "_staging", uuid.uuid4().hex[:12])
    started, rows_done, names, comparison = time.time(), 0, [], Comparison()
    for rows in read_parts(parts):
        new_rows = [reselect_row(r, strategy, cfg) for r in rows]
        for r in rows:
            comparison.add(r, cfg)
        names.append(posixpath.basename(write_part(staging, "solutions", new_rows)))
        rows_done += len(rows)
    finalize_parts(staging, "solutions", names)
    strategies = comparison.result()
    manifest = {
        "k2batch_version": __version__, "kind": "reselect", "source": out_uri, "strategy": strategy,
        "job_id": source.get("job_id"), "status": "succeeded",
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "elapsed_s": round(time.time() - started, 3),
        "counts": {"solutions": rows_done, "changed": strategies[strategy]["changed"],
                   "correct": strategies[strategy]["correct"]},
        "strategies": strategies,
        "settings": cfg.model_dump(mode="json"),
    }  # fmt: skip
    return commit(staging, dest_uri, manifest, outputs=("solutions",))
