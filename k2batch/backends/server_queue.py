"""A server's own count of the requests it runs and of those waiting in its queue, read from its
Prometheus `/metrics` page, so that the adaptive window's slow start
(k2batch/backends/concurrency.py) need not wait a round trip of latencies to learn whether the
server has room: a cold window of 16 takes three round trips to reach a large server's 2 x
capacity, which a short job cannot spare (benchmarks/saturation.py).

vLLM, SGLang, llama.cpp's server (started with --metrics) and TGI publish these gauges. A
server that does not (OpenAI, Cerebras, a proxy) costs one GET, after which none is made."""

from __future__ import annotations

import logging
from collections import defaultdict

import httpx

log = logging.getLogger(__name__)
POLL_S = 0.1  # how often slow start asks while the window is full
IDLE_S = 1.0  # ... and while it is not (only a queue can show then)
GAUGES = (  # (running, waiting) gauges, by server
    ("vllm:num_requests_running", "vllm:num_requests_waiting"),
    ("sglang:num_running_reqs", "sglang:num_queue_reqs"),
    ("llamacpp:requests_processing", "llamacpp:requests_deferred"),  # llama-server --metrics
    ("tgi_batch_current_size", "tgi_queue_size"),
)


def metrics_url(base_url: str) -> str:
    """The page sits at the server's root, beside the OpenAI routes under /v1."""
    return base_url.rstrip("/").removesuffix("/v1") + "/metrics"


def counts(text: str) -> tuple[int, int] | None:
    """(running, waiting) from a /metrics page, summed over label sets (a server with several
    engines labels each); None where the page has neither known pair."""
    from prometheus_client.parser import text_string_to_metric_families

    values: dict[str, float] = defaultdict(float)
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                values[sample.name] += sample.value
    except (ValueError, TypeError, IndexError):  # not a Prometheus page (an HTML error, a proxy)
        return None
    for running, waiting in GAUGES:
        if running in values and waiting in values:
            return int(values[running]), int(values[waiting])
    return None


class QueueGauge:
    """Reads a server's (running, waiting) over one kept connection; after the first failure it
    reads nothing again."""

    def __init__(self, url: str, timeout_s: float = 2.0):
        self.url, self.timeout_s, self.alive = url, timeout_s, True
        self._client: httpx.AsyncClient | None = None  # made on the event loop that reads

    async def read(self) -> tuple[int, int] | None:
        if not self.alive:
            return None
        try:
            self._client = self._client or httpx.AsyncClient(timeout=self.timeout_s)
            response = await self._client.get(self.url)
            got = counts(response.text) if response.status_code == 200 else None
        except (httpx.HTTPError, httpx.InvalidURL, OSError):  # refused, timed out, a URL it cannot use
            got = None
        if got is None:
            self.alive = False
            log.debug("%s gives no queue counts: the window learns the server from latency alone", self.url)
        return got

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
