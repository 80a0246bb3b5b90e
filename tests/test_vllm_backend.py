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
