import json

from k2batch.validate import validate_row


def row(**kw):
    return kw


def test_good_row_is_normalised_and_extra_columns_carried():
    p, reason = validate_row(row(id=7, problem="1+1?", answer=2, source="x", entry_point="f"), 0)
    assert reason is None
    assert p["id"] == "7" and p["answer"] == "2" and p["domain"] == "math"
    assert json.loads(p["extra"]) == {"source": "x", "entry_point": "f"}


def test_bad_rows_get_reasons():
    cases = {
        "missing id": row(id=None, problem="x"),
        "missing problem": row(id="a", problem=None),
        "empty problem": row(id="a", problem="   "),
        "problem must be UTF-8 text, got bytes that are not": row(id="a", problem=b"\xff\xfe"),
        "problem must be text, got list": row(id="a", problem=["x"]),
        "unknown domain 'poetry'": row(id="a", problem="x", domain="poetry"),
        "a choice problem needs choices": row(id="a", problem="x", domain="choice"),
        "choices must be a list of strings": row(id="a", problem="x", choices=[{"a": 1}]),
        "unknown tests type": row(id="a", problem="x", domain="code", tests='{"type": "x"}'),
        "neither JSON nor Python test code": row(id="a", problem="x", domain="code", tests="not json"),
        "at most 26 options": row(id="a", problem="x", domain="choice", choices=[str(i) for i in range(30)]),
        "stdio tests need at least one case": row(id="a", problem="x", domain="code", tests='{"type": "stdio", "cases": []}'),
    }
    for expected, r in cases.items():
        p, reason = validate_row(r, 0)
        assert p is None and expected in reason, (expected, reason)


def test_science_with_options_is_verified_by_letter():
    p, _ = validate_row(row(id="s", problem="x", domain="science", choices=["a", "b"], answer="A"), 0)
    assert p["domain"] == "choice"


def test_other_tools_names_for_the_domains_are_read_as_k2batch_s():
    """lm-eval's multiple_choice, NeMo-Skills' multichoice, MCQ: verified by letter, not as math."""
    for name in ("multiple_choice", "Multiple-Choice", "mcq", "multichoice"):
        p, reason = validate_row(row(id="a", problem="x", domain=name, choices=["1", "2"], answer="B"), 0)
        assert reason is None and p["domain"] == "choice", name
    assert validate_row(row(id="a", problem="x", domain="coding", tests="assert True"), 0)[0]["domain"] == "code"
    assert "a choice problem needs choices" in validate_row(row(id="a", problem="x", domain="mcq"), 0)[1]


def test_validation_never_raises_whatever_a_row_holds():
    class Weird:
        def __str__(self):
            raise RuntimeError("cannot print me")

    hostile = [
        row(id="a", problem="x", domain="code", tests=[{"input": "1"}]),  # list, no output
        row(id="a", problem="x", domain="code", tests={"inputs": [1], "outputs": "no"}),
        row(id="a", problem="x", domain="code", tests=12),
        row(id="a", problem="x", domain=Weird()),
        row(id="a", problem="x", choices="A,B"),
        row(id=True, problem="x"),
        row(id="a", problem={"nested": 1}),
    ]
    for r in hostile:
        p, reason = validate_row(r, 3)
        assert p is None and reason, r


def test_struct_tests_on_a_non_code_row_are_carried_as_json_text():
    p, reason = validate_row(row(id="a", problem="x", tests={"note": [1, 2]}), 0)
    assert reason is None and json.loads(p["tests"]) == {"note": [1, 2]}


def test_a_row_index_column_and_binary_ids_are_kept():
    p, _ = validate_row(row(id=b"\xff\x00id", problem="x", row_index="mine"), 9)
    assert p["row_index"] == 9 and json.loads(p["extra"]) == {"row_index": "mine"}
    assert p["id"] == "\\xff\x00id"
    p, _ = validate_row(row(id=b"plain", problem=b"UTF-8 bytes are text"), 0)
    assert p["id"] == "plain" and p["problem"] == "UTF-8 bytes are text"


def test_published_test_columns_are_read_for_code_rows():
    p, reason = validate_row(row(id="m", problem="Write f.", domain="code", test_list=["assert f(1) == 2"],
                                 test_setup_code="import math"), 0)  # fmt: skip
    assert reason is None
    # MBPP's harness runs the program bare, its setup first: the spec says so
    assert json.loads(p["tests"]) == {"type": "script", "code": "import math\nassert f(1) == 2", "prelude": False,
                                      "setup": "import math"}  # fmt: skip
    p, reason = validate_row(row(id="h", problem="def g(x):\n", domain="code", entry_point="g",
                                 test="def check(candidate):\n    assert candidate(1)\n"), 0)  # fmt: skip
    assert reason is None and json.loads(p["tests"])["type"] == "check"
