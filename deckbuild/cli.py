"""The command line: parse arguments, call one pipeline function, print problems, set the exit status."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import DeckError

VERBS = ("build", "check", "pdf", "notebooks", "serve")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="build.py", description="Build a lecture deck whose code is real.")
    verbs = main.add_subparsers(dest="verb", required=True, metavar="{" + ",".join(VERBS) + "}")

    def verb(name: str, help: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, help=help)
        sub.add_argument("--deck", type=Path, default=Path("."), help="deck folder (default: current folder)")
        sub.add_argument("--device", default="cpu", help="cpu (default), cuda or auto for training")
        sub.add_argument("--verbose", action="store_true", help="full tracebacks of failing lecture code")
        return sub

    verb("build", "build the deck into OUT/index.html").add_argument("--out", type=Path, help="default: DECK/build/site")
    verb("check", "resolve every reference and run every snippet")
    verb("pdf", "export build/deck.pdf (or build/handout.pdf)").add_argument("--handout", action="store_true")
    verb("notebooks", "export executed notebooks to build/notebooks")
    serve = verb("serve", "serve on 127.0.0.1, rebuild and reload on save")
    serve.add_argument("--port", type=int, default=8000)
    return main


def run(args: argparse.Namespace) -> None:
    root = args.deck.resolve()
    started = time.perf_counter()
    if args.verb == "build":
        out = (args.out or root / "build" / "site").resolve()
        count, fresh = build_unless_current(root, out, args.device, args.verbose)
        print(f"built {out / 'index.html'} ({count} references{', up to date' * fresh}, {time.perf_counter() - started:.2f} s)")
        return
    from .pipeline import Options, check

    options = Options(device=args.device, verbose=args.verbose)
    if args.verb == "check":
        refs = check(root, options)
        print(f"checked {len(refs)} references in {time.perf_counter() - started:.2f} s: all good")
    elif args.verb == "pdf":
        from .pdf import export_pdf

        site = root / "build" / "site"
        build_unless_current(root, site, args.device, args.verbose)  # instant when nothing changed
        path = export_pdf(root, site, handout=args.handout)
        print(f"wrote {path} in {time.perf_counter() - started:.2f} s")
    elif args.verb == "notebooks":
        from .notebooks import export_notebooks

        paths = export_notebooks(root, options=options)
        print(f"wrote {len(paths)} executed notebooks to {paths[0].parent if paths else root / 'build/notebooks'}"
              f" in {time.perf_counter() - started:.2f} s")
    elif args.verb == "serve":
        from .serve import serve

        serve(root, port=args.port, options=options)


def build_unless_current(root: Path, out: Path, device: str = "cpu", verbose: bool = False) -> tuple[int, bool]:
    """(references, True) when `out` is already built from these very inputs; else build it,
    importing the pipeline only then, and return (references, False)."""
    from .stamp import Stamp

    stamp = Stamp(root, out, device) if (root / "deck.toml").is_file() else None  # not a deck: build() says so
    if stamp and (count := stamp.current()) is not None:
        return count, True
    from .pipeline import Options, build

    refs = build(root, out, Options(device=device, verbose=verbose))
    if stamp:
        stamp.record(len(refs))
    return len(refs), False


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        run(args)
    except DeckError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
