"""`make bench`: time a copy of the deck against the performance targets and print one table.

Every build runs the real command line (`python build.py ...`) in a subprocess, on a copy of the
deck in a temporary folder, so the deck and its cache are never touched. A FAIL is a result, not
an error: the exit status is 0 unless the benchmark itself cannot run.

    .venv/bin/python bench/bench.py [--deck DIR] [--runs N]
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # deckbuild: finding producers and snippet imports as the engine does

COPIED = ("deck.toml", "slides", "code_snippets", "figures_src", "themes", "data")
HEAVY = ("torch", "matplotlib")  # a no-change build imports neither
TRAINED = "trained_lenet5"  # the producer whose training is compared with a plain PyTorch loop
EPOCHS, BATCH, TEST_BATCH = 10, 64, 500  # how figures_src/models.py trains it (code_snippets.lenet)
GB = 1024**3


@dataclass
class Row:
    """One line of the table: samples in `unit`, the target, and whether it was met (None: not judged)."""

    what: str
    samples: list[float]
    unit: str  # "s", "GB" or "%"
    target: str
    passed: bool | None
    note: str = ""


@dataclass
class Run:
    """One finished command: wall seconds and what it printed."""

    seconds: float
    stdout: str
    stderr: str
    jobs: dict[str, float] = field(default_factory=dict)  # "drew X" / "computed X" / "ran N code snippets" -> s


# --- running the command line ---


def python_in(deck: Path) -> str:
    """The deck copy's own Python (copy_deck links this environment into it as .venv/)."""
    return str(deck / ".venv" / "bin" / Path(sys.executable).name)


def cli(deck: Path, *args: str, env: dict | None = None) -> Run:
    """`python build.py VERB --deck DECK ...`, timed from start to exit; a failure stops the bench."""
    command = [python_in(deck), str(ROOT / "build.py"), *args, "--deck", str(deck)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"bench: `{' '.join(command[1:])}` failed with status {done.returncode}:\n{done.stderr[-3000:]}")
    return Run(seconds, done.stdout, done.stderr, jobs_of(done.stderr))


JOB_LINE = re.compile(r"^((?:drew|computed) \S+|ran \d+ code snippets?) \((\d+(?:\.\d+)?) s\)$", re.M)


def jobs_of(stderr: str) -> dict[str, float]:
    """The engine's progress lines: {"drew lenet_filters": 0.7, "ran 3 code snippets": 1.2, ...}."""
    return {what: float(seconds) for what, seconds in JOB_LINE.findall(stderr)}


def ran_snippets(run: Run) -> int:
    return sum(int(what.split()[1]) for what in run.jobs if what.startswith("ran "))


def repeat(runs: int, step) -> list[Run]:
    """step(n) for n = 0..runs-1, each its own edit where the step edits."""
    return [step(n) for n in range(runs)]


# --- the deck copy and its edits ---


def copy_deck(source: Path, target: Path) -> Path:
    """The deck's own files, without build/ and .cache/: the first build is a cold one."""
    target.mkdir(parents=True)
    for name in COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns("__pycache__", "build", ".cache"))
        elif path.is_file():
            shutil.copy2(path, target / name)
    if not (target / "slides").is_dir() or not any((target / "slides").glob("*.md")):
        sys.exit(f"bench: {source} has no slides/*.md to build")
    # The README's layout: the Python environment lies inside the deck folder, so the copy gets a
    # link to this one and every command runs its Python from there. (In a copy without it, the
    # bench once timed a cold build of 50 s while `make slides` took 185 s: the engine took the
    # libraries under the deck for deck modules and imported torch again in every job.)
    (target / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return target


def first_heading(lines: list[str]) -> int:
    """Index of the first Markdown heading outside code fences (0 when there is none)."""
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,3} ", line):
            return i
    return 0


