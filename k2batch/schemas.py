"""Parquet contracts, built from the versioned JSON files in `schemas/` (the single source of truth).
An installed wheel carries them as package data (`k2batch/contracts/`); a checkout reads `schemas/`."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyarrow as pa


def _schema_dir():
    """The wheel's package data where installed; the checkout's schemas/ otherwise (an editable
    install cannot map a package onto a folder outside the package)."""
    packaged = files("k2batch") / "contracts"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "schemas"


SCHEMA_DIR = _schema_dir()
VERSIONS = {"problem": 1, "solution": 1, "token_stats": 1, "rejects": 1, "distill": 1}

_SCALARS = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
}


def _arrow_type(spec: Any) -> pa.DataType:
    if isinstance(spec, str):
        return _SCALARS[spec]
    if "list" in spec:
        return pa.list_(_arrow_type(spec["list"]))
    if "struct" in spec:
        return pa.struct([_arrow_field(f) for f in spec["struct"]])
    raise ValueError(f"unknown schema type {spec!r}")


def _arrow_field(field: dict) -> pa.Field:
    return pa.field(field["name"], _arrow_type(field["type"]), nullable=field.get("nullable", True))


@cache
def spec(name: str) -> dict:
    """The JSON contract `name` at its current version."""
    path = SCHEMA_DIR / f"{name}.v{VERSIONS[name]}.json"
    return json.loads(path.read_text())


@cache
def arrow_schema(name: str) -> pa.Schema:
    """The pyarrow schema of contract `name`, with its version in the metadata."""
    s = spec(name)
    meta = {"k2batch.schema": s["name"], "k2batch.schema_version": str(s["version"])}
    return pa.schema([_arrow_field(f) for f in s["fields"]], metadata=meta)


def to_table(name: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts) as a table of contract `name`; raises if a row breaks it."""
    return pa.Table.from_pylist(rows, schema=arrow_schema(name))


def check_table(name: str, table: pa.Table) -> list[str]:
    """Differences between a table's schema and contract `name` (empty when it conforms)."""
    expected = arrow_schema(name)
    problems = []
    for field in expected:
        idx = table.schema.get_field_index(field.name)
        if idx < 0:
            problems.append(f"missing column {field.name}")
            continue
        got = table.schema.field(idx)
        if not got.type.equals(field.type):
            problems.append(f"{field.name}: type {got.type}, expected {field.type}")
        elif not field.nullable and table.column(idx).null_count:
            problems.append(f"{field.name}: nulls in a non-nullable column")
    extra = set(table.schema.names) - set(expected.names)
    problems += [f"unexpected column {c}" for c in sorted(extra)]
    return problems
