"""Finding snippet source as text: objects, regions, steps and the exact error messages."""
from __future__ import annotations

import os
import textwrap

import pytest

from deckbuild.errors import DeckError
from deckbuild.model import Location
from deckbuild.snippets import Snippet, index_snippets

WHERE = Location("slides/x.md", 12)

LENET = '''\
"""A LeNet that must never be imported by the engine."""
import torch
from torch import nn

raise RuntimeError("importing this module is a bug in the engine")


class LeNet(nn.Module):
    """Two convolutions, then a head."""

    def __init__(self):
        super().__init__()
        # [start:convs]
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # [end:convs]
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        x = self.conv1(x)
        # [start:head]
        x = self.conv2(x)
        return self.fc(x.flatten(1))
        # [end:head]


@torch.no_grad()
def n_params(model):
    """Count the weights."""
    return sum(p.numel() for p in model.parameters())


N_CLASSES: int = 10
'''

REGIONS = '''\
def train(model, loader):
    # [start:loop]
    for x, y in loader:
        # [start:step]
        loss = model(x, y)
        # [start:overlap]
        loss.backward()
        # [end:step]
        model.step()
        # [end:overlap]
    # [end:loop]
    return model


# [start:pair]
def first():
    return 1


def second():
    return 2
# [end:pair]
'''


def make_deck(tmp_path, files: dict[str, str]):
    """A tiny deck: code_snippets/ (a package) holding the given modules."""
    folder = tmp_path / "deck" / "code_snippets"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for name, text in files.items():
        (folder / name).write_text(text)
    return tmp_path / "deck"


@pytest.fixture
def index(tmp_path):
    return index_snippets(make_deck(tmp_path, {
        "lenet.py": LENET, "loops.py": REGIONS, "data.py": "X = 1\n", "losses.py": "Y = 2\n"}))


def error_text(index, target, steps=None, at=WHERE) -> str:
    with pytest.raises(DeckError) as caught:
        index.find(target, steps, at)
    return str(caught.value)


def test_modules_are_listed_without_init(index):
    assert index.modules() == ["data", "lenet", "loops", "losses"]


def test_a_class_is_shown_whole_with_region_markers_hidden(index):
    snippet = index.find("lenet:LeNet")
    assert snippet.path == "code_snippets/lenet.py"
    assert snippet.first_line == 8
    assert snippet.steps is None
    assert "[start:" not in snippet.code and "[end:" not in snippet.code
    assert snippet.code.splitlines()[0] == "class LeNet(nn.Module):"
    assert snippet.code.splitlines()[-1] == "        return self.fc(x.flatten(1))"
    assert len(snippet.code.splitlines()) == 13
    assert not snippet.code.endswith("\n")


def test_a_method_is_dedented(index):
    snippet = index.find("lenet:LeNet.forward")
    assert snippet == Snippet(
        code="def forward(self, x):\n"
             "    x = self.conv1(x)\n"
             "    x = self.conv2(x)\n"
             "    return self.fc(x.flatten(1))",
        path="code_snippets/lenet.py", first_line=19, steps=None)


def test_decorators_belong_to_the_function(index):
    snippet = index.find("lenet:n_params")
    assert snippet.first_line == 27
    assert snippet.code.splitlines()[:2] == ["@torch.no_grad()", "def n_params(model):"]


def test_a_module_level_assignment(index):
    assert index.find("lenet:N_CLASSES").code == "N_CLASSES: int = 10"


def test_a_region_is_dedented_and_hides_the_markers_of_nested_and_overlapping_regions(index):
    snippet = index.find("loops:loop")
    assert snippet.first_line == 3
    assert snippet.code == textwrap.dedent("""\
        for x, y in loader:
            loss = model(x, y)
            loss.backward()
            model.step()""")


def test_overlapping_regions_show_their_own_lines(index):
    assert index.find("loops:step").code == "loss = model(x, y)\nloss.backward()"
    assert index.find("loops:overlap").code == "loss.backward()\nmodel.step()"


def test_a_region_may_hold_whole_functions(index):
    snippet = index.find("loops:pair")
    assert snippet.first_line == 16
    assert snippet.code == "def first():\n    return 1\n\n\ndef second():\n    return 2"


def test_the_module_is_never_imported(index):
    # LENET raises at import time; reading it must still work, and it must not be in sys.modules.
    # Other tests import the real code_snippets.lenet, so forget it first.
    import sys

    sys.modules.pop("code_snippets.lenet", None)
    index.find("lenet:LeNet")
    assert "code_snippets.lenet" not in sys.modules


