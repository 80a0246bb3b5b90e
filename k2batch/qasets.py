"""Question answering and reading sets as their publishers ship them (k2batch/formats.py reads
which): the passage a question is about goes before it, as the benchmarks' own prompts put it
(a question asked without its passage cannot be answered); short answers are the `qa` domain
(k2batch/verify/qa.py), with every accepted answer; labels are options."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from k2batch.choicesets import Get, missing, yes_no
from k2batch.extract import option_letters

NO_SPAN = 'Answer with the shortest span of the passage that answers it, or "unanswerable" if it does not.'


def accepted(value: Any) -> str | None:
    """Every accepted answer as the `qa` domain's JSON list: a list (Natural Questions), TriviaQA's
    {aliases, value}, SQuAD's {text}, DROP's {spans}; None where there is none at all."""
    if isinstance(value, dict):
        listed = next((value[k] for k in ("aliases", "text", "spans") if isinstance(value.get(k), list)), [])
        value = [value.get("value"), *listed] if "aliases" in value else listed or [value.get("value")]
    if isinstance(value, list | tuple):
        answers = dict.fromkeys(str(a).strip() for a in value if not missing(a))
        return json.dumps(list(answers), ensure_ascii=False) if answers else None  # none: no reference
    return None if missing(value) else str(value)


def _passage(text: Any, question: Any, ask: str = "") -> str:
    return f"{str(text).strip()}\n\nQuestion: {str(question).strip()}" + (f"\n{ask}" if ask else "")


def squad(get: Get) -> dict:
    """SQuAD 1.1 and 2.0 (`context`, `question`, `answers` {text, answer_start}): an empty
    `answers.text` (2.0) means the passage holds no answer."""
    answers = get("answers") if isinstance(get("answers"), dict) else {}
    texts = answers.get("text")
    answer = accepted(answers) if texts else "[]" if isinstance(texts, list) else None
    return {"problem": _passage(get("context"), get("question"), NO_SPAN), "answer": answer, "domain": "qa"}


def drop(get: Get) -> dict:
    """DROP as HuggingFace ships it (`passage`, `question`, `answers_spans` {spans, types}): any of its
    spans, numbers compared as numbers."""
    return {"problem": _passage(get("passage"), get("question")), "answer": accepted(get("answers_spans")),
            "domain": "qa"}  # fmt: skip


def hotpotqa(get: Get) -> dict:
    """HotpotQA (`question`, `answer`, `context` {title, sentences}): its paragraphs (the gold ones
    and the distractors) titled, before the question."""
    context = get("context") if isinstance(get("context"), dict) else {}
    paragraphs = zip(context.get("title") or [], context.get("sentences") or [], strict=False)
    text = "\n\n".join(f"{title}: {''.join(sentences)}" for title, sentences in paragraphs)
    return {"problem": _passage(text, get("question")) if text else get("question"),
            "answer": accepted([get("answer")]), "domain": "qa"}  # fmt: skip


def open_answer(get: Get) -> dict:
    """An open question whose answer is a list or a dict of accepted answers (Natural Questions'
    open list, TriviaQA's {aliases, value}, WebQuestions' `answers`)."""
    answer = get("answer") if get("answer") is not None else get("answers")
    return {"problem": get("question"), "answer": accepted(answer), "domain": "qa"}


def is_accepted_list(value: Any) -> bool:
    """A list of answers, or TriviaQA's {aliases, value}."""
    if isinstance(value, dict):
        return not {"aliases", "value"}.isdisjoint(value)
    return isinstance(value, list | tuple)


def _options(problem: str, options: list, index: Any) -> dict:
    ok = isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(options)
    answer = option_letters(len(options))[index] if ok else None
    return {"problem": problem, "choices": [str(o) for o in options], "answer": answer, "domain": "choice"}


YES_NO_MAYBE = ["yes", "no", "maybe"]


def pubmedqa(get: Get) -> dict:
    """PubMedQA (`question`, `context` {contexts, labels, ...} or the original's `CONTEXTS`,
    `final_decision`): its abstract's parts before the question; yes, no or maybe."""
    context = get("context") if get("context") is not None else get("contexts")
    parts = context.get("contexts") if isinstance(context, dict) else context
    labels = context.get("labels") if isinstance(context, dict) else None
    if isinstance(parts, list | tuple):
        fits = isinstance(labels, list | tuple) and len(labels) == len(parts)
        named = labels if fits else [None] * len(parts)
        context = "\n".join(f"{n}: {p}" if n else str(p) for n, p in zip(named, parts, strict=True))
    decision = str(get("final_decision") or "").strip().lower()
    index = YES_NO_MAYBE.index(decision) if decision in YES_NO_MAYBE else None
    return _options(_passage(context, get("question")), YES_NO_MAYBE, index)


