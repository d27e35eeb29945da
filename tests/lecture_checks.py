"""Checks shared by the tests of the lecture modules in code_snippets/."""
from __future__ import annotations

import inspect

import torch


def printed_by(function, capsys) -> list[str]:
    """Lines a zero-argument demo prints, seeded like the engine seeds it."""
    torch.manual_seed(0)
    assert function() is None
    return capsys.readouterr().out.splitlines()


def assert_fits_on_a_slide(lines: list[str]) -> None:
    """An output block of at most 12 lines of 70 characters fits beside the code on a slide."""
    assert 0 < len(lines) <= 12
    assert max(len(line) for line in lines) <= 70


def zero_argument_functions(module) -> set[str]:
    """The public functions a slide can call with output() or value()."""
    return {
        name for name, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__ and not name.startswith("_")
        and not inspect.signature(f).parameters
    }
