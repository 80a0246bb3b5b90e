"""The Python API: one object for notebooks and scripts.

    from k2batch import K2Think
    k2 = K2Think(samples=3)                        # the embedded model on the CPU
    df = k2.solve([{"id": "1", "problem": "What is 2+3?", "answer": "5"}])
    k2.run("s3://bucket/problems.parquet", "s3://bucket/out")   # the full, resumable job

Settings are the CLI's and the job files' (`JobConfig`), validated once here."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from k2batch.config import JobConfig, load_config


class K2Think:
    """The K2-Think recipe (plan, Best-of-N, judge, verify) over problem rows.

    backend, model, samples: the common settings; `config`: job files (paths) or a JobConfig;
    any other setting as a keyword, nested as in a job file (`stages={"generate":
    {"max_tokens": 512}}`, merged table by table) or dotted in `settings`
    (`{"stages.generate.max_tokens": 512}`); `recipe=` also takes a Recipe (subclass) value."""

    def __init__(self, backend: str | None = None, model: str | None = None,
                 samples: int | dict | None = None, *, config: str | Path | list | JobConfig | None = None,
                 settings: Mapping[str, Any] | None = None, **nested: Any) -> None:  # fmt: skip
        overrides = {"backend.kind": backend, "backend.model": model, "samples": samples, **(settings or {})}
        paths, data = ([config] if isinstance(config, str | Path) else config), nested
        if isinstance(config, JobConfig):  # its recipe kept as a value: a subclass keeps its hooks
            paths, data = None, {**config.model_dump(exclude={"recipe"}), "recipe": config.recipe, **nested}
        self.config = load_config(paths, data=data, overrides=overrides)

    def run(self, input_uri: str, out_uri: str, *, force: bool = False, break_lock: bool = False) -> dict:
        """The full job: resumable, committed outputs under `out_uri`; returns the manifest."""
        from k2batch.job import run_solve
        from k2batch.progress import display

        with display():
            return run_solve(str(input_uri), str(out_uri), self.config, force=force, break_lock=break_lock)

    def solve(self, rows, *, out: str | Path | None = None):
        """Solve `rows` (a list of dicts, a pandas DataFrame, an Arrow table, or a Parquet path or
        URI) and return the solutions as a pandas DataFrame (`.attrs["rejects"]` holds the rows
        that could not be solved and why, `.attrs["manifest"]` the job's manifest). With `out`,
        the job's outputs and call store stay there, so solving again reuses every call."""
        with tempfile.TemporaryDirectory(prefix="k2batch-") as tmp:
            source = _as_input(rows, Path(tmp))
            dest = str(out) if out is not None else str(Path(tmp) / "out")
            manifest = self.run(source, dest)
            solutions, rejects = _read(dest, "solutions"), _read(dest, "rejects")
        df = solutions.to_pandas()
        df.attrs["rejects"] = rejects.to_pandas()
        df.attrs["manifest"] = manifest
        return df


def _read(out: str, output: str):
    """A committed output as one Arrow table (its contract's schema when it has no rows)."""
    from k2batch.io import SCHEMA_OF, output_parts, read_parts
    from k2batch.schemas import arrow_schema, to_table

    rows = [r for batch in read_parts(output_parts(out, output)) for r in batch]
    return to_table(SCHEMA_OF[output], rows) if rows else arrow_schema(SCHEMA_OF[output]).empty_table()


def _as_input(rows, tmp: Path) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(rows, str | Path):
        return str(rows)
    if isinstance(rows, pa.Table):
        table = rows
    elif hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame
        table = pa.Table.from_pandas(rows, preserve_index=False)  # NaN in text columns: null
    elif isinstance(rows, Iterable):
        table = pa.Table.from_pylist([dict(r) for r in rows])
    else:
        kind = type(rows).__name__
        raise TypeError(f"rows must be a list of dicts, a DataFrame, an Arrow table or a URI, not {kind}")
    path = tmp / "problems.parquet"
    pq.write_table(table, path)
    return str(path)
