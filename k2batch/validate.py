"""Input validation: each row becomes a problem dict or a reject reason. Pure functions that never
raise: whatever goes wrong while checking a row is that row's reject reason."""

from __future__ import annotations

import decimal
import json
import math
import re
from typing import Any

from k2batch import domains, formats
from k2batch.extract import MAX_OPTIONS
from k2batch.schemas import spec
from k2batch.verify import tolerance
from k2batch.verify.codetests import TEST_COLUMNS, normalize_tests

KNOWN_COLUMNS = {f["name"] for f in spec("problem")["fields"]}
_NUMBER = int | float | decimal.Decimal
TEXT_ONLY = "the recipe's models read text"  # why a problem with a figure is a reject
FIGURE = re.compile(r"<(?:img|image)[_ ]?\d+>")  # a figure's place in a problem's text
IMAGE = re.compile(r"images?(?:_\d+)?|picture|figure|img")  # columns of a problem's figure (or "" / None)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _filled(value: Any) -> bool:
    """An image column's value holds an image: not "", None, [] or a struct of nulls (HF's Image)."""
    return bool(value) and not (isinstance(value, dict) and not any(value.values()))


def _text(value: Any, name: str, required: bool, numbers: bool = False) -> str | None:
    """A text field; with `numbers`, numbers become text (ids and answers are often numeric);
    bytes are read as UTF-8. Anything else is an error."""
    if _missing(value):
        if required:
            raise ValueError(f"missing {name}")
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be text, got bool")
    if numbers and isinstance(value, _NUMBER):
        return str(value)
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{name} must be UTF-8 text, got bytes that are not") from None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, got {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"empty {name}")
    return value


def _id(value: Any) -> str:
    """A problem id as text: numbers as written, binary ids as UTF-8 (bytes that are not UTF-8
    keep their other bytes as \\xNN escapes: an id only has to be unique)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    return _text(value, "id", required=True, numbers=True)


def id_text(value: Any) -> str | None:
    """The id validation gives a row, or None where it has none (for grouping rows by id)."""
    try:
        return _id(value)
    except ValueError:
        return None


def json_safe(row: dict) -> str:
    """A row as JSON for rejects/extra: values that JSON lacks are written as text."""

    def default(o: Any) -> Any:
        if isinstance(o, bytes):
            return o.decode("utf-8", "backslashreplace")
        return str(o)

    return json.dumps(row, ensure_ascii=False, default=default)


def _choices(value: Any) -> list[str] | None:
    if _missing(value):
        return None
    if not isinstance(value, list | tuple):
        raise ValueError(f"choices must be a list of strings, got {type(value).__name__}")
    if not all(isinstance(c, str) or (isinstance(c, _NUMBER) and not isinstance(c, bool)) for c in value):
        raise ValueError("choices must be a list of strings")
    if len(value) > MAX_OPTIONS:
        raise ValueError(f"{len(value)} choices: at most {MAX_OPTIONS} options (A-Z) are supported")
    return [str(c) for c in value] or None


def _tests(row: dict, domain: str, extra: dict, problem: str) -> str | None:
    """Code tests normalised (stored in the project's own format, so solutions re-verify from
    themselves alone); other domains keep whatever `tests` holds, as JSON text."""
    if domain != "code":
        value = row.get("tests")
        return None if _missing(value) else value if isinstance(value, str) else json_safe(value)
    column = next((c for c in TEST_COLUMNS if not _missing(row.get(c))), None)
    if column is None:
        return None
    imports = extra.get("test_imports")
    setup = "\n".join(filter(None, [*(imports if isinstance(imports, list) else []),
                                    extra.get("test_setup_code")]))  # fmt: skip
    normalized = normalize_tests(
        row[column],
        entry_point=_text(extra.get("entry_point"), "entry_point", required=False),
        starter=_text(extra.get("starter_code"), "starter_code", required=False),
        metadata=row.get("metadata"),
        problem=problem,
        setup=setup or None,
    )
    return json.dumps(normalized)


# Other tools' names for k2batch's domains (a domain a user registers under one of them wins).
ALIASES = {
    **dict.fromkeys(("multiple_choice", "multichoice", "mcq", "mc", "mcqa"), "choice"),
    **dict.fromkeys(("coding", "programming", "python", "codegen", "code_generation"), "code"),
    **dict.fromkeys(("mathematics", "maths", "arithmetic", "math_word_problem"), "math"),
    **dict.fromkeys(("exact_match", "string_match"), "exact"),
}


def _check(row: dict, row_index: int) -> dict:
    pid = _id(row.get("id"))
    text = _text(row.get("problem"), "problem", required=True)
    figure = FIGURE.search(text)
    if figure:  # OlympiadBench's own JSON and MMMU mark a figure in the text, with no image column
        raise ValueError(f"the problem comes with an image ({figure.group(0)}): {TEXT_ONLY}")
    raw_domain = _text(row.get("domain"), "domain", required=False)
    domain = (raw_domain or "math").strip().lower()
    if domains.get(domain) is None:
        domain = ALIASES.get(domain.replace("-", "_").replace(" ", "_"), domain)
    known = domains.get(domain)
    if known is None:
        raise ValueError(f"unknown domain {raw_domain!r} (known: {', '.join(domains.names())})")
    answer = row.get("answer")  # TheoremQA's true/false answers are JSON booleans
    answer = _text(str(answer) if isinstance(answer, bool) else answer, "answer", False, numbers=True)
    choices = _choices(row.get("choices"))
    if known.needs_choices and not choices:
        raise ValueError(f"a {domain} problem needs choices")
    if domain == "science" and choices:
        domain = "choice"  # science with options is verified by letter
    extra = {k: v for k, v in row.items() if k not in KNOWN_COLUMNS}
    image = next((k for k, v in extra.items() if IMAGE.fullmatch(k.lower()) and _filled(v)), None)
    if image:  # HLE's, OlympiadBench's and TheoremQA's problems with a figure: unsolvable from the text
        raise ValueError(f"the problem comes with an image (column {image!r}): {TEXT_ONLY}")
    tolerance.parse(extra.get("tolerance"))  # a bad one is the row's reason, not a verifier's surprise
    tests = _tests(row, domain, extra, text)
    metadata = row.get("metadata")
    if not _missing(metadata) and not isinstance(metadata, str):
        metadata = json_safe(metadata)
    return {
        "id": pid,
        "problem": text,
        "domain": domain,
        "answer": answer,
        "tests": tests,
        "choices": choices,
        "metadata": None if _missing(metadata) else metadata,
        "row_index": row_index,
        "entry_point": _text(extra.get("entry_point"), "entry_point", required=False),
        "extra": json_safe(extra) if extra else None,
    }


def validate_row(row: dict, row_index: int, damage: str | None = None) -> tuple[dict | None, str | None]:
    """(problem, None) for a good row, (None, reason) for a bad one; never raises. The problem
    dict holds the contract's fields, normalised, plus `extra` (other columns as JSON) and
    `row_index` (the row's position in the input). A row in a published format (HumanEval,
    GSM8K...: k2batch/formats.py) is mapped onto the contract first. `damage` names columns that
    could not be read."""
    if damage:
        return None, damage
    try:
        return _check(formats.adapt(row, row_index), row_index), None
    except Exception as exc:  # any surprise in a row is that row's reason, never the job's end
        reason = str(exc) or type(exc).__name__
        return None, reason if isinstance(exc, ValueError) else f"{type(exc).__name__}: {reason}"
