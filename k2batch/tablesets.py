"""Sets whose questions come with a table, a filing or a case (k2batch/formats.py reads which):
WikiTableQuestions, TabFact, FinQA, TAT-QA, HeadQA, CaseHOLD, QuALITY, NarrativeQA, LegalBench,
ScienceQA. The table or text goes into the problem, before the question: a question asked without
it cannot be answered."""

from __future__ import annotations

import json
import re
from typing import Any

from k2batch.choicesets import Get, missing
from k2batch.qasets import _options, _passage, accepted

ENTAILED = ["entailed", "true", "yes", "supported"]  # TabFact's label 1, as a reply may say it
REFUTED = ["refuted", "false", "no", "not entailed"]


def _rows(rows: Any) -> str:
    """A table as lines of cells, "a | b | c"."""
    return "\n".join(" | ".join(str(c) for c in row) for row in rows or [] if isinstance(row, list | tuple))


def every(answers: list) -> str:
    """A `qa` reference of values, all of them wanted in any order, compared as WikiTableQuestions'
    evaluator compares (TAT-QA's multi-span answers too)."""
    values = [str(a).strip() for a in answers if not missing(a)]
    return json.dumps({"all": values}, ensure_ascii=False) if values else None


def wikitablequestions(get: Get) -> dict:
    """WikiTableQuestions (`question`, `answers` the values, all wanted, `table` {header, rows})."""
    table = get("table") if isinstance(get("table"), dict) else {}
    shown = _rows([table.get("header") or [], *(table.get("rows") or [])])
    answers = get("answers")
    answer = every(list(answers)) if isinstance(answers, list | tuple) and answers else None
    return {"problem": _passage(shown, get("question")), "domain": "qa", "answer": answer}


def tabfact(get: Get) -> dict:
    """TabFact (`table_text` rows of "#"-joined cells, `table_caption`, `statement`, `label` 1 entailed):
    entailed or refuted, in any of the words a reply uses for them."""
    table = "\n".join(line.replace("#", " | ") for line in str(get("table_text") or "").splitlines())
    problem = (f"Table: {get('table_caption') or ''}\n{table}\n\nStatement: {get('statement')}\n"
               "Is the statement entailed or refuted by the table?")  # fmt: skip
    label = str(get("label")).strip()
    answer = accepted(ENTAILED if label == "1" else REFUTED) if label in ("0", "1") else None
    return {"problem": problem, "answer": answer, "domain": "qa"}


def finqa(get: Get) -> dict:
    """FinQA (`pre_text`, `table`, `post_text`, `qa` {question, exe_ans}): the filing's text and table
    around the question; the executed answer is the reference (none in its private test split)."""
    qa = get("qa") if isinstance(get("qa"), dict) else {}
    text = "\n".join(map(str, get("pre_text") or [])) + "\n\n" + _rows(get("table")) + "\n\n"
    text += "\n".join(map(str, get("post_text") or []))
    answer = None if missing(qa.get("exe_ans")) else qa.get("exe_ans")
    # as its program-of-thought scoring: within 1e-3 (a percent is read as a hundredth)
    return {"problem": _passage(text.strip(), qa.get("question")), "answer": answer, "tolerance": "0.1%"}


def tatqa(get: Get) -> dict:
    """TAT-QA (`table` {table}, `paragraphs`, `questions`): the table and paragraphs, then its
    first question (a row of several asks the first); spans are `qa` (several: all of them),
    numbers math, with a percent scale as a percent."""
    table = get("table") if isinstance(get("table"), dict) else {}
    paragraphs = [p for p in get("paragraphs") or [] if isinstance(p, dict)]
    paragraphs.sort(key=lambda p: p.get("order", 0))
    text = _rows(table.get("table")) + "\n\n" + "\n".join(str(p.get("text", "")) for p in paragraphs)
    questions = [q for q in get("questions") or [] if isinstance(q, dict)]
    if not questions:
        raise ValueError("TAT-QA row without a question")
    q = sorted(questions, key=lambda q: q.get("order", 0))[0]
    answer, kind = q.get("answer"), str(q.get("answer_type") or "")
    problem = _passage(text.strip(), q.get("question"))
    spans = list(answer) if isinstance(answer, list | tuple) else [answer]
    if not spans:
        return {"problem": problem, "answer": None, "domain": "qa"}
    number = re.fullmatch(r"\$?\s*(\()?\s*\$?([\d,]*\.?\d+)\s*\)?%?", str(spans[0]).strip())
    number = number if len(spans) == 1 else None  # "$(426)": a number, negative in its brackets
    if kind in ("span", "multi-span") and not number:
        return {"problem": problem, "answer": every(spans), "domain": "qa"}
    value = f"-{number[2]}" if number and number[1] else number[2] if number else answer
    scale = str(q.get("scale") or "")
    value = f"{value}%" if scale == "percent" else f"{value} {scale}" if scale else value
    exact = "0%"  # its EM: no tolerance
    return {"problem": problem, "answer": None if missing(answer) else value, "tolerance": exact}


