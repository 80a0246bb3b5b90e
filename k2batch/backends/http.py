"""What the HTTP backends (OpenAI-compatible, Cerebras) share: an event loop on its own thread,
concurrency that adapts to the server (k2batch.backends.concurrency), quota pacing, and retries
that tell transient errors from permanent ones. A subclass only says how to make one call
(`_call`)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from k2batch.backends import server_queue, windows
from k2batch.backends.base import ChatRequest, ChatResult, OnResult, estimate_reasoning_tokens
from k2batch.backends.concurrency import COLD, AdaptiveLimit, Call, Gate, work
from k2batch.backends.limiter import QuotaLimiter
from k2batch.config import BackendConfig, ConfigError
from k2batch.secrets import redact, register

log = logging.getLogger(__name__)
REPLY_SETTINGS = ("json_mode",)  # how constrained replies are asked for changes what comes back
TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529}


def status_of(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def headers_of(exc: BaseException) -> Mapping[str, str] | None:
    response = getattr(exc, "response", None)
    return getattr(response, "headers", None)


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, timeouts and dropped connections are worth retrying; 400/401/403/404/413/422
    (context too long, bad key, unknown model) never get better."""
    status = status_of(exc)
    if rejects_format(exc):  # llama.cpp's server answers 500 to a response_format it does not take
        return False
    if status is not None:
        return status in TRANSIENT_STATUS
    name = type(exc).__name__
    return any(s in name for s in ("Timeout", "Connection", "RemoteProtocol", "ReadError")) or isinstance(
        exc, TimeoutError | ConnectionError
    )


def rejects_format(exc: BaseException) -> bool:
    """The server refused the request's `response_format` (a 4xx/5xx naming it): no retry helps."""
    return status_of(exc) is not None and "response_format" in str(exc)


FORMAT_FIX = ("the server does not take this response_format: set backend.json_mode = \"json_object\" "
              "(llama.cpp's server) or \"off\"")


def hints(cfg: BackendConfig):
    from k2batch.backends import Hints

    return Hints(batch_size=4 * cfg.max_concurrency, io_bound=True)  # keep the server's slots full


def api_key(cfg: BackendConfig, default_env: str) -> str:
    """The API key from the environment, or from the Prefect Secret block `backend.api_key_secret`
    names (then kept in this process's environment). Never logged, never written: settings only
    name the variable or the block."""
    env = cfg.api_key_env or default_env
    key = os.environ.get(env)
    if not key and cfg.api_key_secret:
        from prefect.blocks.system import Secret

        key = os.environ[env] = Secret.load(cfg.api_key_secret).get()
    if not key:
        raise ConfigError(f"backend {cfg.kind!r} needs an API key in ${env}")
    register(key)  # masked in every error text and log line from now on
    return key


def probe(url: str, key: str | None, timeout_s: float = 5.0) -> None:
    """Fail now, with the reason, when the server cannot be reached or rejects the key (a GET of
    its model list: costs no quota). Any other answer, even 404, means someone is listening."""
    import urllib.error
    import urllib.request

    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout_s) as r:
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:  # refused, unknown host, timeout, malformed URL
        raise ConfigError(f"cannot reach {url}: {type(exc).__name__}: {redact(str(exc))}") from None
    if status in (401, 403):
        raise ConfigError(f"{url} rejected the API key (HTTP {status})")


def estimate_tokens(req: ChatRequest) -> int:
    """Tokens a request reserves against the quota: the prompt (~4 characters a token) plus its
    whole completion budget."""
    return sum(len(c) for _, c in req.messages) // 4 + 8 + req.max_tokens


