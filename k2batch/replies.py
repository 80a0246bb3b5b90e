"""The triage, plan and judge reply formats: one pydantic model per JSON reply gives both the
guided-decoding schema sent to the backend and the parser, with a lenient fallback for replies
that are not quite JSON (small models, backends without guided decoding)."""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from k2batch.extract import answer_part


class TriageReply(BaseModel):
    hard: bool
    topics: list[str] = Field(max_length=4)


class JudgeReply(BaseModel):
    better: Literal[1, 2]  # first, so that a reply cut at max_tokens still carries the verdict
    explanation: str


TRIAGE_SCHEMA = json.dumps(TriageReply.model_json_schema())
JUDGE_SCHEMA = json.dumps(JudgeReply.model_json_schema())


def _json_object(text: str) -> str | None:
    m = re.search(r"\{.*\}", text, flags=re.S)
    return m.group(0) if m else None


def parse_triage(text: str) -> tuple[bool | None, list[str]]:
    """(hard, topics) from the triage reply; hard is None when the reply is unusable."""
    body = _json_object(text)
    if body:
        try:
            r = TriageReply.model_validate_json(body)
            return r.hard, [t for t in r.topics if t.strip()]
        except ValidationError:
            pass
        try:  # lenient: extra topics, topics that are not strings
            data = json.loads(body)
            hard = data.get("hard")
            topics = [str(t) for t in data.get("topics", []) if str(t).strip()][:4]
            if isinstance(hard, bool):
                return hard, topics
        except (json.JSONDecodeError, AttributeError, TypeError):
            pass
    m = re.search(r'"?hard"?\s*:\s*(true|false)', text, flags=re.I)
    return (m.group(1).lower() == "true" if m else None), []


def parse_plan(text: str) -> str | None:
    """The plan inside <plan> tags (or the whole reply without them); None if empty."""
    text = answer_part(text) or text
    m = re.search(r"<plan>(.*?)(?:</plan>|$)", text, flags=re.S)
    plan = (m.group(1) if m else text).strip()
    # A plan must not hand the solver an answer: drop lines that box or announce one.
    lines = [ln for ln in plan.splitlines() if not re.search(r"\\boxed|final answer", ln, re.I)]
    return "\n".join(lines).strip() or None


def parse_judge(text: str) -> tuple[int | None, str]:
    """(1 or 2 or None, rationale) from the judge's reply."""
    body = answer_part(text) or text
    obj = _json_object(body)
    if obj:
        try:
            r = JudgeReply.model_validate_json(obj)
            return r.better, r.explanation.strip()
        except ValidationError:
            pass
        try:  # lenient: "better": "2", extra keys
            data = json.loads(obj)
            better = int(data.get("better"))
            if better in (1, 2):
                return better, str(data.get("explanation", "")).strip()
        except (json.JSONDecodeError, TypeError, ValueError, AttributeError):
            pass
    m = re.search(r'"?better"?\s*[:=]\s*"?([12])\b', body, flags=re.I)
    if m:
        return int(m.group(1)), body.strip()
    return None, body.strip()
