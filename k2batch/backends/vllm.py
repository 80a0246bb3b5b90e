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
# Settings that change the sampled text: part of every call's key. (Tensor parallelism is left
# out on purpose: the same model under another split is reused, not recomputed.)
REPLY_SETTINGS = ("vllm.dtype", "vllm.quantization", "vllm.speculative_config")
GPU_SHARE_LIMIT = 0.95  # engines of one worker may claim at most this much of its GPU together


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
    if v.quantization:
        kwargs["quantization"] = v.quantization
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


def _stat(obj, *names):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def request_latency(out) -> float | None:
    """A request's own time in the engine, from the metrics vLLM attaches to its output (V0:
    arrival to finish; V1: queued to last token), or None where it attaches none."""
    m = getattr(out, "metrics", None)
    for start, end in (("arrival_time", "finished_time"), ("queued_ts", "last_token_ts"),
                       ("arrival_time", "last_token_time")):  # fmt: skip
        a, b = _stat(m, start), _stat(m, end)
        if isinstance(a, int | float) and isinstance(b, int | float) and b >= a:
            return float(b - a)
    return None


def request_drafts_accepted(out) -> int | None:
    """Draft tokens accepted for this request, where the vLLM release reports it per request."""
    m = getattr(out, "metrics", None)
    spec = _stat(m, "spec_decoding_stats", "spec_decode_stats")
    value = _stat(spec, "num_accepted_tokens", "num_accepted_draft_tokens") if spec is not None else None
    value = value if value is not None else _stat(m, "num_accepted_tokens", "num_accepted_draft_tokens")
    return int(value) if isinstance(value, int | float) else None


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
        t0 = time.perf_counter()
        try:
            outputs = self._llm.chat([r.chat() for r in requests], params, use_tqdm=False)
        except Exception as exc:  # one bad prompt fails the batch: retry one by one to isolate it
            if len(requests) == 1:
                return [ChatResult.failed(f"{type(exc).__name__}: {exc}", self.name, self.model)]
            results = []
            for i, r in enumerate(requests):  # each result still reaches the store as it is ready
                results.append(self.generate([r])[0])
                if on_result:
                    on_result(i, results[-1])
            return results
        batch_latency = time.perf_counter() - t0
        results = []
        for i, out in enumerate(outputs):
            completion = out.outputs[0]
            think = reasoning_text(completion.text)
            latency = request_latency(out)
            res = ChatResult(
                reasoning_tokens=len(self._tokenizer.encode(think, add_special_tokens=False)) if think else 0,
                text=completion.text,
                finish_reason=completion.finish_reason or "stop",
                prompt_tokens=len(out.prompt_token_ids or []),
                completion_tokens=len(completion.token_ids),
                # the request's own time where vLLM reports it; else the batch's (marked)
                latency_s=batch_latency if latency is None else latency,
                backend=self.name,
                model=self.model,
                draft_accepted=request_drafts_accepted(out),
            )
            if latency is None:
                res.extra["latency"] = "batch"
            results.append(res)
            if on_result:
                on_result(i, res)
        return results


def check_engines(cfgs: list[BackendConfig]) -> None:
    """Every distinct vLLM engine of a job lives in each worker process, on the same GPU(s): two
    stages naming two models start two engines, and their memory shares must fit together."""
    engines = {json.dumps(engine_kwargs(c), sort_keys=True, default=str): c for c in cfgs}
    share = sum(c.vllm.gpu_memory_utilization for c in engines.values())
    if len(engines) > 1 and share > GPU_SHARE_LIMIT:
        models = ", ".join(sorted({str(c.model) for c in engines.values()}))
        raise ConfigError(
            f"the stages use {len(engines)} vLLM engines ({models}) in each worker and together they "
            f"claim {share:.2f} of the GPU: set backend.vllm.gpu_memory_utilization to at most "
            f"{GPU_SHARE_LIMIT / len(engines):.2f}, or serve one model with `vllm serve` and point "
            "those stages at it (backend openai)"
        )


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


def hints(cfg: BackendConfig):
    from k2batch.backends import Hints

    return Hints(batch_size=512, overlapping=True)  # whole batches feed continuous batching
