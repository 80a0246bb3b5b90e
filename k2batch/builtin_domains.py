"""The built-in domains: math, code, multiple choice, science and exact text, registered through
`k2batch.domains` like a user's own."""

from __future__ import annotations

import re
from decimal import Decimal

from k2batch.code_extract import extract_code
from k2batch.domains import Domain
from k2batch.extract import extract_choice, extract_math, normalize_answer, option_letters
from k2batch.options import option_named
from k2batch.verify import execution, puzzles, qa

_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")


def _no_reference(task: dict) -> bool:
    reference = task.get("reference")
    return reference is None or not str(reference).strip()


def math_quick(task: dict) -> tuple[str, str] | None:
    """The verdict where it is cheap and cannot hang (no reference, the same normalised answer,
    two plain decimals); None where the symbolic check must run in a verifier process."""
    reference, answer = task.get("reference"), task.get("answer")
    if _no_reference(task):
        return "unverified", "no reference"
    if answer is None or not answer.strip():
        return "incorrect", "no answer"
    if normalize_answer(reference) == normalize_answer(answer):
        return "correct", "same normalised text"
    ref, ans = str(reference).strip(), answer.strip()
    from k2batch.verify import tolerance  # at call time: k2batch.verify imports domains

    if tolerance.given(task.get("policy")):
        return None  # a tolerance: the full check decides
    if _DECIMAL.fullmatch(ref) and _DECIMAL.fullmatch(ans):
        from k2batch.verify.quantities import measured  # at call time: k2batch.verify imports domains

        same = Decimal(ref) == Decimal(ans)  # exactly: 12345678901234567891 is not ...890
        if not same and measured(task.get("prompt") or ""):
            return None  # 5.733 for 5.73 "correct up to the 2nd decimal": the full check rounds
        return ("correct", "same number") if same else ("incorrect", "different number")
    return None


def math_verify(task: dict) -> tuple[str, str]:
    from k2batch.verify.math import verify_math

    return verify_math(task["reference"], task.get("answer"), task.get("policy"), task.get("prompt") or "")


def _choice_letter(reference: str, choices: list[str] | None) -> str | None:
    """The reference as an option letter: the text of an option, else a letter in range."""
    ref = reference.strip()
    letters = option_letters(len(choices or []))
    for letter, text in zip(letters, choices or [], strict=False):
        if normalize_answer(text) == normalize_answer(ref):
            return letter
    m = re.fullmatch(r"\(?([A-Za-z])\)?\.?", ref)
    return m.group(1).upper() if m and m.group(1).upper() in letters else None


def _numbered(answer: str, choices: list[str]) -> str | None:
    """An option named by its number, 1 to n, as harnesses that number their options read it
    (MuSR's "ANSWER: 2"); only where no option's text holds a digit, which the number could be."""
    m = re.fullmatch(r"\(?(\d{1,2})\)?\.?", answer.strip())
    if not m or any(re.search(r"\d", str(c)) for c in choices) or not 1 <= int(m[1]) <= len(choices):
        return None
    return option_letters(len(choices))[int(m[1]) - 1]


def choice_quick(task: dict) -> tuple[str, str] | None:
    if _no_reference(task):
        return "unverified", "no reference"
    if not task.get("choices"):  # science without options is answered like math
        return math_quick(task)
    letter = _choice_letter(task["reference"], task.get("choices"))
    if letter is None:
        return "error", "reference is not an option"
    answer = task.get("answer")
    if not answer:
        return "incorrect", "no option letter"
    if len(answer) != 1 or answer.upper() not in option_letters(len(task["choices"])):  # a reply, no letter
        named = option_named(answer, task["choices"]) or _numbered(answer, task["choices"])
        if named is None:
            return "incorrect", "no option letter, nor one option's text"
        return ("correct", "the option's text") if named == letter else ("incorrect", "another option's text")
    return ("correct", "same option") if answer.upper() == letter else ("incorrect", "other option")


def choice_extract(text: str, n_choices: int | None) -> tuple[str | None, str]:
    return extract_choice(text, n_choices) if n_choices else extract_math(text)


def exact_quick(task: dict) -> tuple[str, str]:
    if _no_reference(task):
        return "unverified", "no reference"
    same = normalize_answer(task["reference"]) == normalize_answer(task.get("answer"))
    return ("correct", "exact match") if same else ("incorrect", "no exact match")


def code_quick(task: dict) -> tuple[str, str] | None:
    return None if task.get("tests") else ("unverified", "no tests")


def code_verify(task: dict) -> tuple[str, str]:
    from k2batch.verify.code import verify_code

    strict = task.get("sandbox", "strict") != "weak"
    return verify_code(task.get("answer"), task["tests"], task.get("prompt", ""), task.get("entry_point"),
                       task.get("timeout_s", 10.0), strict=strict)  # fmt: skip


BOXED = "Think step by step, then give the final answer in \\boxed{}."
DOMAINS = [
    Domain("math", BOXED, lambda text, n: extract_math(text), math_verify, math_quick, builtin=True),
    Domain("code", "Write a complete, self-contained Python solution in one ```python code block.",
           lambda text, n: extract_code(text), code_verify, code_quick, builtin=True),  # fmt: skip
    Domain("choice", "Think step by step, then give the letter of the correct option in \\boxed{}.",
           choice_extract, math_verify, choice_quick, needs_choices=True, builtin=True),  # fmt: skip
    Domain("science", BOXED, choice_extract, math_verify, choice_quick, builtin=True),
    Domain("exact", BOXED, lambda text, n: extract_math(text), None, exact_quick, builtin=True),
    Domain("qa", qa.INSTRUCTION, qa.extract, None, qa.check, builtin=True),
    Domain("execution", execution.INSTRUCTION, execution.extract, execution.verify, execution.quick,
           builtin=True),  # fmt: skip
    Domain("countdown", puzzles.COUNTDOWN, puzzles.countdown_extract, None, puzzles.countdown_check,
           builtin=True),  # fmt: skip
    Domain("grid", puzzles.GRID, puzzles.grid_extract, None, puzzles.grid_check, builtin=True),
    Domain("knights", puzzles.KNIGHTS, puzzles.knights_extract, None, puzzles.knights_check, builtin=True),
]
