"""The backend's settings (`[backend]` in a job file): which engine or server, and how it is
driven. Part of k2batch.config, which re-exports them."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from k2batch.settings_base import Strict, execution_only


class VLLMConfig(Strict):
    tensor_parallel_size: int = Field(1, ge=1, description="GPUs per engine (one engine per worker).")
    gpu_memory_utilization: float = execution_only(0.9, gt=0, le=1)
    max_model_len: int | None = Field(None, ge=256)
    dtype: str = "auto"
    seed: int = 0
    enforce_eager: bool = execution_only(False)
    quantization: str | None = Field(
        None, description="vLLM quantization (awq, gptq, fp8...); None: the model's."
    )
    speculative_config: dict[str, Any] | None = Field(
        None,
        description='vLLM speculative_config, e.g. {method = "ngram", num_speculative_tokens = 4, '
        'prompt_lookup_max = 4} or {method = "eagle", model = "...", num_speculative_tokens = 3}.',
    )


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class BackendConfig(Strict):
    kind: str = Field("llamacpp", description="llamacpp (embedded CPU default) | vllm | openai | cerebras.")
    model: str | None = Field(None, description="Model path/name; None with llamacpp: the embedded SmolLM2.")
    # llamacpp
    n_ctx: int = Field(4096, ge=256, description="Context window (llamacpp).")
    n_threads: int | None = execution_only(
        None, ge=1, description="CPU threads per engine (llamacpp); None: the cores / engines."
    )
    engines: int = execution_only(
        1,
        ge=1,
        description="llamacpp: engines in each worker process, each on its own thread, taking a "
        "batch's requests as they come free (2 one-thread engines outrun one 2-thread engine on 2 "
        "cores; benchmarks/pipeline_vs_engine.py).",
    )
    speculative: Literal["off", "prompt_lookup"] = Field(
        "off", description="llamacpp: prompt-lookup drafts (measured slower on fresh text here)."
    )
    # HTTP backends (openai, cerebras)
    base_url: str | None = execution_only(
        None, description="Server URL (openai: with /v1; cerebras: without)."
    )
    api_key_env: str | None = execution_only(
        None, description="Variable holding the API key (never the key itself)."
    )
    api_key_secret: str | None = execution_only(
        None, description="Prefect Secret block with the key (flows only)."
    )
    concurrency: Literal["adaptive", "fixed"] = execution_only(
        "adaptive",
        description="adaptive: the requests in flight follow the server (about twice what it runs at "
        "once, fewer after a 429; benchmarks/saturation.py); fixed: always max_concurrency.",
    )
    max_concurrency: int = execution_only(
        128, ge=1, description="Requests in flight per worker process: the adaptive window's upper bound."
    )
    remember_window: bool = execution_only(
        True, description="adaptive: start at half the window learned from this server in the last 7 "
        "days (~/.local/state/k2batch/windows.json; k2batch/backends/windows.py), not at 16.",
    )
    queue_metrics: bool = execution_only(
        True, description="adaptive: read the server's own counts of running and waiting requests from "
        "its /metrics (vLLM, SGLang, llama.cpp --metrics, TGI) while the first window grows; one GET "
        "where a server has none (k2batch/backends/server_queue.py).",
    )
    stream_start: bool = execution_only(
        True, description="adaptive: stream replies while the window grows: a reply's first chunk shows "
        "the server runs it (a queued one gets none), so a server with room is found before the first "
        "reply is back, /metrics or not; whole replies after (k2batch/backends/http.py).",
    )
    timeout_s: float = execution_only(600.0, gt=0, description="Per request.")
    max_retries: int = execution_only(
        8, ge=0, description="Retries of transient errors (429, 5xx, timeouts)."
    )
    rpm: float | None = execution_only(
        None, gt=0, description="Requests per minute allowed for the whole job."
    )
    tpm: float | None = execution_only(
        None, gt=0, description="Tokens per minute (prompt + max_tokens reserved)."
    )
    quota_share: float = execution_only(
        1.0, gt=0, le=1, description="This worker's share of rpm/tpm (1/workers)."
    )
    quota_window_s: float = execution_only(
        60.0, gt=0, description="The quota's window (a minute; shorter in tests)."
    )
    json_mode: Literal["json_schema", "json_object", "off"] = Field(
        "json_schema", description="How constrained replies are asked for (llama.cpp server: json_object)."
    )
    vllm: VLLMConfig = Field(default_factory=VLLMConfig)
    spill: BackendConfig | None = Field(
        None,
        description="A secondary backend that takes whole problems when the primary would miss "
        "budget.deadline (k2batch.router); its own settings, quota and price.",
    )

    @field_validator("api_key_env")
    @classmethod
    def _names_a_variable(cls, value: str | None) -> str | None:
        # The message must not repeat the value: a key pasted here by mistake would be printed.
        if value is not None and not _ENV_NAME.fullmatch(value):
            raise ValueError(
                "must name an environment variable (letters, digits, _), not hold the key itself: "
                "put the key in that variable"
            )
        return value
