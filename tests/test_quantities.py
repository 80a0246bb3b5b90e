"""Physical quantities in answers (k2batch/verify/quantities.py, chemistry.py): the forms read
alike, what is compared in one unit, what stays exact, and text that must never raise."""

import pytest

from k2batch.extract import extract_math
from k2batch.verify import chemistry, quantities, verify_answer
from k2batch.verify.mathforms import clean
from k2batch.verify.mathunits import compound


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("2.09 \\times 10^{4}\\,\\mathrm{J}", 2.09e4, "J"),
        ("Q = 20\\,930\\ \\mathrm{J}", 20930, "J"),
        ("\\SI{4.9}{\\meter\\per\\second\\squared}", 4.9, "m / s ** 2"),
        ("4.0\\,\\mathrm{m\\,s^{-2}}", 4.0, "m / s ** 2"),
        ("M ≈ 6.0·10²⁴ kg", 6.0e24, "kg"),
        ("ΔL = 1.2E-03 m", 1.2e-3, "m"),
        ("30 ohms", 30, "Ω"),
        ("$p = 6.0\\ \\mathrm{N\\,s}$", 6.0, "N * s"),
        ("c = 500 mM", 500, "mM"),
        ("The current is $3\\text{ A}$", 3, "A"),
        ("60 miles per hour", 60, "mi / h"),
        ("1.5 million kWh", 1.5e6, "kWh"),
    ],
)
def test_quantity_forms_read_alike(text, value, unit):
    q, _ = quantities.parse(clean(text))
    assert q.value == pytest.approx(value) and format(q.unit, "~") == unit


@pytest.mark.parametrize("text", ["2x", "2\\pi r h", "3 + 4 m", "t = 3.0 s, x = 60 m", "5 \\pm 0.1 m"])
def test_not_one_number_and_its_unit(text):
    parsed = quantities.parse(clean(text))
    assert parsed is None or parsed[0].unit is None


@pytest.mark.parametrize(
    "problem, unit",
    [
        ("How much work is done? Express your answer in kJ.", "kJ"),
        ("What is its speed in km/h?", "km / h"),
        ("Give the answer in volts to two decimal places.", "V"),
        ("How many kilowatt-hours do the households use in total per day?", "kWh"),
        ("Give your answer in nanometres.", "nm"),
        ("How many ways are there to seat them?", None),
        ("Write the answer in simplest form.", None),
        ("Express your answer in degrees.", None),  # angles: the cascade's own rule
    ],
)
def test_the_unit_a_problem_asks_for(problem, unit):
    asked = quantities.asked_unit(problem)
    assert (format(asked, "~") if asked is not None else None) == unit


def test_word_problems_keep_exact_arithmetic_science_keeps_its_precision():
    trip = "A car drives 150 miles at 60 miles per hour. How long does it take?"
    assert verify_answer("2.5 hours", "\\boxed{2.5 hours}", "math", prompt=trip).correct
    assert not verify_answer("2.5 hours", "\\boxed{2.49 hours}", "math", prompt=trip).correct
    assert not verify_answer("12.5 cm", "\\boxed{12.6 cm}", "math", prompt="Find the side.").correct
    assert verify_answer("2.5 hours", "\\boxed{150 minutes}", "math", prompt=trip).correct  # converted, exact
    # a bare reference, the answer's own unit added: still a word problem's exact arithmetic
    assert not verify_answer("2.5", "It takes 2.49 hours.", "math", prompt=trip).correct
    assert not verify_answer("0.25", "The share is 25.1%.", "math", prompt="What fraction is absent?").correct
    assert verify_answer("0.25", "The share is 25%.", "math", prompt="What fraction is absent?").correct
    fall = "A stone falls 25.0 m with g = 9.81 m/s^2. How long does it take?"
    assert verify_answer("2.26 s", "\\boxed{2.3 s}", "math", prompt=fall).correct  # two significant figures
    assert not verify_answer("2.26 s", "\\boxed{2 s}", "math", prompt=fall).correct  # one is too coarse
    assert not verify_answer("2.26 s", "\\boxed{2.4 s}", "math", prompt=fall).correct
    loose = {"tolerance": 0.05}  # SciBench's habit, where a job asks for it
    assert verify_answer("2.26 s", "\\boxed{2.2 s}", "math", prompt=fall, policy=loose).correct


