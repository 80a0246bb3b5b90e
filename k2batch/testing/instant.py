"""A synthetic backend that answers instantly: a benchmark harness (not a product backend), so
scale benchmarks measure the pipeline and nothing else. Replies are shaped like a reasoning
model's, and deterministic in the request: triage says hard for every other problem, plans are a
line, candidates box the number after `answer` in the problem most of the time, and a third of
the time a wrong one (so verification fails some and the judge has work), and the judge always
prefers the first response."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence

from k2batch.backends import BACKENDS
from k2batch.backends.base import ChatRequest, ChatResult, OnResult

KIND = "instant"


def register() -> None:
    """Make `backend.kind = "instant"` resolvable in this process."""
    BACKENDS[KIND] = __name__


class InstantBackend:
    name = KIND

    def __init__(self, model: str = "instant"):
        self.model = model

    def _text(self, req: ChatRequest) -> str:
        user = req.messages[-1][1]
        h = int(hashlib.blake2b(req.key().encode(), digest_size=4).hexdigest(), 16)
        if req.stage == "triage":
            return '{"hard": %s, "topics": ["arithmetic"]}' % ("true" if h % 2 else "false")
        if req.stage == "plan":
            return "<plan>Add the two numbers.</plan>"
        if req.stage == "judge":
            return '{"better": 1, "explanation": "first"}'
        m = re.search(r"answer (\d+)", user)
        n = int(m.group(1)) if m else 0
        answer = n if h % 3 else n + 1
        return f"<think>Adding gives {answer}.</think>The answer is \\boxed{{{answer}}}."

    def generate(
        self, requests: Sequence[ChatRequest], on_result: OnResult | None = None, deadlines=None
    ) -> list[ChatResult]:
        out = []
        pause = re.search(r"sleep(\d+)ms", self.model)  # a slow engine for routing tests: "instant-sleep40ms"
        for i, req in enumerate(requests):
            if deadlines is not None and (why := deadlines.stop_reason(i)):  # as llama.cpp: not started
                out.append(ChatResult.failed(why, KIND, self.model))
                if on_result:
                    on_result(i, out[-1])
                continue
            if deadlines is not None:
                deadlines.started(i)
            if pause:
                time.sleep(int(pause.group(1)) / 1000)
            text, finish = self._text(req), "stop"
            if len(text) // 4 > req.max_tokens:  # a reply longer than the limit is cut, as engines do
                text, finish = text[: req.max_tokens * 4], "length"
            res = ChatResult(
                text,
                finish,
                prompt_tokens=len(req.messages[-1][1]) // 4,
                completion_tokens=len(text) // 4,
                latency_s=0.0,
                backend=KIND,
                model=self.model,
            )
            if deadlines is not None:
                deadlines.finished(i)
            if on_result:
                on_result(i, res)
            out.append(res)
        return out


def from_config(cfg) -> InstantBackend:
    return InstantBackend(cfg.model or "instant")
