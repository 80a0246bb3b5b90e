"""Input validation: each row becomes a problem dict or a reject reason. Pure functions."""

from __future__ import annotations

import json
import math
from typing import Any

from k2batch.schemas import spec
from k2batch.verify import DOMAINS
from k2batch.verify.code import parse_tests

KNOWN_COLUMNS = {f["name"] for f in spec("problem")["fields"]}


def _text(value: Any, name: str, required: bool, numbers: bool = False) -> str | None:
    """A text field; with `numbers`, numbers become text (ids and answers are often numeric).
    Anything else is an error."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if required:
            raise ValueError(f"missing {name}")
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be text, got bool")
    if numbers and isinstance(value, int | float):
        return str(value)
    if isinstance(value, bytes):
        raise ValueError(f"{name} must be text, got bytes")
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, got {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"empty {name}")
    return value


def json_safe(row: dict) -> str:
    """A row as JSON for rejects/extra: values that JSON lacks are written as text."""

    def default(o: Any) -> Any:
        if isinstance(o, bytes):
            return o.decode("utf-8", "backslashreplace")
        return str(o)

    return json.dumps(row, ensure_ascii=False, default=default)


def validate_row(row: dict) -> tuple[dict | None, str | None]:
    """(problem, None) for a good row, (None, reason) for a bad one. The problem dict holds the
    contract's fields, normalised, plus `extra` (other columns as JSON) and `row_index`."""
    try:
        pid = _text(row.get("id"), "id", required=True, numbers=True)
        text = _text(row.get("problem"), "problem", required=True)
        raw_domain = _text(row.get("domain"), "domain", required=False)
        domain = (raw_domain or "math").strip().lower()
        if domain not in DOMAINS:
            raise ValueError(f"unknown domain {raw_domain!r} (known: {', '.join(DOMAINS)})")
        answer = _text(row.get("answer"), "answer", required=False, numbers=True)
        tests = row.get("tests")
        if tests is not None and not isinstance(tests, str | dict):
            raise ValueError(f"tests must be JSON text, got {type(tests).__name__}")
        choices = row.get("choices")
        if choices is not None:
            if not isinstance(choices, list | tuple) or not all(isinstance(c, str) for c in choices):
                raise ValueError("choices must be a list of strings")
            choices = list(choices) or None
        if domain == "choice" and not choices:
            raise ValueError("a choice problem needs choices")
        if domain == "science" and choices:
            domain = "choice"  # science with options is verified by letter
        extra = {k: v for k, v in row.items() if k not in KNOWN_COLUMNS and k != "row_index"}
        if domain == "code" and tests is not None:
            # Stored in the project's own format (raises on a malformed spec), entry point inside,
            # so solutions can be re-verified from themselves alone.
            tests = json.dumps(parse_tests(tests, extra.get("entry_point")))
        metadata = row.get("metadata")
        if metadata is not None and not isinstance(metadata, str):
            metadata = json_safe(metadata)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        return None, str(exc) if str(exc) else type(exc).__name__
    return {
        "id": pid,
        "problem": text,
        "domain": domain,
        "answer": answer,
        "tests": tests,
        "choices": choices,
        "metadata": metadata,
        "row_index": row["row_index"],
        "entry_point": extra.get("entry_point"),
        "extra": json_safe(extra) if extra else None,
    }, None
