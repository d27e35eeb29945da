"""Figures of LeNet-5: its architecture, its filters and feature maps, training and mistakes."""
from __future__ import annotations

import matplotlib
import numpy as np
import torch
from matplotlib.patches import FancyArrowPatch, Rectangle
from torchvision.utils import make_grid

from code_snippets.data import load_digits
from code_snippets.inspection import layer_activity
from code_snippets.lenet import LeNet5, output_shapes
from figures_src._style import (BLUE, DIGIT_CMAP, DIVERGING_CMAP, GREY, ORANGE, RED, SKY,
                                new_figure, strip_axes)

EXAMPLE_INDEX = 1  # the test digit shown travelling through the network
# What each layer does, in the words of the slide (the shapes come from a forward pass).
OPERATIONS = {"c1": "conv\n5×5", "s2": "max\n2×2", "c3": "conv\n5×5", "s4": "max\n2×2",
              "c5": "dense", "f6": "dense", "output": "dense"}
GAP = 1.5  # room between boxes for the arrow and its operation


def _grid(maps, nrow, pad_value=float("nan")):
    """Tile maps [N, H, W] into one image with make_grid; NaN gaps show as background."""
    grid = make_grid(maps[:, None], nrow=nrow, padding=1, pad_value=pad_value)
    return grid[0]  # make_grid copies a single channel to three; keep one


def _with_gaps(cmap, gap_color="white"):
    """A colormap that draws NaN cells (gaps between tiles, masked cells) in `gap_color`."""
    return matplotlib.colormaps[cmap].with_extremes(bad=gap_color)


def lenet_architecture():
    """LeNet-5 as boxes: one per layer, sized by its output, labelled with the computed shape."""
    shapes = output_shapes(LeNet5())
    fig = new_figure(12, 3.6)
    ax = fig.subplots()
    x = 0.0
    for name, shape in shapes.items():
        if len(shape) == 3:                      # maps: a square per stack, side ~ height
            channels, side = shape[0], shape[1]
            width = height = 0.4 + 2.2 * side / 28
            color = {"input": GREY, "s2": SKY, "s4": SKY}.get(name, BLUE)
            for k in range(min(channels, 4)):    # a few offset squares suggest the stack
                ax.add_patch(Rectangle((x + 0.12 * k, -height / 2 - 0.12 * k), width, height,
                                       facecolor=color, edgecolor="white", linewidth=1.5))
            width += 0.12 * 3
            label = "×".join(map(str, shape))
        else:                                    # a vector: a bar, height ~ number of units
            width, height = 0.35, 0.5 + 2.1 * shape[0] / 120
            ax.add_patch(Rectangle((x, -height / 2), width, height, facecolor=ORANGE))
            label = str(shape[0])
        centre = x + width / 2
        title = name.upper() if name in OPERATIONS and name != "output" else name
        ax.text(centre, 1.75, title, ha="center", fontsize=17, weight="bold")
        ax.text(centre, -1.95, label, ha="center", va="top", fontsize=16)
        if name in OPERATIONS:                   # the operation that made this layer
            ax.text(x - GAP / 2, 0.2, OPERATIONS[name], ha="center", va="bottom", fontsize=15,
                    color=GREY, linespacing=1.0)
            ax.add_patch(FancyArrowPatch((x - GAP + 0.2, 0), (x - 0.15, 0), arrowstyle="-|>",
                                         mutation_scale=18, color=GREY))
        x += width + GAP
    ax.set_xlim(-0.2, x - GAP + 0.2)
    ax.set_ylim(-2.6, 2.2)
    ax.set_aspect("equal")
    strip_axes(ax)
    return fig


