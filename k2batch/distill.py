"""`k2batch distill OUT --out DEST`: an SFT dataset from verified candidates, in the common chat
format (`messages` with system/user/assistant), deduplicated, as Parquet and JSONL with a dataset
card. Loads unchanged with `datasets.load_dataset("parquet", data_files=DEST/data/*.parquet)`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath

import fsspec
import pyarrow.parquet as pq

from k2batch.extract import split_think
from k2batch.io import InputError, join, output_parts, read_manifest, read_parts
from k2batch.recipe import solve_prompt
from k2batch.schemas import to_table

SYSTEM = "You are a careful reasoner. Think step by step before answering."


def examples(
    solutions: list[dict], job_id: str | None, mode: str = "chosen", reasoning: str = "inline"
) -> list[dict]:
    """Dataset rows from solution rows: `chosen` keeps the chosen candidate where it verified
    correct, `all` every verified-correct candidate. Duplicates (same problem, same reply) go."""
    out, seen = [], set()
    for s in solutions:
        picks = [c for c in s["candidates"] if c["verdict"] == "correct"]
        if mode == "chosen":
            picks = [c for c in picks if c["sample"] == s["chosen_sample"]]
        for c in picks:
            think, answer = split_think(c["response"] or "")
            assistant = c["response"].strip() if reasoning == "inline" else answer
            user = solve_prompt(s)  # as a user asks it: no plan
            key = hashlib.sha256(f"{user}\x1f{assistant}".encode()).hexdigest()
            if key in seen:
                continue
            seen.add(key)
            out.append({
                "id": f"{s['id']}#{c['sample']}", "problem_id": s["id"], "domain": s["domain"],
                "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user},
                             {"role": "assistant", "content": assistant}],
                "reasoning": think if reasoning == "field" else None,
                "answer": c["answer"], "reference": s["reference"], "verdict_reason": c["verdict_reason"],
                "source_job": job_id, "sample": c["sample"], "seed": c["seed"],
            })  # fmt: skip
    return out


def _card(rows: list[dict], manifest: dict, source: str, mode: str, reasoning: str, solutions: int) -> str:
    domains: dict[str, int] = {}
    for r in rows:
        domains[r["domain"]] = domains.get(r["domain"], 0) + 1
    settings = manifest.get("settings", {})
    model = (settings.get("backend") or {}).get("model") or "embedded SmolLM2-135M-Instruct (llamacpp)"
    per_domain = ", ".join(f"{k}: {v}" for k, v in sorted(domains.items())) or "none"
    chosen = (
        "the chosen candidate where it verified correct"
        if mode == "chosen"
        else "every verified-correct candidate"
    )
    where = (
        "kept inside <think> in the assistant message"
        if reasoning == "inline"
        else "in the `reasoning` column; the assistant message holds the answer part"
    )
    return f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
---
# k2batch distillation set

Verified solutions from the k2batch solve job `{manifest.get("job_id")}`, in chat format
(`messages`: system, user, assistant).

- examples: {len(rows)} from {solutions} solved problems ({per_domain})
- selection: `{mode}` ({chosen}); duplicates removed
- reasoning: `{reasoning}` ({where})
- source: `{source}` (input `{manifest.get("input")}`), model `{model}`, made {dt.datetime.now(dt.UTC).date()}

Load: `datasets.load_dataset("parquet", data_files="data/train-*.parquet")` or
`pandas.read_parquet("data/")`; `train.jsonl` holds the same rows.
"""


def run_distill(out_uri: str, dest_uri: str, mode: str = "chosen", reasoning: str = "inline") -> dict:
    """Write DEST/data/train-00000.parquet, DEST/train.jsonl and DEST/README.md."""
    if mode not in ("chosen", "all") or reasoning not in ("inline", "field"):
        raise InputError("mode is chosen|all and reasoning is inline|field")
    manifest = read_manifest(out_uri)
    if manifest is None:
        raise InputError(f"no finished job at {out_uri} (manifest.json missing)")
    solutions = [r for batch in read_parts(output_parts(out_uri, "solutions")) for r in batch]
    rows = examples(solutions, manifest.get("job_id"), mode, reasoning)
    fs, path = fsspec.core.url_to_fs(dest_uri)
    fs.makedirs(posixpath.join(path, "data"), exist_ok=True)
    with fs.open(posixpath.join(path, "data", "train-00000.parquet"), "wb") as f:
        pq.write_table(to_table("distill", rows), f)
    with fs.open(posixpath.join(path, "train.jsonl"), "w") as f:  # beside data/: that folder is all Parquet
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    with fs.open(posixpath.join(path, "README.md"), "w") as f:
        f.write(_card(rows, manifest, out_uri, mode, reasoning, len(solutions)))
    return {"examples": len(rows), "solutions": len(solutions), "dest": join(dest_uri, "data")}
