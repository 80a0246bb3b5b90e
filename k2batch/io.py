"""Reading problem sets and writing outputs through fsspec (local paths, s3://, gs://)."""

from __future__ import annotations

import functools
import json
import os
import posixpath
import uuid
from collections.abc import Iterator

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from k2batch import formats, jsonl
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


def _listing(uri: str) -> dict[str, dict] | None:
    """file URI -> its info, for a problem set given as a folder or a glob (sorted); None for one
    file. Names starting with `_` or `.` (`_SUCCESS`, `.crc`) are not the set's."""
    fs, path = _fs(uri)
    if any(c in path for c in "*?["):
        found = fs.glob(path, detail=True)
    elif fs.isdir(path):
        found = fs.find(path, detail=True)
    else:
        return None
    keep = sorted(f for f in found if not posixpath.basename(f).startswith(("_", "."))
                  and (f.endswith(".parquet") or jsonl.is_json(f)))  # fmt: skip
    if len({jsonl.is_json(f) for f in keep}) > 1:
        raise InputError(f"input {uri} holds both Parquet and JSON files: point it at one kind")
    return {fs.unstrip_protocol(f) if "://" in uri else f: found[f] for f in keep}


def input_files(uri: str) -> list[str] | None:
    """The files of a problem set given as a folder (its Parquet or its JSON files, recursively,
    in sorted order: a published set's `test-00000-of-00002.parquet` shards) or a glob, as URIs;
    None for one file."""
    listing = _listing(uri)
    return None if listing is None else list(listing)


def _file_shape(uri: str) -> tuple[list[str], list[int]]:
    if jsonl.is_json(uri):
        return list(jsonl.rows(uri)[0]), jsonl.groups(uri)
    fs, path = _fs(uri)
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        return pf.schema_arrow.names, [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)]


@functools.lru_cache(maxsize=8)
def _layout(files: tuple[tuple[str, str], ...]) -> tuple[list[str], list[tuple[str, int, int]]]:
    names, groups = {}, []
    for file, _ in files:
        columns, sizes = _file_shape(file)
        names.update(dict.fromkeys(columns))
        groups += [(file, i, n) for i, n in enumerate(sizes)]
    return list(names), groups


def layout(uri: str) -> tuple[list[str], list[tuple[str, int, int]]]:
    """The set's columns (every file's, in order) and its groups as (file, the group's index in
    it, rows): Parquet's row groups, JSON's groups of k2batch.jsonl.GROUP rows, file after file.
    A folder's is read once per process while its files stay as they are (one listing a call)."""
    listing = _listing(uri)
    if listing is None:
        return _layout.__wrapped__(((uri, ""),))
    keys = ("size", "ETag", "mtime", "LastModified", "updated")
    return _layout(tuple((file, str([info.get(k) for k in keys])) for file, info in listing.items()))


def shape(uri: str) -> tuple[list[str], list[int]]:
    """The set's columns and the rows of each of its groups."""
    names, groups = layout(uri)
    return names, [n for _, _, n in groups]


def inspect_input(uri: str) -> list[tuple[int, int]]:
    """Check that `uri` is a readable problem set (a Parquet or JSON Lines file: k2batch/jsonl.py;
    or a folder or glob of them) and return its groups as (index, first row index). Raises
    InputError with a clear message."""
    kind = "JSON" if jsonl.is_json(uri) else "Parquet"
    try:
        fs, path = _fs(uri)
        if not fs.exists(path) and not any(c in path for c in "*?["):
            raise InputError(f"input not found: {uri}")
        if input_files(uri) == []:
            raise InputError(f"input {uri} holds no Parquet or JSON file (.parquet, .jsonl, .json)")
        names, sizes = shape(uri)
    except InputError:
        raise
    except (pa.ArrowInvalid, OSError, jsonl.NotJSON) as exc:
        raise InputError(f"input is not a readable {kind} file: {uri} ({exc})") from exc
    except Exception as exc:  # unknown protocol, bad credentials...
        raise InputError(f"cannot read input {uri}: {type(exc).__name__}: {exc}") from exc
    try:
        formats.detect(names)  # the contract's columns, or a published format mapped onto them
    except ValueError as exc:
        raise InputError(f"input {uri} {exc}") from None
    return [(i, sum(sizes[:i])) for i in range(len(sizes))]