def edit_prose(deck: Path, text: str) -> None:
    """Add a paragraph under the first heading of the first slide file."""
    path = sorted((deck / "slides").glob("*.md"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    at = first_heading(lines) + 1
    path.write_text("\n".join(lines[:at] + ["", text, ""] + lines[at:]) + "\n", encoding="utf-8")


def append_comment(path: Path, text: str, line: int = 0) -> None:
    """Put `# text` at the end of line `line` (1-based; 0: the last line): new code, same behaviour."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1 if line else -1] += f"  # {text}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def slide_calls(deck: Path) -> set[tuple[str, str]]:
    """(kind, target) of every helper call written on the slides, e.g. ("figure", "lenet_filters")."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in (deck / "slides").glob("*.md"))
    return set(re.findall(r"""\b(output|value|figure)\(\s*["']([\w.:]+)["']""", text))


def snippet_users(deck: Path) -> dict[str, set[str]]:
    """code_snippets module -> the output()/value() targets whose code imports it (or lives in it)."""
    from deckbuild.deps import deck_closure

    users: dict[str, set[str]] = {}
    for kind, target in slide_calls(deck):
        module = target.partition(":")[0]
        if kind == "figure" or ":" not in target or not (deck / "code_snippets" / f"{module}.py").is_file():
            continue
        for path in deck_closure(deck, [deck / "code_snippets" / f"{module}.py"]):
            if path.parent.name == "code_snippets" and path.stem != "__init__":
                users.setdefault(path.stem, set()).add(target)
    return users


def drawn_from(deck: Path) -> set[str]:
    """code_snippets modules that some figures_src module imports: editing them redraws (or retrains)."""
    from deckbuild.deps import deck_closure

    files = deck_closure(deck, sorted((deck / "figures_src").glob("*.py")))
    return {path.stem for path in files if path.parent.name == "code_snippets" and path.stem != "__init__"}


def edited_figure(deck: Path, drawn: dict[str, float]):
    """The figure on the slides to restyle: of those drawn from another producer's result (a trained
    model), the one that was quickest to draw in the cold build; any figure when none is."""
    from deckbuild.figures import index_producers

    producers = index_producers(deck)
    used = [producers[t] for k, t in sorted(slide_calls(deck)) if k == "figure" and t in producers]
    if not used:
        return None
    return min(used, key=lambda p: (not p.inputs, drawn.get(f"drew {p.name}", float("inf"))))


def function_end(path: Path, name: str) -> int:
    """The last line of a top-level function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return next(n.end_lineno for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)


# --- measurements ---


def process_tree(root_pid: int) -> list[int]:
    """root_pid and all its descendants, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_of(pid: int) -> int:
    """Resident bytes of one process (0 once it is gone), from /proc/PID/statm: cheap to read."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError):
        return 0


def pss_of(pid: int) -> int:
    """Proportional bytes of one process (shared pages split among their users), from smaps_rollup."""
    try:
        return int(re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M)[1]) * 1024
    except (OSError, TypeError):
        return 0


class TreeMemory:
    """Peaks of the summed RSS and PSS of a process tree. The tree is looked up 4 times a second, its
    RSS summed 20 times a second, its PSS twice a second: smaps_rollup walks the page tables under the
    process's memory lock, and reading it more often slows the very training it measures."""

    def __init__(self, pid: int):
        self.pid, self.peak_rss, self.peak_pss = pid, 0, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        pids, tick = [], 0
        while not self.done.wait(0.05):
            pids = process_tree(self.pid) if tick % 5 == 0 else pids
            self.peak_rss = max(self.peak_rss, sum(map(rss_of, pids)))
            if tick % 10 == 0:
                self.peak_pss = max(self.peak_pss, sum(map(pss_of, pids)))
            tick += 1

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def cold_build(deck: Path) -> tuple[Run, TreeMemory]:
    """The first build, from an empty cache, with the memory of its process tree watched."""
    command = [python_in(deck), str(ROOT / "build.py"), "build", "--deck", str(deck)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    if process.returncode != 0:
        sys.exit(f"bench: the cold build failed with status {process.returncode}:\n{stderr[-3000:]}")
    return Run(seconds, stdout, stderr, jobs_of(stderr)), memory


def audited_build(deck: Path, scratch: Path) -> tuple[set[str], list[str]]:
    """One more no-change build that reports every Python import (of the whole process tree) and
    every start of Node: (heavy modules imported, node command lines)."""
    shim, log = scratch / "shim", scratch / "node.log"
    shim.mkdir(exist_ok=True)
    real = shutil.which("node") or "false"
    (shim / "node").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    (shim / "node").chmod(0o755)
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1", PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")
    run = cli(deck, "build", env=env)
    imported = {line.rpartition("|")[2].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    heavy = {name for name in imported if name.split(".")[0] in HEAVY}
    return heavy, log.read_text().splitlines() if log.exists() else []


def plain_training(deck: Path) -> float:
    """Seconds for a plain PyTorch loop doing trained_lenet5's work (load, train, test each epoch), in this process."""
    import torch
    import torch.nn.functional as F
    from torchvision import datasets

    sys.path.insert(0, str(deck))
    from code_snippets.lenet import LeNet5

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as figures_src/models.py trains
    started = time.perf_counter()
    torch.manual_seed(0)
    train, test = (datasets.MNIST(deck / "data", train=flag) for flag in (True, False))
    images, labels = train.data.unsqueeze(1).float() / 255, train.targets
    test_images = test.data.unsqueeze(1).float() / 255  # predicted, as trained_lenet5 does, not scored
    model = LeNet5()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(EPOCHS):
        model.train()
        for batch in torch.randperm(len(labels)).split(BATCH):
            optimizer.zero_grad()
            F.cross_entropy(model(images[batch]), labels[batch]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for x in test_images.split(TEST_BATCH):
                model(x).argmax(dim=1)
    torch.set_num_threads(threads)
    return time.perf_counter() - started


def n_training_digits(deck: Path) -> int:
    from torchvision import datasets

    return len(datasets.MNIST(deck / "data", train=True).targets)


# --- the rows ---


def seconds_row(what: str, runs: list[Run], limit: float, note: str = "") -> Row:
    samples = [run.seconds for run in runs]
    return Row(what, samples, "s", f"< {limit:g} s", statistics.median(samples) < limit, note)


def cold_rows(deck: Path) -> tuple[list[Row], Run]:
    run, memory = cold_build(deck)
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # the kernel's peak of any one process
    computed = ", ".join(f"{what.split()[1]} {s:.0f} s" for what, s in run.jobs.items() if what.startswith("computed"))
    drawn = sum(what.startswith("drew") for what in run.jobs)
    note = f"{drawn} figures drawn; artifacts computed: {computed or 'none'}"
    rows = [seconds_row("cold build, empty cache, all training", [run], 90, note),
            Row("peak memory of the cold build (sum of RSS, process tree)", [memory.peak_rss / GB], "GB", "< 2 GB",
                memory.peak_rss < 2 * GB, f"sum of PSS {memory.peak_pss / GB:.2f} GB; largest process {largest / GB:.2f} GB")]
    return rows, run


def throughput_row(deck: Path, cold: Run, plain_s: list[float]) -> Row:
    """Samples per second of the engine's training job against the plain loop run just before and just
    after the cold build (so that both see the same machine), as a percentage."""
    engine_s = cold.jobs.get(f"computed {TRAINED}")
    if engine_s is None:
        return Row(f"training throughput ({TRAINED})", [], "%", ">= 80%", None, f"{TRAINED} was not trained by this deck")
    samples = EPOCHS * n_training_digits(deck)
    ratio = 100 * statistics.mean(plain_s) / engine_s
    plain = ", ".join(f"{samples / s:.0f}" for s in plain_s)
    note = f"engine {samples / engine_s:.0f} samples/s; plain loop {plain} samples/s (before, after the cold build)"
    return Row(f"training throughput, {TRAINED} vs plain PyTorch", [ratio], "%", ">= 80%", ratio >= 80, note)


def no_change_row(deck: Path, runs: int, scratch: Path) -> Row:
    timed = repeat(runs, lambda n: cli(deck, "build"))
    heavy, node = audited_build(deck, scratch)
    ran = any(run.jobs for run in timed)
    note = (f"imported: {', '.join(sorted(heavy)) or 'no torch, no matplotlib'}; "
            f"node started {len(node)}x; jobs run: {'yes' if ran else 'none'}")
    row = seconds_row("build, nothing changed", timed, 0.2, note)
    row.passed = row.passed and not heavy and not node and not ran
    return row


def prose_row(deck: Path, runs: int) -> Row:
    def step(n: int) -> Run:
        text = f"Prose edited by the benchmark, take {n}."
        edit_prose(deck, text)
        run = cli(deck, "build")
        if text not in (deck / "build" / "site" / "index.html").read_text(encoding="utf-8"):
            sys.exit("bench: the prose edit is missing from the built page")
        return run

    timed = repeat(runs, step)
    row = seconds_row("build after a prose edit of one slide", timed, 0.5)
    row.note = f"jobs run: {'yes' if any(run.jobs for run in timed) else 'none'}"
    row.passed = row.passed and not any(run.jobs for run in timed)
    return row


def snippet_row(deck: Path, runs: int) -> Row:
    """Edit the code_snippets module that the fewest (but at least two) slide calls depend on,
    one that no figure needs if there is such a module."""
    users = snippet_users(deck)
    if not users:
        return Row("build after editing a code_snippets module", [], "s", "", None, "no output()/value() on the slides")
    module = edited_module(deck, users)
    path = deck / "code_snippets" / f"{module}.py"

    def step(n: int) -> Run:
        append_comment(path, f"bench edit {n}")
        return cli(deck, "build")

    timed = repeat(runs, step)
    reran = [ran_snippets(run) for run in timed]
    overhead = [run.seconds - sum(run.jobs.values()) for run in timed]
    extra = sorted({what for run in timed for what in run.jobs if not what.startswith("ran ")})
    note = (f"{module}.py: {max(reran)} of {len(users[module])} dependent calls reran; also {', '.join(extra) or 'nothing else'}; "
            f"overhead beyond their compute {statistics.median(overhead):.2f} s")
    passed = max(reran) <= len(users[module]) and statistics.median(overhead) < 3
    return Row(f"build after editing code_snippets/{module}.py", [run.seconds for run in timed], "s",
               "< 3 s + own compute", passed, note)


def edited_module(deck: Path, users: dict[str, set[str]]) -> str:
    """The code_snippets module that the fewest (but at least two) slide calls depend on, one that no
    figure needs if there is such a module."""
    drawn = drawn_from(deck)
    return min(users, key=lambda m: (m in drawn, len(users[m]) < 2, len(users[m]), m))


def figure_row(deck: Path, runs: int, cold: Run) -> Row:
    producer = edited_figure(deck, cold.jobs)
    if producer is None:
        return Row("build after editing a figure's plotting code", [], "s", "", None, "no figure on the slides")
    path, end = deck / producer.path, function_end(deck / producer.path, producer.name)

    def step(n: int) -> Run:
        append_comment(path, f"bench edit {n}", end)
        return cli(deck, "build")

    timed = repeat(runs, step)
    reran = sorted({what for run in timed for what in run.jobs})
    passed = reran == [f"drew {producer.name}"]
    return Row(f"build after editing figure {producer.name}", [run.seconds for run in timed], "s",
               "that figure only, no training", passed, f"reran: {', '.join(reran) or 'nothing'}")


def pdf_row(deck: Path, runs: int) -> Row:
    return seconds_row("build.py pdf of the built deck", repeat(runs, lambda n: cli(deck, "pdf")), 6)


def preview_rows(deck: Path, runs: int) -> list[Row]:
    """`build.py serve`, a browser on it; seconds from saving a prose edit, then a code_snippets edit,
    to the reloaded page."""
    log = deck.parent / "serve.log"  # `built after slides/x.md changed (0.21 s)`: the rebuild's share
    module = deck / "code_snippets" / f"{edited_module(deck, snippet_users(deck))}.py"
    probe = add_probe(deck)
    with log.open("w") as stderr:
        prose, code, quick = _preview_latencies(deck, runs, stderr, module, probe)
    text = log.read_text()
    rebuilds = [float(s) for s in re.findall(r"^built after .* \((\d+\.\d+) s\)$", text, re.M)]
    note = f"of which the rebuild in `serve`: median {statistics.median(rebuilds[:runs]):.2f} s" if rebuilds else ""
    # The outputs' own compute, as each code edit's build reports it: lecture module edits, then probe edits.
    compute = [float(s) for s in re.findall(r"^ran \d+ code snippets? \((\d+\.\d+) s\)$", text, re.M)]

    def code_note(which: int) -> str:  # 0: the lecture module's edits, 1: the probe's
        ran = compute[-2 * runs:][which * runs:(which + 1) * runs]
        built = rebuilds[(which + 1) * runs:(which + 2) * runs]
        return (f"its outputs rerun in the warm worker ({statistics.median(ran):.2f} s of compute); "
                f"rebuild in `serve`: median {statistics.median(built):.2f} s" if ran and built else "")

    return [Row("live preview: save to reloaded page (prose edit)", prose, "s", "< 0.4 s",
                statistics.median(prose) < 0.4, note),
            Row(f"live preview: save to reloaded page (edit of {module.name})", code, "s", "(reported)", None,
                code_note(0)),
            Row("live preview: save to reloaded page (edit of a torch module, output < 0.3 s)", quick, "s", "< 1 s",
                statistics.median(quick) < 1, f"{probe.name} (added to the copy, used on the first slide): "
                + code_note(1))]


PROBE = "import torch\n\n\ndef probe():\n    print(torch.arange(4).sum().item())\n"


def add_probe(deck: Path) -> Path:
    """A code_snippets module whose output takes a few ms, used on the first slide: the lecture's own
    modules may all take longer than the 0.3 s that the code-edit target is about."""
    path = deck / "code_snippets" / "bench_probe.py"
    path.write_text(PROBE, encoding="utf-8")
    slide = sorted((deck / "slides").glob("*.md"))[0]
    slide.write_text(slide.read_text(encoding="utf-8") + '\n{{ output("bench_probe:probe") }}\n', encoding="utf-8")
    return path


def _preview_latencies(deck: Path, runs: int, stderr, module: Path, probe: Path) -> tuple[list[float], ...]:
    from playwright.sync_api import sync_playwright

    from deckbuild.browser import launch_chromium

    command = [python_in(deck), str(ROOT / "build.py"), "serve", "--deck", str(deck), "--port", "0"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        url = server.stdout.readline().split(" at ")[1].split()[0]
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=120_000)  # the first build
            prose = [_reload_latency(deck, page, f"Saved during the preview, take {n}.") for n in range(runs)]
            code = [_code_reload_latency(page, module, n) for n in range(runs)]
            quick = [_code_reload_latency(page, probe, n) for n in range(runs)]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return prose, code, quick


def _reload_latency(deck: Path, page, text: str) -> float:
    shown = ("window.Reveal && Reveal.isReady() && "
             f"document.querySelector('.reveal .slides').textContent.includes({text!r})")
    started = time.perf_counter()
    edit_prose(deck, text)
    page.wait_for_function(shown, timeout=30_000, polling=10)
    return time.perf_counter() - started


def _code_reload_latency(page, module: Path, n: int) -> float:
    """A comment appended to a module changes no text on the page: a flag set on the old page tells
    when the new one has replaced it."""
    page.evaluate("window.benchOldPage = true")
    started = time.perf_counter()
    append_comment(module, f"preview edit {n}")
    page.wait_for_function("!window.benchOldPage && window.Reveal && Reveal.isReady()", timeout=60_000, polling=10)
    return time.perf_counter() - started


# --- the table ---


def cell(value: float, unit: str) -> str:
    return f"{value:.0f}%" if unit == "%" else f"{value:.2f} {unit}"


def print_table(rows: list[Row], deck: Path) -> None:
    header = ("what", "min", "median", "max", "n", "target", "result", "notes")
    lines = [header]
    for row in rows:
        stats = [cell(f(row.samples), row.unit) for f in (min, statistics.median, max)] if row.samples else ["-"] * 3
        result = {True: "PASS", False: "FAIL", None: "n/a"}[row.passed]
        lines.append((row.what, *stats, str(len(row.samples)), row.target, result, row.note))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    print(f"\nbenchmark of {deck} ({os.cpu_count()} cores)")
    for n, line in enumerate(lines):
        print("  ".join(text.ljust(width) for text, width in zip(line, widths)) + "  " + line[-1])
        if n == 0:
            print("  ".join("-" * width for width in widths) + "  " + "-" * 5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deck", type=Path, default=ROOT, help="the deck to copy and build (default: this repository)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each cheap step (default 3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="deckbench-") as scratch:
        deck = copy_deck(args.deck.resolve(), Path(scratch) / "deck")
        print(f"cold build of a copy of {args.deck.resolve()} (this trains every model)...", file=sys.stderr)
        plain_before = plain_training(deck)
        rows, cold = cold_rows(deck)
        rows.append(throughput_row(deck, cold, [plain_before, plain_training(deck)]))
        print("timing rebuilds, PDF export and live preview...", file=sys.stderr)
        rows.append(no_change_row(deck, args.runs, Path(scratch)))
        rows.append(prose_row(deck, args.runs))
        rows.append(snippet_row(deck, args.runs))
        rows.append(figure_row(deck, args.runs, cold))
        rows.append(pdf_row(deck, args.runs))
        rows += preview_rows(deck, args.runs)
        from demo_latency import demo_rows  # the live demos of the built site (issue 20)

        rows += demo_rows(deck / "build" / "site", Row)
    print_table(rows, args.deck.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
