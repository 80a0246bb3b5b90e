"""Beam logs two harmless warnings through the root logger on every run; drop just those."""

from __future__ import annotations

import logging

NOISE = (
    # RunInference: its optional ModelManager import fails here, which also hides `resource`.
    "Resource module is not available",
    # apache_beam.io.gcp at import time: we do not use BigQuery.
    "apitools not found",
)


class _BeamNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(n in record.getMessage() for n in NOISE)


_FILTER = _BeamNoise()


def install() -> None:
    """Idempotent: adding the same filter twice keeps one."""
    logging.getLogger().addFilter(_FILTER)
