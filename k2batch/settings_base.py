"""What every settings class shares: strict models, the error a person reads, and the mark of
settings that change only where or how fast a job runs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ConfigError(ValueError):
    """A job file or override that does not validate; the message is for a person."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Marks settings that change where or how fast a job runs, never what it outputs: they are left
# out of the job's identity (k2batch.identity), so changing them keeps a finished job finished.
EXECUTION_ONLY = {"execution_only": True}


def execution_only(*args: Any, **kw: Any) -> Any:
    return Field(*args, json_schema_extra=EXECUTION_ONLY, **kw)
