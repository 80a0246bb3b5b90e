"""vLLM in-process (`vllm.LLM`): the whole batch goes to the engine at once (continuous
batching), each request with its own seed; tensor parallel and speculative decoding (draft
model, n-gram, EAGLE) come from the job file. Optional extra: pip install 'k2batch[vllm]'."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from k2batch.backends.base import ChatRequest, ChatResult, OnResult, reasoning_text
from k2batch.config import BackendConfig, ConfigError

SPECULATIVE_METHODS = ("ngram", "eagle", "eagle3", "draft_model", "medusa", "mtp")


def engine_kwargs(cfg: BackendConfig) -> dict:
    """Arguments for `vllm.LLM(...)`, from the job's backend settings (pure; unit-tested)."""
    v = cfg.vllm
    kwargs = {
        "model": cfg.model,
        "tensor_parallel_size": v.tensor_parallel_size,
        "gpu_memory_utilization": v.gpu_memory_utilization,
        "dtype": v.dtype,
        "seed": v.seed,
        "enforce_eager": v.enforce_eager,
        "disable_log_stats": False,  # keeps the spec-decode counters that get_metrics() reads
    }
    if v.max_model_len:
        kwargs["max_model_len"] = v.max_model_len
    if v.speculative_config:
        spec = dict(v.speculative_config)
        method = spec.get("method") or ("draft_model" if spec.get("model") else None)
        if method not in SPECULATIVE_METHODS:
            raise ConfigError(f"speculative_config.method must be one of {', '.join(SPECULATIVE_METHODS)}")
        if method in ("eagle", "eagle3", "draft_model", "medusa") and not spec.get("model"):
            raise ConfigError(f"speculative method {method!r} needs a draft `model`")
        if not spec.get("num_speculative_tokens"):
            raise ConfigError("speculative_config needs num_speculative_tokens")
        kwargs["speculative_config"] = spec
    return kwargs


def sampling_kwargs(req: ChatRequest) -> dict:
    """Arguments for `vllm.SamplingParams(...)` for one request (pure; unit-tested)."""
    kwargs = {
        "temperature": req.temperature,
        "top_p": req.top_p,
        "max_tokens": req.max_tokens,
        "seed": req.seed,
    }
    if req.json_schema:
        kwargs["json_schema"] = json.loads(req.json_schema)  # turned into structured-output params
    return kwargs


def _sampling_params(vllm, kwargs: dict):
    schema = kwargs.pop("json_schema", None)
    if schema is not None:  # the name moved across vLLM releases
        sampling = vllm.sampling_params
        if hasattr(sampling, "StructuredOutputsParams"):
            kwargs["structured_outputs"] = sampling.StructuredOutputsParams(json=schema)
        elif hasattr(sampling, "GuidedDecodingParams"):
            kwargs["guided_decoding"] = sampling.GuidedDecodingParams(json=schema)
    return vllm.SamplingParams(**kwargs)


def _accepted_drafts(llm) -> float | None:
    """vLLM's running count of accepted draft tokens, where the engine reports it."""
    try:
        for metric in llm.get_metrics():
            if metric.name == "vllm:spec_decode_num_accepted_tokens":
                return float(metric.value)
    except Exception:
        return None
    return None


class VLLMBackend:
    name = "vllm"

    def __init__(self, cfg: BackendConfig):
        import vllm

        self._vllm, self.model = vllm, cfg.model
        self._llm = vllm.LLM(**engine_kwargs(cfg))
        self._tokenizer = self._llm.get_tokenizer()

    def generate(
        self, requests: Sequence[ChatRequest], on_result: OnResult | None = None, deadlines=None
    ) -> list[ChatResult]:
        """`deadlines` is ignored: LLM.generate runs a batch to the end (bound it by max_tokens)."""
        params = [_sampling_params(self._vllm, sampling_kwargs(r)) for r in requests]
        before = _accepted_drafts(self._llm)
        t0 = time.perf_counter()
        try:
            outputs = self._llm.chat([r.chat() for r in requests], params, use_tqdm=False)
        except Exception as exc:  # one bad prompt fails the batch: retry one by one to isolate it
            if len(requests) == 1:
                return [ChatResult.failed(f"{type(exc).__name__}: {exc}", self.name, self.model)]
            return [self.generate([r], None)[0] for r in requests]
        latency = time.perf_counter() - t0
        after = _accepted_drafts(self._llm)
        results = []
        for i, out in enumerate(outputs):
            completion = out.outputs[0]
            think = reasoning_text(completion.text)
            res = ChatResult(
                reasoning_tokens=len(self._tokenizer.encode(think, add_special_tokens=False)) if think else 0,
                text=completion.text,
                finish_reason=completion.finish_reason or "stop",
                prompt_tokens=len(out.prompt_token_ids or []),
                completion_tokens=len(completion.token_ids),
                latency_s=latency,  # the batch's: continuous batching has no per-request wall time
                backend=self.name,
                model=self.model,
            )
            if before is not None and after is not None:
                res.extra["batch_draft_accepted"] = after - before  # per batch, not per request
            results.append(res)
            if on_result:
                on_result(i, res)
        return results


def check(cfg: BackendConfig) -> None:
    try:
        import vllm  # noqa: F401
    except ImportError as exc:
        raise ConfigError("backend 'vllm' needs vLLM and a GPU: pip install 'k2batch[vllm]'") from exc
    if not cfg.model:
        raise ConfigError("backend 'vllm' needs --model (a Hugging Face id or a local path)")
    engine_kwargs(cfg)


def from_config(cfg: BackendConfig) -> VLLMBackend:
    return VLLMBackend(cfg)
