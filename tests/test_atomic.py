"""The one atomic writer: whole files only, with the mode any other file would get."""
from __future__ import annotations

import os
import stat

import pytest

from deckbuild.atomic import write_atomically


def test_a_written_file_gets_the_mode_open_would_give_it(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "deck.pdf", b"%PDF")
    finally:
        os.umask(old)
    assert (tmp_path / "deck.pdf").read_bytes() == b"%PDF"
    assert stat.S_IMODE((tmp_path / "deck.pdf").stat().st_mode) == 0o644  # readable by the web server, others


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "notes.ipynb"
    target.write_bytes(b"old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["notes.ipynb"]
