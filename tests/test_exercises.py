"""Exercises: the question on the slide, the solution as its next fragment, and notebooks for
students (question only) and instructors (solution kept)."""
from __future__ import annotations

import re

import pytest

from deckbuild.errors import DeckError
from deckbuild.exercises import MarkerError, question_and_solution
from deckbuild.pipeline import build

RELU = """\
import torch

def relu(x):
    \"\"\"Zero for negatives, x otherwise.\"\"\"
    ### BEGIN SOLUTION
    return x.clamp(min=0)
    ### END SOLUTION
"""
SECTION = f"""\
## Write ReLU

```python exercise
{RELU}```

Note:
Two minutes, then the answer.
---
## Plain code stays as it is

```python norun
print("### BEGIN SOLUTION is only text here")
```
"""


def test_question_replaces_each_solution_block_by_one_indented_placeholder():
    exercise = question_and_solution(RELU.rstrip("\n"))
    assert exercise.question.split("\n")[-1] == "    ...  # your code here"
    assert "clamp" not in exercise.question
    assert exercise.solution.split("\n")[-1] == "    return x.clamp(min=0)"
    assert "SOLUTION" not in exercise.solution
    assert exercise.answer_lines == {5}


def test_several_blocks_each_leave_a_placeholder():
    code = "a = 1\n### BEGIN SOLUTION\nb = 2\nc = 3\n### END SOLUTION\nd = 4\n  ### BEGIN SOLUTION\n  e = 5\n  ### END SOLUTION"
    exercise = question_and_solution(code)
    assert exercise.question == "a = 1\n...  # your code here\nd = 4\n  ...  # your code here"
    assert exercise.solution == "a = 1\nb = 2\nc = 3\nd = 4\n  e = 5"
    assert exercise.answer_lines == {2, 3, 5}


@pytest.mark.parametrize("code, line, message", [
    ("x = 1\n### END SOLUTION", 2, "'### END SOLUTION' without '### BEGIN SOLUTION' before it"),
    ("### BEGIN SOLUTION\nx = 1", 1, "'### BEGIN SOLUTION' is never closed by '### END SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", 2,
     "'### BEGIN SOLUTION' inside the solution opened on line 1"),
    ("x = 1", 1, "an exercise needs a solution between '### BEGIN SOLUTION' and '### END SOLUTION' lines"),
])
def test_markers_that_do_not_pair_up_are_errors(code, line, message):
    with pytest.raises(MarkerError) as error:
        question_and_solution(code)
    assert (error.value.line, str(error.value)) == (line, message)


def test_the_slide_shows_the_question_then_the_solution_as_a_fragment(make_deck):
    deck = make_deck({"slides/01_relu.md": SECTION})
    build(deck, deck / "build" / "site")
    page = (deck / "build" / "site" / "index.html").read_text()
    question = re.search(r'<code class="[^"]*\bexercise-question">(.*?)</code>', page, re.S).group(1)
    solution = re.search(r'<code class="[^"]*\bexercise-solution fragment step">(.*?)</code>', page, re.S).group(1)
    assert "clamp" not in question and "your code here" in question
    assert "clamp" in solution and "SOLUTION" not in solution
    assert question.count('<span class="line') == solution.count('<span class="line')  # same height: nothing jumps
    assert re.search(r'<span class="line answer">.*clamp', solution)


@pytest.mark.parametrize("fence, body, expected", [
    ("```python exercise", "x = 1\n### END SOLUTION", "slides/01_a.md:6: '### END SOLUTION' without '### BEGIN SOLUTION' before it"),
    ("```python exercise", "x = 1", "slides/01_a.md:5: an exercise needs a solution between '### BEGIN SOLUTION' and '### END SOLUTION' lines"),
    ("```python exercise [1|2]", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "slides/01_a.md:4: an exercise fence takes no line steps"),
])
def test_marker_mistakes_are_build_errors_at_their_line(make_deck, fence, body, expected):
    slides = f"## First\n---\n## Second\n{fence}\n{body}\n```\n"
    deck = make_deck({"slides/01_a.md": slides})
    with pytest.raises(DeckError) as error:
        build(deck, deck / "build" / "site")
    assert [str(problem) for problem in error.value.problems] == [expected]
