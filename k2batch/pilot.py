"""The estimate's pilot: the input as the job reads it, a stratified random sample of its
problems (domain x problem-length tertile within the domain, proportional allocation, at least
one per non-empty stratum, seeded by the job seed), each sampled problem's weight, and the
pilot's own input file."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from k2batch import arrowfiles, formats, jsonl
from k2batch.inputs import input_files, shape
from k2batch.io import _fs, join
from k2batch.validate import validate_row

LENGTHS = ("short", "medium", "long")


def _table(uri: str) -> pa.Table:
    if arrowfiles.is_arrow(uri):
        return arrowfiles.table(uri)
    fs, path = _fs(uri)
    with fs.open(path, "rb") as f:
        return pq.read_table(f)


def load_problems(input_uri: str, limit: int | None):
    """The input as read (an Arrow table; JSON's rows) and its problems as the job sees them:
    (row, validated problem) of the first `limit` rows, invalid rows and repeated ids left out.
    A folder's files are read in the job's order, their columns unified."""
    files = input_files(input_uri) or [input_uri]
    as_text, source = jsonl.is_text(files[0]), None
    if not as_text:
        tables = [_table(f) for f in files]
        try:
            source = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
            source = source.slice(0, limit) if limit else source
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # shards typed unlike each other: as rows, below
            pass
    if source is None:  # JSON, or such shards: rows with every file's columns, the pilot as JSON Lines
        names = shape(input_uri)[0]
        per_file = [jsonl.rows(f)[1] for f in files] if as_text else [[(r, None) for r in t.to_pylist()]
                                                                       for t in tables]  # fmt: skip
        source = [(row if why else {n: row.get(n) for n in names}, why)
                  for part in per_file for row, why in part]  # fmt: skip
        source = source[:limit] if limit else source
    rows = source if isinstance(source, list) else [(row, None) for row in source.to_pylist()]
    problems, seen = [], set()
    for i, (row, damage) in enumerate(rows):
        problem, _ = validate_row(row, i, damage)
        if problem and problem["id"] not in seen:
            seen.add(problem["id"])
            problems.append((i, problem))
    return source, problems


def write_pilot(source, chosen: list, pilot_dir: str) -> str:
    """The pilot's input: its rows as read, in the input's kind (the same bytes on a rerun: a
    finished pilot is a noop). Where ids are the rows' positions in the input (GSM8K, MMLU:
    k2batch/formats.py), they are written as an `idx` column, which the pilot reads them from:
    its problems keep the full job's ids."""
    as_json = isinstance(source, list)
    names = list(dict.fromkeys(k for row, _ in source for k in row)) if as_json else source.column_names
    positional = formats.detect(names) is not None and formats.id_column(names) is None
    ids = [p["id"] for _, p in chosen]
    fs, path = _fs(uri := join(pilot_dir, "pilot.jsonl" if as_json else "pilot.parquet"))
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as f:
        if as_json:
            rows = [source[i][0] | ({"idx": p["id"]} if positional else {}) for i, p in chosen]
            f.write("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows).encode())
        else:
            table = source.take([row for row, _ in chosen])
            if positional:
                table = table.append_column("idx", pa.array(ids, pa.string()))
            pq.write_table(table, f)
    return uri


def stratify(problems: list) -> dict[tuple[str, str], list]:
    """Strata of (domain, length tertile of the problem's characters within its domain)."""
    by_domain: dict[str, list] = {}
    for item in problems:
        by_domain.setdefault(item[1]["domain"], []).append(item)
    out: dict[tuple[str, str], list] = {}
    for domain in sorted(by_domain):
        items = sorted(by_domain[domain], key=lambda it: (len(it[1]["problem"]), it[1]["id"]))
        for rank, item in enumerate(items):
            out.setdefault((domain, LENGTHS[3 * rank // len(items)]), []).append(item)
    return out


def pilot_size(n_problems: int, share: float, min_problems: int) -> int:
    return min(n_problems, max(min_problems, math.ceil(share * n_problems)))  # the floor, capped at N


def allocate(sizes: dict, n: int) -> dict:
    """Problems per stratum: proportional to its size (largest remainders), at least one per
    non-empty stratum (so `n` is raised to the number of strata where it is below)."""
    total = sum(sizes.values())
    target = {k: n * v / total for k, v in sizes.items()}
    alloc = {k: max(1, math.floor(t)) for k, t in target.items()}
    while sum(alloc.values()) < n:
        k = max((k for k in alloc if alloc[k] < sizes[k]), key=lambda k: (target[k] - alloc[k], k))
        alloc[k] += 1
    while sum(alloc.values()) > max(n, len(sizes)):  # the minimum of one took too many
        k = min((k for k in alloc if alloc[k] > 1), key=lambda k: (target[k] - alloc[k], k))
        alloc[k] -= 1
    return alloc


def choose(strata: dict, n: int, seed: int) -> tuple[list, dict]:
    """The pilot's (row, problem) items in input order, and n per stratum."""
    alloc = allocate({k: len(v) for k, v in strata.items()}, n)
    chosen = []
    for key, items in strata.items():
        chosen += random.Random(f"{seed}:{key[0]}:{key[1]}").sample(items, alloc[key])
    return sorted(chosen, key=lambda it: it[0]), alloc


def weights(strata: dict, alloc: dict, chosen: list) -> np.ndarray:
    """Each chosen problem's weight: its stratum's problems per pilot problem, N_h / n_h (the
    allocation's rounding and its one per stratum make these unequal; they sum to N)."""
    stratum = {p["id"]: key for key, items in strata.items() for _, p in items}
    return np.array([len(strata[stratum[p["id"]]]) / alloc[stratum[p["id"]]] for _, p in chosen])
