import json

from k2batch.validate import validate_row


def row(**kw):
    return {"row_index": 0, **kw}


def test_good_row_is_normalised_and_extra_columns_carried():
    p, reason = validate_row(row(id=7, problem="1+1?", answer=2, source="x", entry_point="f"))
    assert reason is None
    assert p["id"] == "7" and p["answer"] == "2" and p["domain"] == "math"
    assert json.loads(p["extra"]) == {"source": "x", "entry_point": "f"}


def test_bad_rows_get_reasons():
    cases = {
        "missing id": row(problem="x"),
        "missing problem": row(id="a"),
        "empty problem": row(id="a", problem="   "),
        "problem must be text, got bytes": row(id="a", problem=b"\xff\xfe"),
        "problem must be text, got list": row(id="a", problem=["x"]),
        "unknown domain 'poetry'": row(id="a", problem="x", domain="poetry"),
        "a choice problem needs choices": row(id="a", problem="x", domain="choice"),
        "choices must be a list of strings": row(id="a", problem="x", choices=[1, 2]),
        "unknown tests type": row(id="a", problem="x", domain="code", tests='{"type": "x"}'),
        "Expecting value": row(id="a", problem="x", domain="code", tests="not json"),
    }
    for expected, r in cases.items():
        p, reason = validate_row(r)
        assert p is None and expected in reason, (expected, reason)


def test_science_with_options_is_verified_by_letter():
    p, _ = validate_row(row(id="s", problem="x", domain="science", choices=["a", "b"], answer="A"))
    assert p["domain"] == "choice"
