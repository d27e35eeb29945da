"""Pooling: max and mean over small windows, and tolerance to small shifts."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

WORKED_INPUT = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
SOBEL_X = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]


def pool2d(x: torch.Tensor, reduce: Callable, size=2, stride=1):
    """Summarize each size x size window, moved by stride, by one number."""
    rows = (x.shape[0] - size) // stride + 1
    cols = (x.shape[1] - size) // stride + 1
    out = torch.empty(rows, cols)
    for i in range(rows):
        for j in range(cols):
            top, left = i * stride, j * stride
            window = x[top:top + size, left:left + size]
            out[i, j] = reduce(window)
    return out


def max_pool2d(x: torch.Tensor, size=2, stride=1) -> torch.Tensor:
    """out[i, j] = max of the window: is the feature there, not where."""
    return pool2d(x, torch.max, size, stride)


def mean_pool2d(x: torch.Tensor, size=2, stride=1) -> torch.Tensor:
    """out[i, j] = mean of the window: blur, then subsample."""
    return pool2d(x, torch.mean, size, stride)


def edge_features(images: torch.Tensor) -> torch.Tensor:
    """ReLU of vertical- and horizontal-edge maps (Sobel), same size."""
    sobel_x = torch.tensor(SOBEL_X)  # responds to vertical edges
    kernels = torch.stack([sobel_x, sobel_x.T]).unsqueeze(1)  # (2, 1, 3, 3)
    return F.relu(F.conv2d(images, kernels, padding=1))


def change_after_shift(images: torch.Tensor, pool=None) -> float:
    """Mean relative change of the features when images move 1 pixel right."""
    shifted = torch.roll(images, shifts=1, dims=-1)  # digit borders are empty
    before, after = edge_features(images), edge_features(shifted)
    if pool is not None:
        before, after = pool(before), pool(after)
    change = (after - before).flatten(1).norm(dim=1)
    return (change / before.flatten(1).norm(dim=1)).mean().item()


def _test_digits(n: int = 200) -> torch.Tensor:
    """The first n real test digits, shape (n, 1, 28, 28)."""
    from code_snippets.data import load_digits  # data only when asked for

    return load_digits(train=False)[0][:n]


def shift_change_without_pooling() -> float:
    """Relative change of edge features of 200 digits after a 1-pixel shift."""
    return change_after_shift(_test_digits())


def shift_change_with_max_pooling() -> float:
    """The same change, measured after 2x2 max pooling with stride 2."""
    return change_after_shift(_test_digits(), nn.MaxPool2d(2))


def shift_change_with_mean_pooling() -> float:
    """The same change, measured after 2x2 mean pooling with stride 2."""
    return change_after_shift(_test_digits(), nn.AvgPool2d(2))


def pooling_worked_example() -> None:
    """2x2 windows with stride 1 on a 3x3 input, by hand and by PyTorch."""
    x = torch.tensor(WORKED_INPUT)
    batch = x.view(1, 1, 3, 3)  # PyTorch pools (batch, channels, H, W)
    results = [("max pooling", max_pool2d(x)),
               ("F.max_pool2d", F.max_pool2d(batch, 2, stride=1)[0, 0]),
               ("mean pooling", mean_pool2d(x)),
               ("F.avg_pool2d", F.avg_pool2d(batch, 2, stride=1)[0, 0])]
    for name, result in results:  # every entry is a whole number here
        print(f"{name + ':':<14}", result.round().long().tolist())


def maxpool2d_signature() -> None:
    """nn.MaxPool2d(kernel_size, stride=None): stride defaults to the size."""
    # [start:maxpool2d_layer]
    pool = nn.MaxPool2d(kernel_size=2)  # stride=None: stride = kernel_size
    feature_maps = torch.rand(64, 32, 26, 26)
    pooled = pool(feature_maps)         # (64, 32, 13, 13)
    # [end:maxpool2d_layer]
    print(f"MaxPool2d(kernel_size={pool.kernel_size}): stride = {pool.stride}")
    print(tuple(feature_maps.shape), "->", tuple(pooled.shape))


def pooling_tolerates_small_shifts() -> None:
    """How much the edge features of 200 digits change after a 1-pixel shift."""
    digits = _test_digits()
    pools = [("none", None), ("2x2 max, stride 2", nn.MaxPool2d(2)),
             ("2x2 mean, stride 2", nn.AvgPool2d(2)),
             ("4x4 max, stride 4", nn.MaxPool2d(4))]
    print("pooling after the edge features   relative change")
    for name, pool in pools:
        print(f"{name:<34}{change_after_shift(digits, pool):.2f}")
