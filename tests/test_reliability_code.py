"""Issue 16, "what code can do": lecture code that prints megabytes, exits, hangs, leaks figures or
processes, defines a name twice or shadows a standard-library module. Each mistake is one exact
`path:line` line with exit status 1 and the last good site intact; each leak ends with its job.
Everything goes through the real command line, with the helpers of test_reliability.py."""
from __future__ import annotations

import shutil

import pytest

from conftest import run_cli, write_files
from test_reliability import BASE, S, good_site, make, no_deck_processes, placed, problem_lines, row, run_cli_many, tree

assert good_site  # a fixture of test_reliability.py, used here by name

CODE = '''\
import os
import sys


def spam():
    print("x" * 5_000_000)


def leave():
    sys.exit(3)


def vanish():
    os._exit(3)


def hang():
    while True:
        pass
'''
M = {"code_snippets/m.py": CODE}
TWICE = "def f():\n    return 1\n\n\ndef f():\n    return 2\n"
PRODUCERS = "def stuck():\n    while True:\n        pass\n\n\ndef quits():\n    raise SystemExit(2)\n"
TOO_MUCH = "printed {n} characters; a slide shows at most 100,000: print less, or a summary"
EXITS = "exit({code}) was called; code run for a slide must return instead"


BAD_CODE = [
    row("prints-megabytes", {S: '# A\n{{ output("m:spam") }}\n', **M},
        "slides/01_a.md:2: output('m:spam') " + TOO_MUCH.format(n="5,000,001")),
    row("exec-prints-megabytes", {S: '# A\n\n```python exec\nprint("y" * 200_000)\n```\n'},
        "slides/01_a.md:3: python exec block " + TOO_MUCH.format(n="200,001")),
    row("calls-exit", {S: '# A\n{{ output("m:leave") }}\n', **M},
        "slides/01_a.md:2: output('m:leave') failed: code_snippets/m.py:10: " + EXITS.format(code=3)),
    row("exec-calls-exit", {S: '# A\n\n```python exec\nimport sys\nsys.exit("bye")\n```\n'},
        "slides/01_a.md:3: python exec block failed: slides/01_a.md:5: " + EXITS.format(code="'bye'")),
    row("os-exit", {S: '# A\n{{ value("m:vanish") }}\n', **M},
        "slides/01_a.md:2: value('m:vanish') failed: the process exited with status 3 before returning"),
    row("hangs", {S: '# A\n{{ output("m:hang") }}\n', **M}, "slides/01_a.md:2: output('m:hang') timed out after 2 s"),
    row("producer-hangs", {S: '# A\n{{ value("stuck.x") }}\n', "figures_src/p.py": PRODUCERS},
        "figures_src/p.py:1: producer 'stuck' timed out after 2 s (value('stuck.x') used at slides/01_a.md:2)"),
    row("producer-exits", {S: '# A\n{{ value("quits.x") }}\n', "figures_src/p.py": PRODUCERS},
        "figures_src/p.py:7: " + EXITS.format(code=2) + " (value('quits.x') used at slides/01_a.md:2)"),
    row("same-name-twice", {S: '# A\n{{ output("twice:f") }}\n', "code_snippets/twice.py": TWICE},
        "slides/01_a.md:2: output('twice:f'): 'f' is defined 2 times in code_snippets/twice.py (lines 1, 5): "
        "the last one runs; rename or remove the others"),
    row("producer-defined-twice", {S: '# A\n{{ value("p.v") }}\n', "figures_src/fp.py": TWICE.replace("f()", "p()")},
        "figures_src/fp.py:1: 'p' is defined again at line 5, which replaces this one: rename or remove one"),
    row("shadows-the-standard-library", {S: '# A\n{{ output("m:spam") }}\n', **M, "random.py": "def shuffle(x):\n    pass\n"},
        "random.py: shadows Python's module 'random' for all code the deck runs (the deck folder comes first "
        "on sys.path): rename it"),
    row("shadows-a-computing-library", {S: '# A\n{{ output("m:spam") }}\n', **M, "numpy/__init__.py": ""},
        "numpy/__init__.py: shadows Python's module 'numpy' for all code the deck runs (the deck folder comes "
        "first on sys.path): rename it"),
]


