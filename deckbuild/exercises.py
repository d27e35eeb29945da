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

import re
from dataclasses import dataclass
from html import escape

from .codeblocks import highlight_lines

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = "...  # your code here"  # `...` keeps the question runnable Python
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>[^\n]*)$")


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


def _rewrite_exercises(markdown_text: str, keep_solution: bool) -> str:
    """Every exercise fence becomes a plain fence holding the question or the solution."""
    lines, out = markdown_text.split("\n"), []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            out.append(lines[i])
            i += 1
            continue
        indent, ticks, info = opening.group("indent", "ticks", "info")
        end = i + 1
        while end < len(lines) and not _closes(lines[end], ticks):
            end += 1
        body = [line[len(indent):] if line.startswith(indent) else line for line in lines[i + 1 : end]]
        if is_exercise(info):
            try:
                exercise = question_and_solution("\n".join(body))
            except MarkerError as error:  # report the line in the whole text, not in the fence
                raise MarkerError(i + 1 + error.line, str(error)) from None
            code = exercise.solution if keep_solution else exercise.question
            info = " ".join(word for word in info.split() if word != "exercise")
            body = code.split("\n")
        out.append(f"{indent}{ticks}{info}")
        out += [indent + line if line else line for line in body]
        out += lines[end : end + 1]  # the closing fence, if the text has one
        i = end + 1
    return "\n".join(out)


def _closes(line: str, ticks: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(ticks) and set(stripped) == {ticks[0]}


def strip_solutions(markdown_text: str) -> str:
    """Slide Markdown for a student notebook: exercise fences keep the question, lose the solution.
    Raises MarkerError (a ValueError; `line` counts in markdown_text) for unpaired markers."""
    return _rewrite_exercises(markdown_text, keep_solution=False)


def keep_solutions(markdown_text: str) -> str:
    """Slide Markdown for an instructor notebook: exercise fences hold the full solution, no markers."""
    return _rewrite_exercises(markdown_text, keep_solution=True)
