"""Job settings: one typed object, validated once at the edge; every knob has a default."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from k2batch.backend_settings import BackendConfig, VLLMConfig  # noqa: F401 (re-exported)
from k2batch.prompts import Recipe
from k2batch.settings_base import EXECUTION_ONLY, ConfigError, Strict, execution_only  # noqa: F401

__all__ = ["JobConfig", "BackendConfig", "StageConfig", "load_config", "ConfigError", "STAGES"]

STAGES = ("triage", "plan", "generate", "judge")  # the recipe's model-calling stages, in order
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)


class StageConfig(Strict):
    model: str | None = Field(None, description="This stage's model (planner, solver, judge may differ).")
    temperature: float = Field(1.0, ge=0.0, le=2.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(1024, ge=1)


def _stage(**kw: Any) -> Any:
    return Field(default_factory=lambda: StageConfig(**kw))


class StagesConfig(Strict):
    # Triage and plan are short and should be stable; the solver samples at K2-Think's 1.0/0.95.
    triage: StageConfig = _stage(temperature=0.0, max_tokens=128)
    plan: StageConfig = _stage(temperature=0.6, max_tokens=384)
    generate: StageConfig = _stage(temperature=1.0, top_p=0.95, max_tokens=2048)
    judge: StageConfig = _stage(temperature=0.0, max_tokens=192)


class PlanConfig(Strict):
    enabled: bool = Field(True, description="Plan before solving (K2-Think step 1).")
    triage: bool = Field(True, description="Ask first whether the problem needs a plan.")


class SampleRange(Strict):
    """Adaptive Best-of-N: `min` samples first, then one more at a time up to `max` while the
    candidates disagree."""

    min: int = Field(ge=1, le=64)
    max: int = Field(ge=1, le=64)
    stop_on_verified: bool = Field(
        False,
        description="Also stop as soon as a candidate verifies correct. Uses the reference: for "
        "building datasets, not for measuring Best-of-N.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> SampleRange:
        if self.min > self.max:
            raise ValueError(f"samples.min ({self.min}) is above samples.max ({self.max})")
        return self


class JudgeConfig(Strict):
    enabled: bool = True
    mode: Literal["pairs", "confirm"] = Field(
        "pairs",
        description="pairs: every pair of distinct answers (in both orders with both_orders). "
        "confirm: one comparison per pair, its order balanced across problems by a hash; the "
        "reverse order is asked only where the judge overrules the majority (prefers the answer "
        "fewer samples gave), and an overrule stands only if both orders agree.",
    )
    both_orders: bool = Field(True, description="pairs mode: ask each pair in both orders (position bias).")
    answer_chars: int = Field(
        2000, ge=100, description="At most this many characters of each response reach the judge (the last)."
    )
    skip_when_one_verified: bool = Field(
        False,
        description="Take the only verified-correct candidate without judging. Uses the reference: "
        "for building datasets, not for measuring Best-of-N.",
    )


class MathPolicy(Strict):
    """Where graders of math answers disagree. By default an answer that drops the reference's unit
    is right only where the problem's text gives that unit; Hendrycks' MATH grader, Qwen's and
    math-verify read past units (`units = "lenient"` matches them)."""

    tolerance: Literal["precision", "exact"] | float = Field(
        "precision",
        description="precision: a decimal approximation of an exact, non-terminating value "
        "(sqrt 5 ~ 2.236) is accepted when right at its own stated precision (two or more "
        "significant digits), unless the problem asks for an exact form (a common fraction, "
        "simplest radical form, in terms of pi); exact: never; a number: relative tolerance for "
        "any two values.",
    )
    row_tolerance: bool = Field(
        True,
        description="A row's own numeric tolerance (its `tolerance` column: `4%` relative, `0.01` "
        "absolute; the published-format readers set the one each benchmark grades by: TheoremQA "
        "4 %, SciBench 5 %, OlympiadBench's `error`) replaces `tolerance` for that row; false: "
        "every row is graded by `tolerance`.",
    )
    units: Literal["implied", "strict", "lenient"] = Field(
        "implied",
        description="implied: an answer that drops the reference's measurement unit (25 for 25 cm) "
        "is correct where the problem's text gives that unit (legs of 3 cm and 4 cm, or 'in "
        "meters'), incorrect elsewhere; strict: always incorrect; lenient: the number alone "
        "counts. A different unit is always incorrect; currency, degrees and percent are not "
        "units here.",
    )


class VerifyConfig(Strict):
    math: MathPolicy = Field(default_factory=MathPolicy)
    timeout_s: float = Field(10.0, gt=0, description="Hard wall-clock limit per verification.")
    sandbox: Literal["strict", "weak"] = Field(
        "strict",
        description="strict: generated code runs only in the bubblewrap sandbox; where it is "
        "unavailable, code answers get an 'error' verdict saying why. weak: fall back to rlimits "
        "and a scrubbed environment, with no namespaces (a warning says so).",
    )
    workers: int = execution_only(2, ge=1, description="Verifier processes per pipeline worker.")


class TimeoutsConfig(Strict):
    soft_s: float | None = Field(
        None,
        gt=0,
        description="Per problem, from its first solver call: past this, samples still running "
        "stop as soon as one has finished, and the judge compares what finished.",
    )
    hard_s: float | None = Field(
        None,
        gt=0,
        description="Per problem: samples still running at this limit stop; a problem with no "
        "finished sample goes to rejects. llama.cpp and HTTP backends; vLLM's offline engine "
        "cannot stop one request of a batch (bound it with max_tokens).",
    )


class ResumeConfig(Strict):
    flush_s: float = Field(
        0.2,
        ge=0.0,
        description="Finished calls are persisted at least this often: a crash loses the "
        "calls in flight and at most this long of finished ones (0: every call at once).",
    )


WORKER_POOL_PORT = 50077  # `k2batch worker-pool`'s default; the *-local runner profiles point here
REFUSED_RUNNERS = {
    "DaskRunner": "Beam's Dask runner silently loses results (only the last sink runs, tagged "
    "outputs get mixed, whatever finish_bundle emits is dropped); use FlinkRunner or PrismRunner",
    "DirectRunner": "it downloads Prism at every run; use FnApiRunner (local) or PrismRunner",
}


class RunnerConfig(Strict):
    name: Literal[
        "FnApiRunner",
        "BundleBasedDirectRunner",
        "DataflowRunner",
        "FlinkRunner",
        "SparkRunner",
        "PortableRunner",
        "PrismRunner",
    ] = Field(
        "FnApiRunner",
        description="Beam runner; profiles in infra/runners/. Never the default DirectRunner, which "
        "downloads Prism at every run. BundleBasedDirectRunner is local and slow but retries failed "
        "bundles as distributed runners do (the tests use it to prove outputs retry-safe).",
    )
    options: list[str] = Field(default_factory=list, description="Beam pipeline flags, e.g. --project=P.")

    @field_validator("name", mode="before")
    @classmethod
    def _refuse(cls, name: Any) -> Any:
        why = REFUSED_RUNNERS.get(name)
        if why:
            raise ValueError(f"{name} is not supported: {why}")
        return name

    mode: Literal["auto", "in_memory", "multi_threading", "multi_processing"] = Field(
        "auto",
        description="FnApiRunner mode. auto: HTTP backends (openai, cerebras) get multi_threading "
        "with at least 4 workers sharing one client, so one thread verifying or between batches "
        "leaves the server busy; local engines get in_memory (multi_processing with workers > 1; "
        "multi_threading with a bundle thread per engine where backend.engines > 1).",
    )
    workers: int = Field(1, ge=1, description="direct_num_workers for the FnApiRunner.")
    batch_size: int | None = Field(
        None,
        ge=1,
        description="Max requests per RunInference batch; None: by backend (llamacpp 8, "
        "vllm 512, HTTP 4 x max_concurrency).",
    )
    wave_size: int | None = Field(
        20_000,
        ge=1,
        description="FnApiRunner only: input rows per pipeline run. The local runner holds a "
        "stage's whole output in memory, so bigger inputs run in waves; None: all at once.",
    )


class PriceConfig(Strict):
    """USD per million tokens of one model or backend kind (`k2batch estimate`'s cost)."""

    input: float = Field(ge=0, description="Prompt tokens.")
    output: float = Field(ge=0, description="Completion tokens (the answer part).")
    reasoning: float | None = Field(None, ge=0, description="Reasoning tokens; None: the output price.")


class BudgetConfig(Strict):
    """Hard limits on what a run spends (k2batch.budget). Not part of the job's identity: a rerun
    with a larger budget is the same job and reuses every stored call."""

    tokens: int | None = Field(None, gt=0, description="Tokens (prompt + completion) this run may spend.")
    usd: float | None = Field(None, gt=0, description="Dollars this run may spend, by the `prices` table.")
    deadline: dt.datetime | dt.time | dt.timedelta | None = Field(
        None, description="No call starts after this time: a date and time (ISO 8601), a time of day "
        "(\"06:00\": its next occurrence when the run starts, for a nightly job) or a duration from the "
        "run's start (ISO 8601: \"PT4H\"); without a zone: UTC. With `[backend.spill]`, problems are "
        "routed to finish by it, less `tail_s`.",
    )
    tail_s: float | None = Field(
        None, ge=0, description="Seconds the job takes after its last problem (the runner's last stages, "
        "writing and committing the outputs): with `[backend.spill]`, problems are routed to finish this "
        "long before the deadline. None: what the last routed job on this runner measured (kept a week in "
        "the state folder's tails.json; for the first, a tenth of the time to the deadline, at most 60 s), "
        "at most a quarter of the time to the deadline.",
    )
    tokens_per_problem: int | None = Field(
        None, gt=0, description="Projected tokens per problem for admission (e.g. from `k2batch "
        "estimate`); None: an upper bound from the settings (every call at max_tokens).",
    )

    @field_validator("deadline", mode="before")
    @classmethod
    def _kind(cls, v):
        """Text says which kind it is; a number does not (YAML 1.1 reads an unquoted 18:30 as 1110)."""
        if isinstance(v, bool | int | float):
            raise ValueError(f"{v!r} is no time: quote a time of day (\"18:30\"), a date and time, or a "
                             "duration (\"PT4H\")")  # fmt: skip
        if not isinstance(v, str):
            return v
        text = v.strip()
        kind = dt.timedelta if text[:1] in "Pp" else dt.time if _TIME_OF_DAY.fullmatch(text) else dt.datetime
        try:
            if kind is dt.timedelta:
                text = text.upper()
            elif kind is dt.time and text.index(":") == 1:  # 6:30 as 06:30
                text = "0" + text
            return TypeAdapter(kind).validate_python(text)
        except ValidationError:
            raise ValueError(f"{v!r} is not a date and time (2026-12-03T06:00:00Z), a time of day "
                             "(06:00) or a duration (PT4H)") from None  # fmt: skip

    @field_validator("deadline")
    @classmethod
    def _zoned(cls, v):
        if isinstance(v, dt.timedelta):
            if v <= dt.timedelta(0):
                raise ValueError("a duration must be positive")
            return v
        return v.replace(tzinfo=dt.UTC) if v is not None and v.tzinfo is None else v

    def at(self, now: dt.datetime) -> BudgetConfig:
        """This budget with its deadline as a date and time, for a run starting at `now`: a time of
        day is its next occurrence, a duration counts from `now`. Resolved once, where the run
        starts, so every worker process of the run keeps the same deadline."""
        v = self.deadline
        if isinstance(v, dt.timedelta):
            v = now + v
        elif isinstance(v, dt.time):
            v = dt.datetime.combine(now.astimezone(v.tzinfo).date(), v)
            v = v if v > now else v + dt.timedelta(days=1)
        return self.model_copy(update={"deadline": v})


class JobConfig(Strict):
    """Everything a solve job needs besides its input and output URIs."""

    job_id: str | None = execution_only(None, description="Defaults to a hash of input and settings.")
    seed: int = Field(0, description="Job seed; each call's seed derives from it.")
    samples: int | SampleRange = Field(
        3,
        description="Candidates per problem (Best-of-N): a number, or {min, max} to sample min "
        "first and top up one at a time while candidates disagree (samples = {min = 2, max = 3}).",
    )
    limit: int | None = Field(None, ge=1, description="Only the first N input rows.")
    backend: BackendConfig = Field(default_factory=BackendConfig)
    stages: StagesConfig = Field(default_factory=StagesConfig)
    plan: PlanConfig = Field(default_factory=PlanConfig)
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    verify: VerifyConfig = Field(default_factory=VerifyConfig)
    timeouts: TimeoutsConfig = Field(default_factory=TimeoutsConfig)
    budget: BudgetConfig = execution_only(default_factory=BudgetConfig)
    runner: RunnerConfig = execution_only(default_factory=RunnerConfig)
    resume: ResumeConfig = execution_only(default_factory=ResumeConfig)
    prices: dict[str, PriceConfig] = execution_only(
        default_factory=dict, description="Per model name or backend kind; empty: cost unknown."
    )
    recipe: Recipe = Field(default_factory=Recipe, description="Prompt templates (from Python: parse hooks).")

    @field_validator("samples")
    @classmethod
    def _samples_in_range(cls, v):
        if isinstance(v, int) and not 1 <= v <= 64:
            raise ValueError("samples is 1..64")
        return v

    @property
    def n_min(self) -> int:
        """Samples every problem gets."""
        return self.samples if isinstance(self.samples, int) else self.samples.min

    @property
    def n_max(self) -> int:
        """Samples a problem can get (top-ups while candidates disagree)."""
        return self.samples if isinstance(self.samples, int) else self.samples.max

    _memo: dict = PrivateAttr(default_factory=dict)
    _domains: bytes | None = PrivateAttr(None)  # the user's domains, pickled (k2batch.domains)

    def with_domains(self, blob: bytes | None) -> JobConfig:
        """A copy carrying the user's domains to every process that unpickles it."""
        new = self.model_copy()
        new.__pydantic_private__ = {**self.__pydantic_private__, "_domains": blob}
        return new

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)  # in a worker: register the domains the user's process had
        blob = (self.__pydantic_private__ or {}).get("_domains")
        if blob:
            from k2batch import domains

            domains.install(blob)

    def reply_settings(self, stage: str) -> str | None:
        """The reply-changing backend settings of a stage's calls (computed once per stage)."""
        memo = self.__pydantic_private__["_memo"]  # the slot itself: ~20x faster than self._memo
        if stage not in memo:
            from k2batch.backends import reply_settings

            memo[stage] = reply_settings(self.backend_for(stage))
        return memo[stage]

    def backend_for(self, stage: str) -> BackendConfig:
        """The backend settings a stage runs on: the job's, with the stage's model if it names one."""
        model = getattr(self.stages, stage).model
        return self.backend.model_copy(update={"model": model}) if model else self.backend


