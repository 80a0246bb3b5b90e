"""Verification: does a final answer match the reference? Never calls a model.

`verify_answer` is the public one-call API; the pipeline sends `check` tasks to a `VerifierPool`
(separate processes, hard wall-clock timeouts)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from k2batch.extract import extract_answer, normalize_answer, option_letters
from k2batch.verify.code import verify_code
from k2batch.verify.math import verify_math

__all__ = ["Verdict", "verify_answer", "check", "quick_check", "domain_of"]

DOMAINS = ("math", "code", "choice", "science", "exact")


@dataclass(frozen=True)
class Verdict:
    status: str  # correct | incorrect | unverified | error
    reason: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def domain_of(value: str | None) -> str:
    """Canonical domain; unknown or missing domains are verified as math (the documented default)."""
    v = (value or "math").strip().lower()
    return v if v in DOMAINS else "math"


def _choice_letter(reference: str, choices: list[str] | None) -> str | None:
    """The reference as an option letter: the text of an option, else a letter in range."""
    ref = reference.strip()
    letters = option_letters(len(choices or []))
    for letter, text in zip(letters, choices or [], strict=False):
        if normalize_answer(text) == normalize_answer(ref):
            return letter
    m = re.fullmatch(r"\(?([A-Za-z])\)?\.?", ref)
    return m.group(1).upper() if m and m.group(1).upper() in letters else None


_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")


def quick_check(task: dict) -> tuple[str, str] | None:
    """The verdict where it is cheap and cannot hang (no reference, options, exact text, the
    same normalised math answer, two plain decimals); None where the full check must run in a
    verifier process (code, symbolic math). Saves the process round trip for most answers."""
    domain = domain_of(task.get("domain"))
    reference, answer = task.get("reference"), task.get("answer")
    if domain == "code":
        return None if task.get("tests") else ("unverified", "no tests")
    if reference is None or not str(reference).strip():
        return "unverified", "no reference"
    if domain in ("choice", "science") and task.get("choices"):
        letter = _choice_letter(reference, task.get("choices"))
        if letter is None:
            return "error", "reference is not an option"
        if not answer:
            return "incorrect", "no option letter"
        return ("correct", "same option") if answer.upper() == letter else ("incorrect", "other option")
    if domain == "exact":
        same = normalize_answer(reference) == normalize_answer(answer)
        return ("correct", "exact match") if same else ("incorrect", "no exact match")
    if answer is None or not answer.strip():
        return "incorrect", "no answer"
    if normalize_answer(reference) == normalize_answer(answer):
        return "correct", "same normalised text"
    ref, ans = str(reference).strip(), answer.strip()
    if _DECIMAL.fullmatch(ref) and _DECIMAL.fullmatch(ans):
        same = float(ref) == float(ans)
        return ("correct", "same number") if same else ("incorrect", "different number")
    return None


def check(task: dict) -> tuple[str, str]:
    """(status, reason) for an extracted answer. `task` keys: domain, reference, answer and, for
    code, tests / entry_point / prompt; for choice, choices. Runs in a verifier process."""
    quick = quick_check(task)
    if quick is not None:
        return quick
    if domain_of(task.get("domain")) == "code":
        return verify_code(
            task.get("answer"),
            task["tests"],
            task.get("prompt", ""),
            task.get("entry_point"),
            task.get("timeout_s", 10.0),
            strict=task.get("sandbox", "strict") != "weak",
        )
    return verify_math(task["reference"], task.get("answer"))


def verify_answer(
    reference: str | None,
    response: str | None,
    domain: str = "math",
    *,
    tests: str | dict | None = None,
    choices: list[str] | None = None,
    entry_point: str | None = None,
    prompt: str = "",
    sandbox: str = "strict",
) -> Verdict:
    """Verify a whole model output (or a bare answer) against a reference, in this process.
    For untrusted volume use the pipeline's VerifierPool, which adds hard timeouts."""
    domain = domain_of(domain)
    response = "" if response is None else str(response)  # no output at all: "no answer"
    answer, rule = extract_answer(response, domain, len(choices or []) or None)
    bare = response.strip()
    if rule in ("last number", "no answer found", "no option letter") and bare and "\n" not in bare:
        answer = bare  # a bare answer, not a model output: take it whole
    status, reason = check(
        {
            "domain": domain,
            "reference": reference,
            "answer": answer,
            "tests": tests,
            "choices": choices,
            "entry_point": entry_point,
            "prompt": prompt,
            "sandbox": sandbox,
        }
    )
    return Verdict(status, reason)
