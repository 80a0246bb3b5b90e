"""Secrets never reach an output or a log: API keys are read from the environment only, and any
text that may echo one (a server's error body, an exception) passes through `redact` first."""

from __future__ import annotations

import logging
import os
import re

MASK = "[redacted]"
# Environment variables whose values are secrets, whatever program reads them.
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.I)
MIN_LENGTH = 8  # shorter values would mask ordinary words
_registered: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret this process read (from wherever it came) so `redact` masks it."""
    if value and len(value) >= MIN_LENGTH:
        _registered.add(value)


def secret_values() -> set[str]:
    env = {v for k, v in os.environ.items() if SECRET_NAME.search(k) and len(v) >= MIN_LENGTH}
    return env | _registered


def redact(text: str | None) -> str | None:
    """`text` with every known secret value masked."""
    if not text:
        return text
    for value in sorted(secret_values(), key=len, reverse=True):  # longest first: no partial masks
        if value in text:
            text = text.replace(value, MASK)
    return text


_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is the logging module's to report
        return record
    masked = redact(message)
    if masked != message:
        record.msg, record.args = masked, ()
    return record


def install() -> None:
    """Mask secrets in every log record this process creates, whoever logs it (Prefect's flow
    logs, libraries), before any handler sees it. Idempotent."""
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)


class RedactingFormatter(logging.Formatter):
    """Formats records as usual, then masks secrets in the whole text (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
