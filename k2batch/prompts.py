"""Prompt templates, as data: change a stage's behaviour by editing a string, not code.
*_SYSTEM and INSTRUCTIONS are plain text; *_USER and *_BLOCK are str.format templates (literal
braces doubled)."""

TRIAGE_SYSTEM = (
    "You triage problems for a solver. Decide whether the problem is hard enough to need a plan "
    'and name at most 4 topics it needs. Reply with JSON only: "hard" (true or false) and '
    '"topics" (a list of short strings).'
)
TRIAGE_USER = "Problem:\n{problem}"

PLAN_SYSTEM = (
    "You write a short plan for solving a problem: the key concepts and the steps, in a few "
    "lines. Do not solve the problem and do not state or hint at the final answer. "
    "Write the plan inside <plan></plan> tags."
)
PLAN_USER = "Problem:\n{problem}\n\nTopics: {topics}"

SOLVE_USER = "{problem}{choices}{ideas}\n\n{instruction}"
IDEAS_BLOCK = "\n\n<ideas>\n{plan}\n</ideas>"
CHOICES_BLOCK = "\n\nOptions:\n{options}"

INSTRUCTIONS = {
    "math": "Think step by step, then give the final answer in \\boxed{}.",
    "code": "Write a complete, self-contained Python solution in one ```python code block.",
    "choice": "Think step by step, then give the letter of the correct option in \\boxed{}.",
    "exact": "Think step by step, then give the final answer in \\boxed{}.",
}

JUDGE_SYSTEM = (
    "You compare two responses to the same problem and decide which is better. Correct "
    "reasoning and a correct final answer matter most; length and style do not."
)
JUDGE_USER = (
    "Problem:\n{problem}\n\n[Response 1]\n{first}\n[End of response 1]\n\n"
    "[Response 2]\n{second}\n[End of response 2]\n\n"
    'Which response is better? Reply with JSON only: {{"better": 1 or 2, "explanation": "..."}}'
)
