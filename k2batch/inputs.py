"""Reading problem sets through fsspec (local paths, s3://, gs://): a Parquet, JSON or CSV file
(k2batch/jsonl.py), or a folder or glob of them read as one set (a published set's shards).

A set is read in groups (Parquet's row groups, JSON's groups of rows), each (file, its index in
the file, its first row in the set): planned once where the job starts (k2batch/waves.py) and
each read by itself, so a whole problem set never sits in memory at once, and a file added to a
folder while a job runs changes nothing it planned (the next run is another input)."""

from __future__ import annotations

import functools
import logging
import posixpath
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from k2batch import arrowfiles, formats, jsonl
from k2batch.io import InputError, _fs

log = logging.getLogger(__name__)
Group = tuple[str, int, int, int]  # a file of the set, the group's index in it, its first row, its rows
WILDCARDS = "*?["
LAYOUT_KEYS = ("size", "ETag", "mtime", "LastModified", "updated")  # what says a file is unchanged


def root(uri: str) -> str:
    """A folder input itself; for a glob, the folder before its first wildcard."""
    if not any(c in uri for c in WILDCARDS):
        return uri.rstrip("/")
    head = uri[: min(uri.index(c) for c in WILDCARDS if c in uri)]
    return head.rsplit("/", 1)[0] if "/" in head else "."


def _skipped(relative: str) -> bool:
    """Not the set's: anything under a name starting with `_` or `.` (`_SUCCESS`, Spark's
    `_temporary/`, `.ipynb_checkpoints/`), as pyarrow.dataset skips them."""
    return any(part.startswith(("_", ".")) for part in relative.split("/"))


def _listing(uri: str) -> dict[str, dict] | None:
    """file URI -> its info, for a set given as a folder or a glob (sorted); None for one file."""
    fs, path = _fs(uri)
    if any(c in path for c in WILDCARDS):
        found = fs.glob(path, detail=True)
    elif fs.isdir(path):
        found = fs.find(path, detail=True)
    else:
        return None
    base = _fs(root(uri))[1].rstrip("/") + "/"
    keep = sorted(f for f in found if readable(f) and not _skipped(f.removeprefix(base)))
    if any(arrowfiles.is_arrow(f) for f in keep):  # datasets' save_to_disk: its metadata is no rows
        keep = [f for f in keep if posixpath.basename(f) not in arrowfiles.METADATA]
    if len(kinds := sorted({kind(f) for f in keep})) > 1:
        raise InputError(f"input {uri} holds {' and '.join(kinds)} files: point it at one kind")
    return {fs.unstrip_protocol(f) if "://" in uri else f: found[f] for f in keep}


def readable(uri: str) -> bool:
    """A file of a kind k2batch reads as a set: Parquet, JSON, CSV or Arrow."""
    return uri.endswith(".parquet") or jsonl.is_text(uri) or arrowfiles.is_arrow(uri)


def kind(uri: str) -> str:
    return "Arrow" if arrowfiles.is_arrow(uri) else jsonl.kind(uri)


def input_files(uri: str) -> list[str] | None:
    """The files of a set given as a folder (its Parquet, JSON or CSV files, recursively, in
    sorted order: `test-00000-of-00002.parquet`...) or a glob, as URIs; None for one file."""
    listing = _listing(uri)
    return None if listing is None else list(listing)


def _file_shape(uri: str) -> tuple[list[str], list[int]]:
    if jsonl.is_text(uri):
        return list(jsonl.rows(uri)[0]), jsonl.groups(uri)
    if arrowfiles.is_arrow(uri):
        return arrowfiles.shape(uri)
    fs, path = _fs(uri)
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        return pf.schema_arrow.names, [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)]


@functools.lru_cache(maxsize=8)
def _layout(files: tuple[tuple[str, str], ...]) -> tuple[list[str], list[Group]]:
    names, groups, first = {}, [], 0
    for file, _ in files:
        columns, sizes = _file_shape(file)
        names.update(dict.fromkeys(columns))
        for i, n in enumerate(sizes):
            groups.append((file, i, first, n))
            first += n
    return list(names), groups


def layout(uri: str) -> tuple[list[str], list[Group]]:
    """The set's columns (every file's, in order) and its groups, file after file. A folder's is
    read once a process while its files stay as they are (one listing a call)."""
    listing = _listing(uri)
    if listing is None:
        return _layout.__wrapped__(((uri, ""),))
    return _layout(tuple((f, str([info.get(k) for k in LAYOUT_KEYS])) for f, info in listing.items()))


