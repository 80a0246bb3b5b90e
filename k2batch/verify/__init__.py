"""Verification: does a final answer match the reference? Never calls a model.

`verify_answer` is the public one-call API; the pipeline sends tasks (`task`) to a
`VerifierPool` (separate processes, hard wall-clock timeouts). What a domain accepts is its
`Domain` (k2batch.domains): these functions only dispatch."""

from __future__ import annotations

import re
from dataclasses import dataclass

from k2batch import domains
from k2batch.extract import answer_part
from k2batch.options import glossed, option_named
from k2batch.prose import without_gloss
from k2batch.verify import tolerance

# Marks a verdict reason where the cascade and math-verify alone disagree (see verify.math).
SECOND_OPINION = "second opinion"
REFERENCE_UNPARSABLE = ("reference does not parse", "reference is not an option")

__all__ = ["Verdict", "verify_answer", "answer_of", "check", "quick_check", "domain_of", "task"]


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
    return v if domains.get(v) else "math"


def task(
    problem: dict,
    answer: str | None,
    timeout_s: float = 10.0,
    sandbox: str = "strict",
    policy: dict | None = None,
) -> dict:
    """The verification task of one candidate answer to `problem` (a validated problem, or a
    solutions row: its reference is `answer` or `reference`, its entry point a field or in `extra`).
    `policy`: where graders differ (math: tolerance, units), see `VerifyConfig.math`; a row's own
    `tolerance` (k2batch/verify/tolerance.py) stands in for the job's."""
    extra = problem.get("extra") or {}
    if isinstance(extra, str):  # a solutions row keeps other input columns as JSON text
        import json

        try:
            extra = json.loads(extra)
        except ValueError:
            extra = {}
    extra = extra if isinstance(extra, dict) else {}
    return {
        "domain": problem["domain"],
        "reference": problem["reference"] if "reference" in problem else problem.get("answer"),
        "answer": answer,
        "tests": problem.get("tests"),
        "entry_point": problem.get("entry_point") or extra.get("entry_point"),
        "prompt": problem["problem"],
        "choices": problem.get("choices"),
        "timeout_s": timeout_s,
        "sandbox": sandbox,
        "policy": tolerance.of_row(policy, problem.get("tolerance", extra.get("tolerance"))),
    }


def quick_check(task: dict) -> tuple[str, str] | None:
    """The verdict where it is cheap and cannot hang; None where the full check must run in a
    verifier process (code, symbolic math). Saves the process round trip for most answers."""
    d = domains.get(domain_of(task.get("domain")))
    return d.quick_check(task) if d.quick_check else None


def check(task: dict) -> tuple[str, str]:
    """(status, reason) for an extracted answer (see `task`). Runs in a verifier process."""
    quick = quick_check(task)
    if quick is not None:
        return quick
    d = domains.get(domain_of(task.get("domain")))
    return d.verify(task) if d.verify else ("unverified", f"domain {d.name} has no verifier")


def extract(text: str, domain: str, n_choices: int | None = None) -> tuple[str | None, str]:
    """Final answer of a whole model output for `domain`, with the rule that found it."""
    return domains.get(domain_of(domain)).extract(text, n_choices)


_NEXT_QUESTION = re.compile(r"\n[ \t]*(?:\*\*)?(?:Question|Q)(?:\*\*)?[ \t]*[:：]")


def _until_next_question(text: str) -> str:
    """A reply that goes on to pose itself the next question ("...is 22.\n\nQuestion: How many ...?
    Answer: 30", a base model continuing few-shot exemplars) ends there, as lm-evaluation-harness
    and OpenCompass stop such generations at "Question:"."""
    start = text.rfind("</think>") + len("</think>") if "</think>" in text else 0
    found = _NEXT_QUESTION.search(text, start)
    return text[: found.start()] if found and text[start : found.start()].strip() else text


STATED = ("boxed", "final-answer phrase", "answer tag")  # where a reply states its answer outright


