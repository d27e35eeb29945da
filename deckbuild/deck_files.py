"""Files in a deck's code folders that the engine could not use: each one is reported, none is
skipped in silence (a module that cannot be imported would hide its figures or snippets)."""
from __future__ import annotations

import re
from pathlib import Path

from .errors import Problem

CODE_FOLDERS = ("code_snippets", "figures_src")


def unusable_code_files(root: Path) -> list[Problem]:
    """Python files of code_snippets/ and figures_src/ whose names Python cannot import."""
    problems = []
    for package in CODE_FOLDERS:
        folder = root / package
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            rel = f"{package}/{path.name}"
            if path.suffix == ".py" and not path.stem.isidentifier():
                better = re.sub(r"\W", "_", path.stem)
                better = better if better.isidentifier() else f"m_{better}"
                problems.append(Problem(rel, 0, f"cannot be imported as {package}.{path.stem}: "
                                                f"a module name is a Python identifier (rename it {better}.py)"))
            elif path.suffix.lower() in (".py", ".pyw") and path.suffix != ".py":
                problems.append(Problem(rel, 0, "not read: Python modules end in .py"))
    return problems