def test_steps_from_member_names_of_a_class(index):
    # Shown lines: 1 class, 2 docstring, 3 blank, 4-8 __init__ (markers removed), 9 blank, 10-13 forward.
    snippet = index.find("lenet:LeNet", steps=["__init__", "forward"])
    assert snippet.steps == "4-8|10-13"
    lines = snippet.code.splitlines()
    assert lines[3].strip() == "def __init__(self):" and lines[9].strip() == "def forward(self, x):"


def test_steps_from_regions_inside_the_shown_code(index):
    # `head` ends after the last statement of forward, still inside the method's body.
    assert index.find("lenet:LeNet", steps=["convs", "head"]).steps == "6-7|12-13"
    assert index.find("lenet:LeNet.forward", steps=["head"]).steps == "3-4"
    assert index.find("loops:loop", steps=["step", "overlap"]).steps == "2-3|3-4"


def test_steps_from_functions_inside_a_region_and_nested_names(tmp_path):
    deck = make_deck(tmp_path, {"nested.py": textwrap.dedent("""\
        def outer():
            def helper():
                return 1

            return helper()
        """)})
    index = index_snippets(deck)
    assert index.find("nested:outer", steps=["helper", "5"]).steps == "2-3|5"
    assert index.find("nested:outer.helper").code == "def helper():\n    return 1"


def test_steps_follow_edits_of_the_module(tmp_path):
    deck = make_deck(tmp_path, {"lenet.py": LENET})
    before = index_snippets(deck).find("lenet:LeNet", steps=["forward"]).steps
    path = deck / "code_snippets" / "lenet.py"
    path.write_text(LENET.replace("super().__init__()\n", "super().__init__()\n        self.a = 1\n"))
    after = index_snippets(deck).find("lenet:LeNet", steps=["forward"]).steps
    assert (before, after) == ("10-13", "11-14")


def test_explicit_steps_pass_through(index):
    assert index.find("lenet:LeNet", steps="1|3-5").steps == "1|3-5"
    assert index.find("lenet:LeNet", steps=" |2, 4-6 ").steps == "|2,4-6"
    assert index.find("lenet:LeNet", steps=[1, "2-3", "forward"]).steps == "1|2-3|10-13"
    assert index.find("lenet:LeNet", steps=("__init__,forward",)).steps == "4-8,10-13"
    assert index.find("lenet:LeNet", steps=7).steps == "7"
    assert index.find("lenet:LeNet", steps=[]).steps is None


def test_each_module_is_read_once(tmp_path):
    deck = make_deck(tmp_path, {"lenet.py": LENET})
    index = index_snippets(deck)
    index.find("lenet:LeNet")
    (deck / "code_snippets" / "lenet.py").write_text("def other():\n    pass\n")
    assert index.find("lenet:LeNet.forward").first_line == 19


def test_unknown_module(index):
    assert error_text(index, "lenot:LeNet") == (
        "slides/x.md:12: unknown module 'lenot' in 'lenot:LeNet' (modules: lenet, data, loops, losses)")


@pytest.mark.parametrize("target", ["lenet", "lenet:", ":LeNet", "lenet:LeNet:x", ""])
def test_bad_target_syntax(index, target):
    assert error_text(index, target) == (
        f"slides/x.md:12: target '{target}' is not of the form 'module:name' (e.g. 'lenet:LeNet')")


def test_unknown_name_lists_top_level_names_and_regions(index):
    assert error_text(index, "lenet:LeNot") == (
        "slides/x.md:12: no 'LeNot' in code_snippets/lenet.py"
        " (names: LeNet, N_CLASSES, convs, head, n_params)")


def test_unknown_member_lists_the_members(index):
    assert error_text(index, "lenet:LeNet.forwrd") == (
        "slides/x.md:12: no 'LeNet.forwrd' in code_snippets/lenet.py"
        " (members of LeNet: forward, __init__)")


def test_long_name_lists_are_cut(tmp_path):
    text = "".join(f"def f{i:02}():\n    pass\n" for i in range(15))
    index = index_snippets(make_deck(tmp_path, {"many.py": text}))
    names = ", ".join(f"f{i:02}" for i in range(10))
    assert error_text(index, "many:g") == (
        f"slides/x.md:12: no 'g' in code_snippets/many.py (names: {names}, ... (5 more))")


def test_unknown_and_bad_steps_are_all_reported(index):
    assert error_text(index, "lenet:LeNet", steps=["forwrd", "0", "3-2", "2-99", "1--2"]) == "\n".join([
        "slides/x.md:12: step 'forwrd' in 'lenet:LeNet' is unknown"
        " (members and regions: forward, __init__, convs, head)",
        "slides/x.md:12: step '0' in 'lenet:LeNet' is not a line or a range a-b within 1-13",
        "slides/x.md:12: step '3-2' in 'lenet:LeNet' is not a line or a range a-b within 1-13",
        "slides/x.md:12: step '2-99' in 'lenet:LeNet' is not a line or a range a-b within 1-13",
        "slides/x.md:12: step '1--2' in 'lenet:LeNet' is not a line or a range a-b within 1-13",
    ])


