"""A local OpenAI/Cerebras-compatible chat server that enforces a quota and injects faults: a
test and benchmark harness (not a model). Requests/min and tokens/min are enforced over a
sliding window, counting prompt tokens plus the reserved max_completion_tokens as Cerebras does;
over quota it answers 429 with Retry-After and x-ratelimit-* headers. A share of requests gets a
500/503, a reply slower than the client's timeout, or a dropped connection."""

from __future__ import annotations

import json
import math
import random
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 drops a burst's other connections (the client's SYN is resent
    # after 1 s); uvicorn, behind vLLM and SGLang, takes 2048
    request_queue_size = 2048
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # a client that gave up (its timeout, a hang fault) closed the socket we answer on: no
        # traceback for that (benchmarks/quota.py printed 60)
        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            super().handle_error(request, client_address)


class QuotaServer:
    def __init__(self, rpm: float | None = None, tpm: float | None = None, window_s: float = 60.0,
                 fault_rate: float = 0.0, hang_s: float = 3.0, seed: int = 0, reply=None,
                 capacity: int | None = None, service_s=None, api_key: str | None = None,
                 echo_key: bool = False, draft_metrics: bool = False,
                 queue_metrics: bool = False, refuse_json_streams: bool = False):  # fmt: skip
        self.reply = reply  # optional body -> text (None: the default reply)
        # api_key: requests must carry it (401 otherwise, echoing what was sent, as some servers
        # do); echo_key: every chat request fails with a 400 whose message quotes the key;
        # draft_metrics: replies carry vLLM's per-request speculative-decoding metrics.
        self.api_key, self.echo_key, self.draft_metrics = api_key, echo_key, draft_metrics
        # refuse_json_streams: a streamed request with a response_format gets a 400, as Cerebras's
        # reasoning models answer one in JSON mode
        self.refuse_json_streams = refuse_json_streams
        # Fixed concurrency (like an engine's max_num_seqs): `capacity` requests served at once,
        # each for service_s(body) seconds; the rest wait in the server's queue.
        self._slots = threading.Semaphore(capacity) if capacity else None
        self.capacity, self.service_s = capacity, service_s
        # queue_metrics: GET /metrics answers vLLM's running and waiting gauges (with capacity)
        self.queue_metrics, self.running, self.waiting = queue_metrics, 0, 0
        self.served: list[tuple[float, float]] = []  # (start, end) of each request's service
        self.rpm, self.tpm, self.window_s = rpm, tpm, window_s
        self.fault_rate, self.hang_s = fault_rate, hang_s
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._admitted: deque[tuple[float, int]] = deque()
        self.log: list[tuple[float, int]] = []  # every admission: (time, tokens counted)
        self.counts: Counter = Counter()
        self.seeds: Counter = Counter()  # request seeds answered: duplicates show up here
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> QuotaServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- quota ---------------------------------------------------------------------------------

    def _admit(self, tokens: int) -> tuple[bool, float, dict]:
        """(admitted, retry_after_s, headers)."""
        with self._lock:
            now = time.monotonic()
            while self._admitted and now - self._admitted[0][0] >= self.window_s:
                self._admitted.popleft()
            used = sum(n for _, n in self._admitted)
            waits = []
            if self.rpm and len(self._admitted) + 1 > self.rpm:
                waits.append(self._admitted[0][0] + self.window_s - now)
            if self.tpm and used + tokens > self.tpm:
                freed, t_free = self.tpm - used, now
                for t, n in self._admitted:
                    freed += n
                    t_free = t + self.window_s
                    if freed >= tokens:
                        break
                waits.append(t_free - now)
            reset = (self._admitted[0][0] + self.window_s - now) if self._admitted else self.window_s
            if waits:
                headers = self._headers(used, reset)
                return False, max(waits), headers
            self._admitted.append((now, tokens))
            self.log.append((now, tokens))
            return True, 0.0, self._headers(used + tokens, reset)

    def _headers(self, used: int, reset: float) -> dict:
        h = {"x-ratelimit-reset-tokens-minute": f"{max(reset, 0):.3f}"}
        if self.tpm:
            h["x-ratelimit-remaining-tokens-minute"] = str(max(int(self.tpm - used), 0))
            h["x-ratelimit-limit-tokens-minute"] = str(int(self.tpm))
        return h

    def utilisation(self) -> float | None:
        """Tokens admitted per window / allowed, over the whole windows of the busy period."""
        if not self.tpm or len(self.log) < 2:
            return None
        t0, t1 = self.log[0][0], self.log[-1][0]
        windows = math.floor((t1 - t0) / self.window_s)
        if windows < 1:
            return None
        end = t0 + windows * self.window_s
        tokens = sum(n for t, n in self.log if t < end)
        return tokens / (windows * self.tpm)

    def busy_share(self, start: float | None = None, end: float | None = None) -> float:
        """Slot-seconds serving / (capacity x the span), over [start, end] (default: from the
        first service start to the last end)."""
        start = min(a for a, _ in self.served) if start is None else start
        end = max(b for _, b in self.served) if end is None else end
        busy = sum(max(0.0, min(b, end) - max(a, start)) for a, b in self.served)
        return busy / (self.capacity * (end - start))

    def _serve(self, body: dict, started=None) -> None:
        """Serve one request: wait for a slot (with `capacity`), then service_s(body). `started`
        is called when it gets its slot (a stream's first chunk goes out then, as an engine's
        first token does)."""
        if self._slots is None:
            return started and started()
        with self._lock:
            self.waiting += 1
        with self._slots:
            with self._lock:
                self.waiting, self.running = self.waiting - 1, self.running + 1
            if started:
                started()
            t0 = time.monotonic()
            time.sleep(self.service_s(body))
            with self._lock:
                self.served.append((t0, time.monotonic()))
                self.running -= 1

    def metrics(self) -> str:
        """The page vLLM's server gives at /metrics, its scheduler's two gauges."""
        with self._lock:
            running, waiting = self.running, self.waiting
        page = []
        for name, n in (("running", running), ("waiting", waiting)):
            gauge = f"vllm:num_requests_{name}"
            page += [f"# HELP {gauge} Requests {name}.", f"# TYPE {gauge} gauge",
                     f'{gauge}{{engine="0",model_name="test-model"}} {float(n)}']  # fmt: skip
        return "\n".join(page) + "\n"

    # -- protocol ------------------------------------------------------------------------------

    @staticmethod
    def reply_for(body: dict) -> str:
        fmt = body.get("response_format") or {}
        schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema") or {}
        props = schema.get("properties", {})
        if "better" in props:
            return json.dumps({"better": 1 + body.get("seed", 0) % 2, "explanation": "shorter"})
        if "hard" in props:
            return json.dumps({"hard": True, "topics": ["arithmetic"]})
        user = body["messages"][-1]["content"]
        if "<plan>" in json.dumps(body["messages"][0]):
            return "<plan>1. Read the problem. 2. Compute.</plan>"
        return (
            f"<think>{len(user)} characters to think about</think>The answer is \\boxed{{{len(user) % 7}}}."
        )

    def _handler(self):
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, code: int, payload: dict | str, headers: dict | None = None) -> None:
                text = isinstance(payload, str)  # a Prometheus page; else a JSON body
                data = payload.encode() if text else json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; version=0.0.4" if text else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _begin_stream(self, headers: dict) -> None:
                """A stream's headers go out at once (vLLM's do); its events follow as chunks."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.flush()

            def _event(self, payload: dict | None) -> None:
                """One server-sent event (None: the closing [DONE] and the last, empty chunk)."""
                data = b"data: " + (json.dumps(payload).encode() if payload else b"[DONE]") + b"\n\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) + (b"" if payload else b"0\r\n\r\n"))
                self.wfile.flush()

            def _key_refused(self) -> bool:
                sent = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if srv.api_key and sent != srv.api_key:
                    srv.counts["401"] += 1
                    self._send(401, {"error": {"message": f"Incorrect API key provided: {sent}"}})
                    return True
                if srv.echo_key and self.command == "POST":
                    srv.counts["400"] += 1
                    self._send(400, {"error": {"message": f"request with key {sent} is malformed"}})
                    return True
                return False

            def do_GET(self) -> None:  # the model list: what clients probe before a job
                # as vLLM's --api-key, the key guards the API routes, not /metrics
                if self.path == "/metrics" and srv.queue_metrics and srv.capacity:
                    return self._send(200, srv.metrics())
                if self._key_refused():
                    return None
                if not self.path.endswith("/models"):
                    return self._send(404, {"error": {"message": "not found"}})
                return self._send(200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                srv.counts["requests"] += 1
                if self._key_refused():
                    return None
                if not self.path.endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": "not found"}})
                if srv.refuse_json_streams and body.get("stream") and body.get("response_format"):
                    srv.counts["400"] += 1
                    return self._send(400, {"error": {"message": "streaming is not supported in JSON mode"}})
                if body.get("model") == "no-such-model":  # a permanent error: must not be retried
                    srv.counts["404"] += 1
                    return self._send(404, {"error": {"message": "model not found"}})
                with srv._lock:
                    roll = srv._rng.random()
                if roll < srv.fault_rate:
                    kind = ("5xx", "hang", "reset")[int(roll / srv.fault_rate * 3) % 3]
                    srv.counts[f"fault_{kind}"] += 1
                    if kind == "5xx":
                        return self._send(503, {"error": {"message": "overloaded"}})
                    if kind == "hang":
                        time.sleep(srv.hang_s)
                        return self._send(500, {"error": {"message": "too late"}})
                    self.close_connection = True
                    self.connection.close()
                    return None
                prompt = sum(len(m["content"]) // 4 + 4 for m in body["messages"])
                max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or 256
                ok, retry, headers = srv._admit(prompt + max_tokens)
                if not ok:
                    srv.counts["429"] += 1
                    headers["retry-after"] = f"{retry:.3f}"
                    return self._send(429, {"error": {"message": "rate limited"}}, headers)
                whole = {"id": "cmpl", "created": int(time.time()), "model": body.get("model", "quota-test"),
                         "system_fingerprint": "quota-test"}  # fmt: skip
                if body.get("stream"):
                    return self._stream(body, prompt, max_tokens, whole, headers)
                srv._serve(body)
                text, usage = self._answer(body, prompt, max_tokens)
                self._send(200, {**self._drafts(usage), **whole, "object": "chat.completion",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": usage,
                }, headers)  # fmt: skip

            def _answer(self, body: dict, prompt: int, max_tokens: int) -> tuple[str, dict]:
                srv.counts["ok"] += 1
                srv.seeds[(body.get("seed"), json.dumps(body["messages"]))] += 1
                text = (srv.reply and srv.reply(body)) or srv.reply_for(body)
                completion = min(max_tokens, len(text) // 4 + 1)
                return text, {"prompt_tokens": prompt, "completion_tokens": completion,
                              "total_tokens": prompt + completion}  # fmt: skip

            def _drafts(self, usage: dict) -> dict:
                """vLLM's per-request speculative-decoding metrics (>= 0.28), where asked for."""
                return {"metrics": {"speculative_decoding": {
                    "num_accepted_draft_tokens": usage["completion_tokens"] // 2,
                    "num_draft_tokens": usage["completion_tokens"],
                }}} if srv.draft_metrics else {}  # fmt: skip

            def _stream(self, body: dict, prompt: int, max_tokens: int, whole: dict, headers: dict) -> None:
                """As vLLM streams: the role's chunk when the request gets a slot, then the text,
                the finish, the usage if `stream_options.include_usage` asks, and [DONE]."""
                chunk = {**whole, "object": "chat.completion.chunk"}

                def delta(**fields) -> dict:
                    finish = fields.pop("finish_reason", None)
                    return {**chunk, "choices": [{"index": 0, "delta": fields, "finish_reason": finish}]}

                self._begin_stream(headers)
                srv._serve(body, started=lambda: self._event(delta(role="assistant", content="")))
                text, usage = self._answer(body, prompt, max_tokens)
                self._event(delta(content=text))
                self._event(delta(finish_reason="stop"))
                if (body.get("stream_options") or {}).get("include_usage"):
                    self._event({**chunk, "choices": [], "usage": usage, **self._drafts(usage)})
                self._event(None)

        return Handler
