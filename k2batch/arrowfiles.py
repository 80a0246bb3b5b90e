"""Arrow IPC files (`.arrow`, `.feather`): what Hugging Face's `Dataset.save_to_disk` writes
(`data-00000-of-00001.arrow` beside `state.json` and `dataset_info.json`), and what many dataset
repositories upload as they are. Both Arrow layouts are read: the stream (datasets' writer) and
the file with its footer (Feather v2). A record batch (cut to at most 1,024 rows) is a group, as
a Parquet row group is.

The metadata files of a saved dataset are no rows: in a set with Arrow files, `METADATA` names
are left out (k2batch/inputs.py)."""

from __future__ import annotations

import functools

import fsspec
import pyarrow as pa

from k2batch.jsonl import GROUP

SUFFIXES = (".arrow", ".feather")
METADATA = ("state.json", "dataset_info.json", "dataset_dict.json")  # datasets' save_to_disk
FILE_MAGIC = b"ARROW1"  # the file layout opens with it; the stream layout does not


def is_arrow(uri: str) -> bool:
    return uri.split("?", 1)[0].lower().endswith(SUFFIXES)


@functools.lru_cache(maxsize=2)
def _read(uri: str, stamp: str) -> tuple[pa.Schema, list[pa.RecordBatch]]:
    fs, path = fsspec.core.url_to_fs(uri)
    data = pa.py_buffer(fs.cat_file(path))  # save_to_disk's shards are 500 MB at most
    if data[:6].to_pybytes() == FILE_MAGIC:
        reader = pa.ipc.open_file(data)
        schema, found = reader.schema, [reader.get_batch(i) for i in range(reader.num_record_batches)]
    else:
        stream = pa.ipc.open_stream(data)
        schema, found = stream.schema, list(stream)
    # groups of at most GROUP rows, as JSON's (pandas' Feather may hold one batch of a million)
    return schema, [b.slice(i, GROUP) for b in found for i in range(0, b.num_rows, GROUP)]


def batches(uri: str) -> tuple[pa.Schema, list[pa.RecordBatch]]:
    """The file's schema and record batches, read once per process while it is unchanged."""
    fs, path = fsspec.core.url_to_fs(uri)
    info = fs.info(path)
    return _read(uri, str([info.get(k) for k in ("size", "ETag", "mtime", "LastModified", "updated")]))


def shape(uri: str) -> tuple[list[str], list[int]]:
    schema, found = batches(uri)
    return schema.names, [b.num_rows for b in found]


def table(uri: str) -> pa.Table:
    schema, found = batches(uri)
    return pa.Table.from_batches(found, schema=schema)
