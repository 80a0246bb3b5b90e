"""The recipe's prompts, as data: a `Recipe` value (the `recipe` settings of a job; `[recipe]` in
a job file). *_system are plain text; *_user and *_block are str.format templates (literal braces
doubled) whose placeholders are checked when the value is built. A Recipe is part of the job's
settings, so it travels to every worker and is part of the job's identity; a subclass may also
override the parse hooks (`parse_triage`, `parse_plan`, `parse_judge`)."""

from __future__ import annotations

import string

from pydantic import BaseModel, ConfigDict, Field, model_validator

# template -> the placeholders it must use (it may use no others)
PLACEHOLDERS = {
    "triage_user": {"problem"},
    "plan_user": {"problem", "topics"},
    "solve_user": {"problem", "choices", "ideas", "instruction"},
    "ideas_block": {"plan"},
    "choices_block": {"options"},
    "judge_user": {"problem", "first", "second"},
}


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    triage_system: str = (
        "You triage problems for a solver. Decide whether the problem is hard enough to need a plan "
        'and name at most 4 topics it needs. Reply with JSON only: "hard" (true or false) and '
        '"topics" (a list of short strings).'
    )
    triage_user: str = "Problem:\n{problem}"
    plan_system: str = (
        "You write a short plan for solving a problem: the key concepts and the steps, in a few "
        "lines. Do not solve the problem and do not state or hint at the final answer. "
        "Write the plan inside <plan></plan> tags."
    )
    plan_user: str = "Problem:\n{problem}\n\nTopics: {topics}"
    solve_user: str = "{problem}{choices}{ideas}\n\n{instruction}"
    ideas_block: str = "\n\n<ideas>\n{plan}\n</ideas>"
    choices_block: str = "\n\nOptions:\n{options}"
    instructions: dict[str, str] = Field(
        default_factory=dict, description="Per-domain solver instructions replacing the domain's own."
    )
    judge_system: str = (
        "You compare two responses to the same problem and decide which is better. Correct "
        "reasoning and a correct final answer matter most; length and style do not."
    )
    judge_user: str = (
        "Problem:\n{problem}\n\n[Response 1]\n{first}\n[End of response 1]\n\n"
        "[Response 2]\n{second}\n[End of response 2]\n\n"
        'Which response is better? Reply with JSON only: {{"better": 1 or 2, "explanation": "..."}}'
    )

    @model_validator(mode="after")
    def _placeholders(self):
        for name, needed in PLACEHOLDERS.items():
            try:
                used = {f for _, f, _, _ in string.Formatter().parse(getattr(self, name)) if f is not None}
            except ValueError as exc:
                raise ValueError(f"recipe.{name}: {exc} (write literal braces as {{{{ and }}}})") from None
            if used - needed or needed - used:
                raise ValueError(
                    f"recipe.{name} must use exactly the placeholders {sorted(needed)}; "
                    f"unknown: {sorted(used - needed)}, missing: {sorted(needed - used)}"
                )
        return self

    # Parse hooks: override in a subclass to read another reply format.
    def parse_triage(self, text: str) -> tuple[bool | None, list[str]]:
        from k2batch.replies import parse_triage

        return parse_triage(text)

    def parse_plan(self, text: str) -> str | None:
        from k2batch.replies import parse_plan

        return parse_plan(text)

    def parse_judge(self, text: str) -> tuple[int | None, str]:
        from k2batch.replies import parse_judge

        return parse_judge(text)
