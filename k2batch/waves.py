"""Waves: the local runner (FnApiRunner) holds a stage's whole output in memory, so a big input
runs as a sequence of pipelines over ranges of rows, and memory stays flat however many
problems a job has. All rows of an id that occurs more than once go to the wave of its first
row, so the pipeline's per-id dedupe sees them together exactly as in one big run."""

from __future__ import annotations

from dataclasses import dataclass, field

from k2batch import formats
from k2batch import io as kio
from k2batch.validate import id_text


@dataclass(frozen=True)
class Wave:
    index: int
    start: int  # rows [start, end) of the input, less those owned by another wave
    end: int
    groups: tuple[tuple[int, int], ...]  # row groups to read: (index, first row)
    owner: dict[int, int] = field(default_factory=dict)  # row -> wave, for rows of repeated ids

    def keeps(self, row_index: int) -> bool:
        mine = self.index if self.start <= row_index < self.end else -1
        return self.owner.get(row_index, mine) == self.index


def plan_waves(uri: str, limit: int | None, wave_size: int | None) -> list[Wave]:
    """The waves of a job over `uri` (one wave when `wave_size` is None or not exceeded)."""
    names, sizes = kio.shape(uri)
    total = min(sum(sizes), limit or sum(sizes))
    firsts = [sum(sizes[:i]) for i in range(len(sizes))]
    spans = [(i, first, first + n) for i, (first, n) in enumerate(zip(firsts, sizes, strict=True))]
    if wave_size is None or total <= wave_size:
        return [Wave(0, 0, total, tuple((i, a) for i, a, b in spans if a < total))]
    owner = _repeated_id_owners(uri, names, total, wave_size)
    waves = []
    for w, start in enumerate(range(0, total, wave_size)):
        end = min(start + wave_size, total)
        extra = {r for r, o in owner.items() if o == w and not start <= r < end}
        groups = tuple(
            (i, a) for i, a, b in spans if (a < end and b > start) or any(a <= r < b for r in extra)
        )
        waves.append(Wave(w, start, end, groups, owner))
    return waves


def _repeated_id_owners(uri: str, names: list[str], total: int, wave_size: int) -> dict[int, int]:
    """row -> wave of the id's first row, for every row whose id occurs more than once. Reads
    only the id column; ids are keyed as validation writes them (numbers as text). A published set
    whose ids are row positions repeats none."""
    column = formats.id_column(names)
    if column is None:
        return {}
    first: dict[str, int] = {}
    repeats: dict[str, list[int]] = {}
    for row, raw in enumerate(kio.read_column(uri, column, total)):
        key = id_text(raw)  # as validation keys it
        if key in first:
            repeats.setdefault(key, []).append(row)
        else:
            first[key] = row
    return {r: first[k] // wave_size for k, rows in repeats.items() for r in (first[k], *rows)}
