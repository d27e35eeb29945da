"""Live preview: serve the built deck on 127.0.0.1, rebuild on save, reload the browser on its slide.

Three kinds of threads share one `Preview`: watchers turn file events into build requests, one
builder runs the builds (never two at once), and the HTTP server answers the browser. The page
gets livereload.js, which listens on /__events (Server-Sent Events) for the build status.
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from pathlib import Path

from .config import ENGINE_ROOT
from .errors import DeckError, Problem, relpath
from .pipeline import Options, build
from .preview_http import bind
from .deps import DECK_PACKAGES, library_imports
from .runner import has_warm_worker, kept_warm, warm_up

SOURCES = ("slides", "code_snippets", "figures_src", "themes")  # folders of the deck that are watched
# Saves closer together than QUIET seconds make one build; the watcher reports every STEP_MS.
QUIET, STEP_MS = 0.05, 10


class Preview:
    """A running live preview of the deck in `root`; a context manager, or start() and stop()."""

    def __init__(self, root: Path, out: Path | None = None, port: int = 0, options: Options = Options(),
                 quiet: float = QUIET):
        self.root = Path(root).resolve()
        # Not build/site: the preview rebuilds on every save, and a `build` or `pdf` run in
        # another terminal must neither replace the folder it serves nor have its own replaced.
        self.out = Path(out).resolve() if out else self.root / "build" / "serve"
        self.options, self.quiet = options, quiet
        self.server = bind(port, self)
        self.url = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}/"
        self._changed = threading.Condition()  # guards everything below and wakes waiting threads
        self._pending: set[str] = set()  # paths saved since the last build started
        self._wanted = False  # a build is wanted (the first one has no saved path)
        self._last_request = 0.0
        self._status = {"version": 0, "builds": 0, "building": False, "problems": [], "seconds": 0.0}
        self._stamp = 0  # counts status changes, so that event streams know when to send
        self._stopping = threading.Event()
        self._rewatch = threading.Event()  # set when a source folder appears (or on stop)
        self._threads = [threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                          name="preview-http", daemon=True),
                         threading.Thread(target=self._watch_root, name="preview-watch-root", daemon=True),
                         threading.Thread(target=self._watch_sources, name="preview-watch", daemon=True)]
        self._builder = threading.Thread(target=self._build_loop, name="preview-build", daemon=True)

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> Preview:
        """Serve at once (the last good deck, if any), and start the first build."""
        for thread in [*self._threads, self._builder]:
            thread.start()
        self.request()
        return self

    def stop(self, build_wait: float = 2.0) -> None:
        """Stop serving and watching; a build still running after `build_wait` s is abandoned
        (its worker process ends with ours, and the cache only ever holds complete entries)."""
        self._stopping.set()
        self._rewatch.set()
        with self._changed:
            self._changed.notify_all()
        if self._threads[0].ident is not None:  # serve_forever was started: shutdown() waits for it
            self.server.shutdown()
        self.server.server_close()  # waits for the request threads, event streams included
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=5)
        if self._builder.is_alive():
            self._builder.join(timeout=build_wait)
        if self._builder.is_alive():
            if sys.stderr.isatty():  # a progress bar stopped mid-way leaves the cursor hidden
                sys.stderr.write("\x1b[?25h")
            print("stopped during a build; it is abandoned (the cache keeps only finished results)", file=sys.stderr)

    def status(self) -> dict:
        """The state the browser sees: good-build `version`, `builds` run, `building`, `problems`."""
        with self._changed:
            return dict(self._status, problems=list(self._status["problems"]))

    def request(self, paths: set[str] = frozenset()) -> None:
        """Ask for a build that includes `paths` (saved files); saves close together make one build."""
        with self._changed:
            self._pending |= set(paths)
            self._wanted, self._last_request = True, time.monotonic()
            self._changed.notify_all()

    def next_event(self, seen: int, timeout: float) -> tuple[int, dict] | None:
        """For an event stream: (stamp, status) once the status differs from stamp `seen` or
        `timeout` s passed; None when the preview stops."""
        with self._changed:
            self._changed.wait_for(lambda: self._stamp != seen or self._stopping.is_set(), timeout)
            return None if self._stopping.is_set() else (self._stamp, self.status())

    # --- building ---

    def _build_loop(self) -> None:
        """One build at a time, for as long as the preview runs; the worker process that runs the
        deck's code stays warm from one build to the next (each job still runs in a fresh fork)."""
        with kept_warm():
            self._builds()

    def _builds(self) -> None:
        while (changed := self._take_request()) is not None:
            started = time.perf_counter()
            problems = self._build_once()
            seconds = time.perf_counter() - started
            if self._stopping.is_set():
                return
            why = f" after {changed} changed" if changed else ""
            if problems:  # the terminal first, then the browser
                print("\n".join(problems), file=sys.stderr)
                print(f"build failed{why} ({seconds:.2f} s); the browser keeps the last good deck", file=sys.stderr)
            else:
                print(f"built{why} ({seconds:.2f} s)", file=sys.stderr)
            if not has_warm_worker():
                self._warm_up()
            with self._changed:
                self._set_status(building=False, seconds=round(seconds, 3), problems=problems,
                                 builds=self._status["builds"] + 1, version=self._status["version"] + (not problems))

    def _warm_up(self) -> None:
        """A worker ready for the next code edit, with the libraries the deck's code imports (each job
        still imports the deck's own modules afresh)."""
        sources = []
        for package in DECK_PACKAGES:
            for path in sorted((self.root / package).glob("**/*.py")):
                try:
                    sources.append(path.read_text(encoding="utf-8-sig"))
                except (OSError, UnicodeDecodeError):  # the build reports it
                    continue
        if not sources:
            return
        try:
            warm_up(self.root, self.root / ".cache", sorted(library_imports(sources)))
        except OSError as error:  # the next build that runs code starts a worker itself
            print(f"could not start a worker ahead of time: {error}", file=sys.stderr)

    def _take_request(self) -> str | None:
        """Wait for a wanted build and `quiet` s without saves; the saved paths, None when stopping."""
        with self._changed:
            while not self._stopping.is_set():
                quiet_for = time.monotonic() - self._last_request
                if self._wanted and quiet_for >= self.quiet:
                    changed = ", ".join(sorted(relpath(p, self.root) for p in self._pending))
                    # Cleared before the build starts: saves during the build ask for the next one.
                    self._wanted, self._pending = False, set()
                    self._set_status(building=True)
                    return changed
                self._changed.wait(self.quiet - quiet_for if self._wanted else None)
            return None

    def _build_once(self) -> list[str]:
        """Build into self.out; the problems as `path:line: message` lines (none on success)."""
        try:
            build(self.root, self.out, self.options)
            return []
        except DeckError as error:
            return [str(problem) for problem in error.problems]
        except Exception as error:  # an engine bug: keep the traceback, and keep serving
            if self._stopping.is_set():
                return [f"stopped: {error}"]
            traceback.print_exc()
            return [str(Problem("deckbuild", 0, f"engine error {type(error).__name__}: {error} (see the terminal)"))]

    def _set_status(self, **changes) -> None:
        with self._changed:
            self._status.update(changes)
            self._stamp += 1
            self._changed.notify_all()

    # --- watching ---

    def _watch_root(self) -> None:
        """deck.toml, and source folders that appear after the start (the deck root is not
        watched recursively: it may hold .venv/ or node_modules/ with thousands of folders)."""
        from watchfiles import watch

        for changes in watch(self.root, recursive=False, step=STEP_MS, stop_event=self._stopping):
            names = {Path(path).name for _, path in changes}
            if set(SOURCES) & names:
                self._rewatch.set()
            if "deck.toml" in names or set(SOURCES) & names:
                self.request({path for _, path in changes if Path(path).name in {"deck.toml", *SOURCES}})

    def _watch_sources(self) -> None:
        """Every file under the source folders, and the engine's themes; __pycache__ and editor
        swap files are ignored (watchfiles' default filter)."""
        from watchfiles import watch

        while not self._stopping.is_set():
            self._rewatch.clear()
            if self._stopping.is_set():  # stop() may have set _rewatch just before the clear
                return
            folders = [self.root / name for name in SOURCES if (self.root / name).is_dir()]
            if (ENGINE_ROOT / "themes").is_dir() and ENGINE_ROOT != self.root:
                folders.append(ENGINE_ROOT / "themes")
            if not folders:
                self._rewatch.wait()
                continue
            for changes in watch(*folders, step=STEP_MS, stop_event=self._rewatch):
                self.request({path for _, path in changes})


def serve(root: Path, port: int = 8000, options: Options = Options()) -> None:
    """`build.py serve`: preview the deck until Ctrl-C."""
    with Preview(root, port=port, options=options) as preview:
        print(f"serving {preview.root} at {preview.url} (Ctrl-C stops)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
