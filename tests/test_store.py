"""The result store: newest copy of a call wins (loading and compacting agree), damaged parts cost
only their damaged lines, and a finished call is persisted within flush_s even when no other
call follows it."""

import time

from k2batch.backends.base import ChatResult
from k2batch.store import ResultStore


def result(text: str) -> ChatResult:
    return ChatResult(text=text, finish_reason="stop", completion_tokens=1, backend="b", model="m")


def test_the_newest_copy_wins_when_loading_and_when_compacting(tmp_path):
    uri = str(tmp_path / "calls")
    for text in ("old", "new"):  # two runs store the same call (e.g. a rerun after --force)
        s = ResultStore(uri, reuse=False, flush_s=0)
        s.add("k", result(text))
        time.sleep(0.01)
    # a part written before parts carried their time counts as the oldest
    (tmp_path / "calls" / "ffffffffffff-000001.jsonl").write_text(
        '{"key": "k", "result": {"text": "legacy", "finish_reason": "stop"}}\n'
    )
    assert ResultStore(uri).get("k").text == "new"
    ResultStore(uri, reuse=False, flush_s=0).compact()
    assert len(list((tmp_path / "calls").glob("*.jsonl"))) == 1
    assert ResultStore(uri).get("k").text == "new"
    later = ResultStore(uri, reuse=False, flush_s=0)  # stored after compaction: newer still
    later.add("k", result("newest"))
    assert ResultStore(uri).get("k").text == "newest"


def test_a_damaged_part_costs_only_its_damaged_lines(tmp_path, caplog):
    uri = str(tmp_path / "calls")
    s = ResultStore(uri, reuse=False, flush_s=10)
    for key in ("a", "b", "c"):
        s.add(key, result(key))
    s.flush()  # one part of three lines
    [part] = (tmp_path / "calls").glob("*.jsonl")
    lines = part.read_text().splitlines(keepends=True)
    part.write_text(lines[0] + "{not json\n" + lines[1] + lines[2][: len(lines[2]) // 2])  # cut mid-line
    store = ResultStore(uri)
    assert store.get("a").text == "a" and store.get("b").text == "b" and store.get("c") is None
    assert "skipped 2 damaged line(s)" in caplog.text
    ResultStore(uri, reuse=False, flush_s=0).compact()  # compaction survives it too
    assert len(ResultStore(uri)) == 2


def test_a_lone_result_is_persisted_within_flush_s(tmp_path):
    uri = str(tmp_path / "calls")
    s = ResultStore(uri, reuse=False, flush_s=0.2)
    s.add("k", result("x"))  # no further result arrives to trigger a flush
    deadline = time.monotonic() + 2
    while not list((tmp_path / "calls").glob("*.jsonl")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ResultStore(uri).get("k").text == "x"
