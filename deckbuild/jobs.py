"""The jobs themselves, run inside a job's own process: call a snippet function, run an exec fence, call a
producer; each stores its result in the cache and returns a Reply. Errors become one-line Replies."""
from __future__ import annotations

import importlib
import io
import os
import sys
import time
import traceback
from pathlib import Path

from .artifacts import artifact_bytes, figure_svg, load_artifact, plain_value, summarize, type_name
from .wire import Progress, Reply

# What one output()/exec may print: more is a mistake (a loop left printing), not a slide.
MAX_PRINTED = 100_000


class Capture(io.StringIO):
    """A job's stdout: keeps the first MAX_PRINTED characters (plus one), counts all of them, so
    that printing gigabytes neither fills the memory nor reaches the cache."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def write(self, text: str) -> int:
        self.count += len(text)
        room = MAX_PRINTED + 1 - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


def run_job(job: dict, cache, deck: Path, captured: Capture, send_message) -> Reply:
    """Run the job; an exception (exit() included) is a Reply with where it happened."""
    try:
        return _JOBS[job["kind"]](job, cache, deck, captured, send_message)
    except BaseException as error:  # noqa: B036 - sys.exit in user code is a result to report
        return describe_error(error, deck, job.get("verbose", False))


def seed() -> None:
    """Every job starts from seed 0 in each random number generator that is loaded."""
    import random

    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)


def describe_error(error: BaseException, deck: Path, verbose: bool) -> Reply:
    """Where in the deck's code the error happened (innermost frame), what it says, the traceback."""
    roots = tuple(str(deck / folder) + os.sep for folder in ("code_snippets", "figures_src", "slides"))
    where = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith(roots):
            where = f"{Path(frame.filename).relative_to(deck).as_posix()}:{frame.lineno}"
            break
    if isinstance(error, SyntaxError) and str(error.filename or "").startswith(roots):
        where = f"{Path(error.filename).relative_to(deck).as_posix()}:{error.lineno}"
        text = error.msg
    elif isinstance(error, SystemExit):
        text = f"exit({'' if error.code is None else repr(error.code)}) was called; code run for a slide must return instead"
        return Reply("error", where=where, error=text, traceback=_traceback(error) if verbose else "")
    else:
        text = next((line for line in _text(error).splitlines() if line.strip()), "")
    name = type_name(error)
    return Reply("error", where=where, error=f"{name}: {text}" if text else name,
                 traceback=_traceback(error) if verbose else "")


def _text(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # an exception whose __str__ fails still deserves a report
        return "(message could not be printed)"


def _traceback(error: BaseException) -> str:
    """The traceback without the engine's own frames."""
    engine = str(Path(__file__).parent) + os.sep
    te = traceback.TracebackException.from_exception(error)
    te.stack = traceback.StackSummary.from_list([f for f in te.stack if not f.filename.startswith(engine)])
    return "".join(te.format()).rstrip()


def _printed(captured: Capture, start: int) -> str | Reply:
    """What the job printed since `start`, or a Reply when it is too much for a slide."""
    if captured.count - start > MAX_PRINTED:
        return Reply("too_long", type=f"{captured.count - start:,}")
    return captured.getvalue()[start:]


def _call(job: dict, cache, deck: Path, captured: Capture, send_message) -> Reply:
    """output(): what a zero-argument function prints (+ repr of its result); value(): its result."""
    obj = importlib.import_module(f"code_snippets.{job['module']}")
    for part in job["name"].split("."):  # "LeNet.forward" walks into the class
        obj = getattr(obj, part)
    if job["mode"] == "output":
        start = captured.count  # what the import printed is not part of the output
        result = obj()
        text = _printed(captured, start)
        if isinstance(text, Reply):
            return text
        if result is not None:
            text += ("" if text.endswith("\n") or not text else "\n") + repr(result)
        cache.put_json("output", job["key"], {"text": text.rstrip("\n")})
        return Reply("ok", kind="text")
    result = obj() if callable(obj) else obj
    plain = plain_value(result)
    if plain is None:
        return Reply("returned", type=type_name(result), item=hasattr(result, "item"))
    cache.put_json("value", job["key"], {"value": plain})
    return Reply("ok", kind="value")


def _exec(job: dict, cache, deck: Path, captured: Capture, send_message) -> Reply:
    """A `python exec` fence, run as a script; padded so line numbers are the slide's own."""
    code = compile("\n" * job["line"] + job["source"], str(deck / job["path"]), "exec")
    exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    text = _printed(captured, 0)
    if isinstance(text, Reply):
        return text
    cache.put_json("output", job["key"], {"text": text.rstrip("\n")})
    return Reply("ok", kind="text")


def _producer(job: dict, cache, deck: Path, captured: Capture, send_message) -> Reply:
    """Call a figures_src producer with its inputs; store a Figure as SVG, anything else as an artifact."""
    func = getattr(importlib.import_module(job["module"]), job["name"])
    kwargs = {}
    for param in job["params"]:
        if param == "device":
            kwargs[param] = _check_device(job["device"])
        elif param == "progress":
            kwargs[param] = _progress_callback(send_message)
        else:
            kwargs[param] = load_artifact(cache, job["inputs"][param])
    result = func(**kwargs)
    if result is None:
        return Reply("returned", type="None")
    stdout = captured.getvalue()[:MAX_PRINTED]
    figure = sys.modules.get("matplotlib.figure")
    if figure is not None and isinstance(result, figure.Figure):
        cache.put("figure", job["key"], figure_svg(result))
        return Reply("ok", kind="figure", stdout=stdout)
    cache.put("artifact", job["key"], artifact_bytes(result))
    cache.put_json("summary", job["key"], summarize(result))
    return Reply("ok", kind="artifact", type=type_name(result), stdout=stdout)


def _summary(job: dict, cache, deck: Path, captured: Capture, send_message) -> Reply:
    """Rebuild the summary of plain values of an artifact that is already cached."""
    cache.put_json("summary", job["key"], summarize(load_artifact(cache, job["key"])))
    return Reply("ok", kind="summary")


_JOBS = {"call": _call, "exec": _exec, "producer": _producer, "summary": _summary}


def _check_device(device: str) -> str:
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise RuntimeError(f"device '{device}' was asked for, but torch.cuda.is_available() is False")
    return device


def _progress_callback(send_message):
    """progress(done, total, note) for producers; at most ten messages a second, and the last one."""
    last = [0.0]

    def progress(done: int, total: int, note: str = "") -> None:
        now = time.monotonic()
        if now - last[0] >= 0.1 or done >= total:
            last[0] = now
            send_message(Progress(int(done), int(total), str(note)))

    return progress
