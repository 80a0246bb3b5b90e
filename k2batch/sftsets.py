"""Instruction-tuning and distillation sets as published (k2batch/formats.py reads which): chat
rows (`messages`, ShareGPT's `conversations`), MetaMathQA, MathInstruct, Alpaca, s1K, camel-ai.
Their reference sits inside a worked solution or an assistant turn: it is taken only where the
text states it outright (its last \\boxed{}, "The answer is", GSM8K's "####", Minerva's "Final
Answer"); a free-form answer is no reference, so those rows are solved and left unverified."""

from __future__ import annotations

import re
from typing import Any

from k2batch.choicesets import Get, missing

STATED = ("boxed", "final-answer phrase", "####")  # rules that read an answer stated outright
_ROLES = {"human": "user", "gpt": "assistant", "user": "user", "assistant": "assistant", "system": "system"}


def stated(text: Any) -> str | None:
    """The final answer a worked solution states outright; None for one it only implies."""
    from k2batch.extract import extract_math

    if missing(text):
        return None
    text = re.sub(r"</?answer>", "", str(text))  # DeepSeek-R1's <answer> holds a whole answer; its box says
    solution = re.search(r"<\|begin_of_solution\|>(.*?)(?:<\|end_of_solution\|>|$)", text, re.S)
    answer, rule = extract_math(solution[1] if solution else text)  # OpenThoughts' solution section
    return answer if rule in STATED and answer else None


def _turns(value: Any) -> list[tuple[str, str, dict]]:
    """(role, content, info) of chat messages, OpenAI's {role, content} or ShareGPT's {from, value}."""
    out = []
    for m in value if isinstance(value, list | tuple) else []:
        if isinstance(m, dict):
            role = _ROLES.get(str(m.get("role") or m.get("from") or "").lower(), "")
            content = m.get("content") if m.get("content") is not None else m.get("value")
            out.append((role, "" if content is None else str(content), m.get("info") or {}))
    return out


def chat(get: Get) -> dict:
    """Chat rows: the first user turn is the problem; the reference a user turn's
    `info.reference_answer` (AM-DeepSeek-R1-Distilled; its `info.test_case` makes a code row), else
    what the last assistant turn states."""
    turns = _turns(get("messages") if get("messages") is not None else get("conversations"))
    users = [t for t in turns if t[0] == "user"]
    if not users:
        raise ValueError("a chat row without a user turn")
    info = next((t[2] for t in users if isinstance(t[2], dict) and t[2]), {})
    if not missing(info.get("test_case")):  # AM-DeepSeek-R1-Distilled's code rows: stdin/stdout cases
        return {"problem": users[0][1], "domain": "code", "tests": info["test_case"]}
    answers = [t[1] for t in turns if t[0] == "assistant"]
    given = info.get("reference_answer")
    answer = given if not missing(given) else stated(answers[-1]) if answers else None
    return {"problem": users[0][1], "answer": answer}


def metamath(get: Get) -> dict:
    """MetaMathQA (`query`, `response` ending "The answer is: X")."""
    return {"problem": get("query"), "answer": stated(get("response"))}


def mathinstruct(get: Get) -> dict:
    """MathInstruct (`instruction`, `output`, `source`): its chain-of-thought rows end "The answer is
    X" (a letter where the question lists options); its program-of-thought rows' output is a program,
    no stated answer."""
    program = "PoT" in str(get("source") or "")
    return {"problem": get("instruction"), "answer": None if program else stated(get("output"))}


def alpaca(get: Get) -> dict:
    """Alpaca (`instruction`, `input`, `output`): the input after the instruction; the output's stated
    answer, or the output itself where it is a short bare value ("120")."""
    given, output = get("input"), get("output")
    problem = f"{get('instruction')}\n\n{given}" if not missing(given) else get("instruction")
    answer = stated(output)
    short = str(output or "").strip()
    if answer is None and len(short) <= 30 and "\n" not in short and re.search(r"\d", short):
        answer = short if not re.search(r"\b(?:def|return|print|import)\b|[;{}]", short) else None
    return {"problem": problem, "answer": answer}


def s1k(get: Get) -> dict:
    """s1K (`question`, `solution` its ground truth; `attempt`, trajectories are model outputs): the
    solution's stated answer, a "### Answer:" line, or a one-line solution itself."""
    solution = str(get("solution") or "").strip()
    line = re.search(r"###\s*Answer:\s*(.+)", solution)  # its crosswords': a word, compared as text
    if line:
        return {"problem": get("question"), "answer": line[1].strip(), "domain": "exact"}
    answer = stated(solution)
    if answer is None and solution and "\n" not in solution and len(solution) <= 40:
        answer = solution
    return {"problem": get("question"), "answer": answer}


def camel(get: Get) -> dict:
    """camel-ai's math (`message_1` the problem, `message_2` a free-form answer: no reference)."""
    return {"problem": get("message_1"), "answer": stated(get("message_2"))}


LAYOUTS = (  # (name, columns it is known by, columns it maps, fields, its id columns), for formats.py
    ("MetaMathQA (query, response)", ("query", "response"), ("query", "response"), metamath, ()),
    ("MathInstruct (instruction, output, source)", ("instruction", "output", "source"),
     ("instruction", "output"), mathinstruct, ()),
    ("Alpaca (instruction, input, output)", ("instruction", "output"), ("instruction", "input", "output"),
     alpaca, ()),
    ("s1K (question, solution, cot_type)", ("question", "solution", "cot_type"), ("question", "solution"),
     s1k, ()),
    ("camel-ai (message_1, message_2)", ("message_1", "message_2"), ("message_1", "message_2"), camel, ()),
    ("chat messages (messages)", ("messages",), ("messages", "prompt"), chat, (), False, False, True),
    ("ShareGPT conversations (conversations)", ("conversations",), ("conversations", "system"), chat, (),
     False, False, True),
)  # fmt: skip
