"""Quota-aware pacing for HTTP backends: requests/min and tokens/min over a sliding 60 s window,
corrected by the server's `x-ratelimit-*` headers and paused by `Retry-After`.

A request reserves its estimated prompt tokens plus its whole `max_completion_tokens`, as
Cerebras counts them. A job-level quota is split across workers with `share` (1/workers)."""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Mapping

WINDOW_S = 60.0


def _seconds(value: str | None) -> float | None:
    """'2', '0.5', '1m30s', '6m0s', '250ms' -> seconds (OpenAI and Cerebras spell resets both ways)."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    total, found = 0.0, False
    for num, unit in re.findall(r"([\d.]+)\s*(ms|h|m|s)", value):
        total += float(num) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
        found = True
    return total if found else None


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    lower = {k.lower(): v for k, v in headers.items()}
    return next((lower[n] for n in names if n in lower), None)


class QuotaLimiter:
    """Async pacing; one per backend instance (so per worker process)."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None, share: float = 1.0,
                 window_s: float = WINDOW_S):  # fmt: skip
        self.window_s = window_s
        self.rpm = rpm * share if rpm else None
        self.tpm = tpm * share if tpm else None
        self._sent: deque[tuple[float, int]] = deque()  # (time, tokens reserved)
        self._tokens_in_window = 0
        self._pause_until = 0.0
        self._server_tokens_left: float | None = None
        self._server_reset_at = 0.0
        self.throttled = 0  # 429s seen

    def _purge(self, now: float) -> None:
        while self._sent and now - self._sent[0][0] >= self.window_s:
            self._tokens_in_window -= self._sent.popleft()[1]

    def _wait_needed(self, tokens: int, now: float) -> float:
        waits = [self._pause_until - now]
        if self.rpm and len(self._sent) >= self.rpm:
            waits.append(self._sent[0][0] + self.window_s - now)
        if self.tpm and self._sent and self._tokens_in_window + tokens > self.tpm:
            # wait until enough of the window has expired to fit this request
            freed, t_free = self.tpm - self._tokens_in_window, now
            for t, n in self._sent:
                freed += n
                t_free = t + self.window_s
                if freed >= tokens:
                    break
            waits.append(t_free - now)
        if self._server_tokens_left is not None and self._server_tokens_left < tokens:
            waits.append(self._server_reset_at - now)
        return max(waits)

    async def acquire(self, tokens: int) -> tuple[float, int]:
        """Wait until a request reserving `tokens` fits the quota, then count it. Returns the
        reservation, for `release` if the server turns the request away."""
        while True:
            now = time.monotonic()
            self._purge(now)
            wait = self._wait_needed(tokens, now)
            if wait <= 0:
                entry = (now, tokens)
                self._sent.append(entry)
                self._tokens_in_window += tokens
                if self._server_tokens_left is not None:
                    self._server_tokens_left -= tokens
                return entry
            await asyncio.sleep(min(wait, 5.0) + 0.005)

    def release(self, entry: tuple[float, int]) -> None:
        """Un-count a request the server did not serve (429, 5xx, dropped): its quota is unspent."""
        try:
            self._sent.remove(entry)
        except ValueError:
            return  # already out of the window
        self._tokens_in_window -= entry[1]

    def observe(self, headers: Mapping[str, str] | None) -> None:
        """Take the server's view of the remaining token budget from its response headers."""
        if not headers:
            return
        left = _header(headers, "x-ratelimit-remaining-tokens-minute", "x-ratelimit-remaining-tokens")
        reset = _seconds(_header(headers, "x-ratelimit-reset-tokens-minute", "x-ratelimit-reset-tokens"))
        if left is not None and reset is not None:
            try:
                self._server_tokens_left = float(left)
                self._server_reset_at = time.monotonic() + reset
            except ValueError:
                pass

    def throttle(self, headers: Mapping[str, str] | None, fallback_s: float = 1.0) -> None:
        """A 429: hold every request until Retry-After (or the reset the headers name)."""
        self.throttled += 1
        retry = None
        if headers:
            retry = _seconds(_header(headers, "retry-after"))
            if retry is None:
                retry = _seconds(
                    _header(headers, "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens-minute")
                )
        self._pause_until = max(
            self._pause_until, time.monotonic() + (retry if retry is not None else fallback_s)
        )
