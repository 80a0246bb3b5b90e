"""Short answers, the `qa` domain (SQuAD, TriviaQA, Natural Questions, HotpotQA, DROP): the reply's
answer against each accepted answer, compared as those benchmarks' official scripts compare —
exact match after normalising (lower case; punctuation, articles and extra spaces dropped; a
number read as a number, as DROP's script reads it) — and correct where any one matches.

The reference is one answer, or a JSON list of them (`{"all": [...]}`: several values, every
one wanted, in any order: WikiTableQuestions). An empty list says the passage holds no
answer (SQuAD 2.0): then an abstention ("unanswerable", "no answer") is the right reply, as
lm-evaluation-harness's SQuAD 2.0 target is "unanswerable"."""

from __future__ import annotations

import json
import re
import string

INSTRUCTION = ("Think step by step, then give the final answer as briefly as possible (a name, a number, "
               'a date or a short phrase) on a last line of the form "Answer: <answer>".')  # fmt: skip
ABSTAIN = ("unanswerable", "no answer", "not answerable", "cannot be answered", "cant be answered")
_PUNCTUATION = set(string.punctuation) | set("‘’´`“”")  # TriviaQA's script drops the curly quotes too
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_GLOSS = re.compile(r"\s*\([^()]*\)\s*$")  # WikiTableQuestions' evaluator drops a closing parenthetical


_WORDS = ("answer|respuesta|réponse|antwort|risposta|resposta|antwoord|jawaban|jibu|svar|odpowiedź|cevap|"
          "ответ|đáp án|câu trả lời|答案|答え|回答|정답|답|الإجابة|उत्तर")  # XQuAD's and TyDi's languages
_LINE = re.compile(rf"(?im)^[*_#>\s]*(?:final\s+)?(?:{_WORDS})\s*[:：]\s*(.+?)\s*$")
_PHRASE = re.compile(r"(?i)\bthe\s+(?:final\s+|correct\s+)?answer\s+is\s*[:：]?\s*(.+?)\s*$", re.M)


def extract(text: str, n_choices: int | None = None) -> tuple[str | None, str]:
    """The reply's answer as the benchmarks' harnesses take it, whole: its last \\boxed{}, else its
    last "Answer: ..." line (simple-evals' DROP pattern), else what follows "the answer is"; a
    gloss stays ("Drew Brees (30 yards)" is no exact match, as their scripts grade it)."""
    from k2batch.extract import answer_part, extract_math, last_boxed

    part = answer_part(text or "")
    boxed = last_boxed(part)
    if boxed:
        return re.sub(r"\\text\{([^{}]*)\}", r"\1", boxed).strip(), "boxed"
    for rule, pattern in (("answer line", _LINE), ("answer phrase", _PHRASE)):
        found = pattern.findall(part)
        if found and found[-1].strip("*_ "):
            return found[-1].strip().strip("*_").strip().rstrip("."), rule
    return extract_math(text or "")


def _every(reference: str | None) -> list[str] | None:
    """The values of a reference that wants all of them, in any order (`{"all": [...]}`)."""
    text = str(reference or "").strip()
    if not text.startswith("{"):
        return None
    try:
        given = json.loads(text)
    except ValueError:
        return None
    values = given.get("all") if isinstance(given, dict) else None
    return [str(v) for v in values] if isinstance(values, list) and values else None


def references(reference: str | None) -> list[str] | None:
    """The accepted answers; None where there is no reference at all."""
    if reference is None or not str(reference).strip():
        return None
    text = str(reference).strip()
    if text.startswith("["):
        try:
            given = json.loads(text)
        except ValueError:
            return [text]
        if isinstance(given, list):
            return [str(a) for a in given if a is not None]
    return [text]


def _token(token: str) -> str:
    try:
        return str(float(token.replace(",", "")))  # DROP's: "3" and "3.0" are one number
    except ValueError:
        return "".join(c for c in token.lower() if c not in _PUNCTUATION)


def normalize(text: str) -> str:
    """SQuAD's, TriviaQA's and DROP's normalisation: tokens split at spaces and hyphens, numbers as
    numbers, other tokens lower case without punctuation, articles dropped."""
    tokens = [_token(t) for t in re.split(r"[\s\-–—_]+", str(text).strip())]
    return " ".join(_ARTICLES.sub(" ", " ".join(tokens)).split())


def check(task: dict) -> tuple[str, str]:
    wanted = _every(task.get("reference"))
    if wanted:  # WikiTableQuestions' values: the reply's items, as a set; a closing "(...)" is no part
        said = [task.get("answer") or ""]
        said = re.split(r"\s*(?:[,;|\n]|\band\b)\s*", said[0]) if len(wanted) > 1 else said
        got = sorted(x for x in (normalize(_GLOSS.sub("", x)) for x in said) if x)
        want = sorted(normalize(_GLOSS.sub("", v)) for v in wanted)
        verdict = ("correct", f"all {len(want)} values")
        return verdict if got == want else ("incorrect", f"not the {len(want)} values")
    accepted = references(task.get("reference"))
    if accepted is None:
        return "unverified", "no reference"
    answer = normalize(task.get("answer") or "")
    if not accepted:  # the passage holds no answer
        if answer in ABSTAIN:
            return "correct", "abstained: the passage holds no answer"
        return "incorrect", "answered where the passage holds no answer" if answer else "no answer"
    if not answer:
        return "incorrect", "no answer"
    if any(normalize(a) == answer for a in accepted):
        return "correct", "exact match" if len(accepted) == 1 else "exact match with an accepted answer"
    return "incorrect", "no exact match" if len(accepted) == 1 else f"none of {len(accepted)} answers matches"
