"""Waves: the local runner (FnApiRunner) holds a stage's whole output in memory, so a big input
runs as a sequence of pipelines over ranges of rows, and memory stays flat however many
problems a job has. All rows of an id that occurs more than once go to the wave of its first
row, so the pipeline's per-id dedupe sees them together exactly as in one big run."""

from __future__ import annotations

from dataclasses import dataclass, field

from k2batch import formats, inputs
from k2batch.validate import id_text


@dataclass(frozen=True)
class Wave:
    index: int
    start: int  # rows [start, end) of the input, less those owned by another wave
    end: int
    groups: tuple[tuple[str, int, int], ...]  # groups to read: (file, its index in the file, first row)
    owner: dict[int, int] = field(default_factory=dict)  # row -> wave, for rows of repeated ids

    def keeps(self, row_index: int) -> bool:
        mine = self.index if self.start <= row_index < self.end else -1
        return self.owner.get(row_index, mine) == self.index


def plan_waves(uri: str, limit: int | None, wave_size: int | None) -> list[Wave]:
    """The waves of a job over `uri` (one wave when `wave_size` is None or not exceeded)."""
    names, layout = inputs.layout(uri)  # listed once: a file added later is not read by this job
    total = sum(n for *_, n in layout)
    total = min(total, limit or total)
    if wave_size is None or total <= wave_size:
        return [Wave(0, 0, total, tuple((f, i, a) for f, i, a, _ in layout if a < total))]
    owner = _repeated_id_owners(layout, names, total, wave_size)
    waves = []
    for w, start in enumerate(range(0, total, wave_size)):
        end = min(start + wave_size, total)
        extra = {r for r, o in owner.items() if o == w and not start <= r < end}
        groups = tuple((f, i, a) for f, i, a, n in layout
                       if (a < end and a + n > start) or any(a <= r < a + n for r in extra))  # fmt: skip
        waves.append(Wave(w, start, end, groups, owner))
    return waves


def _repeated_id_owners(layout: list, names: list[str], total: int, wave_size: int) -> dict[int, int]:
    """row -> wave of the id's first row, for every row whose id occurs more than once. Reads
    only the id column of the files planned; ids are keyed as validation writes them (numbers as
    text). A published set whose ids are row positions repeats none."""
    column = formats.id_column(names)
    if column is None:
        return {}
    ids: list = []
    for file in dict.fromkeys(f for f, *_ in layout):
        ids += inputs.read_column(file, column, total - len(ids))
    first: dict[str, int] = {}
    repeats: dict[str, list[int]] = {}
    for row, raw in enumerate(ids):
        key = id_text(raw)  # as validation keys it
        if key in first:
            repeats.setdefault(key, []).append(row)
        else:
            first[key] = row
    return {r: first[k] // wave_size for k, rows in repeats.items() for r in (first[k], *rows)}
