"""Run one exported notebook the way a student does: copied alone into an empty folder, with only the
MNIST IDX files beside it, the network cut off and the deck out of reach, under `pytest --nbval-lax`.

How "out of reach" is made and checked: the run happens in new network and mount namespaces
(`unshare -n -m`, we are root); the deck's folders are covered there by empty tmpfs mounts, and an
audit hook (a sitecustomize.py on PYTHONPATH, so it is in pytest and in the kernel) logs every file
and folder any Python process opens or lists, for the caller to check.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

AUDIT = '''\
import os
import sys

_log = os.open(os.environ["NOTEBOOK_ALONE_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)


def _record(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(os.fspath(args[0]))
        if path:
            os.write(_log, (os.path.abspath(path) + "\\n").encode("utf-8", "surrogateescape"))


sys.addaudithook(_record)
'''


@dataclass
class AloneRun:
    folder: Path  # where the notebook ran
    result: subprocess.CompletedProcess
    opened: set[Path]  # every path a Python process opened or listed during the run
    seconds: float


def tools_present() -> None:
    """The run needs root, unshare and ip: a missing one fails the test with the reason, never skips it."""
    missing = [tool for tool in ("unshare", "ip", "mount") if shutil.which(tool) is None]
    assert not missing, f"running a notebook alone needs {', '.join(missing)} (util-linux, iproute2)"
    assert os.geteuid() == 0, "running a notebook alone needs root, for unshare -n -m"


def run_alone(notebook: Path, folder: Path, *, idx_from: Path | None, hide: list[Path], timeout: float,
              font_cache: Path | None = None) -> AloneRun:
    """Copy `notebook` alone into the empty `folder` (and the IDX files of `idx_from` into
    folder/data/MNIST/raw), then run `pytest --nbval-lax` on it there, offline, with `hide` covered.
    `font_cache`: a matplotlib config folder shared by several runs, so each does not rebuild it."""
    import time

    tools_present()
    folder.mkdir(parents=True)
    shutil.copy(notebook, folder / notebook.name)
    if idx_from is not None:
        (folder / "data" / "MNIST" / "raw").mkdir(parents=True)
        for name in IDX_FILES:
            shutil.copy(idx_from / name, folder / "data" / "MNIST" / "raw" / name)
    hook = folder.parent / f"{folder.name}-hook"  # beside the folder: the folder holds what the student has
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT, encoding="utf-8")
    log = hook / "opened.log"
    covers = "".join(f"mount -t tmpfs -o ro none {shlex.quote(str(path))} && " for path in hide)
    pytest = shlex.join([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                         "--nbval-kernel-name", "python3", notebook.name])
    script = f"ip link set lo up && {covers}exec {pytest}"  # loopback up: pytest talks to its kernel over it
    env = {**os.environ, "PYTHONPATH": str(hook), "NOTEBOOK_ALONE_LOG": str(log), "PYTHONDONTWRITEBYTECODE": "1",
           "MPLCONFIGDIR": str(font_cache or hook / "matplotlib"), "HOME": str(hook)}  # no cache of a previous run
    started = time.perf_counter()
    result = subprocess.run(["unshare", "-n", "-m", "sh", "-c", script], cwd=folder, env=env, capture_output=True,
                            text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    opened = {Path(line) for line in log.read_text(encoding="utf-8").splitlines()} if log.exists() else set()
    return AloneRun(folder, result, opened, seconds)


def reads_under(run: AloneRun, root: Path, allowed: tuple[Path, ...] = ()) -> list[Path]:
    """The paths under `root` that the run opened or listed, except under `allowed` ones."""
    return sorted(p for p in run.opened
                  if p.is_relative_to(root) and not any(p.is_relative_to(a) for a in allowed))


def written_modules(folder: Path) -> set[str]:
    """The .py files found in the folder after a run: what the set-up cell wrote."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.py")}


def nbval_summary(*notebooks) -> str:
    """What `pytest --nbval-lax -q` prints when every code cell passes: exercise questions (tag nbval-skip),
    unfinished on purpose, are skipped."""
    cells = [cell for notebook in notebooks for cell in notebook.cells if cell.cell_type == "code"]
    skipped = sum("nbval-skip" in cell.metadata.get("tags", []) for cell in cells)
    return f"{len(cells) - skipped} passed" + (f", {skipped} skipped" if skipped else "")
