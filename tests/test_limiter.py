import asyncio
import time

from k2batch.backends.limiter import QuotaLimiter, _seconds


def test_reset_spellings():
    assert _seconds("2") == 2 and _seconds("0.5") == 0.5
    assert _seconds("1m30s") == 90 and _seconds("250ms") == 0.25 and _seconds("6m0s") == 360
    assert _seconds(None) is None and _seconds("soon") is None


def test_requests_per_window_are_paced():
    lim = QuotaLimiter(rpm=4, window_s=0.5)

    async def go():
        t0 = time.monotonic()
        for _ in range(8):
            await lim.acquire(1)
        return time.monotonic() - t0

    assert 0.45 <= asyncio.run(go()) < 1.5  # the 5th request waits for the window to roll


def test_tokens_count_the_reserved_completion_and_the_share():
    lim = QuotaLimiter(tpm=1000, share=0.5, window_s=0.4)  # this worker may use 500 a window

    async def go():
        t0 = time.monotonic()
        await lim.acquire(300)
        await lim.acquire(300)  # 600 > 500: waits for the first to leave the window
        return time.monotonic() - t0

    assert asyncio.run(go()) >= 0.35


def test_retry_after_pauses_everyone_and_headers_correct_the_budget():
    lim = QuotaLimiter(tpm=10_000, window_s=60)
    lim.throttle({"Retry-After": "0.3"})

    async def go():
        t0 = time.monotonic()
        await lim.acquire(10)
        return time.monotonic() - t0

    assert asyncio.run(go()) >= 0.29 and lim.throttled == 1
    lim.observe({"x-ratelimit-remaining-tokens-minute": "5", "x-ratelimit-reset-tokens-minute": "0.3"})
    assert asyncio.run(go()) >= 0.29  # the server says 5 tokens are left until the reset
