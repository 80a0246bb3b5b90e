"""Live progress of a job: problems done / total, model calls per stage, tokens, spend vs budget
and an ETA, for the terminal display (`k2batch.live`, rich bars), the plain periodic log line
(when stderr is not a terminal) and the solve flow's Prefect artifact: all three read
`snapshot()`, so they show the same numbers.

Counters are kept in this process and in Beam metrics (namespace "k2batch"): with the in-memory
runner (the default) everything is counted here; on runners whose workers are other processes
(portable runners, a cluster) `follow` reads the metrics while the job runs, where the runner
reports them live, and at the end of each wave in any case; each number shown is the larger of
the two (`merged`). The ETA follows the forecast where `k2batch estimate` wrote one for this input
(`set_total(..., forecast=)`): its projected completion tokens, less those made or reused so far,
at the tokens/s measured now (`eta`), so it is known from the first batch; without one, remaining
problems × measured seconds per finished problem (`pace`).

Hooks: `set_total(n, cfg)` when a job starts (k2batch.job), `count_metric` per batch of model
calls, `results` (tokens, dollars) for the calls made now, `problem_done(status)` per input row
that ends in solutions (its status) or rejects (`solved` / `rejected` wrap it for `beam.Map`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections import Counter

from k2batch.config import STAGES

counts: Counter = Counter()  # counted here, by Beam metric name: "generate.calls", "problems.correct"
_metrics: dict = {"done": Counter(), "live": {}}  # Beam metrics of finished / running pipelines
_job: dict = {"total": None, "cfg": None, "t0": None, "t_done": None,  # t_done: a problem last finished
              "forecast": None}  # the estimate's projected completion tokens of the whole job
_lock = threading.Lock()
clock, wallclock = time.monotonic, time.time  # replaced by tests
VERIFIED, REJECTED, BUDGET = "correct", "rejected", "budget"


def reset() -> None:
    """Forget the previous job's counts (a display or a job starts)."""
    with _lock:
        counts.clear()
        _metrics.update(done=Counter(), live={})
        _job.update(total=None, cfg=None, t0=clock(), t_done=None, forecast=None)


def set_total(n: int | None, cfg=None, forecast: float | None = None) -> None:
    """A job starts: `n` input rows (each ends in solutions or rejects); `cfg` for the budget
    and the price table; `forecast` the estimate's completion tokens for the whole job (see
    `forecast_of`). Counting starts again from zero, and so does the clock."""
    reset()
    with _lock:
        _job.update(total=n, cfg=cfg, forecast=forecast)


def forecast_of(estimate: dict | None, input_uri: str, total: int,
                settings: str | None = None) -> float | None:  # fmt: skip
    """The projected completion tokens of an estimate (OUT/estimate.json) made for this input,
    this many input rows and (where given) these output settings (k2batch.identity: another
    sample count, token limit or model spends other tokens); None for another job or none."""
    if not estimate or estimate.get("input") != input_uri or estimate.get("rows") != total:
        return None
    if settings is not None and estimate.get("settings") != settings:
        return None
    try:
        return float(estimate["tokens"]["total"]["completion"]["point"])
    except (KeyError, TypeError, ValueError):
        return None


def input_rows(uri: str, limit: int | None) -> int:
    """The rows a job over `uri` reads (the first `limit`)."""
    from k2batch.waves import plan_waves

    return plan_waves(uri, limit, None)[0].end


def _add(metric: bool, **values: int) -> None:
    with _lock:
        for name, v in values.items():
            counts[name] += v
        if any(name.startswith("problems.") for name in values):
            _job["t_done"] = clock()
    if metric:
        from apache_beam.metrics import Metrics

        for name, v in values.items():
            if v:
                Metrics.counter("k2batch", name).inc(v)


def count(stage: str, made: int, reused: int) -> None:
    _add(False, **{f"{stage}.calls": made, f"{stage}.reused": reused})


def count_metric(stage: str, made: int, reused: int) -> None:
    """Count in this process and in Beam metrics (what a driver sees of other processes)."""
    _add(True, **{f"{stage}.calls": made, f"{stage}.reused": reused})