class AsyncHTTPBackend:
    """Subclasses set `name`, `max_tokens_field` and `self._client` (an OpenAI-shaped async SDK)."""

    name = "http"
    max_tokens_field = "max_tokens"
    streams_json = True  # a constrained (JSON) reply may be streamed

    def __init__(self, cfg: BackendConfig):
        if not cfg.model:
            raise ConfigError(f"backend {cfg.kind!r} needs a model name (--model)")
        self.cfg, self.model = cfg, cfg.model
        self.limiter = QuotaLimiter(cfg.rpm, cfg.tpm, cfg.quota_share, cfg.quota_window_s)
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name=f"{self.name}-loop", daemon=True).start()
        adaptive = cfg.concurrency == "adaptive"
        limit = AdaptiveLimit(cfg.max_concurrency, initial=windows.initial(cfg, COLD)) if adaptive else None
        self.gate = Gate(limit or cfg.max_concurrency)
        # the server's own queue counts speed up slow start where it publishes them
        self._gauge = (server_queue.QueueGauge(server_queue.metrics_url(cfg.base_url))
                       if adaptive and cfg.queue_metrics and cfg.base_url else None)  # fmt: skip
        self._watcher: asyncio.Task | None = None
        # while the window grows, replies are streamed: a first chunk shows the server runs one
        self._streams = adaptive and cfg.stream_start and windows.streams_ok(cfg)
        self._refusals_own = False  # a refused stream, sent again whole, was refused too
        self._kept: tuple[float, int | None] = (time.monotonic(), None)  # the window last written, when

    def generate(
        self, requests: Sequence[ChatRequest], on_result: OnResult | None = None, deadlines=None
    ) -> list[ChatResult]:
        async def run_all() -> list[ChatResult]:
            return await asyncio.gather(
                *(self._one(i, r, on_result, deadlines) for i, r in enumerate(requests))
            )

        return list(asyncio.run_coroutine_threadsafe(run_all(), self._loop).result())

    async def _one(self, i: int, req: ChatRequest, on_result: OnResult | None, deadlines=None) -> ChatResult:
        t0 = time.perf_counter()
        if deadlines is None:
            result = await self._with_retries(i, req, None)
        else:  # watch the problem's limits; cancelling the call frees its slot at once
            call = asyncio.ensure_future(self._with_retries(i, req, deadlines))
            while not (await asyncio.wait({call}, timeout=0.05))[0]:
                if reason := deadlines.stop_reason(i):
                    call.cancel()
                    result = ChatResult.failed(reason, self.name, self.model)
                    break
            else:
                result = call.result()
            deadlines.finished(i, ok=not result.error)
        result.latency_s = time.perf_counter() - t0
        if on_result:
            on_result(i, result)
        return result

    async def _with_retries(self, i: int, req: ChatRequest, deadlines) -> ChatResult:
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.cfg.max_retries + 1),
                wait=wait_random_exponential(multiplier=0.5, max=20),
                retry=retry_if_exception(is_transient),
                reraise=True,
            ):
                with attempt:
                    return await self._attempt(req, i, deadlines)
        except Exception as exc:
            status = status_of(exc)
            what = f"HTTP {status}: " if status else ""
            fix = f"{FORMAT_FIX}; " if rejects_format(exc) else ""
            why = f"{what}{fix}{type(exc).__name__}: {str(exc)[:300]}"
            return ChatResult.failed(why, self.name, self.model)
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _attempt(self, req: ChatRequest, i: int = 0, deadlines=None) -> ChatResult:
        if self._gauge and self._watcher is None:
            self._watcher = asyncio.ensure_future(self._watch_queue())
        async with self.gate:
            if deadlines is not None:  # the clock starts when the call gets a slot
                deadlines.started(i)
            reservation = await self.limiter.acquire(estimate_tokens(req))
            call = None
            try:
                with self.gate.sending() as call:  # a reply's latency and size feed the window
                    result, headers = await asyncio.wait_for(self._send(req, call), self.cfg.timeout_s)
                    call.size = work(result.prompt_tokens, result.completion_tokens)
            except Exception as exc:
                # Optimistic: a failed request spent no quota (if it did, the next 429 says so).
                self.limiter.release(reservation)
                if status_of(exc) == 429:
                    self.limiter.throttle(headers_of(exc))
                    self.gate.throttled(call)
                else:
                    self.limiter.observe(headers_of(exc))
                raise
            self.limiter.observe(headers)
            self._keep_window()
            return result

    def _streaming(self, req: ChatRequest) -> bool:
        """Stream this request? While slow start may still grow the window, so that its first
        chunk tells the gate the server runs it (concurrency.Gate.started); after, a whole reply
        costs the client less than a parse of each of its thousands of chunks."""
        control = self.gate.control
        if not self.streams_json and self.response_format(req):  # (parses the schema: Cerebras only)
            return False
        return bool(self._streams and control and control.slow_start and control.limit < control.max_limit)

    async def _send(self, req: ChatRequest, call: Call) -> tuple[ChatResult, Mapping]:
        """The call, streamed while the window grows. A streamed request refused (400/422) is
        sent again whole, until one such whole request fails too (then the refusals are the
        requests' own, not the streams'); a server that answers it whole gets no more streams."""
        if not self._streaming(req):
            return await self._call(req)
        try:
            return await self._call(req, call)
        except Exception as exc:
            if status_of(exc) not in (400, 422) or self._refusals_own:
                raise
            try:
                got = await self._call(req)
            except Exception as again:
                self._refusals_own = status_of(again) in (400, 422)  # not a 429 or a fault
                raise
            self._no_streams(f"refused a streamed request (HTTP {status_of(exc)}) that it answers whole")
            return got

    async def _watch_queue(self) -> None:
        """While slow start lasts, the server's counts every POLL_S that the window is full (its
        room shows), every IDLE_S that it is not (a queue still shows)."""
        control, last = self.gate.control, 0.0
        try:
            while control.slow_start and self._gauge.alive:
                await asyncio.sleep(server_queue.POLL_S)
                ours = self.gate.in_call
                if ours and (ours >= control.limit or time.monotonic() - last >= server_queue.IDLE_S):
                    last = time.monotonic()
                    if got := await self._gauge.read():
                        self.gate.server_counts(*got)
        finally:
            await self._gauge.close()

    def _keep_window(self, now: bool = False) -> None:
        """For the next job against this server (k2batch/backends/windows.py): when it changed,
        at most every EVERY_S (a job may end without closing its backend)."""
        learned = self.gate.control.learned() if self.gate.control and self.cfg.remember_window else None
        at, kept = self._kept
        if learned and learned != kept and (now or time.monotonic() - at >= windows.EVERY_S):
            windows.remember(self.cfg, learned)
            self._kept = (time.monotonic(), learned)

    def response_format(self, req: ChatRequest) -> dict | None:
        """How a JSON Schema constraint is asked for: OpenAI/vLLM/Cerebras take `json_schema`;
        llama.cpp's server takes `json_object` with a `schema`."""
        if not req.json_schema or self.cfg.json_mode == "off":
            return None
        schema = json.loads(req.json_schema)
        if self.cfg.json_mode == "json_object":
            return {"type": "json_object", "schema": schema}
        return {"type": "json_schema", "json_schema": {"name": f"{req.stage or 'reply'}", "schema": schema}}

    async def _call(self, req: ChatRequest, streamed: Call | None = None) -> tuple[ChatResult, Mapping]:
        """One chat completion through the subclass's client (OpenAI-shaped SDKs), with the
        response headers for the limiter; streamed where `streamed` is the gate's call."""
        kwargs = {self.max_tokens_field: req.max_tokens}
        fmt = self.response_format(req)
        if fmt:
            kwargs["response_format"] = fmt
        if streamed is not None:
            kwargs.update(stream=True, stream_options={"include_usage": True})
        raw = await self._client.chat.completions.with_raw_response.create(
            model=req.model or self.model,
            messages=req.chat(),
            temperature=req.temperature,
            top_p=req.top_p,
            seed=req.seed,
            **kwargs,
        )
        if streamed is None:
            return result_from_completion(await parsed(raw), self.name, self.model), raw.headers
        return await self._gather(await parsed(raw), req, streamed), raw.headers

    async def _gather(self, chunks, req: ChatRequest, call: Call) -> ChatResult:
        """A streamed reply as one whole: its first chunk tells the gate the server runs it. A
        server whose streams carry no token counts (llama-cpp-python's) has this reply's
        estimated (the prompt as the limiter reckons it, a chunk a token) and gets no more streams."""
        text, thought, finish, usage, model, metrics, pieces = [], [], None, None, None, None, 0
        try:
            async for chunk in chunks:
                self.gate.started(call)
                usage, model = _get(chunk, "usage") or usage, _get(chunk, "model") or model
                metrics = _get(chunk, "metrics") or metrics  # vLLM's draft counts, with its last chunk
                for choice in _get(chunk, "choices") or ():
                    delta = _get(choice, "delta") or {}
                    said = _get(delta, "content")
                    thinking = _get(delta, "reasoning_content") or _get(delta, "reasoning")
                    text.append(said or "")
                    thought.append(thinking or "")
                    pieces += bool(said or thinking)
                    finish = _get(choice, "finish_reason") or finish
        finally:
            await chunks.close()
        if usage is None:
            usage = {"prompt_tokens": estimate_tokens(req) - req.max_tokens, "completion_tokens": pieces}
            self._no_streams("sent a streamed reply without its token counts: the counts of the replies "
                             "streamed while the window grew are estimates")
        message = {"content": "".join(text), "reasoning_content": "".join(thought) or None}
        whole = {"choices": [{"message": message, "finish_reason": finish}], "usage": usage, "model": model,
                 "metrics": metrics}  # fmt: skip
        return result_from_completion(whole, self.name, self.model)

    def _no_streams(self, why: str) -> None:
        if self._streams:
            self._streams = False
            windows.no_streams(self.cfg)
            log.warning("%s %s; whole replies from now on (for 7 days; backend.stream_start = false "
                        "streams none)", windows.server(self.cfg), why)  # fmt: skip

    def close(self) -> None:
        self._keep_window(now=True)

        async def end() -> None:
            # what still closes takes turns of the loop, which stopped at once left it pending
            # ("Task was destroyed but it is pending"; "Event loop is closed" at exit): the queue
            # watcher's and the SDK's HTTP clients, and the SDKs' stream readers, async
            # generators left after a stream's [DONE]
            if self._watcher:
                self._watcher.cancel()
                await asyncio.gather(self._watcher, return_exceptions=True)
            if client := getattr(self, "_client", None):  # its pool, else closed at exit off the loop
                await client.close()
            await self._loop.shutdown_asyncgens()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(end(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)


def _get(obj, name, default=None):
    """A field of an SDK's object or of a dict."""
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def result_from_completion(resp, backend: str, model: str) -> ChatResult:
    """A ChatResult from an OpenAI-shaped chat completion (objects or dicts)."""
    get = _get
    choice = get(resp, "choices")[0]
    message = get(choice, "message")
    usage = get(resp, "usage") or {}
    details = get(usage, "completion_tokens_details") or {}
    text = get(message, "content") or ""
    reasoning = get(message, "reasoning_content") or get(message, "reasoning")
    if reasoning:  # servers that split the reasoning out: keep the K2-Think shape
        text = f"<think>{reasoning}</think>{text}"
    completion = get(usage, "completion_tokens", 0) or 0
    reported = get(details, "reasoning_tokens")
    # vLLM's server reports speculative decoding per request when started with
    # --per-request-spec-decode-metrics (0.28+); other servers report nothing.
    spec = get(get(resp, "metrics") or {}, "speculative_decoding") or {}
    accepted = get(spec, "num_accepted_draft_tokens")
    return ChatResult(
        text=text,
        finish_reason=get(choice, "finish_reason") or "stop",
        prompt_tokens=get(usage, "prompt_tokens", 0) or 0,
        completion_tokens=completion,
        backend=backend,
        model=get(resp, "model") or model,
        # the server's own split where it gives one; else by character share (no tokenizer here)
        reasoning_tokens=reported if reported is not None else estimate_reasoning_tokens(text, completion),
        draft_accepted=accepted if isinstance(accepted, int) else None,
    )


async def parsed(raw):
    """The body of a `with_raw_response` call: the openai client parses synchronously, the
    Cerebras client asynchronously."""
    body = raw.parse()
    return await body if inspect.isawaitable(body) else body
