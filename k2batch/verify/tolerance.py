"""A row's own numeric tolerance: how close a number must come, as its benchmark's grader allows.

Benchmarks that grade numbers state a tolerance beside their answers: TheoremQA's scorer allows
4 % of a float answer, SciBench's 5 %, and OlympiadBench's rows carry an absolute `error` (its
judge: |answer - reference| <= error x 1.01). k2batch's published-format readers write it in a
row's `tolerance` column (k2batch/formats.py), and a user may too: `4%` is relative, a plain
number (`0.01`, `1e-2`) absolute. It replaces the job's `verify.math.tolerance` for that row,
unless `verify.math.row_tolerance = false`. In a policy, `tolerance` (a float) is relative, as
the job's setting, and `absolute` the absolute one."""

from __future__ import annotations

import math
import re
from typing import Any

SLACK = 1.01  # OlympiadBench's judge allows its error x 1.01, so a float's rounding never decides


def parse(value: Any) -> dict | None:
    """The policy keys a `tolerance` value sets; None where it is empty. ValueError, saying what is
    accepted, where it is neither a percentage nor a number (nor a list of numbers, OlympiadBench's
    error per part: the largest is taken)."""
    if value is None or isinstance(value, float) and math.isnan(value) or str(value).strip() == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"tolerance {value!r}: give a percentage (4%) or an absolute number (0.01)")
    text = str(value).strip().lstrip("±").strip()
    pct = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)\s*%", text)
    try:
        if pct:
            return {"tolerance": float(pct.group(1)) / 100, "absolute": None}
        parts = [float(p) for p in re.split(r"\s*,\s*", text) if p]
    except ValueError:
        parts = []
    if not parts or not all(math.isfinite(p) and p >= 0 for p in parts):
        raise ValueError(f"tolerance {value!r}: give a percentage (4%) or an absolute number (0.01)")
    return {"absolute": max(parts)}


def of_row(policy: dict | None, row_tolerance: Any) -> dict | None:
    """The job's policy with the row's own tolerance in place (where the job lets rows set it).
    Validation rejects a bad value; one in solutions written before rows had tolerances is ignored."""
    try:
        own = parse(row_tolerance) if row_tolerance is not None else None
    except ValueError:
        own = None
    if not own or (policy or {}).get("row_tolerance") is False:
        return policy
    return {**(policy or {}), **own}


def given(policy: dict | None) -> bool:
    """Whether numbers are compared within a tolerance (relative or absolute), not by precision."""
    policy = policy or {}
    return isinstance(policy.get("tolerance"), float) or bool(policy.get("absolute"))


def within(policy: dict, reference: float | complex, answer: float | complex) -> bool:
    """Whether the answer is within the policy's tolerance of the reference (relative to it)."""
    tol, absolute = policy.get("tolerance"), policy.get("absolute")
    reference, answer = (x if isinstance(x, complex) else float(x) for x in (reference, answer))  # Decimals
    gap = abs(reference - answer)
    if isinstance(tol, float) and gap <= tol * max(abs(reference), 1e-300):  # relative, at any scale
        return True
    return bool(absolute) and gap <= absolute * SLACK


def describe(policy: dict) -> str:
    tol, absolute = policy.get("tolerance"), policy.get("absolute")
    parts = [f"relative tolerance {tol:g}"] if isinstance(tol, float) else []
    return " or ".join(parts + ([f"absolute tolerance {absolute:g}"] if absolute else [])) or "tolerance"