def problem_done(status: str) -> None:
    """One input row finished: a solution's status (correct, incorrect, unverified, error),
    `rejected`, or `budget` (a reject for the budget)."""
    _add(True, **{f"problems.{status}": 1})


def solved(row: dict) -> dict:
    """`beam.Map(progress.solved)` over solution rows: counts each, passes it on."""
    problem_done(row.get("status") or "error")
    return row


def rejected(row: dict) -> dict:
    """`beam.Map(progress.rejected)` over rejects rows: counts each, passes it on."""
    problem_done(BUDGET if str(row.get("reason") or "").startswith(BUDGET) else REJECTED)
    return row


def tokens(completion: int, prompt: int = 0, reasoning: int = 0, stage: str = "all",
           usd: float | None = None) -> None:  # fmt: skip
    """Tokens of model calls made now (reused calls cost nothing); `usd` their price, if known."""
    values = {f"{stage}.completion_tokens": int(completion), f"{stage}.prompt_tokens": int(prompt),
              f"{stage}.reasoning_tokens": int(reasoning)}  # fmt: skip
    if usd:
        values["spend.usd_micros"] = round(usd * 1e6)  # Beam counters are integers
    _add(True, **values)


def results(stage: str, results, cfg=None) -> None:
    """`tokens` for a batch of ChatResults (those reused from the store are skipped); dollars by
    the job's price table where `cfg` has one."""
    rs = [r for r in results if r is not None and not getattr(r, "cache_hit", False)]
    reused = sum(r.completion_tokens or 0 for r in results if r is not None) - sum(
        r.completion_tokens or 0 for r in rs
    )
    if reused:  # work the forecast counted that is already done (the pilot's, a killed run's)
        _add(True, **{"reused.completion_tokens": reused})
    usd = None
    if cfg is not None and getattr(cfg, "prices", None):
        usd = sum(_cost(cfg, r) or 0.0 for r in rs)
    tokens(sum(r.completion_tokens or 0 for r in rs), sum(r.prompt_tokens or 0 for r in rs),
           sum(r.reasoning_tokens or 0 for r in rs), stage, usd)  # fmt: skip


def _cost(cfg, r) -> float | None:
    try:
        from k2batch.budget import call_cost
    except ImportError:
        return None
    return call_cost(cfg, r.model, r.backend, r.prompt_tokens, r.completion_tokens, r.reasoning_tokens)


def from_metrics(result) -> dict[str, int]:
    """A run's k2batch counters from Beam metrics (committed where the runner has them)."""
    from apache_beam.metrics.metric import MetricsFilter

    totals: Counter = Counter()
    for c in result.metrics().query(MetricsFilter().with_namespace("k2batch"))["counters"]:
        value = c.committed if c.committed is not None else c.attempted
        totals[c.key.metric.name] += value or 0
    return dict(totals)


def follow(result, stop: threading.Event, every_s: float = 2.0) -> None:
    """Until `stop`, and once more then: read a running pipeline's metrics, for the counts of
    workers in other processes (runners that only report at the end raise or return nothing
    while it runs: the counts kept in this process stand until then)."""
    key = id(result)
    while True:
        last = stop.wait(every_s)
        try:
            seen = Counter(from_metrics(result))
        except Exception:  # noqa: BLE001 - a runner without live metrics
            seen = Counter()
        with _lock:
            before = _metrics["live"].get(key, Counter())
            if _done(seen) > _done(before):
                _job["t_done"] = clock()
            if last:
                _metrics["live"].pop(key, None)
                _metrics["done"] += seen
                return
            _metrics["live"][key] = seen


def _done(c: Counter) -> int:
    return sum(v for k, v in c.items() if k.startswith("problems."))


def merged() -> Counter:
    """Each count: what this process counted, or what Beam metrics say, whichever is more (the
    in-memory runner counts everything both ways; workers in other processes only in metrics)."""
    with _lock:
        metrics = sum(_metrics["live"].values(), Counter(_metrics["done"]))
        return Counter({k: max(counts[k], metrics[k]) for k in set(counts) | set(metrics)})