def headqa(get: Get) -> dict:
    """HeadQA (`qtext`, `answers` [{aid, atext}], `ra` the right aid)."""
    options = sorted((a for a in get("answers") or [] if isinstance(a, dict)), key=lambda a: a.get("aid", 0))
    aids = [a.get("aid") for a in options]
    right = aids.index(get("ra")) if get("ra") in aids else None
    return _options(get("qtext"), [a.get("atext") for a in options], right)


def casehold(get: Get) -> dict:
    """CaseHOLD: LexGLUE's `case_hold` (`context` with <HOLDING>, `endings`, `label`), or its own CSV
    (`citing_prompt`, `holding_0`-`holding_4`, `label`)."""
    context = get("context") if get("context") is not None else get("citing_prompt")
    endings = get("endings") or [get(f"holding_{i}") for i in range(5)]
    label = get("label")
    index = int(label) if str(label).strip() in ("0", "1", "2", "3", "4") else None
    return _options(f"{context}\n\nWhich holding belongs where <HOLDING> stands?", list(endings), index)


def quality(get: Get) -> dict:
    """QuALITY (`article`, `question`, `options`, `gold_label` 1-4)."""
    gold = str(get("gold_label")).strip()
    index = int(gold) - 1 if gold.isdigit() and int(gold) >= 1 else None
    return _options(_passage(get("article"), get("question")), list(get("options") or []), index)


def narrativeqa(get: Get) -> dict:
    """NarrativeQA (`document` {summary {text}}, `question` {text}, `answers` [{text}]): asked on the
    story's summary; any of its answers."""
    document, question = get("document") or {}, get("question")
    summary = (document.get("summary") or {}).get("text") if isinstance(document, dict) else None
    question = question.get("text") if isinstance(question, dict) else question
    answers = [a.get("text") if isinstance(a, dict) else a for a in get("answers") or []]
    return {"problem": _passage(summary or "", question), "answer": accepted(answers), "domain": "qa"}


def legalbench(get: Get) -> dict:
    """LegalBench's tasks (`text`, `answer`, `index`): the label as a short answer. Its task's own
    instruction is not in the row (each task's prompt lies beside its data)."""
    return {"problem": get("text"), "answer": accepted([get("answer")]), "domain": "qa"}


def scienceqa(get: Get) -> dict:
    """ScienceQA (`question`, `choices`, `answer` an index, `hint` its context); rows with a figure
    are rejects (validation reads `image`)."""
    hint = get("hint")
    problem = f"Context: {hint}\n{get('question')}" if not missing(hint) else get("question")
    return _options(problem, list(get("choices") or []), get("answer"))


LAYOUTS = (  # (name, columns it is known by, columns it maps, fields, its id columns), for formats.py
    ("WikiTableQuestions (question, answers, table)", ("question", "answers", "table"),
     ("question", "answers", "table"), wikitablequestions, ()),
    ("TabFact (table_text, statement, label)", ("table_text", "statement"),
     ("table_text", "table_caption", "statement", "label"), tabfact, ()),
    ("FinQA (pre_text, table, post_text, qa)", ("pre_text", "post_text", "qa"), ("pre_text", "post_text",
     "table", "qa"), finqa, ()),
    ("TAT-QA (table, paragraphs, questions)", ("table", "paragraphs", "questions"), ("table", "paragraphs",
     "questions"), tatqa, ()),
    ("HeadQA (qtext, answers, ra)", ("qtext", "answers", "ra"), ("qtext", "answers", "ra"), headqa, ("qid",)),
    ("CaseHOLD (context, endings, label)", ("context", "endings", "label"), ("context", "endings", "label"),
     casehold, ()),
    ("CaseHOLD as first published (citing_prompt, holding_0-4, label)", ("citing_prompt", "holding_0",
     "label"), ("citing_prompt", "label"), casehold, ()),
    ("QuALITY (article, question, options, gold_label)", ("article", "question", "options", "gold_label"),
     ("article", "question", "options", "gold_label"), quality, ("question_unique_id",)),
    ("NarrativeQA (document, question, answers)", ("document", "question", "answers"), ("document",
     "question", "answers"), narrativeqa, ()),
    ("LegalBench (text, answer, index)", ("text", "answer", "index"), ("text", "answer"), legalbench, ()),
    ("ScienceQA (question, choices, answer, hint)", ("question", "choices", "answer", "hint"), ("question",
     "choices", "answer", "hint"), scienceqa, ()),
)  # fmt: skip
