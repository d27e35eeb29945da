"""The worker process: imports the heavy libraries once, then runs each job in a fresh fork.

Started by runner.py as `python -c ... main()` with two pipe descriptors. Jobs arrive as
pickled dicts; each runs in a forked child (seeded, stdout captured, own process group, killed
at its time limit) that stores its result in the cache itself and reports a small outcome.
Importing this module is cheap: torch and matplotlib are imported in main() only.
"""
from __future__ import annotations

import gc
import importlib
import io
import os
import pickle
import select
import signal
import struct
import sys
import time
import traceback
from pathlib import Path

_HEADER = struct.Struct("!I")


def send(fd: int, message) -> None:
    """Write one length-prefixed pickled message."""
    data = pickle.dumps(message)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def recv(fd: int):
    """Read one message; None at end of stream."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, _HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def split_frames(buffer: bytearray) -> list[bytes]:
    """Take the complete frames off the front of buffer (a partial one stays)."""
    frames = []
    while len(buffer) >= _HEADER.size:
        end = _HEADER.size + _HEADER.unpack_from(buffer)[0]
        if len(buffer) < end:
            break
        frames.append(bytes(buffer[_HEADER.size : end]))
        del buffer[:end]
    return frames


def main(argv: list[str]) -> None:
    """argv: deck, cache root, job fd, event fd, preload modules (comma separated)."""
    deck, cache_root, job_fd, event_fd, preload = argv[0], argv[1], int(argv[2]), int(argv[3]), argv[4]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build process decides when to stop
    sys.path.insert(0, deck)
    os.chdir(deck)
    start = time.perf_counter()
    for name in filter(None, preload.split(",")):
        try:
            importlib.import_module(name)
        except Exception:  # the job that needs it reports the error properly
            pass
    # Children never collect the libraries' objects, so their pages stay shared after fork.
    gc.freeze()
    send(event_fd, ("ready", {"import_s": time.perf_counter() - start}))
    from .cache import Cache

    cache = Cache(Path(cache_root))
    while (job := recv(job_fd)) is not None:
        _supervise(job, cache, Path(deck), job_fd, event_fd)


def _supervise(job: dict, cache, deck: Path, job_fd: int, event_fd: int) -> None:
    """Fork a child for the job, relay its messages, kill it at the deadline, report how it ended."""
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:
        _die_with(worker)
        os.close(read_end)
        os.close(job_fd)
        os.close(event_fd)
        _child(job, cache, deck, write_end)
    os.close(write_end)
    _set_group(pid)
    pidfd = os.pidfd_open(pid)
    buffer, watched, ended = bytearray(), [read_end, pidfd, job_fd], "exit"
    deadline = started + job["timeout"]
    while pidfd in watched:
        ready, _, _ = select.select(watched, [], [], max(0.0, deadline - time.perf_counter()))
        if not ready:
            ended = "timeout"
            break
        if job_fd in ready:  # the build process went away: stop everything
            _kill_group(pid)
            sys.exit(0)
        if read_end in ready:
            _relay(read_end, buffer, event_fd, watched)
        if pidfd in ready:
            watched.remove(pidfd)
    _kill_group(pid)  # also ends anything the job started itself
    _, status = os.waitpid(pid, 0)
    os.set_blocking(read_end, False)
    while read_end in watched:
        try:
            _relay(read_end, buffer, event_fd, watched)
        except BlockingIOError:
            break
    os.close(read_end)
    os.close(pidfd)
    send(event_fd, ("end", _how_it_ended(ended, status, time.perf_counter() - started)))


def _relay(fd: int, buffer: bytearray, event_fd: int, watched: list) -> None:
    """Forward the child's complete messages to the build process."""
    data = os.read(fd, 1 << 16)
    if not data:
        watched.remove(fd)
    buffer.extend(data)
    for frame in split_frames(buffer):
        send(event_fd, ("child", pickle.loads(frame)))


def _die_with(worker: int) -> None:
    """Linux: have the kernel kill this child when the worker dies, even by SIGKILL (`kill -9` of the
    build's process group), so that no training outlives a killed build. The child has its own group."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker still kills its children when it can
        return
    if os.getppid() != worker:  # the worker died before prctl took effect
        os._exit(1)


def _set_group(pid: int) -> None:
    try:
        os.setpgid(pid, pid)
    except OSError:  # already done by the child, or it has exited
        pass


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _how_it_ended(ended: str, status: int, seconds: float) -> dict:
    if ended == "timeout":
        return {"timeout": True, "seconds": seconds}
    if os.WIFSIGNALED(status):
        return {"signal": signal.Signals(os.WTERMSIG(status)).name, "seconds": seconds}
    return {"code": os.waitstatus_to_exitcode(status), "seconds": seconds}


def _child(job: dict, cache, deck: Path, out_fd: int) -> None:
    """Run one job in this forked process and never return."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    captured = io.StringIO()
    sys.stdout = captured
    try:
        _seed()
        outcome = _JOBS[job["kind"]](job, cache, deck, captured, lambda message: send(out_fd, message))
    except BaseException as error:  # noqa: B036 - sys.exit in user code is a result to report
        outcome = ("error", describe_error(error, deck, job.get("verbose", False)))
    try:
        send(out_fd, outcome)
        sys.stderr.flush()
    finally:
        os._exit(0)