def _set_dotted(data: dict, dotted: str, value: Any) -> None:
    node = data
    *parents, leaf = dotted.split(".")
    for p in parents:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set {dotted}: {p} is not a section")
    node[leaf] = value


def _parse_value(text: str) -> Any:
    """CLI override values are YAML scalars: 3, 0.5, true, null, text. A time of day stays text
    (YAML 1.1 reads 18:30 as the number 1110)."""
    if _TIME_OF_DAY.fullmatch(text.strip()):
        return text.strip()
    try:
        return yaml.safe_load(text) if text != "" else ""
    except (yaml.YAMLError, ValueError):  # e.g. a date with month 13: validation names the setting
        return text


def _read(path: str | Path) -> dict:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"job file not found: {p}")
    try:
        data = tomllib.loads(p.read_text()) if p.suffix == ".toml" else yaml.safe_load(p.read_text()) or {}
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"job file {p} does not parse: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"job file {p} must hold a table of settings")
    return data


def _merge(base: dict, top: dict) -> dict:
    """Tables merge key by key; anything else in `top` replaces what `base` had."""
    out = dict(base)
    for k, v in top.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_config(
    path: str | Path | list[str | Path] | None = None,
    overrides: dict[str, Any] | None = None,
    sets: list[str] | None = None,
    data: dict | None = None,
) -> JobConfig:
    """Job files (TOML or YAML; several merge in order, e.g. a runner profile and a job) + `data`
    (a job file's content, e.g. a flow parameter) + `KEY=VALUE` strings from `--set` + dotted
    overrides (`{"backend.kind": "vllm"}`), validated into a JobConfig."""
    paths = [] if path is None else path if isinstance(path, list) else [path]
    merged: dict = {}
    for p in paths:
        merged = _merge(merged, _read(p))
    data = _merge(merged, data or {})
    for item in sets or []:
        if "=" not in item:
            raise ConfigError(f"--set takes KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        _set_dotted(data, key.strip(), _parse_value(value))
    for key, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, key, value)
    try:
        return JobConfig.model_validate(data)
    except ValidationError as exc:
        # One line, and never the offending value (pydantic's str(exc) would echo it).
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("invalid job settings: " + "; ".join(problems)) from None