def reclor(get: Get) -> dict:
    """ReClor and LogiQA-style reading (`context`, `question`, `answers` the options, `label` an index)."""
    options = get("answers") if isinstance(get("answers"), list | tuple) else []
    return _options(f"{str(get('context')).strip()}\n\n{get('question')}", list(options), get("label"))


def musr(get: Get) -> dict:
    """MuSR (`narrative`, `question`, `choices` a Python list written as text, `answer_index`)."""
    options = get("choices")
    if isinstance(options, str):
        try:
            options = ast.literal_eval(options)  # a literal only: never code
        except (ValueError, SyntaxError):
            raise ValueError("MuSR's choices are not a list written as text") from None
    return _options(f"{str(get('narrative')).strip()}\n\n{get('question')}", list(options or []),
                    get("answer_index"))  # fmt: skip


FOLIO_LABELS = ["True", "False", "Uncertain"]


def folio(get: Get) -> dict:
    """FOLIO (`premises`, `conclusion`, `label` True / False / Uncertain), asked as its paper asks."""
    premises = get("premises")
    premises = "\n".join(premises) if isinstance(premises, list | tuple) else str(premises).strip()
    problem = (f"Premises:\n{premises}\n\nConclusion: {str(get('conclusion')).strip()}\n\nBased on the "
               "premises, is the conclusion true, false, or uncertain?")  # fmt: skip
    label = str(get("label")).strip().capitalize()
    return _options(problem, FOLIO_LABELS, FOLIO_LABELS.index(label) if label in FOLIO_LABELS else None)


def tabmwp(get: Get) -> dict:
    """TabMWP (`question`, `table`, `table_title`, `choices` or none, `answer`, `ans_type`): the table
    before the question; options where it has them, numbers as math, other answers as text."""
    title = get("table_title")
    problem = (f"{title}\n" if not missing(title) else "") + f"{get('table')}\n\n{get('question')}"
    options, answer = get("choices"), get("answer")
    if isinstance(options, list | tuple) and options:
        texts = [str(o) for o in options]
        index = texts.index(str(answer)) if str(answer) in texts else None
        return _options(problem, texts, index)
    if str(get("ans_type") or "").endswith("_number"):
        return {"problem": problem, "answer": answer, "domain": "math"}
    return {"problem": problem, "answer": accepted([answer]) if not missing(answer) else None, "domain": "qa"}


def truthfulqa(get: Get) -> dict:
    """TruthfulQA's multiple-choice config (`question`, `mc1_targets` {choices, labels}): MC1, the one
    true answer among its choices, in their published order."""
    targets = get("mc1_targets") if isinstance(get("mc1_targets"), dict) else {}
    labels = list(targets.get("labels") or [])
    right = labels.index(1) if labels.count(1) == 1 else None
    return _options(get("question"), list(targets.get("choices") or []), right)


def story_cloze(get: Get) -> dict:
    """StoryCloze (`input_sentence_1`-`4`, `sentence_quiz1`, `sentence_quiz2`, `answer_right_ending`
    1/2; its original CSV's `InputSentence1`, `RandomFifthSentenceQuiz1`, `AnswerRightEnding` too)."""
    sentences = [get(f"input_sentence_{i}") or get(f"inputsentence{i}") or "" for i in range(1, 5)]
    story = " ".join(str(s).strip() for s in sentences)
    endings = [get("sentence_quiz1") or get("randomfifthsentencequiz1"),
               get("sentence_quiz2") or get("randomfifthsentencequiz2")]  # fmt: skip
    right = get("answer_right_ending") if get("answer_right_ending") is not None else get("answerrightending")
    index = int(right) - 1 if str(right).strip() in ("1", "2") else None
    return _options(f"{story}\nWhich ending comes next in the story?", endings, index)


def lambada(get: Get) -> dict:
    """LAMBADA (`text` alone): the passage without its last word, which is the answer (lm-evaluation-
    harness's target)."""
    text = str(get("text") or "").rstrip()
    head, _, last = text.rpartition(" ")
    if not head:
        raise ValueError("a LAMBADA passage needs words before its last one")
    problem = f"What is the last word of this passage?\n\n{head} ____"
    return {"problem": problem, "answer": accepted([last]), "domain": "qa"}


