"""Reading problem sets and writing outputs through fsspec (local paths, s3://, gs://)."""

from __future__ import annotations

import json
import os
import posixpath
import uuid
from collections.abc import Iterator

import fsspec
import pyarrow.parquet as pq

from k2batch.schemas import to_table

OUTPUTS = ("solutions", "token_stats", "rejects")
PARTS_LISTS = "_parts"  # per staged output and pipeline run: the parts of attempts that succeeded
SCHEMA_OF = {"solutions": "solution", "token_stats": "token_stats", "rejects": "rejects"}


class InputError(ValueError):
    """The problem set cannot be read as a whole; the message is for a person."""


def join(base: str, *parts: str) -> str:
    return posixpath.join(base.rstrip("/"), *parts)


def _fs(uri: str) -> tuple[fsspec.AbstractFileSystem, str]:
    return fsspec.core.url_to_fs(uri)


def absolute(uri: str) -> str:
    """`uri` with a local path made absolute: workers of a distributed runner do not share the
    driver's working directory. Remote URIs are returned unchanged."""
    if "://" in uri and not uri.startswith("file://"):
        return uri
    return os.path.abspath(uri.removeprefix("file://"))


def read_manifest(out_uri: str) -> dict | None:
    """The manifest of a finished job, or None where there is none."""
    fs, path = _fs(join(out_uri, "manifest.json"))
    if not fs.exists(path):
        return None
    with fs.open(path, "r") as f:
        return json.load(f)


def read_json(uri: str) -> dict | None:
    """A JSON object the job reads for information only (an estimate): None where there is none
    or it does not parse."""
    fs, path = _fs(uri)
    try:
        with fs.open(path, "r") as f:
            value = json.load(f)
    except (OSError, ValueError):  # missing, unreadable, not JSON: no information
        return None
    return value if isinstance(value, dict) else None


def output_parts(out_uri: str, output: str) -> list[str]:
    """URIs of an output's parts: those the manifest lists, else the folder's Parquet files."""
    manifest = read_manifest(out_uri)
    if manifest and output in manifest.get("outputs", {}):
        return [join(out_uri, p) for p in manifest["outputs"][output]]
    protocol = out_uri.split("://", 1)[0] + "://" if "://" in out_uri else ""
    return [
        protocol + p if protocol and not p.startswith(protocol) else p for p in list_parts(out_uri, output)
    ]


def read_parts(uris: list[str]) -> Iterator[list[dict]]:
    """Rows of Parquet parts, one row group at a time."""
    for uri in uris:
        fs, path = _fs(uri)
        with fs.open(path, "rb") as f:
            pf = pq.ParquetFile(f)
            for i in range(pf.num_row_groups):
                yield pf.read_row_group(i).to_pylist()


def check_writable(uri: str) -> None:
    """Fail early, with a clear message, when outputs cannot be written under `uri`."""
    probe = join(uri, f".k2batch-probe-{uuid.uuid4().hex}")
    try:
        fs, path = _fs(probe)
        fs.makedirs(posixpath.dirname(path), exist_ok=True)
        with fs.open(path, "wb") as f:
            f.write(b"ok")
        fs.rm(path)
    except Exception as exc:
        raise InputError(f"output location is not writable: {uri} ({type(exc).__name__}: {exc})") from exc


def write_part(dir_uri: str, output: str, rows: list[dict]) -> str:
    """Write rows as one Parquet part of `output` under `dir_uri`; returns the part's URI."""
    table = to_table(SCHEMA_OF[output], rows)
    uri = join(dir_uri, output, f"part-{uuid.uuid4().hex}.parquet")
    fs, path = _fs(uri)
    fs.makedirs(posixpath.dirname(path), exist_ok=True)
    with fs.open(path, "wb") as f:
        pq.write_table(table, f)
    return uri


def finalize_parts(dir_uri: str, output: str, names: list[str], wave: int = 0) -> None:
    """Record which staged parts of `output` one pipeline run (a wave) made: the parts written by
    bundle attempts that succeeded. A retried bundle's failed attempt may have written parts
    too; they are not listed, so they are never committed (Beam's WriteFiles works the same
    way). Written whole (temporary name, then rename): a retried finalize rewrites the same list."""
    fs, path = _fs(join(dir_uri, output, PARTS_LISTS))
    fs.makedirs(path, exist_ok=True)
    tmp = posixpath.join(path, f".tmp-{uuid.uuid4().hex}")
    with fs.open(tmp, "w") as f:
        json.dump(sorted(names), f)
    fs.mv(tmp, posixpath.join(path, f"{wave:06d}.json"))


def staged_parts(dir_uri: str, output: str) -> list[str]:
    """Paths of the finalized parts of `output` staged under `dir_uri` (see finalize_parts); none
    where nothing was staged for it. Parts without a list mean an unfinished run: an error."""
    fs, path = _fs(join(dir_uri, output))
    lists = posixpath.join(path, PARTS_LISTS)
    names = sorted(p for p in (fs.ls(lists, detail=False) if fs.exists(lists) else []) if p.endswith(".json"))
    if not names:
        if list_parts(dir_uri, output):
            raise RuntimeError(f"{join(dir_uri, output)} was never finalized: the run did not finish")
        return []
    parts = []
    for name in names:
        with fs.open(name, "r") as f:
            parts += [posixpath.join(path, part) for part in json.load(f)]
    return parts


def list_parts(dir_uri: str, output: str) -> list[str]:
    fs, path = _fs(join(dir_uri, output))
    if not fs.exists(path):
        return []
    return sorted(p for p in fs.ls(path, detail=False) if p.endswith(".parquet"))


def count_rows(dir_uri: str, outputs: tuple[str, ...] = OUTPUTS) -> dict[str, int]:
    """Rows per output staged under `dir_uri`, from the finalized parts' footers."""
    fs, _ = _fs(dir_uri)
    counts = {}
    for output in outputs:
        counts[output] = 0
        for part in staged_parts(dir_uri, output):
            with fs.open(part, "rb") as f:
                counts[output] += pq.ParquetFile(f).metadata.num_rows
    return counts


def commit(staging_uri: str, out_uri: str, manifest: dict, outputs: tuple[str, ...] = OUTPUTS) -> dict:
    """Publish a run: move its finalized parts in beside the old ones (names are unique), write
    manifest.json atomically (temporary name, then rename) listing only the new parts, then
    delete the old parts and every staging area (with any part a failed bundle attempt left).
    A reader that trusts the manifest never sees a half-written job; a plain folder read is
    consistent once no run is in progress."""
    fs, out_path = _fs(out_uri)
    listed, stale = {}, []
    for output in outputs:
        parts = staged_parts(staging_uri, output)
        if not parts:  # an empty part, so every output reads with its schema
            parts = [_fs(write_part(staging_uri, output, []))[1]]
        target = posixpath.join(out_path, output)
        fs.makedirs(target, exist_ok=True)
        stale += [p for p in list_parts(out_uri, output)]
        moved = []
        for p in parts:
            dest = posixpath.join(target, posixpath.basename(p))
            fs.mv(p, dest)
            moved.append(posixpath.relpath(dest, out_path))
        listed[output] = moved
    manifest = {**manifest, "outputs": listed}
    tmp = posixpath.join(out_path, f".manifest-{uuid.uuid4().hex}.json")
    with fs.open(tmp, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
    fs.mv(tmp, posixpath.join(out_path, "manifest.json"))
    for p in stale:
        fs.rm(p)
    staging_root = posixpath.join(out_path, "_staging")
    if fs.exists(staging_root):  # this run's, and any left by runs that died
        fs.rm(staging_root, recursive=True)
    return manifest