@pytest.fixture(scope="module")
def bad_code_builds(request, good_site, tmp_path_factory) -> dict:
    """Every selected row of BAD_CODE, built by the command line into a copy of a good site."""
    prepared = {}
    for item in request.session.items:
        if getattr(item, "originalname", "") == test_code_that_misbehaves_is_one_exact_line_and_the_last_good_site_stays.__name__:
            base = tmp_path_factory.mktemp("bad-code")
            deck = make(base, {**BASE, **item.callspec.params["files"]}, base / "outside")
            shutil.copytree(good_site, deck / "build" / "site")
            prepared[item.callspec.id] = (deck, tree(deck / "build" / "site"))
    done = run_cli_many({key: ["build", "--deck", str(deck)] for key, (deck, _) in prepared.items()},
                        tmp_path_factory.mktemp("outputs"))
    return {key: (*prepared[key], done[key]) for key in prepared}


@pytest.mark.parametrize("files, messages", BAD_CODE)
def test_code_that_misbehaves_is_one_exact_line_and_the_last_good_site_stays(files, messages, bad_code_builds, request):
    deck, before, done = bad_code_builds[request.node.callspec.id]
    expected = [placed(message, deck.parent / "outside", deck) for message in messages]
    assert (done.returncode, problem_lines(done.stderr), done.stdout) == (1, expected, "")
    assert tree(deck / "build" / "site") == before, "a failed build changed the last good site"
    assert no_deck_processes(deck) == [], "a failed build left processes running"


# Leaks end with their job: each job is a fresh process, and what it started dies with it.
LEAKS = '''\
import subprocess
import sys

import matplotlib.pyplot as plt


def figures():
    for _ in range(15):
        plt.figure()  # never closed
    print(len(plt.get_fignums()))


def more_figures():
    figures()


def daemon():
    # A new session: out of the job's process group. It names the deck, so the test can look for it.
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", {deck!r}], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("started")
'''


def test_leaked_figures_and_processes_end_with_their_job(tmp_path):
    deck = tmp_path / "deck"
    slide = '# A\n{{ output("leaks:figures") }}\n\n# B\n{{ output("leaks:daemon") }}\n\n# C\n{{ output("leaks:more_figures") }}\n'
    write_files(deck, {**BASE, S: slide, "code_snippets/leaks.py": LEAKS.replace("{deck!r}", repr(str(deck)))})
    done = run_cli("build", "--deck", str(deck))
    assert done.returncode == 0, done.stderr
    page = (deck / "build" / "site" / "index.html").read_text()
    assert page.count("<code>15</code>") == 2  # each job saw its own 15 figures, not 30
    assert no_deck_processes(deck, within=10) == [], "a process started by a job outlived it"


def test_a_snippet_module_named_like_the_standard_library_is_the_decks_own(tmp_path):
    """code_snippets/random.py is code_snippets.random: `import random` elsewhere is still Python's."""
    deck = tmp_path / "deck"
    user = ("import random\n\nfrom code_snippets import random as ours\n\n\ndef check():\n"
            "    print(random.__name__, hasattr(random, 'shuffle'), ours.mine.__module__)\n")
    write_files(deck, {**BASE, S: '# A\n{{ output("random:mine") }}\n{{ output("user:check") }}\n',
                       "code_snippets/random.py": "def mine():\n    print('ours')\n", "code_snippets/user.py": user})
    done = run_cli("build", "--deck", str(deck))
    assert done.returncode == 0, done.stderr
    page = (deck / "build" / "site" / "index.html").read_text()
    assert "<code>ours</code>" in page and "<code>random True code_snippets.random</code>" in page
