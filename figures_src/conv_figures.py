"""Figures for convolution and pooling, drawn from real digits and a real photograph."""
from __future__ import annotations

import matplotlib.cbook
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from torch import nn

from code_snippets import pooling
from code_snippets.data import load_digits
from figures_src._style import (BLUE, DIGIT_CMAP, DIVERGING_CMAP, GREY, ORANGE, RED,
                                new_figure, strip_axes)

SOBEL_X = torch.tensor(pooling.SOBEL_X)  # the kernels the pooling slides use
SOBEL_Y = SOBEL_X.T

EXAMPLE_INDEX = 1  # a test digit with curved and straight strokes


def _example_digit() -> torch.Tensor:
    """One fixed test digit, [1, 1, 28, 28]."""
    images, _ = load_digits(train=False)
    return images[EXAMPLE_INDEX:EXAMPLE_INDEX + 1]


def _framed(ax) -> None:
    """No ticks, but a frame: white-on-white maps still show their extent."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(True)


def _show_kernel(ax, kernel) -> None:
    """A 3x3 kernel as coloured cells with its numbers written in."""
    ax.imshow(kernel.numpy(), cmap=DIVERGING_CMAP, vmin=-3, vmax=3)
    for (i, j), w in np.ndenumerate(kernel.numpy()):
        ax.text(j, i, f"{w:g}", ha="center", va="center", fontsize=14)
    _framed(ax)


def sobel_maps():
    """A digit, the Sobel x and y kernels, and the activation maps they produce."""
    digit = _example_digit()
    kernels = torch.stack([SOBEL_X, SOBEL_Y])[:, None]
    maps = F.conv2d(digit, kernels)[0]          # no flip: deep-learning "convolution"
    limit = maps.abs().max().item()
    fig = new_figure(11, 3.6)
    axes = fig.subplots(1, 5, width_ratios=[1, 0.7, 1, 0.7, 1])
    axes[0].imshow(digit[0, 0].numpy(), cmap=DIGIT_CMAP)
    axes[0].set_title("input {}×{}".format(*digit.shape[-2:]))
    panels = (("Sobel x", SOBEL_X, "vertical edges"), ("Sobel y", SOBEL_Y, "horizontal edges"))
    for k, (name, kernel, finds) in enumerate(panels):
        _show_kernel(axes[1 + 2 * k], kernel)
        axes[1 + 2 * k].set_title(name)
        image = axes[2 + 2 * k].imshow(maps[k].numpy(), cmap=DIVERGING_CMAP,
                                       vmin=-limit, vmax=limit)
        axes[2 + 2 * k].set_title("{}\n{}×{}".format(finds, *maps.shape[-2:]))  # two lines: clear of the colour bar
    strip_axes(axes[0])
    _framed(axes[2])
    _framed(axes[4])
    fig.colorbar(image, ax=axes[4], shrink=0.8, label="response")
    return fig


N_LEARNED_SHOWN = 6  # LeNet-5's first layer has 6 filters: all of them


def _strongest_first_layer_units(model, digit, n=N_LEARNED_SHOWN):
    """Indices of the n C1 units whose ReLU maps respond most to the digit, and all maps."""
    with torch.no_grad():
        maps = F.relu(model.c1(digit))[0]         # [6, 28, 28]: what LeNet-5 passes on
    strongest = maps.sum(dim=(1, 2)).argsort(descending=True)[:n]
    return strongest, maps


def lenet_first_layer_maps(trained_lenet5):
    """The digit of sobel_maps through trained LeNet-5's first layer: learned 5x5 filters, their maps."""
    model = trained_lenet5["model"].eval()
    digit = _example_digit()
    units, maps = _strongest_first_layer_units(model, digit)
    weights = model.c1.weight.detach()[:, 0]      # [6, 5, 5]
    fig = new_figure(11, 4.4)
    grid = fig.add_gridspec(2, 1 + len(units), width_ratios=[1.3] + [1] * len(units))
    input_ax = fig.add_subplot(grid[:, 0])
    input_ax.imshow(digit[0, 0].numpy(), cmap=DIGIT_CMAP)
    input_ax.set_title("input 28×28")
    strip_axes(input_ax)
    for column, unit in enumerate(units.tolist(), start=1):
        kernel_ax, map_ax = fig.add_subplot(grid[0, column]), fig.add_subplot(grid[1, column])
        kernel = weights[unit]
        limit = kernel.abs().max().item()         # each filter on its own colour scale
        kernel_ax.imshow(kernel.numpy(), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        kernel_ax.set_title(f"filter {unit}")
        map_ax.imshow(maps[unit].numpy(), cmap="magma", vmin=0)
        _framed(kernel_ax)
        _framed(map_ax)
    fig.supxlabel("top: learned 5×5 filters (red +, blue −); bottom: their maps after ReLU, 28×28",
                  fontsize=13)
    return fig


def _photograph(size=256) -> torch.Tensor:
    """Grace Hopper's portrait from matplotlib's sample data, grey, [1, 1, size, size]."""
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = torch.tensor(plt.imread(f), dtype=torch.float32) / 255
    grey = rgb.mean(dim=2)[None, None]
    return F.interpolate(grey, size=(size, size), mode="area")


def pooling_comparison():
    """A photograph and its edge map, each max-pooled and average-pooled over 8x8 windows."""
    photo = _photograph()
    edges = pooling.edge_features(photo)[:, :1]  # rectified Sobel x: one feature map
    edges = edges[..., 1:-1, 1:-1]               # drop the border that zero padding lights up
    fig = new_figure(9, 6)
    axes = fig.subplots(2, 3)
    for row, (name, image, cmap) in enumerate((("photograph", photo, DIGIT_CMAP),
                                                ("edge map", edges, "magma"))):
        versions = (image, F.max_pool2d(image, 8), F.avg_pool2d(image, 8))
        size = image.shape[-1]
        for ax, version, label in zip(axes[row], versions,
                                      (f"{name} {size}×{size}", "max pooling 8×8",
                                       "average pooling 8×8")):
            ax.imshow(version[0, 0].numpy(), cmap=cmap, vmin=0, vmax=image.max().item())
            ax.set_title(label)
            strip_axes(ax)
    return fig


def translation_tolerance():
    """Relative change of edge features of real digits after a 1-pixel shift, by pooling."""
    digits = load_digits(train=False)[0][:200]
    variants = (("no pooling", None, RED), ("max 2×2", nn.MaxPool2d(2), BLUE),
                ("mean 2×2", nn.AvgPool2d(2), GREY), ("max 4×4", nn.MaxPool2d(4), ORANGE))
    changes = [pooling.change_after_shift(digits, pool) for _, pool, _ in variants]
    fig = new_figure(7.5, 4.2)
    ax = fig.subplots()
    bars = ax.bar([name for name, _, _ in variants], changes,
                  color=[color for _, _, color in variants])
    ax.bar_label(bars, fmt="%.2f", padding=3)
    ax.set_ylabel("change after a 1-pixel shift")
    ax.set_ylim(0, max(changes) * 1.2)
    return fig
