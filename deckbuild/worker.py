"""The worker process: imports the heavy libraries once, then runs each job in a fresh fork of itself.

Started by runner.py as `python -P -c ... main()` with two pipe descriptors. Jobs arrive as pickled
dicts; each runs in a forked child (seeded, stdout captured, own process group, killed at its time
limit) that stores its result in the cache itself and reports a Reply. What a job leaves behind dies
with it: its process group is killed, and processes that left the group come back to the worker (a
child subreaper) and are killed too. Importing this module is cheap: the libraries load in main().
"""
from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import select
import signal
import sys
import time
from pathlib import Path

from .jobs import Capture, run_job, seed
from .wire import Ending, Reply, connection

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36  # prctl(2) options (Linux)


def main(argv: list[str]) -> None:
    """argv: deck, cache root, job fd, event fd, preload modules (comma separated)."""
    deck, cache_root, job_fd, event_fd, preload = argv[0], argv[1], int(argv[2]), int(argv[3]), argv[4]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build process decides when to stop
    sys.path.insert(0, deck)
    os.chdir(deck)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    for name in filter(None, preload.split(",")):
        if not _in_deck(name, deck):  # the deck's own modules are imported fresh by each job
            try:
                importlib.import_module(name)
            except Exception:  # the job that needs it reports the error properly
                pass
    # Children never collect the libraries' objects, so their pages stay shared after fork.
    gc.freeze()
    jobs, events = connection(job_fd, reading=True), connection(event_fd, reading=False)
    events.send("ready")
    from .cache import Cache

    cache = Cache(Path(cache_root))
    while True:
        try:
            job = jobs.recv()
        except EOFError:  # the build process is done with us
            return
        _supervise(job, cache, Path(deck), jobs, events)


def _in_deck(name: str, deck: str) -> bool:
    """True when the top-level module `name` is a file or folder of the deck itself (a warm worker would
    keep it stale). Only the deck's own top level counts: a virtual environment inside the deck folder
    (`.venv/`) holds libraries, which are exactly what must be preloaded."""
    try:
        spec = importlib.util.find_spec(name.partition(".")[0])
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    if spec.submodule_search_locations:  # a package: its folder
        places = [Path(location) for location in spec.submodule_search_locations]
    else:  # a module: its file
        places = [Path(spec.origin)] if spec.origin else []
    return any(place.parent == Path(deck) for place in places)


def _supervise(job: dict, cache, deck: Path, jobs, events) -> None:
    """Fork a child for the job, relay its messages, kill it at the deadline, report how it ended."""
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:
        _die_with(worker)
        os.close(read_end)
        os.close(jobs.fileno())
        os.close(events.fileno())
        _child(job, cache, deck, write_end)
    os.close(write_end)
    _set_group(pid)
    pidfd = os.pidfd_open(pid)
    child = connection(read_end, reading=True)
    watched, timed_out = [read_end, pidfd, jobs.fileno()], False
    deadline = started + job["timeout"]
    while pidfd in watched:
        ready, _, _ = select.select(watched, [], [], max(0.0, deadline - time.perf_counter()))
        if not ready:
            timed_out = True
            break
        if jobs.fileno() in ready:  # the build process went away: stop everything
            _kill_group(pid)
            _kill_strays(pid)
            sys.exit(0)
        if read_end in ready:
            _relay(child, events, watched)
        if pidfd in ready:
            watched.remove(pidfd)
    _kill_group(pid)  # also ends anything the job started itself
    _, status = os.waitpid(pid, 0)
    _kill_strays(pid)
    while read_end in watched and child.poll():  # what it said before it ended
        _relay(child, events, watched)
    child.close()
    os.close(pidfd)
    events.send(_ending(timed_out, status, time.perf_counter() - started))


def _relay(child, events, watched: list) -> None:
    """Forward one message of the child to the build process (at its end: stop watching it)."""
    try:
        events.send(child.recv())
    except EOFError:  # closed, or cut short by a kill
        watched.remove(child.fileno())


def _prctl(option: int, value: int) -> bool:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(option, value) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def _die_with(worker: int) -> None:
    """Linux: have the kernel kill this child when the worker dies, even by SIGKILL (`kill -9` of the
    build's process group), so that no training outlives a killed build. The child has its own group."""
    if _prctl(PR_SET_PDEATHSIG, signal.SIGKILL) and os.getppid() != worker:
        os._exit(1)  # the worker died before prctl took effect


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


def _kill_strays(job_pid: int) -> None:
    """Kill and reap the worker's children other than jobs: processes a job started in a new session or
    group (a daemon), handed to the worker when their parent ended. Linux only (/proc)."""
    me = str(os.getpid())
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if fields[1] == me and int(entry.name) != job_pid:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                os.waitpid(int(entry.name), 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _ending(timed_out: bool, status: int, seconds: float) -> Ending:
    if timed_out:
        return Ending(seconds, timeout=True)
    if os.WIFSIGNALED(status):
        return Ending(seconds, signal=signal.Signals(os.WTERMSIG(status)).name)
    return Ending(seconds, code=os.waitstatus_to_exitcode(status))


def _child(job: dict, cache, deck: Path, out_fd: int) -> None:
    """Run one job in this forked process and never return."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # The worker's import system remembers folder listings from its start; a folder that gained a
    # file in the same clock tick would look unchanged, and every job would miss the new module.
    importlib.invalidate_caches()
    captured = Capture()
    sys.stdout = captured
    seed()
    out = connection(out_fd, reading=False)
    reply = run_job(job, cache, deck, captured, out.send)
    try:
        out.send(reply if isinstance(reply, Reply) else Reply("error", error=repr(reply)))
        sys.stderr.flush()
    finally:
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