def _seed() -> None:
    """Every job starts from seed 0 in each random number generator that is loaded."""
    import random

    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)


def describe_error(error: BaseException, deck: Path, verbose: bool) -> dict:
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
    else:
        text = next((line for line in _text(error).splitlines() if line.strip()), "")
    name = type_name(error)
    return {"where": where, "error": f"{name}: {text}" if text else name, "traceback": _traceback(error) if verbose else ""}


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


# --- the jobs, run inside the forked child; each stores its result in the cache itself ---


def _call(job: dict, cache, deck: Path, captured: io.StringIO, send_message) -> tuple:
    """output(): what a zero-argument function prints (+ repr of its result); value(): its result."""
    obj = importlib.import_module(f"code_snippets.{job['module']}")
    for part in job["name"].split("."):  # "LeNet.forward" walks into the class
        obj = getattr(obj, part)
    start = captured.tell()  # what the import printed is not part of the output
    if job["mode"] == "output":
        result = obj()
        text = captured.getvalue()[start:]
        if result is not None:
            text += ("" if text.endswith("\n") or not text else "\n") + repr(result)
        cache.put_json("output", job["key"], {"text": text.rstrip("\n")})
        return ("ok", {"kind": "text"})
    result = obj() if callable(obj) else obj
    plain = _plain(result)
    if plain is None:
        return ("returned", {"type": type_name(result), "item": hasattr(result, "item")})
    cache.put_json("value", job["key"], {"value": plain})
    return ("ok", {"kind": "value"})


def _plain(value) -> int | float | str | None:
    """The value as a plain JSON number or string, or None when it is neither."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return None


def _exec(job: dict, cache, deck: Path, captured: io.StringIO, send_message) -> tuple:
    """A `python exec` fence, run as a script; padded so line numbers are the slide's own."""
    code = compile("\n" * job["line"] + job["source"], str(deck / job["path"]), "exec")
    exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    cache.put_json("output", job["key"], {"text": captured.getvalue().rstrip("\n")})
    return ("ok", {"kind": "text"})


def _producer(job: dict, cache, deck: Path, captured: io.StringIO, send_message) -> tuple:
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
        return ("returned", {"type": "None"})
    figure = sys.modules.get("matplotlib.figure")
    if figure is not None and isinstance(result, figure.Figure):
        cache.put("figure", job["key"], figure_svg(result))
        return ("ok", {"kind": "figure", "stdout": captured.getvalue()})
    cache.put("artifact", job["key"], artifact_bytes(result))
    cache.put_json("summary", job["key"], summarize(result))
    return ("ok", {"kind": "artifact", "type": type_name(result), "stdout": captured.getvalue()})


def _summary(job: dict, cache, deck: Path, captured: io.StringIO, send_message) -> tuple:
    """Rebuild the summary of plain values of an artifact that is already cached."""
    cache.put_json("summary", job["key"], summarize(load_artifact(cache, job["key"])))
    return ("ok", {"kind": "summary"})


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
            send_message(("progress", int(done), int(total), str(note)))

    return progress


def figure_svg(fig) -> bytes:
    """The figure as SVG bytes that are identical from run to run; the figure is closed after."""
    import matplotlib

    buffer = io.BytesIO()
    # Element ids are hashes salted with this string, and the date is left out: no run-to-run noise.
    with matplotlib.rc_context({"svg.hashsalt": "deckbuild"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)
    return buffer.getvalue()


def artifact_bytes(result) -> bytes:
    """torch.save bytes (tagged b"T"); plain pickle (b"P") when the producer never loaded torch."""
    buffer = io.BytesIO()
    if "torch" in sys.modules:
        buffer.write(b"T")
        sys.modules["torch"].save(result, buffer)
    else:
        buffer.write(b"P")
        pickle.dump(result, buffer)
    return buffer.getvalue()


def load_artifact(cache, key: str):
    """An artifact stored by another job; tensors land on the CPU."""
    payload = cache.get("artifact", key)
    if payload is None:
        raise RuntimeError(f"cached artifact {key[:12]} is missing or corrupt; build again to recompute it")
    if payload[:1] == b"P":
        return pickle.loads(payload[1:])
    import torch

    return torch.load(io.BytesIO(payload[1:]), map_location="cpu", weights_only=False)


def summarize(result, path: str = "", depth: int = 0, out: dict | None = None) -> dict:
    """{"key.subkey": {"value": 0.97} or {"type": "LeNet"}} for the result and its dict entries."""
    out = {} if out is None else out
    plain = _plain(result)
    out[path] = {"value": plain} if plain is not None else {"type": type_name(result), "item": hasattr(result, "item")}
    if isinstance(result, dict) and depth < 4:
        out[path]["keys"] = sorted(str(k) for k in result)
        for key, value in result.items():
            if isinstance(key, str):
                summarize(value, f"{path}.{key}" if path else key, depth + 1, out)
    return out


def type_name(value) -> str:
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


if __name__ == "__main__":
    main(sys.argv[1:])