def test_temperatures_and_other_quantities():
    gas = "An ideal gas at 150 K is heated until its volume doubles. What is its final temperature?"
    assert verify_answer("300 K", "\\boxed{27 ^\\circ C}", "math", prompt=gas).correct
    assert not verify_answer("300 K", "\\boxed{300 ^\\circ C}", "math", prompt=gas).correct
    assert not verify_answer("12 J", "\\boxed{12 W}", "math", prompt="How much energy?").correct
    assert verify_answer("12 J", "\\boxed{12 N m}", "math", prompt="How much work?").correct


@pytest.mark.parametrize(
    "text", ["m**(2", "(27 °C", "10^{999} J", "1" * 400 + " m", "\\SI{3}{\\kilo", "2 °C*m", "J/(kg·K", "e e e"]
)
def test_malformed_text_never_raises(text):
    quantities.compare("300 K", text, "Give it in kJ.", {"tolerance": "precision"})
    quantities.compare(text, "3 m", "", {"tolerance": "precision"})
    chemistry.verdict(text, text)


def test_formulas_and_coefficients():
    assert chemistry.formula("CH_2O") == chemistry.formula("CH2O") == chemistry.formula("(CH₂O)") == "CH2O"
    assert chemistry.formula("FF_{16}") is None and chemistry.formula("AB") is None  # a numeral; letters
    assert chemistry.coefficients("2H₂ + O₂ → 2H₂O") == "2, 1, 2"
    assert chemistry.coefficients("x + y = 2") is None


def test_the_last_number_keeps_a_unit_word_after_it():
    assert extract_math("The cyclist moves at 20 meters per second.")[0] == "20 meters per second"
    assert extract_math("we get 12 in the end")[0] == "12"  # "in" is a word here
    assert extract_math("It needs 9.0 mol of O2.")[0].startswith("9.0")  # not the 2 of O2


@pytest.mark.parametrize(
    "reference, reply, problem, status",
    [
        # one quantity in two units: its sum, not its last number (was read as "30 minutes")
        ("2.5 hours", "It takes 2 hours and 30 minutes.", "", "correct"),
        ("150", "The movie lasts 2 hours and 30 minutes.", "How many minutes does the movie last?", "correct"),
        ("2.5", "The movie lasts 2 hours and 30 minutes.", "How many hours does the movie last?", "correct"),
        ("2 hours 30 minutes", "\\boxed{2\\text{ h } 30\\text{ min}}", "", "correct"),
        ("66", "She is 5 feet 6 inches tall.", "How tall is she in inches?", "correct"),
        ("2.5 hours", "It takes 2 hours and 20 minutes.", "", "incorrect"),
        ("5 ft 7 in", "She is 5 feet 6 inches tall.", "", "incorrect"),
        # the asked unit still holds: 150 minutes do not answer "how many hours"
        ("2.5", "The movie lasts 150 minutes.", "How many hours does the movie last?", "incorrect"),
    ],
)
def test_a_quantity_in_two_units_is_read_whole(reference, reply, problem, status):
    assert verify_answer(reference, reply, prompt=problem).status == status


@pytest.mark.parametrize("text", ["3 and 4", "x = 3 m", "30 minutes and 2 hours", "5 m 3 s", "12 apples and 3 pears",
                                  "1 in 4 days"])  # fmt: skip
def test_what_is_not_one_quantity_in_two_units_is_left_alone(text):
    assert compound(text) == text


def test_one_and_two_before_a_unit_are_numbers():
    # text2num leaves "one" and "two" as words ("one of the two cases"); before a unit they are values
    assert verify_answer("2 A", "The current is two amperes.").status == "correct"
    assert verify_answer("3 A", "The current is two amperes.").status == "incorrect"
    assert verify_answer("2 m", "The rope is two meters long.").status == "correct"
    assert verify_answer("2", "One of the two cases works, so there are 2 solutions.").status == "correct"