def test_a_region_outside_the_shown_code_is_no_step(index):
    assert error_text(index, "lenet:LeNet.forward", steps=["convs"]) == (
        "slides/x.md:12: step 'convs' in 'lenet:LeNet.forward' is unknown"
        " (members and regions: head)")


def test_ambiguous_step(tmp_path):
    text = textwrap.dedent("""\
        # [start:both]
        class Encoder:
            def forward(self):
                pass


        class Decoder:
            def forward(self):
                pass
        # [end:both]
        """)
    index = index_snippets(make_deck(tmp_path, {"blocks.py": text}))
    assert error_text(index, "blocks:both", steps=["forward"]) == (
        "slides/x.md:12: step 'forward' in 'blocks:both' is ambiguous"
        " (matches: Encoder.forward, Decoder.forward)")
    assert index.find("blocks:both", steps=["Decoder.forward", "Encoder"]).steps == "7-8|1-3"


def test_syntax_error_names_the_module_line_and_the_slide(tmp_path):
    index = index_snippets(make_deck(tmp_path, {"broken.py": "x = 1\ndef f(:\n    pass\n"}))
    expected = "code_snippets/broken.py:2: syntax error: invalid syntax (used at slides/x.md:12)"
    assert error_text(index, "broken:f") == expected
    # The error is cached with the module, but each slide that uses it is named.
    assert error_text(index, "broken:f", at=Location("slides/y.md", 3)) == expected.replace(
        "slides/x.md:12", "slides/y.md:3")


def test_unbalanced_and_duplicate_markers_are_all_reported(tmp_path):
    text = textwrap.dedent("""\
        # [start:a]
        x = 1
        # [end:a]
        # [start:a]
        # [end:a]
        # [end:b]
        # [start:c]
        # [start:my region]
        # [start:x]
        """)
    index = index_snippets(make_deck(tmp_path, {"marks.py": text}))
    assert error_text(index, "marks:a") == "\n".join([
        "code_snippets/marks.py:4: region 'a' is already defined at line 1 (used at slides/x.md:12)",
        "code_snippets/marks.py:5: '# [end:a]' without a '# [start:a]' before it"
        " (used at slides/x.md:12)",
        "code_snippets/marks.py:6: '# [end:b]' without a '# [start:b]' before it"
        " (used at slides/x.md:12)",
        "code_snippets/marks.py:8: bad region name 'my region': use letters, digits, '_' and '-'"
        " (used at slides/x.md:12)",
        "code_snippets/marks.py:9: region 'x' has the name of a definition (used at slides/x.md:12)",
        "code_snippets/marks.py:7: region 'c' starts here but has no '# [end:c]'"
        " (used at slides/x.md:12)",
    ])


def test_an_empty_region_is_an_error(tmp_path):
    index = index_snippets(make_deck(tmp_path, {"empty.py": "# [start:e]\n\n# [end:e]\n"}))
    assert error_text(index, "empty:e") == (
        "code_snippets/empty.py:1: region 'e' is empty (used at slides/x.md:12)")


@pytest.mark.parametrize("target", ["../x:f", "/etc/passwd:f", "a/b:f", "lenet.py:LeNet"])
def test_module_paths_are_refused(index, target):
    assert error_text(index, target) == (
        f"slides/x.md:12: refused '{target}': the module must be a file name in code_snippets/"
        " without folders or '.py' (like 'lenet')")


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.py"
    outside.write_text("def f():\n    return 'secret'\n")
    deck = make_deck(tmp_path, {"lenet.py": LENET})
    os.symlink(outside, deck / "code_snippets" / "evil.py")
    os.symlink(deck / "code_snippets" / "lenet.py", deck / "code_snippets" / "alias.py")
    index = index_snippets(deck)
    assert error_text(index, "evil:f") == (
        "slides/x.md:12: refused 'evil:f': code_snippets/evil.py is a link to a file"
        " outside code_snippets/")
    assert index.find("alias:LeNet").path == "code_snippets/alias.py"


def test_without_a_slide_the_problem_is_placed_in_code_snippets(index):
    assert error_text(index, "lenot:LeNet", at=None) == (
        "code_snippets: unknown module 'lenot' in 'lenot:LeNet' (modules: lenet, data, loops, losses)")
