"""Puzzle domains, graded as their own harnesses grade them.

`knights` (Knights and Knaves, mem-kk-logic): each person's identity in the reply's conclusion.

`countdown` (TinyZero's Countdown tasks): an arithmetic expression in <answer></answer> that uses
each given number exactly once and equals the target. The expression is read by `ast` (numbers,
+ - * / and brackets only) and computed exactly, never `eval`ed.

`grid` (ZebraLogic, as ZeroEval grades it): the last complete JSON object of the reply, its
`solution` a table {"House 1": {"Name": ..., ...}, ...}; solved when every cell matches the
reference's, in any letter case and spacing."""

from __future__ import annotations

import ast
import json
import operator
import re
from fractions import Fraction

from k2batch.extract import answer_part, last_boxed

COUNTDOWN = "Think step by step, then give the expression (no `=`) in <answer> </answer> tags."
GRID = 'End with the filled table as JSON: {"reasoning": "...", "solution": {"House 1": {...}, ...}}.'
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def countdown_extract(text: str, n_choices: int | None = None) -> tuple[str | None, str]:
    part = answer_part(text)
    tags = re.findall(r"<answer>(.*?)</answer>", part, re.S)
    if tags:
        return tags[-1].strip() or None, "answer tag"
    boxed = last_boxed(part)
    return (boxed, "boxed") if boxed else (None, "no answer tag")


def _value(node: ast.AST, used: list[int]) -> Fraction:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        used.append(node.value)
        return Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, used)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_value(node.left, used), _value(node.right, used))
    raise ValueError("only the given numbers, + - * / and brackets")


def _numbers(value: object) -> list:
    return json.loads(value) if isinstance(value, str) else list(value)


def countdown_check(task: dict) -> tuple[str, str]:
    spec = json.loads(task["tests"]) if isinstance(task.get("tests"), str) else task.get("tests")
    if not spec:
        return "unverified", "no numbers"
    expression = (task.get("answer") or "").replace("×", "*").replace("÷", "/").replace("−", "-")
    expression = re.sub(rf"=\s*{re.escape(str(spec['target']))}\s*$", "", expression.strip())  # "... = 98"
    if not expression:
        return "incorrect", "no expression"
    used: list[int] = []
    try:
        value = _value(ast.parse(expression, mode="eval").body, used)
    except ZeroDivisionError:
        return "incorrect", "divides by zero"
    except (SyntaxError, ValueError, RecursionError):
        return "incorrect", "not an expression of the numbers"
    if sorted(used) != sorted(int(n) for n in _numbers(spec["nums"])):
        return "incorrect", f"uses {sorted(used)}, not each given number once"
    target = Fraction(str(spec["target"]))
    return ("correct", "equals the target") if value == target else ("incorrect", f"{value}, not {target}")


def _objects(text: str) -> list[str]:
    """Every complete top-level {...} of the text, in order (braces inside strings ignored)."""
    out, depth, start, quoted, escaped = [], 0, 0, False, False
    for i, ch in enumerate(text):
        if quoted:
            escaped, quoted = (not escaped and ch == "\\"), quoted and (escaped or ch != '"')
        elif ch == '"' and depth:
            quoted = True
        elif ch == "{":
            start, depth = (i if depth == 0 else start), depth + 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                out.append(text[start : i + 1])
    return out


def grid_extract(text: str, n_choices: int | None = None) -> tuple[str | None, str]:
    """ZeroEval's reading: the last complete JSON object; its `solution`, or no answer."""
    for found in reversed(_objects(answer_part(text))):
        try:
            value = json.loads(found)
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("solution"), dict):
            return json.dumps(value["solution"]), "the last JSON's solution"
        return None, "the last JSON has no solution"
    return None, "no JSON"


def _table(reference: str) -> tuple[list, list]:
    try:
        value = json.loads(reference)
    except ValueError:
        value = ast.literal_eval(reference)  # as published: the rows in Python's repr
    return list(value["header"]), [list(r) for r in value["rows"]]


def grid_check(task: dict) -> tuple[str, str]:
    if not task.get("reference"):
        return "unverified", "no reference"
    if not task.get("answer"):
        return "incorrect", "no solution"
    try:
        header, rows = _table(str(task["reference"]))
    except (ValueError, SyntaxError, KeyError, TypeError):
        return "error", "reference is not a ZebraLogic table"
    answer = json.loads(task["answer"])
    wrong = 0
    for row in rows:
        house = answer.get(f"{header[0]} {row[0]}")
        for name, cell in zip(header[1:], row[1:], strict=False):
            got = house.get(name) if isinstance(house, dict) else None
            got = got[0] if isinstance(got, list) and got else got  # ["Alice"], as ZeroEval reads it
            wrong += got is None or str(got).lower().strip() != str(cell).lower().strip()
    cells = sum(len(r) - 1 for r in rows)  # its columns after the house number
    return ("incorrect", f"{wrong} of {cells} cells wrong") if wrong else ("correct", f"all {cells} cells")


KNIGHTS = ('Think step by step, then state who is a knight and who is a knave after "CONCLUSION:", one '
           'person a line: "(1) Zoey is a knave".')  # fmt: skip
_CONCLUSION = re.compile(r"(?i)(?:conclusion|final answer|answer)\s*[:：]|###\s*answer")


def knights_extract(text: str, n_choices: int | None = None) -> tuple[str | None, str]:
    """Knights and Knaves: what follows the reply's last "CONCLUSION:" (its harness's marker; an
    "Answer:" too), else its whole answer after the reasoning."""
    part = answer_part(text).replace("**", "")
    marks = list(_CONCLUSION.finditer(part))
    if marks:
        return part[marks[-1].end() :].strip() or None, "conclusion"
    return part.strip() or None, "the whole reply"


def knights_check(task: dict) -> tuple[str, str]:
    """Every person's identity as the reference has it (the last one the conclusion states for
    each), as mem-kk-logic's parse_cot_eval grades: one wrong or missing is a wrong answer."""
    try:
        roles = json.loads(task.get("reference") or "")
    except ValueError:
        return "unverified", "no reference"
    if not isinstance(roles, dict) or not roles:
        return "unverified", "no reference"
    said = task.get("answer") or ""
    for name, role in roles.items():
        stated = rf"(?i)\b{re.escape(name)}\b\W{{0,3}}\s*(?:is|was)\s+(?:an?\s+)?(knight|knave)"
        found = re.findall(stated, said)
        if not found:
            return "incorrect", f"no identity stated for {name}"
        if found[-1].lower() != role:
            return "incorrect", f"{name} is a {role}, not a {found[-1].lower()}"
    return "correct", f"all {len(roles)} identities"
