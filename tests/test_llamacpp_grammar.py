"""JSON-constrained replies on llama.cpp, the likeliest tokens checked first: the same replies as
llama-cpp-python's own grammar order, token for token, with most steps spared the whole vocabulary.
Real engines, the embedded model."""

import json
import re

import pytest
from llama_cpp import Llama

from k2batch.backends.base import ChatRequest
from k2batch.backends.llamacpp import LlamaCppBackend, embedded_model_path
from k2batch.backends.llamacpp_grammar import GrammarFastLlama
from k2batch.replies import JUDGE_SCHEMA, TRIAGE_SCHEMA, JudgeReply

JUDGE = [
    ("system", "You compare two answers to a math problem."),
    ("user", "Problem: what is 17*23?\nAnswer 1: 391\nAnswer 2: 401\nWhich is better? Explain."),
]


@pytest.fixture(scope="module")
def engines():
    path = str(embedded_model_path())
    both = [cls(model_path=path, n_ctx=1024, n_threads=1, verbose=False) for cls in (Llama, GrammarFastLlama)]
    yield both
    for e in both:
        e.close()


def _reply(llm, schema: str, temperature: float, seed: int, **kw) -> str:
    llm.reset()
    out = llm.create_chat_completion(
        messages=[{"role": r, "content": c} for r, c in JUDGE],
        max_tokens=64,
        temperature=temperature,
        seed=seed,
        response_format={"type": "json_object", "schema": json.loads(schema)},
        **kw,
    )
    return out["choices"][0]["message"]["content"]


@pytest.mark.parametrize(
    "schema,temperature,seed",
    [(JUDGE_SCHEMA, 0.0, 1), (JUDGE_SCHEMA, 0.7, 1), (JUDGE_SCHEMA, 1.0, 3), (TRIAGE_SCHEMA, 0.7, 1)],
)
def test_the_same_reply_as_the_librarys_grammar_with_most_steps_on_the_likeliest_tokens(
    engines, schema, temperature, seed
):
    library, fast = engines
    expected = _reply(library, schema, temperature, seed)
    assert _reply(fast, schema, temperature, seed) == expected
    link = fast.last_grammar
    assert link.fast + link.full >= 10  # one grammar check a token
    if temperature == 0.7 and schema == JUDGE_SCHEMA:  # this seed writes a long explanation
        assert link.fast >= 2 * link.full, (link.fast, link.full)  # 48 and 16 of 64 tokens


def test_samplers_that_keep_more_than_top_k_check_the_whole_vocabulary_and_still_agree(engines):
    library, fast = engines
    expected = _reply(library, JUDGE_SCHEMA, 0.8, 5, top_k=0)  # top-k off: no shortcut is exact
    assert _reply(fast, JUDGE_SCHEMA, 0.8, 5, top_k=0) == expected
    assert fast.last_grammar.fast == 0 and fast.last_grammar.full > 0


def test_the_backend_decodes_judge_replies_that_parse():
    engine = LlamaCppBackend(embedded_model_path(), n_ctx=1024, n_threads=1)
    try:
        req = ChatRequest(
            messages=tuple(JUDGE), max_tokens=96, temperature=0.0, seed=0, json_schema=JUDGE_SCHEMA
        )
        result = engine.generate([req])[0]
        assert result.error is None
        if result.finish_reason == "stop":  # one cut at max_tokens is only a prefix of valid JSON
            JudgeReply.model_validate_json(result.text)
        assert re.match(r'\s*\{\s*"better"\s*:\s*[12]', result.text), result.text  # the schema's first key
        assert engine._llm.last_grammar.fast > 0
    finally:
        engine.close()