def longbench(get: Get) -> dict:
    """LongBench (`context`, `input`, `answers`, `dataset`): the long text, then its question."""
    problem = f"{str(get('context')).strip()}\n\n{str(get('input') or '').strip()}".strip()
    return {"problem": problem, "answer": accepted(get("answers")), "domain": "qa"}


REDUX_GRADED = ("ok", "expert", "wrong_groundtruth")  # the others: no answer, several, unclear


def mmlu_redux(get: Get) -> dict:
    """MMLU-Redux (MMLU's columns and `error_type`, `correct_answer`): a wrong ground truth is graded
    on the annotators' answer (a letter or an index); a question with no right answer, several, or
    an unclear one, is no reference."""
    options, kind = list(get("choices") or []), str(get("error_type") or "ok").strip().lower()
    index = get("answer") if kind in ("ok", "expert") else None
    fixed = str(get("correct_answer") or "").strip().upper()
    if kind == "wrong_groundtruth" and fixed:
        letter = len(fixed) == 1 and fixed in option_letters(len(options))
        index = option_letters(len(options)).index(fixed) if letter else None
        index = int(fixed) if fixed.isdigit() else index
    return _options(get("question"), options, index if kind in REDUX_GRADED else None)


def gaokao(get: Get) -> dict:
    """GAOKAO-Bench's objective questions (`question` with its options A-D in the text, `answer` a
    list of letters, `analysis`, `score`): one letter is a choice among the options read from the
    text; several (multi-select, or several sub-questions) are their letters, as its scorer reads."""
    question, answer = str(get("question") or ""), get("answer")
    listed = isinstance(answer, list | tuple)
    letters = "".join(str(a).strip() for a in answer) if listed else str(answer or "")
    parts = re.split(r"(?:^|\n)\s*([A-G])\s*[.．、]\s*", question)
    head, found = parts[0], parts[1:]
    options = [text.strip() for text in found[1::2]]
    if len(letters) == 1 and "".join(found[0::2]) == option_letters(len(options)) and len(options) >= 2:
        return {"problem": head.strip(), "choices": options, "answer": letters, "domain": "choice"}
    return {"problem": question, "answer": letters or None}


def race(get: Get) -> dict:
    """RACE (`article`, `question`, `options`, `answer` a letter): the article first."""
    return {"problem": _passage(get("article"), get("question")), "choices": list(get("options") or []),
            "answer": get("answer"), "domain": "choice"}  # fmt: skip


def cosmos_qa(get: Get) -> dict:
    """CosmosQA (`context`, `question`, `answer0`-`answer3`, `label`; -1 in its test split)."""
    options = [get(f"answer{i}") for i in range(4)]
    label = get("label")
    index = int(label) if str(label).strip() in ("0", "1", "2", "3") else None
    return _options(_passage(get("context"), get("question")), options, index)


def dream(get: Get) -> dict:
    """DREAM (`dialogue` its turns, `question`, `choice`, `answer` the right choice's text)."""
    turns = get("dialogue")
    turns = "\n".join(map(str, turns)) if isinstance(turns, list | tuple) else str(turns)
    options = [str(c) for c in get("choice") or []]
    answer = str(get("answer") or "")
    index = options.index(answer) if answer in options else None
    return _options(_passage(turns, get("question")), options, index)


def belebele(get: Get) -> dict:
    """Belebele (`flores_passage`, `question`, `mc_answer1`-`4`, `correct_answer_num` 1-4)."""
    options = [get(f"mc_answer{i}") for i in range(1, 5)]
    key = str(get("correct_answer_num")).strip()
    return _options(_passage(get("flores_passage"), get("question")), options,
                    int(key) - 1 if key in ("1", "2", "3", "4") else None)  # fmt: skip


def multirc(get: Get) -> dict:
    """SuperGLUE's MultiRC (`paragraph`, `question`, `answer` one candidate, `label`): is that answer
    true? A. Yes (label 1), B. No, as OpenCompass asks."""
    stated = f"{_passage(get('paragraph'), get('question'))}\nAnswer: {get('answer')}\nIs that answer true?"
    return yes_no(stated, get("label"))


def record(get: Get) -> dict:
    """SuperGLUE's ReCoRD (`passage`, `query` with @placeholder, `entities`, `answers`): the entity
    that fills the blank, any of `answers` (none in its test split)."""
    passage = str(get("passage") or "").replace("@highlight\n", "- ")
    query = str(get("query") or "").replace("@placeholder", "____")
    problem = f"{passage}\n\nWhich entity of the passage fills the blank?\n{query}"
    answers = get("answers")
    return {"problem": problem, "answer": accepted(answers) if answers else None, "domain": "qa"}


