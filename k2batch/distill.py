"""`k2batch distill OUT --out DEST`: an SFT dataset from verified candidates, in the common chat
format (`messages` with system/user/assistant), as Parquet and JSONL with a dataset card. Made safe
to train on: problems whose reference the job flagged as suspect are left out (unless asked for),
so are problems that overlap a named evaluation set and near-duplicates of an earlier problem
(k2batch.dataset_safety), and exact duplicates (same problem, same reply). Every dropped example
is listed in DEST/dropped.jsonl (id, problem_id, reason, detail) and counted in the card.
Loads unchanged with `datasets.load_dataset("parquet", data_files=DEST/data/*.parquet)`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
from importlib import metadata

import fsspec
import pyarrow.parquet as pq

from k2batch import __version__
from k2batch.dataset_safety import SHINGLE, contaminated, near_duplicates, read_eval_problems
from k2batch.extract import split_think
from k2batch.io import InputError, join, output_parts, read_manifest, read_parts
from k2batch.recipe import solve_prompt
from k2batch.schemas import to_table

SYSTEM = "You are a careful reasoner. Think step by step before answering."
REASONS = ("suspect_reference", "contaminated", "near_duplicate", "exact_duplicate")
CARD_IDS = 50  # dropped ids printed per reason in the card; dropped.jsonl has them all


def _rows(s: dict, job_id: str | None, mode: str, reasoning: str) -> list[dict]:
    """One solution's dataset rows, before any deduplication. A suspect reference's problem
    gives its agreeing candidates (every candidate has the same answer, which the reference
    rejects): `select` leaves them out unless asked to keep them."""
    picks = [c for c in s["candidates"] if c["verdict"] == "correct"]
    if s.get("suspect_reference") and not picks:
        picks = list(s["candidates"])
    if mode == "chosen":
        picks = [c for c in picks if c["sample"] == s["chosen_sample"]]
    out = []
    for c in picks:
        think, answer = split_think(c["response"] or "")
        assistant = c["response"].strip() if reasoning == "inline" else answer
        user = solve_prompt(s)  # as a user asks it: no plan
        out.append({
            "id": f"{s['id']}#{c['sample']}", "problem_id": s["id"], "domain": s["domain"],
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user},
                         {"role": "assistant", "content": assistant}],
            "reasoning": think if reasoning == "field" else None,
            "answer": c["answer"], "reference": s["reference"], "verdict_reason": c["verdict_reason"],
            "source_job": job_id, "sample": c["sample"], "seed": c["seed"],
        })  # fmt: skip
    return out


def _drop(rows: list[dict], reason: str, detail: str) -> list[dict]:
    return [{"id": r["id"], "problem_id": r["problem_id"], "reason": reason, "detail": detail} for r in rows]


def _exact_dedup(rows: list[dict], dropped: list[dict]) -> list[dict]:
    """Rows without exact duplicates (same user message, same assistant message): the first stays."""
    out, seen = [], {}
    for r in rows:
        key = hashlib.sha256(
            f"{r['messages'][1]['content']}\x1f{r['messages'][2]['content']}".encode()
        ).hexdigest()
        if key in seen:
            dropped += _drop([r], "exact_duplicate", f"same problem and reply as {seen[key]}")
            continue
        seen[key] = r["id"]
        out.append(r)
    return out


def examples(
    solutions: list[dict], job_id: str | None, mode: str = "chosen", reasoning: str = "inline"
) -> list[dict]:
    """Dataset rows from solution rows: `chosen` keeps the chosen candidate where it verified
    correct, `all` every verified-correct candidate. Duplicates (same problem, same reply) go."""
    return _exact_dedup([r for s in solutions for r in _rows(s, job_id, mode, reasoning)], [])


def select(
    solutions: list[dict],
    job_id: str | None,
    mode: str = "chosen",
    reasoning: str = "inline",
    *,
    dedup_threshold: float | None = 0.85,
    evals: dict[str, list[str]] | None = None,
    ngram: int = 13,
    include_suspect: bool = False,
) -> tuple[list[dict], list[dict]]:
    """(kept rows, dropped records) from solution rows, filtered in this order: suspect
    references, contamination with `evals` (name -> problem texts), near-duplicate problems
    (across problems: a problem's own candidates are kept together), exact duplicates."""
    groups = [(s, rows) for s in solutions if (rows := _rows(s, job_id, mode, reasoning))]
    dropped: list[dict] = []
    if not include_suspect:
        for s, rows in groups:
            if s.get("suspect_reference"):  # missing in outputs written before the column: False
                dropped += _drop(
                    rows, "suspect_reference", f"reference {s['reference']!r} flagged by the job"
                )
        groups = [(s, rows) for s, rows in groups if not s.get("suspect_reference")]
    if evals:
        hits = contaminated(((i, s["problem"]) for i, (s, _) in enumerate(groups)), evals, ngram)
        for i, (name, row) in hits.items():
            dropped += _drop(groups[i][1], "contaminated", f"{name} (row {row})")
        groups = [g for i, g in enumerate(groups) if i not in hits]
    if dedup_threshold is not None and dedup_threshold < 1:
        dups = near_duplicates(((i, s["problem"]) for i, (s, _) in enumerate(groups)), dedup_threshold)
        for i, (kept, j) in dups.items():
            dropped += _drop(groups[i][1], "near_duplicate", f"problem {groups[kept][0]['id']} (Jaccard {j})")
        groups = [g for i, g in enumerate(groups) if i not in dups]
    rows = _exact_dedup([r for _, rows in groups for r in rows], dropped)
    return rows, dropped


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _dropped_section(dropped: list[dict], opts: dict) -> str:
    threshold = opts["dedup_threshold"]
    evals = ", ".join(f"`{u}` ({n} problems)" for u, n in opts["evals"].items()) or "none named"
    lines = [
        "## Filters",
        "",
        f"- suspect references: {'kept (--include-suspect)' if opts['include_suspect'] else 'left out'}"
        f" (problems the job flagged: {opts['suspect_solutions']})",
        f"- decontamination against: {evals}; any shared word {opts['ngram']}-gram, or the whole "
        f"normalised problem where it is shorter than {opts['ngram']} words",
        "- near-duplicates: "
        + (
            f"Jaccard >= {threshold} over word {SHINGLE}-grams (MinHash LSH) and "
            "the same numbers; the first problem stays"
            if threshold is not None and threshold < 1
            else "off (exact duplicates only)"
        ),  # fmt: skip
        "- normalised: NFKC, lowercase, punctuation removed (operators kept), whitespace collapsed",
        "",
    ]
    for reason in REASONS:
        hits = [d for d in dropped if d["reason"] == reason]
        lines.append(f"### Dropped: {reason.replace('_', ' ')} ({len(hits)})")
        lines.append("")
        lines += [f"- `{d['id']}`: {d['detail']}" for d in hits[:CARD_IDS]] or ["- none"]
        if len(hits) > CARD_IDS:
            lines.append(f"- ... and {len(hits) - CARD_IDS} more (all in `dropped.jsonl`)")
        lines.append("")
    return "\n".join(lines)


def _card(rows: list[dict], manifest: dict, source: str, mode: str, reasoning: str, solutions: int,
          dropped: list[dict], opts: dict) -> str:  # fmt: skip
    domains: dict[str, int] = {}
    for r in rows:
        domains[r["domain"]] = domains.get(r["domain"], 0) + 1
    settings = manifest.get("settings", {})
    model = (settings.get("backend") or {}).get("model") or "embedded SmolLM2-135M-Instruct (llamacpp)"
    per_domain = ", ".join(f"{k}: {v}" for k, v in sorted(domains.items())) or "none"
    counts = ", ".join(f"{r.replace('_', ' ')}: {sum(d['reason'] == r for d in dropped)}" for r in REASONS)
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
    verify = json.dumps(settings.get("verify", {}), indent=2, sort_keys=True)
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
- selection: `{mode}` ({chosen})
- dropped: {len(dropped)} ({counts}); every one in `dropped.jsonl` (id, problem_id, reason, detail)
- reasoning: `{reasoning}` ({where})
- source: `{source}` (input `{manifest.get("input")}`), model `{model}`, made {dt.datetime.now(dt.UTC).date()}

Load: `datasets.load_dataset("parquet", data_files="data/train-*.parquet")` or
`pandas.read_parquet("data/")`; `train.jsonl` holds the same rows.

{_dropped_section(dropped, opts)}
## Verifier

The job ran k2batch {manifest.get("k2batch_version", "unknown")}. This set was made with k2batch {__version__}
and math-verify {_version("math-verify")}. The job's verification settings (`settings.verify`):

```json
{verify}
```
"""


def run_distill(
    out_uri: str, dest_uri: str, mode: str = "chosen", reasoning: str = "inline", *,
    dedup_threshold: float | None = 0.85, decontaminate: list[str] | tuple[str, ...] = (), ngram: int = 13,
    include_suspect: bool = False,
) -> dict:  # fmt: skip
    """Write DEST/data/train-00000.parquet, DEST/train.jsonl, DEST/dropped.jsonl and DEST/README.md.
    `dedup_threshold` None (or 1) keeps near-duplicates; `decontaminate` names evaluation sets."""
    if mode not in ("chosen", "all") or reasoning not in ("inline", "field"):
        raise InputError("mode is chosen|all and reasoning is inline|field")
    if dedup_threshold is not None and not 0 < dedup_threshold <= 1:
        raise InputError(f"the dedup threshold is a Jaccard similarity in (0, 1], not {dedup_threshold}")
    if ngram < 1:
        raise InputError(f"the decontamination n-gram is at least 1 word, not {ngram}")
    manifest = read_manifest(out_uri)
    if manifest is None:
        raise InputError(f"no finished job at {out_uri} (manifest.json missing)")
    evals = {uri: read_eval_problems(uri) for uri in decontaminate}
    solutions = [r for batch in read_parts(output_parts(out_uri, "solutions")) for r in batch]
    rows, dropped = select(solutions, manifest.get("job_id"), mode, reasoning, evals=evals, ngram=ngram,
                           dedup_threshold=dedup_threshold, include_suspect=include_suspect)  # fmt: skip
    opts = {"dedup_threshold": dedup_threshold, "evals": {u: sum(map(bool, p)) for u, p in evals.items()},
            "ngram": ngram, "include_suspect": include_suspect,
            "suspect_solutions": sum(bool(s.get("suspect_reference")) for s in solutions)}  # fmt: skip
    fs, path = fsspec.core.url_to_fs(dest_uri)
    fs.makedirs(posixpath.join(path, "data"), exist_ok=True)
    with fs.open(posixpath.join(path, "data", "train-00000.parquet"), "wb") as f:
        pq.write_table(to_table("distill", rows), f)
    with fs.open(posixpath.join(path, "train.jsonl"), "w") as f:  # beside data/: that folder is all Parquet
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    with fs.open(posixpath.join(path, "dropped.jsonl"), "w") as f:
        f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in dropped)
    with fs.open(posixpath.join(path, "README.md"), "w") as f:
        f.write(_card(rows, manifest, out_uri, mode, reasoning, len(solutions), dropped, opts))
    return {
        "examples": len(rows), "solutions": len(solutions), "dest": join(dest_uri, "data"),
        "dropped": {r: sum(d["reason"] == r for d in dropped) for r in REASONS},
        "suspect_solutions": opts["suspect_solutions"], "dedup_threshold": dedup_threshold,
        "decontaminate": list(decontaminate), "decontaminate_ngram": ngram,
    }  # fmt: skip
