"""Logging hygiene: Beam logs two harmless warnings through the root logger on every run (drop
just those), and no log record may carry a secret."""

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
    """Idempotent: adding the same filter twice keeps one. Also masks secrets in every log
    record (k2batch.secrets)."""
    from k2batch import secrets

    logging.getLogger().addFilter(_FILTER)
    secrets.install()