def pace(total: int | None, done: int, elapsed_s: float) -> tuple[float | None, float | None]:
    """(seconds per finished problem, ETA in seconds). The ETA is the forecast's simple model:
    remaining problems × measured seconds per finished problem (elapsed / done); unknown until
    a problem has finished or without a total."""
    if not done:
        return None, None
    per = elapsed_s / done
    return per, (None if total is None else max(0, total - done) * per)


def eta(forecast: float, made: int, reused: int, elapsed_s: float) -> float | None:
    """The forecast's model, live: the completion tokens it projects that are neither made nor
    reused yet, at the tokens/s measured so far; unknown before any token is made, or once the
    job has outrun the forecast."""
    if made <= 0 or elapsed_s <= 0 or forecast - made - reused <= 0:
        return None
    return (forecast - made - reused) / (made / elapsed_s)


def _deadline_ts(value) -> float | None:
    """A budget deadline (datetime, ISO text or epoch seconds) as epoch seconds; naive = UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def snapshot() -> dict:
    """Every number the display, the periodic line and the artifact show."""
    now, wall = clock(), wallclock()
    c = merged()
    with _lock:
        total, cfg, t0, t_done, forecast = (_job[k] for k in ("total", "cfg", "t0", "t_done", "forecast"))
    statuses = {k.partition(".")[2]: v for k, v in sorted(c.items()) if k.startswith("problems.") and v}
    done = sum(statuses.values())
    if total is not None and done >= total and t_done is not None:
        now = t_done  # finished: rates and pace as of the last problem, not of the time read
    elapsed = max(0.0, now - t0) if t0 is not None else 0.0
    tok = {kind: sum(v for k, v in c.items() if k.endswith(f".{kind}_tokens") and not k.startswith("reused."))
           for kind in ("prompt", "completion", "reasoning")}  # fmt: skip
    per, eta_s = pace(total, done, elapsed)
    # from half the problems on, the job's own pace: a forecast too high would hold the ETA up to the end
    by_forecast = forecast is not None and not (total is not None and 2 * done >= total)
    if by_forecast:
        live = eta(forecast, tok["completion"], c["reused.completion_tokens"], elapsed)
        by_forecast = live is not None or not done  # past the forecast: the pace of finished problems
        eta_s = live if by_forecast else eta_s
    b = getattr(cfg, "budget", None)
    budget = {k: getattr(b, k, None) for k in ("tokens", "usd", "deadline")}
    deadline = _deadline_ts(budget["deadline"])
    return {
        "total": total,
        "done": done,
        "verified": statuses.get(VERIFIED, 0),
        "statuses": statuses,
        "stages": {s: {"made": c[f"{s}.calls"], "reused": c[f"{s}.reused"]} for s in STAGES},
        "prompt_tokens": tok["prompt"],
        "completion_tokens": tok["completion"],
        "tokens": tok["prompt"] + tok["completion"],  # what a token budget counts
        "usd": c["spend.usd_micros"] / 1e6 if getattr(cfg, "prices", None) else None,
        "elapsed_s": elapsed,
        "tokens_per_s": tok["completion"] / elapsed if elapsed > 0 else None,
        "s_per_problem": per,
        "eta_s": eta_s,
        "eta_from": "forecast" if by_forecast else "pace",
        "budget": budget if any(v is not None for v in budget.values()) else None,
        "deadline_in_s": None if deadline is None else deadline - wall,
    }


def line() -> str:
    """The plain progress line (k2batch.live.line)."""
    from k2batch.live import line

    return line()


@contextlib.contextmanager
def display(enabled: bool | None = None, console=None, every_s: float = 10.0):
    """While the block runs: rich progress bars on a terminal (log records print above them),
    else a plain line logged every `every_s` seconds. `enabled`: force bars (True) or lines."""
    import sys

    from k2batch import live

    reset()
    tty = console.is_terminal if console is not None else sys.stderr.isatty()
    with live.LiveDisplay(console) if (tty if enabled is None else enabled) else live.periodic(every_s):
        yield
