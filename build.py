#!/usr/bin/env python3
"""Command line of the deck builder; see `python build.py --help` and README.md."""
import sys

from deckbuild.cli import main

if __name__ == "__main__":
    sys.exit(main())
