"""Pooling: max and mean over small windows, and how much a one-pixel shift still matters."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

WORKED_INPUT = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
SOBEL_X = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]  # responds to vertical edges


def pool2d(x: torch.Tensor, reduce: Callable, size: int = 2, stride: int = 1) -> torch.Tensor:
    """Summarize every size x size window of x, moved by stride, with one number."""
    n_rows = (x.shape[0] - size) // stride + 1
    n_cols = (x.shape[1] - size) // stride + 1
    out = torch.empty(n_rows, n_cols)
    for i in range(n_rows):
        for j in range(n_cols):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = reduce(window)
    return out


def max_pool2d(x: torch.Tensor, size: int = 2, stride: int = 1) -> torch.Tensor:
    """out[i, j] = max of the window: keeps whether a feature is present, not where."""
    return pool2d(x, torch.max, size, stride)


def mean_pool2d(x: torch.Tensor, size: int = 2, stride: int = 1) -> torch.Tensor:
    """out[i, j] = mean of the window: a local blur followed by subsampling."""
    return pool2d(x, torch.mean, size, stride)


def edge_features(images: torch.Tensor) -> torch.Tensor:
    """ReLU of vertical- and horizontal-edge maps (Sobel), same size as the images."""
    sobel_x = torch.tensor(SOBEL_X)
    kernels = torch.stack([sobel_x, sobel_x.T]).unsqueeze(1)  # (2 filters, 1 channel, 3, 3)
    return F.relu(F.conv2d(images, kernels, padding=1))


def change_after_shift(images: torch.Tensor, pool: Callable | None = None) -> float:
    """Mean relative change of the features when the images move one pixel to the right."""
    shifted = torch.roll(images, shifts=1, dims=-1)  # MNIST borders are empty: a clean shift
    before, after = edge_features(images), edge_features(shifted)
    if pool is not None:
        before, after = pool(before), pool(after)
    change = (after - before).flatten(1).norm(dim=1) / before.flatten(1).norm(dim=1)
    return change.mean().item()


def _test_digits(n: int = 200) -> torch.Tensor:
    """The first n real test digits, shape (n, 1, 28, 28)."""
    from code_snippets.data import load_digits  # imported here: loading data only when asked

    return load_digits(train=False)[0][:n]


def shift_change_without_pooling() -> float:
    """Relative change of Sobel edge features of 200 test digits after a one-pixel shift."""
    return change_after_shift(_test_digits())


def shift_change_with_max_pooling() -> float:
    """The same change measured after 2x2 max pooling with stride 2."""
    return change_after_shift(_test_digits(), nn.MaxPool2d(2))


def pooling_worked_example() -> None:
    """2x2 windows with stride 1 on a 3x3 input, by hand and with PyTorch."""
    x = torch.tensor(WORKED_INPUT)
    print("max pooling: ", max_pool2d(x).tolist())
    print("F.max_pool2d:", F.max_pool2d(x.view(1, 1, 3, 3), 2, stride=1)[0, 0].tolist())
    print("mean pooling:", mean_pool2d(x).tolist())
    print("F.avg_pool2d:", F.avg_pool2d(x.view(1, 1, 3, 3), 2, stride=1)[0, 0].tolist())


def maxpool2d_signature() -> None:
    """nn.MaxPool2d(kernel_size, stride=None, ...): stride defaults to the kernel size."""
    # [start:maxpool2d_signature]
    pool = nn.MaxPool2d(kernel_size=2)     # stride=None means stride = kernel_size = 2
    feature_maps = torch.rand(64, 32, 26, 26)
    pooled = pool(feature_maps)            # (64, 32, 13, 13): every channel halved
    # [end:maxpool2d_signature]
    print(f"MaxPool2d(kernel_size={pool.kernel_size}): stride = {pool.stride}")
    print(tuple(feature_maps.shape), "->", tuple(pooled.shape))


def pooling_tolerates_small_shifts() -> None:
    """How much edge features of 200 digits change when the digits move by one pixel."""
    digits = _test_digits()
    print("pooling after the edge features   relative change")
    print(f"none                              {change_after_shift(digits):.2f}")
    print(f"2x2 max, stride 2                 {change_after_shift(digits, nn.MaxPool2d(2)):.2f}")
    print(f"2x2 mean, stride 2                {change_after_shift(digits, nn.AvgPool2d(2)):.2f}")
    print(f"4x4 max, stride 4                 {change_after_shift(digits, nn.MaxPool2d(4)):.2f}")
