"""Directions after a quantity (k2batch/verify/directions.py): a vector's direction is half its
answer, so the other way is wrong whatever the number; the same way in other words is right."""

import pytest

from k2batch.verify import answer_of, verify_answer
from k2batch.verify.directions import split

FORCE = "Two horizontal forces act on a box: 30 N to the right and 18 N to the left. What is the net force?"


@pytest.mark.parametrize(
    "reference, reply, problem",
    [
        ("12 N to the right", "The net force is 12 N to the right.", FORCE),
        ("12 N to the right", "Net force: 12 N, directed to the right.", FORCE),
        ("5 m/s east", "The velocity is 5 m/s due east.", ""),
        ("3 m/s^2 downward", "So $a = 3\\,\\text{m/s}^2$ downward.", ""),
        ("counterclockwise", "The current flows anticlockwise.", "Which way does the induced current flow?"),
        ("2 T into the page", "\\boxed{2\\text{ T, into the page}}", ""),
        ("4 N in the +x direction", "F = 4 N along the positive x-axis", ""),
        # a bearing in other words, at the precision the answer gives
        ("5.0 m/s at 36.9^\\circ north of east", "|v| = 5.0 m/s\nVelocity: 5.0 m/s, 53.1° east of north", ""),
        ("5.0 km, 53^\\circ east of north", "Displacement: 5.0 km, N 53° E", ""),
        ("10 km north", "The displacement is 10 km, 90° north of east.", ""),
        # up taken as positive: the sign is the direction it states
        ("4.6 m/s downward", "Up positive.\nv = −4.6 m/s (the negative sign means it is moving downward)", ""),
        # only a magnitude asked
        ("12 N to the right", "The net force is 12 N.", "What is the magnitude of the net force?"),
    ],
)
def test_the_same_direction_in_other_words_is_right(reference, reply, problem):
    assert verify_answer(reference, reply, prompt=problem).status == "correct"


@pytest.mark.parametrize(
    "reference, reply, problem, why",
    [
        ("12 N to the right", "The net force is 12 N to the left.", FORCE, "another direction"),
        ("12 N to the right", "12 N to the left", FORCE, "another direction"),
        ("5 m/s north", "v = 5 m/s, pointing south", "", "another direction"),
        ("3 m/s^2 downward", "a = 3 m/s² upward", "", "another direction"),
        ("counterclockwise", "The current flows clockwise.", "Which way does the current flow?", "another direction"),
        ("2 T into the page", "\\boxed{2\\text{ T, out of the page}}", "", "another direction"),
        ("4 N in the +x direction", "The force is 4 N in the negative x direction.", "", "another direction"),
        ("5.0 km, 53^\\circ east of north", "Displacement: 5.0 km at 37° east of north", "", "another direction"),
        ("10 km north", "The displacement is 10 km, 89° north of east.", "", "another direction"),
        ("12 N to the right", "The net force is 12 N.", FORCE, "no direction"),
    ],
)
def test_the_other_way_or_none_is_wrong_whatever_the_number(reference, reply, problem, why):
    verdict = verify_answer(reference, reply, prompt=problem)
    assert verdict.status == "incorrect" and verdict.reason.startswith(why), verdict


@pytest.mark.parametrize(
    "text",
    ["(3-x)(3+x)", "x+3", "\\text{A, C}", "Turn right", "the right angle", "30° south of north"],
)
def test_text_that_states_no_direction_of_a_quantity_comes_back_as_it_was(text):
    assert split(text) == (text, None)


def test_the_prose_rules_keep_the_direction_after_the_value_they_read():
    assert answer_of("The net force is 12 N to the left.", "math")[0] == "12 N left"
    assert answer_of("So the field is 2 T\n\nThe field is 2 T, pointing into the page.", "math")[0].endswith(
        "into the page"
    )
    # the words after a plain count are no direction: "She has 7 left." is 7
    assert verify_answer("7", "She has 7 left.").status == "correct"
    assert verify_answer("5", "Turn right after 5 blocks.").status == "correct"
