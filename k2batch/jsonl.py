"""Problem sets as text: JSON Lines (`.jsonl`, `.ndjson`; GSM8K's and MATH-500's published
files), one JSON array of objects (`.json`; rLLM's sets), or CSV / TSV with a header row
(`.csv`, `.tsv`; GPQA's published files; MMLU's and MGSM's, which have none), compressed or not
(`.gz`, `.bz2`, `.xz`, by fsspec).
Rows are read as Parquet's are: in groups of `GROUP` (the pipeline's unit of reading and of
waves), every row holding every column any row has (None where it has none).

A line that is not a JSON object, or a CSV record with more fields than its header, is that
row's reject (stage `read`, naming the line), never the job's end. Blank lines are not rows. CSV
values are text, an empty one None (as pandas reads them). Each process parses a file once
(cached by its size, modification time and ETag): this reads whole files, so sets of many GiB
belong in Parquet."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import json
import posixpath
import re

import fsspec

GROUP = 1024  # rows a group
SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}  # the delimiter of each
COMPRESSED = (".gz", ".bz2", ".xz", ".zst")
MMLU_COLUMNS = ("question", "A", "B", "C", "D", "answer")  # its header-less CSVs' fields
Rows = tuple[tuple[str, ...], list[tuple[dict, str | None]]]  # columns; (row, why it is damaged)


class NotJSON(ValueError):
    """The file as a whole does not parse (a JSON array cut short, CSV that is not UTF-8)."""


def _name(uri: str) -> str:
    name = posixpath.basename(uri.split("?", 1)[0]).lower()
    for ext in COMPRESSED:
        name = name.removesuffix(ext)
    return name


def is_json(uri: str) -> bool:
    return _name(uri).endswith(SUFFIXES)


def is_csv(uri: str) -> bool:
    return _name(uri).endswith(tuple(CSV_SUFFIXES))


def is_text(uri: str) -> bool:
    """A set this module reads (JSON or CSV), not Parquet."""
    return is_json(uri) or is_csv(uri)


def kind(uri: str) -> str:
    return "JSON" if is_json(uri) else "CSV" if is_csv(uri) else "Parquet"


def rows(uri: str) -> Rows:
    """Every row of the file, parsed once per process."""
    fs, path = fsspec.core.url_to_fs(uri)
    info = fs.info(path)
    stamp = [info.get(k) for k in ("ETag", "etag", "md5Hash", "mtime", "LastModified", "updated")]
    return _parsed(uri, int(info.get("size") or 0), str(stamp))  # an object replaced in place is new


def _objects(data: bytes) -> list[tuple[object, str, str]]:
    """(value or None, where it is, why it is not JSON) of each row in the file: a line each, or
    the items of one array, or one object written over many lines (MATH's files, a problem each)."""
    data = data.removeprefix(codecs.BOM_UTF8)
    if data.lstrip()[:1] == b"{":
        try:
            whole = json.loads(data)
        except ValueError:  # JSON Lines: "Extra data" after the first object
            pass
        else:
            return _table_in(whole) or [(whole, "the file" if b"\n" in data.strip() else "line 1", "")]
    if data.lstrip()[:1] == b"[":  # one array of objects
        try:
            return [(v, f"item {i + 1}", "") for i, v in enumerate(json.loads(data))]
        except ValueError as exc:
            raise NotJSON(f"is a JSON array that does not parse: {exc}") from None
    out = []
    for n, line in enumerate(data.splitlines(), 1):
        if line.strip():
            try:
                out.append((json.loads(line), f"line {n}", ""))
            except ValueError as exc:  # bad JSON, or bytes that are not UTF-8
                out.append((None, f"line {n}", f"{exc}; the line: {line[:200].decode('utf-8', 'replace')}"))
    return out


def _table_in(value: object) -> list[tuple[object, str, str]] | None:
    """The rows of one JSON object that is a table, not a row: pandas' `to_json` layouts
    (`columns`, its default: a column a key; `index`; `split`; `table`) and one list of rows beside
    metadata (TriviaQA's `{"Data": [...], "Version": 1.0}`, BIG-bench's task.json `examples`).
    Taken only where the object read as one row matches no layout (k2batch/formats.py), or holds
    nothing but objects, and the rows match one; otherwise None."""
    from k2batch import formats

    if not isinstance(value, dict) or not value:
        return None
    if _reads(formats, [value]) and not all(isinstance(v, dict) for v in value.values()):
        return None  # a row (MATH's files hold one problem each), not a row of dicts only
    tables: list[list[tuple[dict, str]]] = []
    if isinstance(value.get("columns"), list) and isinstance(value.get("data"), list):  # "split"
        labels = value.get("index") if isinstance(value.get("index"), list) else []
        rows = [dict(zip(value["columns"], r, strict=False)) for r in value["data"] if isinstance(r, list)]
        if len(labels) == len(rows):
            rows = [_named(formats, r, str(i)) for r, i in zip(rows, labels, strict=True)]
        tables.append([(r, f"data row {i + 1}") for i, r in enumerate(rows)])
    if all(isinstance(v, dict) for v in value.values()):  # its index labels kept as ids
        index = list(next(iter(value.values())))  # "columns": {column: {label: value}}
        if all(list(v) == index for v in value.values()):
            rows = [{c: v[i] for c, v in value.items()} for i in index]
            tables.append([(_named(formats, r, i), f"index {i}") for r, i in zip(rows, index, strict=True)])
        # "index": {label: row}
        tables.append([(_named(formats, r, k), f"key {k}") for k, r in value.items()])
    lists = [k for k, v in value.items() if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)]
    if len(lists) == 1:  # "table" ({"schema", "data"}), or rows beside metadata
        tables.append([(r, f"{lists[0]} item {i + 1}") for i, r in enumerate(value[lists[0]])])
    for rows in tables:
        if rows and _reads(formats, [r for r, _ in rows]):
            return [(r, where, "") for r, where in rows]
    return None