LAYOUTS = (  # (name, columns it is known by, columns it maps, fields, its id columns), for formats.py
    ("ReClor (context, question, answers, label)", ("context", "question", "answers", "label"),
     ("context", "question", "answers", "label"), reclor, ("id_string",)),
    ("SQuAD (context, question, answers {text})", ("context", "question", "answers"),
     ("context", "question", "answers"), squad, ()),
    ("DROP (passage, question, answers_spans)", ("passage", "question", "answers_spans"),
     ("passage", "question", "answers_spans"), drop, ("query_id",)),
    ("HotpotQA (question, answer, context, supporting_facts)",
     ("question", "answer", "context", "supporting_facts"), ("question", "answer", "context"), hotpotqa, ()),
    ("PubMedQA (question, context, final_decision)", ("question", "context", "final_decision"),
     ("question", "context", "final_decision"), pubmedqa, ("pubid",)),
    ("PubMedQA as first published (QUESTION, CONTEXTS, final_decision)", ("question", "contexts",
     "final_decision"), ("question", "contexts", "final_decision"), pubmedqa, ("pubid",)),
    ("MuSR (narrative, question, choices, answer_index)", ("narrative", "question", "choices",
     "answer_index"), ("narrative", "question", "choices", "answer_index", "answer_choice"), musr, ()),
    ("FOLIO (premises, conclusion, label)", ("premises", "conclusion", "label"),
     ("premises", "conclusion", "label"), folio, ("example_id",)),
    ("TabMWP (question, table, choices, answer)", ("question", "table", "answer"),
     ("question", "table", "table_title", "choices", "answer"), tabmwp, ()),
    ("open QA (question, answers)", ("question", "answers"), ("question", "answers"), open_answer, ()),
    ("TruthfulQA multiple choice (question, mc1_targets)", ("question", "mc1_targets"), ("question",
     "mc1_targets", "mc2_targets"), truthfulqa, ()),
    ("StoryCloze (input_sentence_1-4, sentence_quiz1-2, answer_right_ending)", ("input_sentence_1",
     "sentence_quiz1", "sentence_quiz2", "answer_right_ending"), ("input_sentence_1", "input_sentence_2",
     "input_sentence_3", "input_sentence_4", "sentence_quiz1", "sentence_quiz2", "answer_right_ending"),
     story_cloze, ("story_id",)),
    ("StoryCloze as first published (InputSentence1-4, RandomFifthSentenceQuiz1-2, AnswerRightEnding)",
     ("inputsentence1", "randomfifthsentencequiz1", "answerrightending"), ("inputsentence1", "inputsentence2",
     "inputsentence3", "inputsentence4", "randomfifthsentencequiz1", "randomfifthsentencequiz2",
     "answerrightending"), story_cloze, ("inputstoryid",)),
    ("LongBench (context, input, answers)", ("context", "input", "answers"), ("context", "input", "answers"),
     longbench, ("_id",)),
    ("MMLU-Redux (question, choices, answer, error_type)", ("question", "choices", "answer", "error_type"),
     ("question", "choices", "answer", "correct_answer"), mmlu_redux, ()),
    ("LAMBADA (text alone)", ("text",), ("text",), lambada, (), False, True),
    ("RACE (article, question, options, answer)", ("article", "question", "options", "answer"),
     ("article", "question", "options", "answer"), race, ("example_id",)),
    ("CosmosQA (context, question, answer0-3, label)", ("context", "question", "answer0", "label"),
     ("context", "question", "answer0", "answer1", "answer2", "answer3", "label"), cosmos_qa, ()),
    ("DREAM (dialogue, question, choice, answer)", ("dialogue", "question", "choice", "answer"),
     ("dialogue", "question", "choice", "answer"), dream, ()),
    ("Belebele (flores_passage, question, mc_answer1-4)", ("flores_passage", "question", "mc_answer1",
     "correct_answer_num"), ("flores_passage", "question", "correct_answer_num"), belebele, ()),
    ("MultiRC (paragraph, question, answer, label)", ("paragraph", "question", "answer", "label"),
     ("paragraph", "question", "answer", "label"), multirc, ()),
    ("ReCoRD (passage, query, entities, answers)", ("passage", "query", "answers"), ("passage", "query",
     "answers"), record, ()),
    ("GAOKAO-Bench (question, answer, analysis, score)", ("question", "answer", "analysis", "score"),
     ("question", "answer"), gaokao, ()),
)  # fmt: skip
