"""Issue 8, reliability: every bad input is one exact line and exit 1 with the last good site intact;
builds killed at any moment, run twice at once or fed a garbled cache still give the right deck;
printed HTML stays text. Everything goes through the real command line, in real processes."""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, write_files

S = "slides/01_a.md"
BASE = {"deck.toml": 'title = "Tiny deck"\ntimeout = 2\n', "code_snippets/__init__.py": "", "figures_src/__init__.py": ""}
# The lines a build prints about work it finished; every other stderr line is a problem.
PROGRESS = re.compile(r"^(ran \d+ code snippets?|computed \S+|drew \S+) \(\d+\.\d s\)$")


def tree(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file below folder: compares two sites byte for byte."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not PROGRESS.match(line)]


def deck_processes(deck: Path) -> list[str]:
    """Command lines of live processes that mention the deck folder (the build, its worker, the jobs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            if os.fsencode(deck) in cmdline:
                found.append(entry.name + ": " + cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found


def no_deck_processes(deck: Path, within: float = 30.0) -> list[str]:
    """Waits up to `within` s for every process of the deck to end; those still running are killed
    (so that a failing test leaves none behind) and returned."""
    deadline = time.monotonic() + within
    while (left := deck_processes(deck)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for line in left:
        try:
            os.kill(int(line.split(":")[0]), signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


class Link(str):
    """In a deck's files: a symbolic link to this path ({outside} is a folder next to the deck)."""


def placed(text: str, outside: Path, deck: Path) -> str:
    """Text naming the folders of one test: {outside} and {deck} (other braces are kept)."""
    return text.replace("{outside}", str(outside)).replace("{deck}", str(deck))


def make(base: Path, files: dict, outside: Path) -> Path:
    """The deck base/deck from files; str values may name {outside} and {deck}."""
    deck = base / "deck"
    deck.mkdir(parents=True)
    for name, content in files.items():
        path = deck / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(placed(content, outside, deck))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(placed(content, outside, deck))
    return deck


# ---------------------------------------------------------------------------------------------
# 1. Bad inputs: one exact line each, exit status 1, and the last good site byte for byte intact.
# ---------------------------------------------------------------------------------------------

MOD = '''\
"""Lecture code used by the rows below."""


def shout():
    print("hi")


def divide():
    return 1 / 0


def pair():
    return (1, 2)


def hang():
    import time
    time.sleep(30)


ANSWER = 42
WORD = "forty-two"


class Net:
    def forward(self):
        # [start:head]
        return 1
        # [end:head]
'''
FIG = '''\
import time


def broken():
    return undefined_thing + 1


def empty():
    x = 1


def slow():
    time.sleep(30)


def walk():
    return {"final": 3, "path": [1, 2, 3]}
'''
# In a module of its own, so that the rows running f.py need no matplotlib in their worker.
PLOT = "from matplotlib.figure import Figure\n\n\ndef walk_plot(walk):\n    fig = Figure()\n    return fig\n"
SECRET = "def f():\n    print('read from outside the deck')\n\n\nX = 1\n"
OUTSIDE = {"secret.py": SECRET, "secret_fig.py": "def leaked():\n    return 1\n", "secret.png": b"\x89PNG",
           "img/secret.png": b"\x89PNG", "chalk.json": "{}"}
M = {"code_snippets/m.py": MOD}
F = {"figures_src/f.py": FIG, "figures_src/plot.py": PLOT}
KNOWN_KEYS = "author, chalkboard_file, date, institute, lang, notebook_base_url, reveal, subtitle, theme, timeout, title"
REFUSED_MODULE = "refused: the module must be a module name in code_snippets/ without '/' or '.py' (like 'losses')"
REFUSED_PATH = "the module must be a file name in code_snippets/ without folders or '.py' (like 'lenet')"


def row(id: str, files: dict, *messages: str):
    return pytest.param(files, list(messages), id=id)


BAD_INPUTS = [
    # --- slides ---
    row("jinja-unknown-name", {S: "# A\n\n{{ nope }}\n"}, "slides/01_a.md:3: Jinja error: 'nope' is undefined"),
    row("jinja-syntax", {S: "# A\n{% if %}\n"},
        "slides/01_a.md:2: Jinja syntax error: Expected an expression, got 'end of statement block'"),
    row("jinja-unknown-filter", {S: "# A\n{{ 1 | nofilter }}\n"}, "slides/01_a.md:2: Jinja syntax error: No filter named 'nofilter'."),
    row("tex-error", {S: "# A\n\n$\\frac{1}{$\n"},
        "slides/01_a.md:3: TeX error in $\\frac{1}{$: Unexpected end of input in a macro argument, expected '}' at end of input: \\frac{1}{"),
    row("unclosed-fence", {S: "# A\n\n```python\nx = 1\n"}, "slides/01_a.md:3: code fence ``` is never closed"),
    row("line-step-past-the-code", {S: "# A\n\n```python norun [1|7]\nx = 1\n```\n"}, "slides/01_a.md:3: line step '7' is outside the code's 1 lines"),
    row("unknown-figure", {S: '# A\n{{ figure("walk_plto", alt="a plot") }}\n', **F},
        "slides/01_a.md:2: unknown figure 'walk_plto' (figures: walk_plot)"),
    row("missing-image", {S: "# A\n\n![x](missing.png)\n"},
        "slides/01_a.md:3: image or video 'missing.png' does not exist (looked for slides/missing.png)"),
    row("slide-not-utf8", {S: b"# A\n\n\xff\xfe\n"}, "slides/01_a.md:3: not valid UTF-8 (byte 0xff); save the file as UTF-8"),
    row("empty-slides-folder", {"slides/README.txt": "slides go here\n"}, "slides: no slide files (expected slides/NN_topic.md)"),
    row("slide-is-a-folder", {S: "# A\n", "slides/02_b.md/x.md": "# B\n"}, "slides/02_b.md: cannot read: Is a directory"),
    row("slide-link-dangling", {S: "# A\n", "slides/02_b.md": Link("{outside}/gone.md")},
        "slides/02_b.md: cannot read: No such file or directory"),
    row("helper-argument-not-literal", {S: "# A\n{{ figure(name) }}\n"},
        "slides/01_a.md:2: figure() takes literal arguments only (strings, numbers, lists)"),
    row("helper-without-name", {S: "# A\n{{ output() }}\n"},
        'slides/01_a.md:2: output() needs a name as its first argument, e.g. output("lenet:LeNet")'),
    row("remote-image", {S: "# A\n\n![x](https://example.org/x.png)\n"},
        "slides/01_a.md:3: remote media 'https://example.org/x.png' is not allowed: the deck must work offline; save the file in the deck"),
    row("remote-slide-background", {S: '<!-- .slide: data-background-image="http://example.org/b.png" -->\n# A\n'},
        "slides/01_a.md:1: remote media 'http://example.org/b.png' is not allowed: the deck must work offline; save the file in the deck"),
    # --- references: the bad inputs of the snippets issue ---
    row("snippet-unknown-module", {S: '# A\n{{ snippet("lenet:LeNet") }}\n', **M, "code_snippets/losses.py": ""},
        "slides/01_a.md:2: unknown module 'lenet' in 'lenet:LeNet' (modules: losses, m)"),
    row("snippet-unknown-name", {S: '# A\n{{ snippet("m:Nte") }}\n', **M},
        "slides/01_a.md:2: no 'Nte' in code_snippets/m.py (names: Net, ANSWER, WORD, divide, hang, head, pair, shout)"),
    row("snippet-unknown-member", {S: '# A\n{{ snippet("m:Net.forwrd") }}\n', **M},
        "slides/01_a.md:2: no 'Net.forwrd' in code_snippets/m.py (members of Net: forward)"),
    row("snippet-not-module-colon-name", {S: '# A\n{{ snippet("m") }}\n', **M},
        "slides/01_a.md:2: target 'm' is not of the form 'module:name' (e.g. 'lenet:LeNet')"),
    row("snippet-unknown-step", {S: '# A\n{{ snippet("m:Net", steps=["forwrd"]) }}\n', **M},
        "slides/01_a.md:2: step 'forwrd' in 'm:Net' is unknown (members and regions: forward, head)"),
    row("snippet-defined-twice", {S: '# A\n{{ snippet("twice:f") }}\n',
                                   "code_snippets/twice.py": "def f():\n    return 1\n\n\ndef f():\n    return 2\n"},
        "code_snippets/twice.py:5: 'f' is defined 2 times (lines 1 and 5); Python uses the last one: rename or remove the others (used at slides/01_a.md:2)"),
    row("snippet-step-past-the-code", {S: '# A\n{{ snippet("m:shout", steps="1|5") }}\n', **M},
        "slides/01_a.md:2: step '5' in 'm:shout' is not a line or a range a-b within 1-2"),
    row("region-never-ended", {S: '# A\n{{ snippet("m:f") }}\n', "code_snippets/m.py": "def f():\n    return 1\n\n# [start:r]\nx = 1\n"},
        "code_snippets/m.py:4: region 'r' starts here but has no '# [end:r]' (used at slides/01_a.md:2)"),
    row("region-twice", {S: '# A\n{{ snippet("m:r") }}\n', "code_snippets/m.py": "# [start:r]\nx = 1\n# [end:r]\n# [start:r]\ny = 2\n# [end:r]\n"},
        "code_snippets/m.py:4: region 'r' is already defined at line 1 (used at slides/01_a.md:2)",
        "code_snippets/m.py:6: '# [end:r]' without a '# [start:r]' before it (used at slides/01_a.md:2)"),
    row("region-empty", {S: '# A\n{{ snippet("m:e") }}\n', "code_snippets/m.py": "# [start:e]\n\n# [end:e]\n"},
        "code_snippets/m.py:1: region 'e' is empty (used at slides/01_a.md:2)"),
    row("snippet-module-with-py", {S: '# A\n{{ snippet("m.py:Net") }}\n', **M}, f"slides/01_a.md:2: refused 'm.py:Net': {REFUSED_PATH}"),
    row("snippet-syntax-error", {S: '# A\n{{ snippet("m:f") }}\n', "code_snippets/m.py": "def f(:\n    pass\n"},
        "code_snippets/m.py:1: syntax error: invalid syntax (used at slides/01_a.md:2)"),
    row("output-syntax-error", {S: '# A\n{{ output("m:f") }}\n', "code_snippets/m.py": "def f(:\n    pass\n"},
        "slides/01_a.md:2: output('m:f') failed: code_snippets/m.py:1: SyntaxError: invalid syntax"),
    row("output-raises", {S: '# A\n{{ output("m:divide") }}\n', **M},
        "slides/01_a.md:2: output('m:divide') failed: code_snippets/m.py:9: ZeroDivisionError: division by zero"),
    row("output-import-raises", {S: '# A\n{{ output("m:f") }}\n', "code_snippets/m.py": "raise ValueError('no data')\n\n\ndef f():\n    pass\n"},
        "slides/01_a.md:2: output('m:f') failed: code_snippets/m.py:1: ValueError: no data"),
    row("output-hangs", {S: '# A\n{{ output("m:hang") }}\n', **M}, "slides/01_a.md:2: output('m:hang') timed out after 2 s"),
    row("output-unknown-function", {S: '# A\n{{ output("m:shuot") }}\n', **M},
        "slides/01_a.md:2: output('m:shuot'): code_snippets/m.py has no function 'shuot' (functions: shout, Net, divide, hang, pair)"),
    row("output-unknown-module", {S: '# A\n{{ output("n:shout") }}\n', **M},
        "slides/01_a.md:2: output('n:shout'): there is no code_snippets/n.py (modules: m)"),
    row("exec-fence-raises", {S: "# A\n```python exec\nx = 1\nundefined_name\n```\n"},
        "slides/01_a.md:2: python exec block failed: slides/01_a.md:4: NameError: name 'undefined_name' is not defined"),
    row("value-not-a-number", {S: '# A\n{{ value("m:pair") }}\n', **M},
        "slides/01_a.md:2: value('m:pair') returned tuple, expected int, float or str"),
    row("value-format-does-not-fit", {S: '# A\n{{ value("m:WORD", "{:.1%}") }}\n', **M},
        "slides/01_a.md:2: format '{:.1%}' does not fit the value: Unknown format code '%' for object of type 'str'"),
    row("value-unknown-name", {S: '# A\n{{ value("m:ANSWR") }}\n', **M},
        "slides/01_a.md:2: value('m:ANSWR'): code_snippets/m.py has no function or constant 'ANSWR' "
        "(names: ANSWER, Net, WORD, divide, hang, pair, shout)"),
    row("value-unknown-artifact-key", {S: '# A\n{{ value("walk.fnal") }}\n', **F},
        "slides/01_a.md:2: value('walk.fnal'): walk has no key 'fnal' (keys: final, path)"),
    row("value-artifact-not-a-number", {S: '# A\n{{ value("walk.path") }}\n', **F},
        "slides/01_a.md:2: value('walk.path') is list, expected int, float or str"),
    row("value-unknown-producer", {S: '# A\n{{ value("wlak.final") }}\n', **F},
        "slides/01_a.md:2: value('wlak.final'): unknown producer 'wlak' (producers: walk, broken, empty, slow, walk_plot)"),
    # --- figures ---
    row("producer-raises", {S: '# A\n{{ figure("broken", alt="a plot") }}\n', **F},
        "figures_src/f.py:5: NameError: name 'undefined_thing' is not defined (figure 'broken' used at slides/01_a.md:2)"),
    row("producer-returns-none", {S: '# A\n{{ figure("empty", alt="a plot") }}\n', **F},
        "figures_src/f.py:8: producer 'empty' returned None (figure 'empty' used at slides/01_a.md:2)"),
    row("producer-too-slow", {S: '# A\n{{ figure("slow", alt="a plot") }}\n', **F},
        "figures_src/f.py:12: producer 'slow' timed out after 2 s (figure 'slow' used at slides/01_a.md:2)"),
    row("figure-not-a-figure", {S: '# A\n{{ figure("walk", alt="a plot") }}\n', **F},
        "slides/01_a.md:2: figure 'walk' returned dict, not a matplotlib Figure (figures_src/f.py:16)"),
    row("producer-syntax-error", {S: '# A\n{{ figure("a", alt="a plot") }}\n', "figures_src/f.py": "def a(:\n    pass\n"},
        "figures_src/f.py:1: SyntaxError: invalid syntax"),
    row("producer-unknown-input", {S: '# A\n{{ figure("a", alt="a plot") }}\n', "figures_src/f.py": "def a(wlak):\n    pass\n\n\ndef walk():\n    return 1\n"},
        "figures_src/f.py:1: producer 'a' takes 'wlak', which is no producer (producers: walk; the engine supplies device, progress)"),
    # --- config ---
    row("no-deck-toml", {"deck.toml": None, S: "# A\n"}, "deck.toml: missing: {deck} is not a deck (no deck.toml)"),
    row("bad-toml", {"deck.toml": 'title = "T\n', S: "# A\n"}, "deck.toml:1: invalid TOML: Illegal character '\\n'"),
    row("deck-toml-not-utf8", {"deck.toml": b'title = "\xff"\n', S: "# A\n"},
        "deck.toml:1: not valid UTF-8 (byte 0xff); save the file as UTF-8"),
    row("unknown-theme", {"deck.toml": 'title = "T"\ntheme = "neon"\n', S: "# A\n"},
        "deck.toml:2: unknown theme 'neon' (themes: dark, lecture)"),
    row("theme-extends-unknown-theme", {"deck.toml": 'title = "T"\ntheme = "mine"\n', S: "# A\n",
                                        "themes/mine/theme.css": "", "themes/mine/extends": "nope\n"},
        "themes/mine/extends:1: theme 'mine' extends unknown theme 'nope' (themes: dark, lecture, mine)"),
    row("themes-extend-in-a-loop", {"deck.toml": 'title = "T"\ntheme = "a"\n', S: "# A\n", "themes/a/theme.css": "",
                                    "themes/a/extends": "b\n", "themes/b/theme.css": "", "themes/b/extends": "a\n"},
        "themes/b/extends:1: themes extend each other in a loop: a -> b -> a"),
    row("unknown-key", {"deck.toml": 'title = "T"\ncolour = "red"\n', S: "# A\n"},
        f"deck.toml:2: unknown key 'colour' (known keys: {KNOWN_KEYS})"),
    row("wrong-type", {"deck.toml": 'title = "T"\ntimeout = "long"\n', S: "# A\n"}, "deck.toml:2: 'timeout' has the wrong type (str)"),
    row("no-title", {"deck.toml": 'theme = "lecture"\n', S: "# A\n"}, "deck.toml:1: missing key 'title'"),
    row("bad-chalkboard-drawings", {"chalkboard.json": "{", S: "# A\n"},
        "chalkboard.json:1: invalid chalkboard drawings: Expecting property name enclosed in double quotes"),
    # --- paths leading out of the deck: refused ---
    row("snippet-dotdot", {S: '# A\n{{ snippet("../secret:f") }}\n'}, f"slides/01_a.md:2: refused '../secret:f': {REFUSED_PATH}"),
    row("snippet-absolute", {S: '# A\n{{ snippet("{outside}/secret:f") }}\n'},
        "slides/01_a.md:2: refused '{outside}/secret:f': " + REFUSED_PATH),
    row("snippet-link-out", {S: '# A\n{{ snippet("link:f") }}\n', "code_snippets/link.py": Link("{outside}/secret.py")},
        "slides/01_a.md:2: refused 'link:f': code_snippets/link.py is a link to a file outside code_snippets/"),
    row("output-dotdot", {S: '# A\n{{ output("../secret:f") }}\n'}, f"slides/01_a.md:2: output('../secret:f'): {REFUSED_MODULE}"),
    row("output-absolute", {S: '# A\n{{ output("{outside}/secret:f") }}\n'},
        "slides/01_a.md:2: output('{outside}/secret:f'): " + REFUSED_MODULE),
    row("output-link-out", {S: '# A\n{{ output("link:f") }}\n', "code_snippets/link.py": Link("{outside}/secret.py")},
        "slides/01_a.md:2: output('link:f'): refused: code_snippets/link.py is a link to a file outside code_snippets/"),
    row("value-absolute", {S: '# A\n{{ value("{outside}/secret:X") }}\n'},
        "slides/01_a.md:2: value('{outside}/secret:X'): " + REFUSED_MODULE),
    row("figure-dotdot", {S: '# A\n{{ figure("../secret_fig", alt="a plot") }}\n', **F},
        "slides/01_a.md:2: unknown figure '../secret_fig' (figures: walk_plot)"),
    row("figures-src-link-out", {S: '# A\n{{ figure("leaked", alt="a plot") }}\n', "figures_src/link.py": Link("{outside}/secret_fig.py")},
        "figures_src/link.py: refused: a link to a file outside figures_src/"),
    row("image-dotdot", {S: "# A\n\n![x](../../secret.png)\n"}, "slides/01_a.md:3: media path '../../secret.png' points outside the deck"),
    row("image-absolute", {S: "# A\n\n![x]({outside}/secret.png)\n"},
        "slides/01_a.md:3: media path '{outside}/secret.png' points outside the deck"),
    row("image-file-link-out", {S: "# A\n\n![x](pic.png)\n", "slides/pic.png": Link("{outside}/secret.png")},
        "slides/01_a.md:3: media path 'pic.png' points outside the deck"),
    row("image-folder-link-out", {S: "# A\n\n![x](img/secret.png)\n", "slides/img": Link("{outside}/img")},
        "slides/01_a.md:3: media path 'img/secret.png' points outside the deck"),
    row("image-file-url", {S: '# A\n<img src="file:///etc/hostname" alt="x">\n'},
        "slides/01_a.md:2: remote media 'file:///etc/hostname' is not allowed: the deck must work offline; save the file in the deck"),
    row("chalkboard-file-outside", {"deck.toml": 'title = "T"\nchalkboard_file = "../outside/chalk.json"\n', S: "# A\n"},
        "deck.toml:2: chalkboard_file '../outside/chalk.json' points outside the deck"),
    # --- encodings and line endings: a file means the same whatever the editor saved ---
    row("crlf-exec-block-that-raises", {S: b"# A\r\n\r\n```python exec\r\nx = 1\r\nraise RuntimeError('no')\r\n```\r\n"},
        "slides/01_a.md:3: python exec block failed: slides/01_a.md:5: RuntimeError: no"),
    row("cr-exec-block-that-raises", {S: b"# A\r\r```python exec\rraise RuntimeError('no')\r```\r"},
        "slides/01_a.md:3: python exec block failed: slides/01_a.md:4: RuntimeError: no"),
    row("bom-and-crlf-unclosed-fence", {S: b"\xef\xbb\xbf# A\r\n\r\n```python norun\r\nx = 1\r\n"},
        "slides/01_a.md:3: code fence ``` is never closed"),
    row("crlf-unclosed-if-at-its-line", {S: b"# A\r\n\r\n{% if true %}\r\nshown\r\n\r\n"},
        "slides/01_a.md:3: Jinja syntax error: {% if %} is never closed (add {% endif %})"),
    row("bom-deck-toml-unknown-key", {"deck.toml": b'\xef\xbb\xbftitle = "T"\r\ncolour = "red"\r\n', S: "# A\n"},
        f"deck.toml:2: unknown key 'colour' (known keys: {KNOWN_KEYS})"),
    # --- delimiters: an unclosed one is an error where it opens ---
    row("unclosed-inline-math", {S: "# A\n\nThe loss $L = \\sum_i x_i is small.\n"},
        "slides/01_a.md:3: inline math $ is never closed (write \\$ for a dollar sign)"),
    row("unclosed-display-math", {S: "# A\n\n$$\nL = \\sum_i x_i\n\nMore text.\n"},
        "slides/01_a.md:3: display math $$ is never closed (write \\$ for a dollar sign)"),
    row("unclosed-math-in-notes", {S: "# A\n\nNote: say $x\n"},
        "slides/01_a.md:3: inline math $ is never closed (write \\$ for a dollar sign)"),
    row("html-block-never-closed", {S: '# A\n\n<div class="columns" markdown>\n<div markdown>\n\nleft\n\n</div>\n'},
        "slides/01_a.md:3: <div> is never closed (add </div>)"),
    row("html-end-tag-closing-nothing", {S: "# A\n\ntext\n</div>\n"}, "slides/01_a.md:4: </div> closes nothing that is open"),
    row("jinja-if-never-closed", {S: "# A\n\nintro\n\n{% if true %}\nshown\n\n"},
        "slides/01_a.md:5: Jinja syntax error: {% if %} is never closed (add {% endif %})"),
    row("jinja-for-never-closed-inside-if", {S: "{% if true %}\n# A\n{% for x in [1] %}\n{{ x }}\n{% endif %}\n"},
        "slides/01_a.md:5: Jinja syntax error: Encountered unknown tag 'endif'. You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'endfor' or 'else'. The innermost block that needs to be closed is 'for'."),
    row("fence-closed-by-a-longer-fence-still-checked", {S: "# A\n\n```python\nx = '<b>'\n````\n"},
        "slides/01_a.md:3: say whether this Python block runs: ```python exec (run by check and the tests) or ```python norun (shown only)"),
    # --- helper arguments: every one understood, of the right type ---
    row("snippet-unknown-argument", {S: '# A\n{{ snippet("m:Net", stepz=["forward"]) }}\n', **M},
        "slides/01_a.md:2: snippet() has no argument 'stepz' (did you mean steps?); it takes: steps, caption"),
    row("figure-width-a-number", {S: '# A\n{{ figure("walk_plot", alt="a walk", width=60) }}\n', **F},
        "slides/01_a.md:2: figure() argument width takes a CSS length in quotes, e.g. width=\"60%\" or width=\"480px\" (got 60)"),
    row("figure-without-alt", {S: '# A\n{{ figure("walk_plot") }}\n', **F},
        'slides/01_a.md:2: figure("walk_plot") needs alt="..." describing it for students who cannot see it (or an "Alt:" paragraph in the docstring at figures_src/plot.py:4)'),
    row("figure-empty-alt", {S: '# A\n{{ figure("walk_plot", alt=" ") }}\n', **F},
        "slides/01_a.md:2: figure() argument alt is empty: describe the figure for students who cannot see it"),
    row("output-extra-positional", {S: '# A\n{{ output("m:shout", 2) }}\n', **M},
        "slides/01_a.md:2: output() takes only the name as positional arguments, got 2"),
    row("value-format-without-field", {S: '# A\n{{ value("m:ANSWER", "answer") }}\n', **M},
        "slides/01_a.md:2: value() argument fmt takes a format pattern with a {} field, e.g. \"{:,}\"; 'answer' has none"),
    row("value-format-twice", {S: '# A\n{{ value("m:ANSWER", "{:,}", fmt="{}") }}\n', **M}, "slides/01_a.md:2: value() got fmt twice"),
    row("snippet-caption-not-a-flag", {S: '# A\n{{ snippet("m:Net", caption="yes") }}\n', **M},
        "slides/01_a.md:2: snippet() argument caption takes true or false"),
    row("image-without-alt", {S: "# A\n\n![](pic.png)\n", "slides/pic.png": b"\x89PNG"},
        "slides/01_a.md:3: image 'pic.png' has no alt text: write ![what it shows](pic.png), or role=\"presentation\" on an <img> that is only decoration"),
    # --- files the build would skip ---
    row("slide-file-with-another-suffix", {S: "# A\n", "slides/02_b.markdown": "# B\n"},
        "slides/02_b.markdown: not read: slide files end in .md (rename it, or move it out of slides/)"),
    row("module-name-not-importable", {S: "# A\n", "figures_src/my-plots.py": "def a():\n    return 1\n"},
        "figures_src/my-plots.py: cannot be imported as figures_src.my-plots: a module name is a Python identifier (rename it my_plots.py)"),
    row("module-with-upper-case-suffix", {S: "# A\n", "code_snippets/helpers.PY": "X = 1\n"},
        "code_snippets/helpers.PY: not read: Python modules end in .py"),
    # --- config values at their edges ---
    row("timeout-zero", {"deck.toml": 'title = "T"\ntimeout = 0\n', S: "# A\n"},
        "deck.toml:2: timeout must be more than 0 and at most 86,400 seconds (one day); got 0"),
    row("timeout-negative", {"deck.toml": 'title = "T"\ntimeout = -5\n', S: "# A\n"},
        "deck.toml:2: timeout must be more than 0 and at most 86,400 seconds (one day); got -5"),
    row("timeout-infinite", {"deck.toml": 'title = "T"\ntimeout = inf\n', S: "# A\n"},
        "deck.toml:2: timeout must be more than 0 and at most 86,400 seconds (one day); got inf"),
    row("timeout-boolean", {"deck.toml": 'title = "T"\ntimeout = true\n', S: "# A\n"}, "deck.toml:2: 'timeout' has the wrong type (bool)"),
    row("title-empty", {"deck.toml": 'title = "  "\n', S: "# A\n"}, "deck.toml:1: 'title' is empty"),
    row("notebook-url-not-a-url", {"deck.toml": 'title = "T"\nnotebook_base_url = "notebooks/"\n', S: "# A\n"},
        "deck.toml:2: notebook_base_url must start with https:// or http:// (got 'notebooks/')"),
    row("reveal-option-misspelt", {"deck.toml": 'title = "T"\n\n[reveal]\nslideNumbr = "c/t"\n', S: "# A\n"},
        "deck.toml:4: unknown reveal.js option 'slideNumbr' (did you mean slideNumber?)"),
]


@pytest.fixture(scope="module")
def good_site(tmp_path_factory) -> Path:
    """A site built from a good deck: each row starts from a copy of it in its own build/site."""
    deck = write_files(tmp_path_factory.mktemp("good") / "deck", {**BASE, S: "# Good\n\n$x^2$\n"})
    done = run_cli("build", "--deck", str(deck))
    assert done.returncode == 0, done.stderr
    return deck / "build" / "site"


# A build that fails is mostly interpreter start-up and imports (0.5 s of CPU); 70 of them would be
# most of this file's time. So the rows run `deckbuild.cli.main(argv)` in processes forked from one
# interpreter that has imported the engine: each row is still its own process with its own exit
# status, stdout and stderr. test_rows_behave_the_same_through_build_py checks the equivalence.
ZYGOTE = r"""
import json, os, select, sys, traceback
sys.path.insert(0, sys.argv[1])
from deckbuild.cli import main
import deckbuild.execute, deckbuild.pipeline, deckbuild.snippets  # what every build imports, once

def child(job):
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    for fd, path in ((1, job["out"]), (2, job["err"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
    try:
        code = main(job["argv"])
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush(), sys.stderr.flush()
    os._exit(code)

queue, children, buffer, more = [], {}, b"", True
while more or queue or children:
    if select.select([0] if more else [], [], [], 0.01)[0]:  # a new request, or 10 ms passed
        chunk = os.read(0, 1 << 16)
        more, buffer = bool(chunk), buffer + chunk
        *lines, buffer = buffer.split(b"\n")
        queue += [json.loads(line) for line in lines]
    while queue and len(children) < int(sys.argv[2]):
        job = queue.pop(0)
        pid = os.fork()
        if pid == 0:
            child(job)
        children[pid] = job["id"]
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            break
        print(json.dumps({"id": children.pop(pid), "rc": os.waitstatus_to_exitcode(status)}), flush=True)
"""


def run_cli_many(runs: dict[str, list[str]], folder: Path, at_once: int = 3) -> dict[str, subprocess.CompletedProcess]:
    """{key: argv} -> {key: the finished `build.py ARGV`}, `at_once` at a time, forked from one interpreter."""
    zygote = subprocess.Popen([sys.executable, "-c", ZYGOTE, str(ROOT), str(at_once)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    for key, argv in runs.items():
        zygote.stdin.write(json.dumps({"id": key, "argv": argv, "out": str(folder / f"{key}.out"),
                                       "err": str(folder / f"{key}.err")}) + "\n")
    zygote.stdin.close()
    codes = {report["id"]: report["rc"] for report in map(json.loads, zygote.stdout)}
    assert zygote.wait() == 0 and set(codes) == set(runs)
    return {key: subprocess.CompletedProcess(argv, codes[key], (folder / f"{key}.out").read_text(),
                                             (folder / f"{key}.err").read_text()) for key, argv in runs.items()}


@pytest.fixture(scope="module")
def bad_builds(request, good_site, tmp_path_factory) -> dict:
    """Every selected row of BAD_INPUTS, built by the command line into a copy of a good site:
    {row id: (deck, outside folder, site tree before, finished process)}."""
    prepared = {}
    for item in request.session.items:
        if getattr(item, "originalname", "") == test_a_bad_input_is_one_exact_line_exit_1_and_the_last_good_site_stays.__name__:
            base = tmp_path_factory.mktemp("bad")
            outside = write_files(base / "outside", OUTSIDE)
            files = {name: text for name, text in {**BASE, **item.callspec.params["files"]}.items() if text is not None}
            deck = make(base, files, outside)
            shutil.copytree(good_site, deck / "build" / "site")
            prepared[item.callspec.id] = (deck, outside, tree(deck / "build" / "site"))
    runs = {key: ["build", "--deck", str(deck)] for key, (deck, _, _) in prepared.items()}
    done = run_cli_many(runs, tmp_path_factory.mktemp("outputs"))
    return {key: (*prepared[key], done[key]) for key in prepared}


@pytest.mark.parametrize("files, messages", BAD_INPUTS)
def test_a_bad_input_is_one_exact_line_exit_1_and_the_last_good_site_stays(files, messages, bad_builds, request):
    deck, outside, before, done = bad_builds[request.node.callspec.id]
    expected = [placed(message, outside, deck) for message in messages]
    assert (done.returncode, problem_lines(done.stderr), done.stdout) == (1, expected, "")
    assert tree(deck / "build" / "site") == before, "a failed build changed the last good site"
    assert sorted(os.listdir(deck / "build")) == ["site"], "a failed build left a staging folder"
    assert no_deck_processes(deck) == [], "a failed build left processes running"


def test_rows_behave_the_same_through_build_py(tmp_path):
    """The forked command line above answers exactly as `python build.py` does, exit status included."""
    rows = {param.id: param.values[0] for param in BAD_INPUTS}
    picked = ["jinja-unknown-name", "output-raises", "unknown-key"]
    decks = {key: write_files(tmp_path / key, {**BASE, **rows[key]}) for key in picked}
    forked = run_cli_many({key: ["build", "--deck", str(deck)] for key, deck in decks.items()}, tmp_path)
    for key, deck in decks.items():
        plain = run_cli("build", "--deck", str(deck))
        assert plain.returncode == 1
        assert (forked[key].returncode, problem_lines(forked[key].stderr)) == (plain.returncode, problem_lines(plain.stderr))


# Rows whose mistake only shows when a site is written: `check` writes none.
SITE_ONLY = {"bad-chalkboard-drawings"}


def test_check_fails_wherever_build_fails(tmp_path):
    """CI may run `check` alone: it must reject every deck that `build` rejects, with the same lines."""
    rows = {param.id: param.values for param in BAD_INPUTS if param.id not in SITE_ONLY}
    outside = write_files(tmp_path / "outside", OUTSIDE)
    decks = {key: make(tmp_path / key, {name: text for name, text in {**BASE, **files}.items() if text is not None}, outside)
             for key, (files, _) in rows.items()}
    checked = run_cli_many({key: ["check", "--deck", str(deck)] for key, deck in decks.items()}, tmp_path)
    differ = {key: problem_lines(checked[key].stderr) for key, (_, messages) in rows.items()
              if (checked[key].returncode, problem_lines(checked[key].stderr))
              != (1, [placed(message, outside, decks[key]) for message in messages])}
    assert differ == {}


# ---------------------------------------------------------------------------------------------
# 2. Killed builds: SIGINT (Ctrl-C) and SIGKILL while training, drawing and writing the site.
# ---------------------------------------------------------------------------------------------

TRAIN = '''\
"""A stand-in for training: a loop that reports progress, with a pause where the tests kill the build."""
import os
import time
from pathlib import Path

EPOCHS = {epochs}


def _pause(point):
    """The tests' stop: at PAUSE_AT, write the file PAUSE_MARKER, then wait to be killed, or until
    the file PAUSE_RELEASE exists."""
    if os.environ.get("PAUSE_AT") == point:
        Path(os.environ["PAUSE_MARKER"]).write_text(point)
        release = Path(os.environ.get("PAUSE_RELEASE", "/no/such/file"))
        deadline = time.monotonic() + 25  # within the deck's time limit
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.02)


def trained(progress):
    losses = []
    for epoch in range(EPOCHS):
        losses.append(round(1 / (epoch + 1), 3))
        progress(epoch + 1, EPOCHS, "epoch")
        if epoch == 1:
            _pause("training")
    return {{"losses": losses, "accuracy": 0.75}}
'''
PLOTS = '''\
from matplotlib.figure import Figure

from figures_src.train import _pause


def curve(trained):
    fig = Figure(figsize=(3, 2))
    fig.subplots().plot(trained["losses"])
    _pause("drawing")
    return fig
'''


def kill_deck(version: int) -> dict[str, str]:
    """Version 1 is built first; version 2 trains one more epoch and says so on its slide."""
    slide = (f"# Training, take {version}\n\n{{{{ figure('curve', alt='loss') }}}}\n\n"
             "Accuracy {{ value('trained.accuracy', '{:.0%}') }}\n\n{{ output('m:shout') }}\n\n$x^2$\n")
    return {**BASE, "deck.toml": 'title = "Kill"\ntimeout = 30\n', S: slide, "code_snippets/m.py": MOD,
            "figures_src/train.py": TRAIN.format(epochs=3 + version), "figures_src/plots.py": PLOTS}


# Pauses inside the engine's own site writing, from outside it: this driver replaces two functions
# that write_site calls, then runs the real command line.
DRIVER = r"""
import os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import deckbuild.site as site
from deckbuild.cli import main

def pause(point, seconds=60):
    if os.environ.get("PAUSE_AT") == point:
        Path(os.environ["PAUSE_MARKER"]).write_text(point)
        time.sleep(seconds)

place, placed = site._place, []
def placing(source, target):  # thirty files into the new site
    place(source, target)
    placed.append(target)
    if len(placed) == 30:
        pause("placing")
site._place = placing

replace = os.replace
def swapping(source, target):  # the last good site moved aside, the new one not yet in its place
    replace(source, target)
    if "-old-" in os.fspath(target):
        pause("swapping", 1)  # Ctrl-C waits for the swap to end: keep it short
os.replace = swapping
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict:
    """Version 1 and 2 of the kill deck, each built cold: {version: (deck folder, site tree)}."""
    decks = {version: write_files(tmp_path_factory.mktemp(f"v{version}") / "deck", kill_deck(version)) for version in (1, 2)}
    builds = {version: start_build(deck, "", deck.parent / "build") for version, deck in decks.items()}  # both at once
    for version, build in builds.items():
        assert build.wait(timeout=120) == 0, finish(build)
    built = {version: (deck, tree(deck / "build" / "site")) for version, deck in decks.items()}
    assert built[1][1] != built[2][1]
    return built


def edited_deck(versions, folder: Path, cache_of: int) -> Path:
    """Version 1, built, then edited into version 2; its .cache is that of version `cache_of`."""
    deck = folder / "deck"
    shutil.copytree(versions[1][0], deck, symlinks=True)
    write_files(deck, kill_deck(2))
    shutil.rmtree(deck / ".cache")
    shutil.copytree(versions[cache_of][0] / ".cache", deck / ".cache")
    return deck


def start_build(deck: Path, pause_at: str, marker: Path, **env) -> subprocess.Popen:
    """`build.py build` (through DRIVER for the site points) in its own session, as from a terminal;
    its stderr goes to the file `process.stderr_path` (a pipe would stay open in a stray process)."""
    command = ([sys.executable, "-c", DRIVER, str(ROOT)] if pause_at in ("placing", "swapping")
               else [sys.executable, str(ROOT / "build.py")])
    stderr_path = marker.with_suffix(".stderr")
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(command + ["build", "--deck", str(deck)], cwd=ROOT, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=stderr,
                                   env=dict(os.environ, PAUSE_AT=pause_at, PAUSE_MARKER=str(marker), **env))
    process.stderr_path = stderr_path
    return process


def finish(process: subprocess.Popen) -> str:
    """Wait for the process to end; what it wrote to stderr."""
    process.wait(timeout=60)
    return process.stderr_path.read_text()


def wait_for(marker: Path, process: subprocess.Popen, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while not marker.exists():
        assert process.poll() is None, f"the build ended before its pause: {finish(process)}"
        assert time.monotonic() < deadline, "the build never reached its pause"
        time.sleep(0.02)


@pytest.fixture
def reap():
    """reap(deck): after the test, passed or failed, no process of that deck is left (a paused build waits)."""
    decks = []
    yield decks.append
    for deck in decks:
        no_deck_processes(deck, within=0)


KILLS = [  # (where, how): SIGINT goes to the whole process group, as Ctrl-C in a terminal does
    ("training", "SIGINT"), ("training", "SIGKILL group"),  # kill -9 of the build and its worker at once
    ("drawing", "SIGINT"), ("drawing", "SIGKILL"),  # kill -9 of the build process alone
    ("placing", "SIGINT"), ("placing", "SIGKILL"),
    ("swapping", "SIGINT"), ("swapping", "SIGKILL"),
]


@pytest.mark.parametrize("point, how", KILLS, ids=[f"{p}-{h.replace(' ', '-')}" for p, h in KILLS])
def test_a_killed_build_leaves_nothing_that_the_next_build_trusts_wrongly(versions, tmp_path, reap, point, how):
    before_site = point in ("placing", "swapping")  # those start with everything cached, straight to the site
    deck = edited_deck(versions, tmp_path, cache_of=2 if before_site else 1)
    reap(deck)
    site, marker = deck / "build" / "site", tmp_path / "marker"
    build = start_build(deck, point, marker)
    wait_for(marker, build)
    if how == "SIGKILL":
        os.kill(build.pid, signal.SIGKILL)
    else:
        os.killpg(build.pid, signal.SIGINT if how == "SIGINT" else signal.SIGKILL)
    stderr = finish(build)
    assert no_deck_processes(deck) == [], "a worker or a job outlived the killed build"
    if how == "SIGINT":
        assert (build.returncode, stderr.splitlines()[-1]) == (130, "interrupted")
        assert os.listdir(site.parent) == ["site"], "an interrupted build left a staging folder"
        # Ctrl-C before the swap keeps the last good site; during the swap it waits for the new one.
        assert tree(site) == versions[2 if point == "swapping" else 1][1]
    else:
        assert build.returncode == -signal.SIGKILL
        if point != "swapping":
            assert tree(site) == versions[1][1]

    again = run_cli("build", "--deck", str(deck))
    assert again.returncode == 0, again.stderr
    assert tree(site) == versions[2][1], "the build after the kill is not the deck a clean build makes"
    assert os.listdir(site.parent) == ["site"], "leftovers of the killed build are still there"
    assert no_deck_processes(deck) == []
    if point == "training":
        assert "computed trained" in again.stderr  # killed before its end: nothing of it was kept
    if point == "drawing":  # the training that finished before the kill is reused, the figure is drawn
        assert "computed trained" not in again.stderr and "drew curve" in again.stderr


# ---------------------------------------------------------------------------------------------
# 3. Two builds at once: the second waits for the first, says so, and reuses its results.
# ---------------------------------------------------------------------------------------------


def test_two_builds_at_once_take_turns(versions, tmp_path, reap):
    deck = edited_deck(versions, tmp_path, cache_of=1)
    reap(deck)
    marker = tmp_path / "marker"
    release = tmp_path / "release"
    first = start_build(deck, "drawing", marker, PAUSE_RELEASE=str(release))
    wait_for(marker, first)
    second = start_build(deck, "", tmp_path / "second")
    deadline = time.monotonic() + 60
    while "waiting for another build" not in second.stderr_path.read_text():  # the first is still drawing
        assert second.poll() is None and time.monotonic() < deadline, "the second build did not wait"
        time.sleep(0.02)
    release.touch()
    first_err, second_err = finish(first), finish(second)
    assert (first.returncode, second.returncode) == (0, 0), first_err + second_err
    assert re.search(r"^waiting for another build of this deck to finish \(pid \d+, \.cache/build\.lock\)$", second_err, re.M)
    assert "drew curve" in first_err and "drew" not in second_err and "computed" not in second_err
    assert tree(deck / "build" / "site") == versions[2][1]
    assert os.listdir(deck / "build") == ["site"]


# ---------------------------------------------------------------------------------------------
# 4. Garbage in the cache is recomputed with a warning; a deleted cache is rebuilt.
# ---------------------------------------------------------------------------------------------


def test_a_cache_full_of_garbage_or_deleted_still_gives_the_right_deck(versions, tmp_path):
    deck = tmp_path / "deck"
    shutil.copytree(versions[2][0], deck, symlinks=True)
    entries = sorted(p for p in (deck / ".cache").rglob("*") if p.is_file() and p.name != "build.lock")
    assert {p.relative_to(deck / ".cache").parts[0] for p in entries} >= {"artifact", "figure", "summary", "output", "math"}
    noise = random.Random(8)
    for number, entry in enumerate(entries):
        if number % 2:  # half-written
            entry.write_bytes(entry.read_bytes()[: noise.randrange(max(1, entry.stat().st_size))])
        else:  # random bytes
            entry.write_bytes(noise.randbytes(noise.randrange(1, 400)))
    garbled = run_cli("build", "--deck", str(deck))
    assert garbled.returncode == 0, garbled.stderr
    assert "warning: corrupt cache entry" in garbled.stderr
    assert "computed trained" in garbled.stderr and "drew curve" in garbled.stderr
    assert tree(deck / "build" / "site") == versions[2][1]

    shutil.rmtree(deck / ".cache")
    deleted = run_cli("build", "--deck", str(deck))
    assert deleted.returncode == 0, deleted.stderr
    assert tree(deck / "build" / "site") == versions[2][1]


# ---------------------------------------------------------------------------------------------
# 5. What lecture code prints is text on the page, never markup.
# ---------------------------------------------------------------------------------------------

LOUD = '''\
def shout():
    print("<script>alert(1)</script>")
    print("<b>x</b> & y")


WORD = "<b>bold</b>"
'''


def test_printed_html_shows_as_text(make_deck):
    deck = make_deck({"code_snippets/loud.py": LOUD,
                      S: '# Loud\n\n{{ output("loud:shout") }}\n\n{{ snippet("loud:shout") }}\n\nSays {{ value("loud:WORD") }}.\n'})
    done = run_cli("build", "--deck", str(deck))
    assert done.returncode == 0, done.stderr
    html = (deck / "build" / "site" / "index.html").read_text()
    assert '<pre class="output"><code>&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;b&gt;x&lt;/b&gt; &amp; y</code></pre>' in html
    assert "<p>Says &lt;b&gt;bold&lt;/b&gt;.</p>" in html
    assert "alert(1)</script>" not in html and "<b>x</b>" not in html and "<b>bold</b>" not in html


def test_figure_alt_text_with_quotes_stays_one_attribute(make_deck):
    deck = make_deck({"figures_src/plots.py": "from matplotlib.figure import Figure\n\n\ndef square():\n"
                                              "    fig = Figure(figsize=(2, 2))\n    fig.subplots().plot([0, 1])\n    return fig\n",
                      S: '# Alt\n\n{{ figure("square", alt=\'a "square" <b>plot</b>\') }}\n'})
    done = run_cli("build", "--deck", str(deck))
    assert done.returncode == 0, done.stderr
    html = (deck / "build" / "site" / "index.html").read_text()
    assert 'alt="a &quot;square&quot; &lt;b&gt;plot&lt;/b&gt;"' in html


# ---------------------------------------------------------------------------------------------
# 6. Under load: the HTML stage of ten lectures costs ten times one lecture, not a hundred.
# ---------------------------------------------------------------------------------------------


def test_the_html_stage_stays_linear_in_the_number_of_slides(tmp_path):
    """The lecture's own slides, then ten copies of them, through Jinja, slide splitting, Markdown,
    math, media and the page template, with placeholders for what code computes (figures, outputs)."""
    from deckbuild.cache import Cache
    from deckbuild.config import load_config
    from deckbuild.markdown_render import Stash
    from deckbuild.render import render_slides
    from deckbuild.site import render_page
    from deckbuild.slides import read_slide_files, split_slides
    from deckbuild.templating import helpers, render_file

    config, files, cache = load_config(ROOT), read_slide_files(ROOT), Cache(tmp_path / "cache")

    def html_stage(copies: int) -> tuple[float, int]:
        """CPU seconds of this process for `copies` times the lecture; the number of slides."""
        start, stash, figures = time.process_time(), Stash(), set()

        def placeholder(key: tuple) -> str:
            kind, target, _ = key
            if kind == "figure":
                figures.add(f"figures/{target}.svg")
                return stash.add(f'<img src="figures/{target}.svg" alt="a figure" />')
            return "1" if kind == "value" else stash.add('<pre class="code"><code>code</code></pre>')

        raw = [slide for _ in range(copies) for file in files
               for slide in split_slides(file.path, render_file(file, helpers(placeholder)))]
        stacks, _ = render_slides(raw, ROOT, cache, stash, generated=figures)
        render_page(config, stacks, {})
        return time.process_time() - start, sum(len(stack) for stack in stacks)

    html_stage(1)  # KaTeX (another process) fills the math cache; imports are done
    once, slides = min(html_stage(1) for _ in range(3))
    ten, ten_slides = html_stage(10)
    assert ten_slides == 10 * slides > 100
    assert ten < 20 * once, f"one lecture {once:.2f} s, ten lectures {ten:.2f} s of CPU: not linear"