def _named(formats, row: dict, label: str) -> dict:
    """A row of a table keyed by labels: the label is its id where it has no id column."""
    return row if any(k.lower() in formats.ID_NAMES for k in row) else row | {"id": label}


def _reads(formats, rows: list[dict]) -> bool:
    """Rows whose columns k2batch reads: its own, or a published layout's."""
    try:
        formats.detect(dict.fromkeys(k for r in rows for k in r))
    except ValueError:
        return False
    return True


def _records(data: bytes, delimiter: str, name: str = "") -> list[tuple[object, str, str]]:
    """(row or None, where it is, why it is damaged) of each CSV record: fields by the header's
    names; a record with more fields than the header is damaged, one with fewer has None for the
    rest (as pandas reads it). Fields may span lines (GPQA's questions do)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotJSON(f"is CSV that is not UTF-8 text ({exc})") from None
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # a field may hold a long problem or tests
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return []
    columns = _headerless(header)
    first, header = ([header], list(columns)) if columns else ([], header)
    # MMLU's subject is only in its file's name (abstract_algebra_test.csv), as cais/mmlu's column
    stem = posixpath.splitext(name)[0]
    subject = re.sub(r"_(?:test|dev|val)$", "", stem) if columns == MMLU_COLUMNS else None
    out, line = [], 0 if first else reader.line_num
    for fields in itertools.chain(first, reader):
        where, line = f"line {line + 1}", reader.line_num
        if not any(f.strip() for f in fields):
            continue  # a blank line
        if len(fields) > len(header):
            out.append((None, where, f"{len(fields)} fields, the header has {len(header)}: {fields[:8]}"))
            continue
        values = [f if f != "" else None for f in fields] + [None] * (len(header) - len(fields))
        row = dict(zip(header, values, strict=True))
        out.append((row | {"subject": subject} if subject else row, where, ""))
    return out


def _headerless(header: list[str]) -> tuple[str, ...] | None:
    """The columns of a set shipped without a header row, as simple-evals reads them: MMLU's CSVs
    (`data/test/*_test.csv`: a question, four options, the answer's letter; a header of lettered
    columns is not one of them) and MGSM's TSVs (a question and its number); None for a header."""
    fields, letters = [h.strip() for h in header], ("A", "B", "C", "D")
    if len(fields) == len(MMLU_COLUMNS) and fields[-1] in letters and not any(
            f.upper() in letters for f in fields[:-1]):  # fmt: skip
        return MMLU_COLUMNS
    if len(fields) == 2 and re.fullmatch(r"-?\d[\d,]*(?:\.\d+)?", fields[1]):
        return ("question", "answer")
    return None


@functools.lru_cache(maxsize=2)
def _parsed(uri: str, size: int, stamp: str) -> Rows:
    fs, path = fsspec.core.url_to_fs(uri)
    with fs.open(path, "rb", compression="infer") as f:
        data = f.read()
    parsed, names = [], {}
    delimiter = CSV_SUFFIXES.get(posixpath.splitext(_name(uri))[1])
    what = "a CSV record" if delimiter else "JSON"
    for value, where, error in _records(data, delimiter, _name(uri)) if delimiter else _objects(data):
        if error:
            parsed.append(({"line": where}, f"{where} is not {what}: {error}"))
        elif not isinstance(value, dict):
            parsed.append(({"line": where, "value": value}, f"{where} is a JSON {type(value).__name__}, "
                                                            "not an object"))  # fmt: skip
        else:
            names.update(dict.fromkeys(value))
            parsed.append((value, None))
    columns = tuple(names)
    return columns, [(r if why else {c: r.get(c) for c in columns}, why) for r, why in parsed]


def groups(uri: str) -> list[int]:
    """The rows of each group."""
    n = len(rows(uri)[1])
    return [min(GROUP, n - start) for start in range(0, n, GROUP)]


def group(uri: str, index: int) -> list[tuple[dict, str | None]]:
    return rows(uri)[1][index * GROUP : (index + 1) * GROUP]
