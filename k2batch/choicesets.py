"""Multiple-choice sets as their publishers ship them (k2batch/formats.py reads which): each
mapping gives a row's question, its options as a list and the right one's letter."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from typing import Any

from k2batch.extract import MAX_OPTIONS, option_letters

Get = Callable[[str], Any]  # a row's value by lower-case column name (None where absent)
LETTERED = ("question", "input", *option_letters(MAX_OPTIONS).lower(), "answer", "correct", "answerkey",
            "target", "label")  # fmt: skip


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shuffled(question: Any, right: Any, wrong: list) -> tuple[list[str], str]:
    """(options, letter of the right one): in an order fixed by the question's hash, so the right
    one is not always A, and every run, on any machine, letters them alike."""
    options = [str(o).strip() for o in (right, *wrong) if not missing(o)]
    right = options[0]
    seed = int.from_bytes(hashlib.sha256(str(question).encode()).digest()[:8], "big")
    random.Random(seed).shuffle(options)
    return options, option_letters(len(options))[options.index(right)]


def gpqa(get: Get) -> dict:
    question = get("question")
    wrong = [get(f"incorrect answer {i}") for i in (1, 2, 3)]
    options, letter = shuffled(question, get("correct answer"), wrong)
    return {"problem": question, "choices": options, "answer": letter, "domain": "choice"}


def sciq(get: Get) -> dict:
    """SciQ: the right answer and three distractors (shuffled as GPQA's); its supporting passage
    before the question, as lm-evaluation-harness prompts it."""
    question, support = get("question"), get("support")
    options, letter = shuffled(question, get("correct_answer"), [get(f"distractor{i}") for i in (1, 2, 3)])
    problem = f"{str(support).strip()}\nQuestion: {question}" if not missing(support) else question
    return {"problem": problem, "choices": options, "answer": letter, "domain": "choice"}


def as_letter(answer: Any, n: int) -> Any:
    """An answer given as the option's index (MMLU: 0-3) as its letter; letters as they are."""
    if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < n:
        return option_letters(n)[answer]
    return answer


def mmlu(get: Get) -> dict:
    """MMLU's and MMLU-Pro's options are a list; MedQA's a dict by letter, its key `answer_idx`."""
    choices = get("choices") if get("choices") is not None else get("options")
    answer = get("answer_idx") if not missing(get("answer_idx")) else get("answer")
    if isinstance(choices, dict):
        choices = [choices[k] for k in sorted(choices)]
    answer = as_letter(answer, len(choices) if isinstance(choices, list | tuple) else 0)
    return {"problem": get("question"), "choices": choices, "answer": answer, "domain": "choice"}


def arc(get: Get) -> dict:
    """ARC's options are {text, label}; its key is a label (A-D, or 1-4 in some rows). As first
    published (and CommonsenseQA, OpenBookQA), the question is {stem, choices: [{label, text}]}."""
    question, options, key = get("question"), get("choices") or {}, get("answerkey")
    if isinstance(question, dict):
        options = {"text": [c.get("text") for c in question.get("choices") or []],
                   "label": [c.get("label") for c in question.get("choices") or []]}  # fmt: skip
        question = question.get("stem")
    if isinstance(options, list | tuple):  # a plain list of options, lettered
        options = {"text": list(options), "label": list(option_letters(len(options)))}
    texts, labels = options.get("text") or [], [str(x) for x in options.get("label") or []]
    answer = option_letters(len(labels))[labels.index(str(key))] if str(key) in labels else key
    problem = question if question is not None else get("question_stem")  # OpenBookQA's
    return {"problem": problem, "choices": texts, "answer": answer, "domain": "choice"}


def mathqa(get: Get) -> dict:
    """MathQA's options are one string, "a ) rs . 400 , b ) rs . 300 , ..."; its key a lower-case
    letter."""
    parts = re.split(r"(?:^|\s*,\s*)([a-e])\s*\)\s*", str(get("options") or ""))[1:]
    options = [text.strip() for text in parts[1::2]]
    answer = get("correct")
    return {"problem": get("problem"), "choices": options, "answer": answer.upper() if isinstance(answer, str)
            else answer, "domain": "choice"}  # fmt: skip


def lettered(problem: str, answers: tuple[str, ...]) -> Callable[[Get], dict]:
    """Options in columns A, B, C, ... (simple-evals' and MMMLU's `Question, A, B, C, D, Answer`,
    lukaemon/mmlu's `input ... target`, MMLU's own header-less CSVs): as many as are filled in a row.
    A row whose answer names none of them is not multiple choice: its columns `a`, `b` are values."""

    def fields(get: Get) -> dict:
        options = []
        for column in option_letters(MAX_OPTIONS).lower():
            if missing(get(column)):
                break
            options.append(get(column))
        answer = as_letter(next((get(n) for n in answers if not missing(get(n))), None), len(options))
        if answer is not None and str(answer).strip().upper() not in tuple(option_letters(len(options))):
            return {"problem": get(problem), "answer": answer}  # `a`, `b` are values, no options (a + b = 7)
        return {"problem": get(problem), "choices": options, "answer": answer, "domain": "choice"}

    return fields


def aqua(get: Get) -> dict:
    """AQuA-RAT's options carry their letters ("A)21"); its key is `correct`."""
    options = [re.sub(r"^\s*[A-Z]\s*\)\s*", "", str(o)) for o in get("options") or []]
    return {"problem": get("question"), "choices": options, "answer": get("correct"), "domain": "choice"}


def agieval(get: Get) -> dict:
    """AGIEval's own JSON lines: options carry their letters ("(A)15"), the key is `label` (a list
    where several are right: a math answer of letters then), a shared `passage` goes first; its
    cloze rows (no options) are math with their `answer`."""
    passage, question, options = get("passage"), get("question"), get("options") or []
    problem = f"{str(passage).strip()}\n\n{question}" if not missing(passage) else question
    label = get("label")
    label = None if isinstance(label, list | tuple) and not label else label
    if not options or missing(label):
        return {"problem": problem, "answer": get("answer")}
    options = [re.sub(r"^\s*\(?[A-Z]\)\s*", "", str(o)).strip() for o in options]
    if isinstance(label, list | tuple) and len(label) != 1:  # several right: the letters, as a math answer
        lettered = zip(option_letters(len(options)), options, strict=False)
        lines = "\n".join(f"({letter}) {o}" for letter, o in lettered)
        return {"problem": f"{problem}\n\n{lines}", "answer": "".join(map(str, label))}
    label = label[0] if isinstance(label, list | tuple) else label
    return {"problem": problem, "choices": options, "answer": label, "domain": "choice"}


def medmcqa(get: Get) -> dict:
    """MedMCQA: options in `opa`-`opd`, the key `cop` their index (0-3; -1 in its unlabelled test
    split: no reference)."""
    options = [get(c) for c in ("opa", "opb", "opc", "opd")]
    key = get("cop")
    answer = as_letter(key, 4) if isinstance(key, int) and 0 <= key < 4 else None
    return {"problem": get("question"), "choices": options, "answer": answer, "domain": "choice"}


def hle(get: Get) -> dict:
    """Humanity's Last Exam: a `multipleChoice` question lists its options in its text under
    "Answer Choices:" (A. ..., B. ...), which become the options; `exactMatch` rows are math."""
    question, answer = get("question"), get("answer")
    head, sep, block = str(question).rpartition("Answer Choices:")
    parts = re.split(r"(?:^|\n)\s*([A-Z])[.)]\s+", block.strip())[1:] if sep else []
    letters, options = parts[0::2], [text.strip() for text in parts[1::2]]
    lettered = bool(options) and "".join(letters) == option_letters(len(options))
    if get("answer_type") != "multipleChoice" or not lettered:
        return {"problem": question, "answer": answer}
    return {"problem": head.rstrip(), "choices": options, "answer": answer, "domain": "choice"}


def two_way(problem: str | Callable[[Get], Any], options: tuple[str, ...], key: str, base: int) -> Callable:
    """Options in numbered columns and the key their number: WinoGrande (`sentence`, `option1`,
    `option2`, `answer` "1"/"2"), PIQA (`goal`, `sol1`, `sol2`, `label` 0/1), COPA, Social IQa.
    `problem`: its column, or how it is put together; `base`: the key's first number. An empty key
    (their unlabelled test splits) is no reference."""

    def fields(get: Get) -> dict:
        texts = [get(c) for c in options]
        raw = get(key)
        try:
            index = int(str(raw).strip()) - base
        except ValueError:
            index = -1
        answer = option_letters(len(texts))[index] if 0 <= index < len(texts) else None
        stated = problem(get) if callable(problem) else get(problem)
        return {"problem": stated, "choices": texts, "answer": answer, "domain": "choice"}

    return fields


def copa(get: Get) -> dict:
    """COPA (`premise`, `choice1`, `choice2`, `question` cause/effect, `label` 0/1), asked as
    OpenCompass and lm-evaluation-harness ask it."""
    ask = {"cause": "What was the cause of this?", "effect": "What happened as a result?"}
    stated = f"{get('premise')}\n{ask.get(str(get('question')).strip().lower(), get('question'))}"
    return two_way(lambda _: stated, ("choice1", "choice2"), "label", 0)(get)


def social_iqa(get: Get) -> dict:
    """Social IQa (`context`, `question`, `answerA`-`answerC`, `label` "1"-"3")."""
    stated = f"{get('context')}\n{get('question')}"
    return two_way(lambda _: stated, ("answera", "answerb", "answerc"), "label", 1)(get)


YES_NO = ["Yes", "No"]


def truth(value: Any) -> bool | None:
    """A truth value as published: a bool, 0/1, "True"/"true"/"yes"."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(word)


def boolq(get: Get) -> dict:
    """BoolQ (`question`, `passage`, `answer` a bool, or SuperGLUE's `label` 0/1): Yes or No, as
    options (a reply may say "yes" or "A", as OpenCompass's prompt offers them); a non-truth answer
    is read as the value it is."""
    stated = f"{get('passage')}\nQuestion: {str(get('question')).rstrip('?')}?"
    said = truth(get("answer") if get("answer") is not None else get("label"))  # SuperGLUE's label 1: yes
    if said is None:
        return {"problem": stated, "answer": get("answer")}
    return {"problem": stated, "choices": YES_NO, "answer": "A" if said else "B", "domain": "choice"}


def entailment(get: Get) -> dict:
    """RTE as SuperGLUE and GLUE ship it (`premise`, `hypothesis`, `label` 0 entailment / 1 not, or
    the words), asked as OpenCompass asks it; MNLI's and ANLI's neutral and contradiction (2) read
    as "not entailed"."""
    stated = (f"{get('premise')}\n{get('hypothesis')}\n"
              "Is the sentence below entailed by the sentence above?")  # fmt: skip
    label = str(get("label")).strip().lower()
    answer = {"0": "A", "entailment": "A", "1": "B", "2": "B", "not_entailment": "B", "neutral": "B",
              "contradiction": "B"}.get(label)  # fmt: skip
    return {"problem": stated, "choices": YES_NO, "answer": answer, "domain": "choice"}


def hellaswag(get: Get) -> dict:
    """HellaSwag: the context to complete (`ctx`), four `endings`, `label` their index as text ("2";
    empty in its test split)."""
    endings = list(get("endings") or [])
    raw = str(get("label") if get("label") is not None else "").strip()
    answer = option_letters(len(endings))[int(raw)] if raw.isdigit() and int(raw) < len(endings) else None
    problem = f"Complete the text with the best ending:\n\n{get('ctx')}"
    return {"problem": problem, "choices": endings, "answer": answer, "domain": "choice"}


def word_in_context(get: Get) -> dict:
    """SuperGLUE's WiC (`word`, `sentence1`, `sentence2`, `label`), asked as OpenCompass asks: A. Yes
    (the same meaning, label 1), B. No."""
    pair = f"Sentence 1: {get('sentence1')}\nSentence 2: {get('sentence2')}"
    stated = f"{pair}\nIs the word '{get('word')}' used in the same sense in the two sentences above?"
    return yes_no(stated, get("label"))


def winograd_schema(get: Get) -> dict:
    """SuperGLUE's WSC (`text`, `span1_text`, `span2_text`, `label`): does the pronoun refer to the
    noun? A. Yes (label 1), B. No."""
    pronoun, noun = get("span2_text"), get("span1_text")
    stated = f"{get('text')}\nIn the passage above, does the pronoun '{pronoun}' refer to '{noun}'?"
    return yes_no(stated, get("label"))


def paraphrase(get: Get) -> dict:
    """PAWS-X (`id`, `sentence1`, `sentence2`, `label` 1 for a paraphrase): A. Yes, B. No."""
    pair = f"Sentence 1: {get('sentence1')}\nSentence 2: {get('sentence2')}"
    stated = f"{pair}\nDo the two sentences mean the same?"
    return yes_no(stated, get("label"))


def yes_no(stated: str, label: Any) -> dict:
    """Options Yes (A) and No (B), the key a truth value (1, True, "true"); any other is no reference."""
    said = truth(label) if str(label).strip() in ("0", "1", "True", "False", "true", "false") else None
    answer = None if said is None else "A" if said else "B"
    return {"problem": stated, "choices": YES_NO, "answer": answer, "domain": "choice"}


NLI_OPTIONS = ["Contradiction", "Entailment", "Neutral"]  # OpenCompass's order: A, B, C


def anli(get: Get) -> dict:
    """ANLI (`uid`, `premise`, `hypothesis`, `label` 0 entailment / 1 neutral / 2 contradiction,
    `reason`): three ways, in the order OpenCompass asks them."""
    stated = f"{get('premise')}\n{get('hypothesis')}\nWhat is the relation between the two sentences?"
    letter = {"0": "B", "1": "C", "2": "A"}.get(str(get("label")).strip())
    return {"problem": stated, "choices": NLI_OPTIONS, "answer": letter, "domain": "choice"}


def global_mmlu(get: Get) -> dict:
    """Global-MMLU (`question`, `option_a`-`option_d`, `answer` a letter)."""
    options = [get(f"option_{x}") for x in "abcd"]
    return {"problem": get("question"), "choices": options, "answer": get("answer"), "domain": "choice"}


def kmmlu(get: Get) -> dict:
    """KMMLU (`question`, `A`-`D`, `answer` 1-4: one-based, unlike MMLU's index)."""
    options = [get(x) for x in "abcd"]
    key = get("answer")
    answer = option_letters(4)[int(key) - 1] if str(key).strip() in ("1", "2", "3", "4") else None
    return {"problem": get("question"), "choices": options, "answer": answer, "domain": "choice"}
