"""Running a notebook: a Jupyter kernel of this very Python, and nbclient executing every cell in it."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

from .errors import DeckError, Problem

KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def ensure_kernel() -> str:
    """The name of a Jupyter kernel that runs this very Python; installs ipykernel's spec here if needed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    if find_spec("ipykernel") is None:
        raise DeckError(Problem("notebooks", 0, "ipykernel is not installed in this environment: run 'uv sync'"))
    plain = {"python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"}

    def usable() -> bool:
        try:
            command = KernelSpecManager().get_kernel_spec(KERNEL["name"]).argv[0]
        except NoSuchKernel:
            return False
        # jupyter_client starts a spec whose command is a bare "python" with sys.executable
        return command in plain or os.path.abspath(command) == os.path.abspath(sys.executable)

    if not usable():
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix"], check=True, capture_output=True)
        if not usable():
            raise DeckError(Problem("notebooks", 0, f"the Jupyter kernel '{KERNEL['name']}' runs another Python than "
                                                    f"{sys.executable}; remove that kernel spec"))
    return KERNEL["name"]


def execute_notebook(notebook, folder: Path, kernel: str, timeout: float) -> None:
    """Run every cell in a fresh kernel started in `folder`; a failing cell is a DeckError at its slide."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(notebook, timeout=int(timeout), kernel_name=kernel, record_timing=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # not its TCP warning on every run
                            resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        ran = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.execution_count]
        failed = next((c for c in ran if any(o.output_type == "error" for o in c.outputs)), ran[-1] if ran else None)
        where = failed.metadata["deckbuild"]["source"] if failed else "notebooks:0"
        errors = [o for o in failed.outputs if o.output_type == "error"] if failed else []
        if errors:
            message = f"{errors[0].ename}: {errors[0].evalue}"
        elif isinstance(error, CellTimeoutError):
            message = f"it did not finish within {timeout:g} s (deck.toml: timeout)"
        else:
            message = f"the kernel died ({type(error).__name__})"
        path, _, line = where.rpartition(":")
        raise DeckError(Problem(path, int(line), f"notebook cell failed: {message}")) from None