def input_format(uri: str) -> str | None:
    """How the input's rows are read, for a person (a published format and where its ids come
    from); None for the contract's own columns."""
    return formats.describe(shape(uri)[0])


def read_column(uri: str, name: str, total: int) -> list:
    """One column's values of the first `total` rows (None in a file without the column)."""
    out: list = []
    for file in input_files(uri) or [uri]:
        if len(out) >= total:
            break
        if jsonl.is_json(file):
            out += [row.get(name) for row, _ in jsonl.rows(file)[1][: total - len(out)]]
            continue
        fs, path = _fs(file)
        with fs.open(path, "rb") as f:
            pf = pq.ParquetFile(f)
            for i in range(pf.num_row_groups):
                if len(out) >= total:
                    break
                rows = pf.metadata.row_group(i).num_rows
                has = name in pf.schema_arrow.names
                out += pf.read_row_group(i, columns=[name]).column(0).to_pylist() if has else [None] * rows
    return out[:total]


def _values(column: pa.ChunkedArray) -> list:
    """A column as Python values. Values Python cannot hold (timestamps past year 9999) are
    carried as Arrow's text for them rather than failing the row group."""
    try:
        return column.to_pylist()
    except (OverflowError, ValueError, pa.ArrowException):
        pass
    try:
        return column.cast(pa.string()).to_pylist()
    except (pa.ArrowException, ValueError):
        return [_value(s) for s in column]


def _value(scalar: pa.Scalar):
    try:
        return scalar.as_py()
    except Exception as exc:
        return f"<unreadable {scalar.type}: {exc}>"


def _read_group(pf: pq.ParquetFile, index: int) -> tuple[dict[str, list], dict[str, str]]:
    """(column -> values, column -> why it could not be read) for one row group. A damaged column
    chunk (a corrupt page under an intact footer) costs that column, not the job; nothing
    readable at all is an I/O failure and raises (the runner retries the bundle)."""
    try:
        table = pf.read_row_group(index)
        return {n: _values(table.column(n)) for n in table.column_names}, {}
    except Exception as whole:
        values, damaged = {}, {}
        for name in pf.schema_arrow.names:
            try:
                values[name] = _values(pf.read_row_group(index, columns=[name]).column(0))
            except Exception as exc:
                damaged[name] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}"
        if not values:
            raise whole
        return values, damaged


def read_row_group(uri: str, index: int, first_row: int) -> Iterator[tuple[int, dict, str | None]]:
    """Rows of one row group as (input position, row, damage): a whole problem set never sits in
    memory at once. `damage` names the columns of this group that could not be read (those rows
    go to rejects with it); None for a sound group. The position travels beside the row, so no
    input column name can clash with it. A JSON row that does not parse is its own damage. In a
    folder, `index` counts the groups of every file in order; rows hold every file's columns."""
    if input_files(uri) is not None:
        names, groups = layout(uri)
        file, index_in_file, _ = groups[index]
        for position, row, damage in read_row_group(file, index_in_file, first_row):
            missing = {} if damage else {n: None for n in names if n not in row}
            yield position, row | missing, damage and f"{posixpath.basename(file)}: {damage}"
        return
    if jsonl.is_json(uri):
        for offset, (row, damage) in enumerate(jsonl.group(uri, index)):
            yield first_row + offset, row, damage
        return
    fs, path = _fs(uri)
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        values, damaged = _read_group(pf, index)
        n = pf.metadata.row_group(index).num_rows
    damage = "; ".join(f"column {c!r} unreadable in row group {index}: {e}" for c, e in damaged.items())
    for offset in range(n):
        yield first_row + offset, {c: v[offset] for c, v in values.items()}, damage or None


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
