"""Writes data/sample_problems.parquet, the project's own small problem set (run from the repo
root: python data/make_sample.py). Problems written for k2batch; references checked by hand."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MATH = [
    ("math-001", "What is 17 + 25?", "42"),
    ("math-002", "A box holds 12 eggs. How many eggs are in 7 boxes?", "84"),
    ("math-003", "Simplify the fraction 18/24 to lowest terms.", "\\frac{3}{4}"),
    ("math-004", "Solve for x: 3x - 7 = 11.", "6"),
    ("math-005", "What is 15% of 240?", "36"),
    ("math-006", "A rectangle has length 9 and width 4. What is its area?", "36"),
    ("math-007", "What is the sum of the interior angles of a hexagon, in degrees?", "720"),
    ("math-008", "Compute 2^10.", "1024"),
    ("math-009", "What is the least common multiple of 6 and 8?", "24"),
    ("math-010", "Find all real x with x^2 = 49. Give them as a set.", "\\{-7, 7\\}"),
    ("math-011", "A train travels 150 km in 2.5 hours. What is its average speed in km/h?", "60"),
    ("math-012", "What is the square root of 144?", "12"),
]

CODE = [
    (
        "code-001",
        "Write a Python function `add(a, b)` that returns the sum of a and b.",
        {
            "type": "check",
            "entry_point": "add",
            "check": "def check(candidate):\n"
            "    assert candidate(1, 2) == 3\n    assert candidate(-4, 4) == 0\n",
        },
    ),
    (
        "code-002",
        "Write a Python function `is_palindrome(s)` that returns True when the string s "
        "reads the same forwards and backwards, else False.",
        {
            "type": "check",
            "entry_point": "is_palindrome",
            "check": "def check(candidate):\n    assert candidate('racecar') is True\n"
            "    assert candidate('abca') is False\n    assert candidate('') is True\n",
        },
    ),
    (
        "code-003",
        "Write a Python function `fizzbuzz(n)` that returns 'Fizz' if n is divisible by 3, "
        "'Buzz' if by 5, 'FizzBuzz' if by both, else str(n).",
        {
            "type": "check",
            "entry_point": "fizzbuzz",
            "check": "def check(candidate):\n"
            "    assert candidate(3) == 'Fizz'\n    assert candidate(10) == 'Buzz'\n"
            "    assert candidate(30) == 'FizzBuzz'\n    assert candidate(7) == '7'\n",
        },
    ),
    (
        "code-004",
        "Write a Python program that reads two integers from one line of standard input "
        "and prints their product.",
        {
            "type": "stdio",
            "cases": [{"input": "3 4\n", "output": "12"}, {"input": "-2 5\n", "output": "-10"}],
        },
    ),
]

CHOICE = [
    (
        "sci-001",
        "Which gas do plants take in from the air for photosynthesis?",
        ["Oxygen", "Carbon dioxide", "Nitrogen", "Helium"],
        "B",
    ),
    ("sci-002", "What is the chemical symbol for sodium?", ["S", "So", "Na", "Sd"], "C"),
    ("sci-003", "Which planet is closest to the Sun?", ["Mercury", "Venus", "Earth", "Mars"], "A"),
    (
        "sci-004",
        "Water boils at sea level at what temperature in degrees Celsius?",
        ["50", "90", "120", "100"],
        "D",
    ),
]

OPEN = [
    ("open-001", "Explain in two sentences why the sum of two odd integers is even."),
    ("open-002", "Give an example of a prime number greater than 50."),
]


def rows() -> list[dict]:
    out = []
    for pid, problem, answer in MATH:
        out.append({"id": pid, "problem": problem, "domain": "math", "answer": answer})
    for pid, problem, tests in CODE:
        out.append({"id": pid, "problem": problem, "domain": "code", "tests": json.dumps(tests)})
    for pid, problem, choices, answer in CHOICE:
        out.append({"id": pid, "problem": problem, "domain": "choice", "choices": choices, "answer": answer})
    for pid, problem in OPEN:
        out.append({"id": pid, "problem": problem, "domain": "math"})
    for r in out:
        r["metadata"] = json.dumps({"source": "k2batch sample"})
    return out


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from k2batch.schemas import arrow_schema

    schema = arrow_schema("problem")
    table = pa.Table.from_pylist(rows(), schema=schema)
    dest = Path(__file__).resolve().parent / "sample_problems.parquet"
    pq.write_table(table, dest)
    print(f"wrote {table.num_rows} rows to {dest}")