def lenet_filters(trained_lenet5):
    """The 6 first-layer filters of the trained LeNet-5 (5x5 each), each scaled to [-1, 1]."""
    weights = trained_lenet5["model"].c1.weight.detach()[:, 0]        # [6, 5, 5]
    scaled = weights / weights.abs().amax(dim=(1, 2), keepdim=True)
    fig = new_figure(5.5, 4)                    # shown in a slide column, about 650 px wide
    axes = fig.subplots(2, len(scaled) // 2)
    for k, (ax, kernel) in enumerate(zip(axes.flatten(), scaled)):
        image = ax.imshow(kernel.numpy(), cmap=DIVERGING_CMAP, vmin=-1, vmax=1)
        ax.set_title(f"filter {k}", fontsize=16)
    strip_axes(*axes.flatten())
    bar = fig.colorbar(image, ax=axes, shrink=0.9, ticks=[-1, 0, 1])
    bar.ax.set_yticklabels(["−", "0", "+"], fontsize=16)
    return fig


def lenet_feature_maps(trained_lenet5):
    """One test digit, the 6 learned C1 filters with their maps, and the 16 maps of C3."""
    model = trained_lenet5["model"]
    digit = load_digits(train=False)[0][EXAMPLE_INDEX:EXAMPLE_INDEX + 1]
    with torch.no_grad():
        activity = layer_activity(model, digit)
    weights = model.c1.weight.detach()[:, 0]
    fig = new_figure(12, 3.4)
    left, middle, right = fig.subfigures(1, 3, width_ratios=[0.9, 3, 1.5], wspace=0.02)
    ax = left.subplots()
    ax.imshow(digit[0, 0].numpy(), cmap=DIGIT_CMAP)
    ax.set_title("input", fontsize=16)
    axes = middle.subplots(2, 6)
    for k in range(6):
        limit = weights[k].abs().max().item()    # each filter on its own colour scale
        axes[0, k].imshow(weights[k].numpy(), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        axes[1, k].imshow(activity["c1"][0, k].numpy(), cmap="magma", vmin=0)
    middle.suptitle("C1: filters (red +, blue −) and maps", fontsize=16)
    maps = activity["c3"][0]
    maps = maps / maps.amax(dim=(1, 2), keepdim=True).clamp_min(1e-6)  # each to [0, 1]
    grid_ax = right.subplots()
    grid_ax.imshow(_grid(maps, nrow=4).numpy(), cmap=_with_gaps("magma"), vmin=0, vmax=1)
    right.suptitle("C3: 16 maps, 10×10", fontsize=16)
    strip_axes(ax, grid_ax, *axes.flatten())
    return fig


def lenet_training_curve(trained_lenet5):
    """Training loss per batch (and its running mean) and test accuracy after each epoch."""
    history = trained_lenet5["history"]
    losses = np.array(history["train_loss"])
    per_epoch = history["steps_per_epoch"]
    epochs = np.arange(1, len(losses) + 1) / per_epoch
    window = min(25, len(losses))
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
    fig = new_figure(11, 4.2)
    left, right = fig.subplots(1, 2)
    left.plot(epochs, losses, color=BLUE, alpha=0.3, linewidth=1, label="each batch")
    left.plot(epochs[window - 1:], smooth, color=BLUE, label=f"mean of {window} batches")
    left.set_xlabel("epoch")
    left.set_ylabel("training loss")
    left.set_yscale("log")
    left.yaxis.set_major_formatter("{x:g}")  # 0.1, not 10^-1: superscripts would be too small to read
    left.legend(frameon=False)
    accuracy = np.array(history["test_accuracy"]) * 100
    n = np.arange(1, len(accuracy) + 1)
    right.plot(n, accuracy, color=RED, marker="o")
    right.annotate(f"{accuracy[-1]:.1f}%", (n[-1], accuracy[-1]), textcoords="offset points",
                   xytext=(0, -26), ha="center")
    right.set_xlabel("epoch")
    right.set_ylabel("test accuracy (%)")
    right.set_xlim(0.5, len(accuracy) + 0.5)
    right.set_ylim(min(accuracy.min() - 2, 90), 100)
    return fig


def lenet_mistakes(trained_lenet5):
    """The first 16 misclassified test digits, each with its true and predicted label."""
    images, labels = load_digits(train=False)
    with torch.no_grad():
        predictions = trained_lenet5["model"].eval()(images).argmax(dim=1)
    wrong = torch.nonzero(labels != predictions).flatten()[:16]
    fig = new_figure(10, 3.6)
    axes = fig.subplots(2, 8).flatten()
    for ax, k in zip(axes, wrong):
        ax.imshow(images[k, 0].numpy(), cmap=DIGIT_CMAP)
        ax.set_title(f"{labels[k]} → {predictions[k]}", color=RED, fontsize=16)
    strip_axes(*axes)
    return fig