def shape(uri: str) -> tuple[list[str], list[int]]:
    """The set's columns and the rows of each of its groups."""
    names, groups = layout(uri)
    return names, [n for *_, n in groups]


def inspect_input(uri: str) -> list[Group]:
    """Check that `uri` is a readable problem set and return its groups. Raises InputError with a
    clear message; warns where a folder's files lie in several folders (a downloaded repository's
    splits and configurations are all read as one set)."""
    what = kind(uri)
    try:
        fs, path = _fs(uri)
        if not fs.exists(path) and not any(c in path for c in WILDCARDS):
            raise InputError(f"input not found: {uri}")
        files = input_files(uri)
        if files == []:
            raise InputError(f"input {uri} holds no Parquet, JSON, CSV or Arrow file (.parquet, .jsonl, "
                             ".json, .csv, .arrow)")  # fmt: skip
        names, groups = layout(uri)
    except InputError:
        raise
    except (pa.ArrowInvalid, OSError, jsonl.NotJSON) as exc:
        raise InputError(f"input is not a readable {what} file: {uri} ({exc})") from exc
    except Exception as exc:  # unknown protocol, bad credentials...
        raise InputError(f"cannot read input {uri}: {type(exc).__name__}: {exc}") from exc
    try:
        formats.detect(names)  # the contract's columns, or a published format mapped onto them
    except ValueError as exc:
        raise InputError(f"input {uri} {exc}") from None
    folders = sorted({posixpath.dirname(f) for f in files or []})
    if len(folders) > 1:
        log.warning("input %s: its %d files lie in %d folders (%s, ...), all read as one set: point it "
                    "at one split's folder if that is not meant", uri, len(files or []), len(folders),
                    folders[0])  # fmt: skip
    return groups


def input_format(uri: str) -> str | None:
    """How the input's rows are read, for a person (a published format and where its ids come
    from); None for the contract's own columns."""
    return formats.describe(layout(uri)[0])


def read_column(uri: str, name: str, total: int) -> list:
    """One column's values of the first `total` rows (None in a file without the column)."""
    out: list = []
    for file in input_files(uri) or [uri]:
        if len(out) >= total:
            break
        if jsonl.is_text(file):
            out += [row.get(name) for row, _ in jsonl.rows(file)[1][: total - len(out)]]
            continue
        if arrowfiles.is_arrow(file):
            schema, found = arrowfiles.batches(file)
            for b in found:
                if len(out) >= total:
                    break
                out += b.column(name).to_pylist() if name in schema.names else [None] * b.num_rows
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


def read_group(uri: str, file: str, index: int, first_row: int) -> Iterator[tuple[int, dict, str | None]]:
    """Rows of the set `uri`'s group `index` of `file` as (position in the set, row, damage).
    `damage` names the columns of a Parquet group that could not be read (its rows go to rejects
    with it), or why a JSON row does not parse; None for a sound row. The position travels beside
    the row, so no input column name can clash with it. A folder's rows hold every file's
    columns."""
    if file == uri:
        yield from _file_group(file, index, first_row)
        return
    names = layout(uri)[0]
    for position, row, damage in _file_group(file, index, first_row):
        missing = {} if damage else {n: None for n in names if n not in row}
        yield position, row | missing, damage and f"{posixpath.basename(file)}: {damage}"


def _file_group(uri: str, index: int, first_row: int) -> Iterator[tuple[int, dict, str | None]]:
    if jsonl.is_text(uri):
        for offset, (row, damage) in enumerate(jsonl.group(uri, index)):
            yield first_row + offset, row, damage
        return
    if arrowfiles.is_arrow(uri):
        batch = arrowfiles.batches(uri)[1][index]
        values = {n: _values(pa.chunked_array([batch.column(n)])) for n in batch.schema.names}
        for offset in range(batch.num_rows):
            yield first_row + offset, {c: v[offset] for c, v in values.items()}, None
        return
    fs, path = _fs(uri)
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        values, damaged = _read_group(pf, index)
        n = pf.metadata.row_group(index).num_rows
    damage = "; ".join(f"column {c!r} unreadable in row group {index}: {e}" for c, e in damaged.items())
    for offset in range(n):
        yield first_row + offset, {c: v[offset] for c, v in values.items()}, damage or None