def answer_of(
    response: str | None, domain: str, n_choices: int | None = None, choices: list | None = None
) -> tuple[str | None, str]:
    """(answer, rule) of a whole model output or of a bare answer ("25 cm", "x = 2"): a one-line
    reply that only the weakest rules would read is taken whole. With the options' texts, a letter
    glossed with another option's whole text is that option (`options.glossed`)."""
    response = "" if response is None else str(response)  # no output at all: "no answer"
    if domain_of(domain) != "code":  # in code a "Q:" line may be a docstring's
        response = _until_next_question(response)
    n_choices = n_choices or len(choices or []) or None
    answer, rule = extract(response, domain_of(domain), n_choices)
    if choices and answer and len(answer) == 1:
        named = glossed(response, answer, choices)
        if named:
            return named, f"{rule}, glossed with option {named}'s text"
    if choices and rule in ("last option letter", "last capital letter", "no option letter"):
        stated, how = extract(response, "math", None)  # "Answer: no", "\boxed{\text{True}}": an option's text
        named = option_named(stated, [str(c) for c in choices]) if how in STATED and stated else None
        if named:
            return named, f"{how} naming option {named}'s text"
    bare = answer_part(response).strip()  # after the reasoning: "<think>...</think>\nParis"
    bare = bare if "\n" in bare else without_gloss(bare)  # "2.5 km (2500 m ÷ 1000 m per km)": 2.5 km
    bare = re.sub(r"^[A-Za-z][A-Za-z ]{0,20}:\s*(?=\S)", "", bare)  # "Total: 7 marbles" states 7 marbles
    words = len(re.findall(r"[A-Za-z]{2,}", re.sub(r"\\[A-Za-z]+", " ", bare)))
    nothing = rule in ("no answer found", "no option letter")
    # "25 cm", "x = 2", "60 miles per hour", "The correct option is (B), since 11 is prime."
    # "45 out of 60 minutes is three-quarters of an hour.", "72 = 36 · 2, so √72 = √36 · √2 = 6√2."
    sentence = bare.endswith(".") and words >= 4 or bare.count("=") >= 2
    # "$\frac{6\sqrt2}{2}$, which simplifies to $3\sqrt2$.": words relating two pieces of math
    sentence = sentence or len(re.findall(r"\$[^$]+\$", bare)) >= 2 and words >= 2
    shaped = (words <= 2 and not bare.endswith(".")) or re.match(r"[^A-Za-z]", bare) and not sentence
    shaped = shaped or re.search(r"\([A-Z]\)", bare)
    weak = rule in ("last number", "concluding sentence", "last line (plain-text math)") and shaped
    if bare and "\n" not in bare and (nothing or weak and len(bare) <= 80):  # not "So he has 5 apples left."
        return bare, "the whole reply"
    last = bare.splitlines()[-1].strip() if bare else ""
    words_only = re.fullmatch(r"[\W_]*[A-Za-z][\w\s'’,-]*[\W_]*", last) and len(last.split()) <= 8
    if n_choices and rule == "no option letter" and words_only:  # "...\n\nAdam Smith", not "3^7 = 729 x 3 ="
        return last, "the reply's last line"  # an option's text, if it is one (builtin_domains)
    labelled = re.fullmatch(r"[*_\s]*(?i:final\s+)?(?i:answer)\s*[:：][*_\s]*(.+?)[*_\s]*", last)
    if n_choices and rule == "no option letter" and labelled:  # "Answer: 10^-4 eV", "**Answer: bank**"
        return labelled[1], "the reply's answer line"  # matched to an option's text, or no answer
    return answer, rule


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
    policy: dict | None = None,
    tolerance: str | float | None = None,
) -> Verdict:
    """Verify a whole model output (or a bare answer) against a reference, in this process.
    For untrusted volume use the pipeline's VerifierPool, which adds hard timeouts. `tolerance`:
    the row's own (`4%` relative, `0.01` absolute), as a `tolerance` column gives it."""
    domain = domain_of(domain)
    if reference is not None and not isinstance(reference, str):
        reference = str(reference)  # a number from a DataFrame column
    answer, _ = answer_of(response, domain, choices=choices)
    problem = {"domain": domain, "reference": reference, "tests": tests, "choices": choices,
               "entry_point": entry_point, "problem": prompt, "tolerance": tolerance}  # fmt: skip
    return Verdict(*check(task(problem, answer, sandbox=sandbox, policy=policy)))
