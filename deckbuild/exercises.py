"""Exercises: a ```python exercise fence marks the answer with nbgrader's solution markers. The slide
shows the question, then the solution as a fragment; a student notebook gets the question only.

    ```python exercise
    def relu(x):
        ### BEGIN SOLUTION
        return x.clamp(min=0)
        ### END SOLUTION
    ```
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .codeblocks import highlight_lines

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = "...  # your code here"  # `...` keeps the question runnable Python


class MarkerError(ValueError):
    """Solution markers that do not pair up; `line` counts from the first line of the code (1)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Exercise:
    """An exercise's two versions; `answer_lines` are the 1-based lines of `solution` students write."""

    question: str
    solution: str
    answer_lines: frozenset[int]


def is_exercise(info: str) -> bool:
    """True for a fence info string like 'python exercise'."""
    return "exercise" in info.split()[1:]


def question_and_solution(code: str) -> Exercise:
    """Split exercise code at its markers: each solution block becomes one placeholder line in the
    question, indented like the block; the solution is the code without the markers."""
    question, solution, answers = [], [], set()
    begin = None  # line number of the open ### BEGIN SOLUTION
    for number, line in enumerate(code.split("\n"), 1):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise MarkerError(number, f"'{BEGIN}' inside the solution opened on line {begin}")
            begin = number
            question.append(line[: len(line) - len(line.lstrip())] + PLACEHOLDER)
        elif marker == END:
            if begin is None:
                raise MarkerError(number, f"'{END}' without '{BEGIN}' before it")
            begin = None
        else:
            solution.append(line)
            if begin is None:
                question.append(line)
            else:
                answers.add(len(solution))
    if begin is not None:
        raise MarkerError(begin, f"'{BEGIN}' is never closed by '{END}'")
    if not answers:
        raise MarkerError(1, f"an exercise needs a solution between '{BEGIN}' and '{END}' lines")
    return Exercise("\n".join(question), "\n".join(solution), frozenset(answers))


def exercise_html(code: str, language: str = "python") -> str:
    """The question as a code block, the solution stacked on it as the next fragment.
    The question is padded to the solution's height so that revealing it moves nothing."""
    exercise = question_and_solution(code)
    lang = escape(language or "text")
    question = exercise.question.split("\n")
    height = max(len(question), exercise.solution.count("\n") + 1)
    question += [""] * (height - len(question))

    def block(lines: list[str], answers: set[int] | frozenset[int], extra: str) -> str:
        spans = [f'<span class="line{" answer" if n in answers else ""}">{html}</span>'
                 for n, html in enumerate(lines, 1)]
        return f'<code class="highlight language-{lang} {extra}">' + "\n".join(spans) + "</code>"

    placeholders = {n for n, line in enumerate(question, 1) if line.strip() == PLACEHOLDER}
    return ('<div class="exercise"><p class="exercise-label"><span class="for-question">Exercise</span>'
            '<span class="for-solution">Solution</span></p><pre class="code stepped">'
            + block(highlight_lines("\n".join(question), language), placeholders, "exercise-question")
            + block(highlight_lines(exercise.solution, language), exercise.answer_lines, "exercise-solution fragment step")
            + "</pre></div>")
