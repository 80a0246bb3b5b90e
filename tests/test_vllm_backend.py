"""The vLLM backend's construction, checked on the CPU (vLLM itself needs a GPU)."""

import importlib.util
import json

import pytest

from k2batch import recipe
from k2batch.backends.vllm import check, engine_kwargs, sampling_kwargs
from k2batch.config import ConfigError, load_config


def cfg(*sets):
    return load_config(sets=["backend.kind=vllm", "backend.model=Qwen/Qwen3-32B", *sets])


def test_engine_arguments_from_the_job_file(tmp_path):
    job = tmp_path / "job.toml"
    job.write_text(
        '[backend]\nkind = "vllm"\nmodel = "LLM360/K2-Think"\n'
        "[backend.vllm]\ntensor_parallel_size = 4\nmax_model_len = 32768\n"
        'speculative_config = {method = "eagle", model = "yuhuili/EAGLE-LLaMA3-8B", num_speculative_tokens = 3}\n'
    )
    kw = engine_kwargs(load_config(job).backend)
    assert kw["model"] == "LLM360/K2-Think" and kw["tensor_parallel_size"] == 4
    assert kw["max_model_len"] == 32768
    assert kw["speculative_config"] == {
        "method": "eagle",
        "model": "yuhuili/EAGLE-LLaMA3-8B",
        "num_speculative_tokens": 3,
    }


def test_ngram_speculation_needs_no_draft_model():
    c = cfg(
        'backend.vllm.speculative_config={"method": "ngram", "num_speculative_tokens": 4, "prompt_lookup_max": 4}'
    )
    assert engine_kwargs(c.backend)["speculative_config"]["method"] == "ngram"
    assert "speculative_config" not in engine_kwargs(cfg().backend)


@pytest.mark.parametrize("spec,needle", [
    ('{"method": "eagle", "num_speculative_tokens": 3}', "needs a draft"),
    ('{"method": "magic", "num_speculative_tokens": 3}', "must be one of"),
    ('{"method": "ngram"}', "num_speculative_tokens"),
])  # fmt: skip
def test_bad_speculative_configs_are_clear(spec, needle):
    with pytest.raises(ConfigError, match=needle):
        engine_kwargs(cfg(f"backend.vllm.speculative_config={spec}").backend)


def test_sampling_parameters_per_request_with_their_own_seeds():
    c = cfg()
    problem = {"id": "p", "problem": "2+2?", "domain": "math"}
    kws = [sampling_kwargs(recipe.solve_request(problem, s, None, c)) for s in range(3)]
    assert all(k["temperature"] == 1.0 and k["top_p"] == 0.95 for k in kws)
    assert len({k["seed"] for k in kws}) == 3
    triage = sampling_kwargs(recipe.triage_request(problem, c))
    assert triage["json_schema"] == json.loads(recipe.TRIAGE_SCHEMA) and triage["temperature"] == 0.0


def test_stage_models_may_differ():
    c = cfg("stages.judge.model=small-judge")
    assert (
        c.backend_for("judge").model == "small-judge" and c.backend_for("generate").model == "Qwen/Qwen3-32B"
    )
    problem = {"id": "p", "problem": "2+2?", "domain": "math"}
    assert recipe.triage_request(problem, c).model == "Qwen/Qwen3-32B"


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here")
def test_choosing_vllm_without_it_is_a_clear_error():
    with pytest.raises(ConfigError, match="pip install 'k2batch\\[vllm\\]'"):
        check(cfg().backend)


class StandInLLM:
    """Plays `vllm.LLM.chat` on the CPU: RequestOutput-shaped replies carrying V1 request metrics
    (queued and last-token times, per-request accepted drafts); a batch holding the prompt "bad"
    fails as a whole, as one unservable prompt fails vLLM's batch."""

    def chat(self, conversations, params, use_tqdm=False):
        from types import SimpleNamespace as NS

        if len(conversations) > 1 and any(c[-1]["content"] == "bad" for c in conversations):
            raise ValueError("prompt too long")
        if conversations[0][-1]["content"] == "bad":
            raise ValueError("prompt too long")
        outs = []
        for i, _ in enumerate(conversations):
            metrics = NS(queued_ts=100.0, last_token_ts=100.5 + i, spec_decoding_stats=NS(num_accepted_tokens=3 * i))
            completion = NS(text=f"<think>r{i}</think>\\boxed{{{i}}}", finish_reason="stop", token_ids=[1] * (i + 2))
            outs.append(NS(outputs=[completion], prompt_token_ids=[1, 2, 3], metrics=metrics))
        return outs


def stand_in_backend():
    from k2batch.backends.vllm import VLLMBackend

    b = object.__new__(VLLMBackend)  # the engine itself needs a GPU; everything around it is ours
    b._vllm, b.model, b._llm = None, "m", StandInLLM()
    b._tokenizer = type("T", (), {"encode": staticmethod(lambda text, add_special_tokens=False: text.split())})
    return b


def requests(*texts):
    from k2batch.backends.base import ChatRequest

    return [ChatRequest(messages=(("user", t),), max_tokens=8, seed=i) for i, t in enumerate(texts)]


def test_each_request_gets_its_own_latency_and_drafts(monkeypatch):
    import k2batch.backends.vllm as v

    monkeypatch.setattr(v, "_sampling_params", lambda vllm, kwargs: kwargs)
    results = stand_in_backend().generate(requests("a", "b"))
    assert [r.latency_s for r in results] == [0.5, 1.5]  # not the batch's wall time for both
    assert [r.draft_accepted for r in results] == [0, 3]


def test_a_failing_batch_is_retried_one_by_one_and_every_result_is_handed_back(monkeypatch):
    import k2batch.backends.vllm as v

    monkeypatch.setattr(v, "_sampling_params", lambda vllm, kwargs: kwargs)
    seen = []
    results = stand_in_backend().generate(requests("a", "bad", "c"), on_result=lambda i, r: seen.append(i))
    assert [bool(r.error) for r in results] == [False, True, False] and "prompt too long" in results[1].error
    assert sorted(seen) == [0, 1, 2]  # the store hears of every result, the fallback's included


def test_two_vllm_engines_on_one_gpu_must_fit_together():
    from k2batch.backends import check_engines

    job = cfg("stages.judge.model=small-judge")
    stages = [job.backend_for(s) for s in ("triage", "plan", "generate", "judge")]
    with pytest.raises(ConfigError, match=r"2 vLLM engines .* claim 1.80 of the GPU.*at most 0.47"):
        check_engines(stages)
    fitted = cfg("stages.judge.model=small-judge", "backend.vllm.gpu_memory_utilization=0.45")
    check_engines([fitted.backend_for(s) for s in ("generate", "judge")])
    check_engines([cfg().backend_for(s) for s in ("triage", "generate")])  # one model, one engine
