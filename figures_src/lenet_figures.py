"""Figures of the trained LeNet: its filters, its feature maps, its training and its mistakes."""
from __future__ import annotations

import matplotlib
import matplotlib.ticker
import numpy as np
import torch
from torchvision.utils import make_grid

from code_snippets.data import load_digits
from code_snippets.inspection import layer_activity
from figures_src._style import (BLUE, DIGIT_CMAP, DIVERGING_CMAP, RED, new_figure,
                                strip_axes)

EXAMPLE_INDEX = 1  # the test digit shown travelling through the network


def _grid(maps, nrow, pad_value=float("nan")):
    """Tile maps [N, H, W] into one image with make_grid; NaN gaps show as background."""
    grid = make_grid(maps[:, None], nrow=nrow, padding=1, pad_value=pad_value)
    return grid[0]  # make_grid copies a single channel to three; keep one


def _with_gaps(cmap, gap_color="white"):
    """A colormap that draws NaN cells (gaps between tiles, masked cells) in `gap_color`."""
    return matplotlib.colormaps[cmap].with_extremes(bad=gap_color)


def lenet_filters(trained_lenet):
    """The 32 first-layer filters of the trained LeNet (3x3 each), each scaled to [-1, 1]."""
    weights = trained_lenet["model"].conv1.weight.detach()[:, 0]        # [32, 3, 3]
    scaled = weights / weights.abs().amax(dim=(1, 2), keepdim=True)
    fig = new_figure(9, 4.5)
    ax = fig.subplots()
    image = ax.imshow(_grid(scaled, nrow=8).numpy(), cmap=_with_gaps(DIVERGING_CMAP),
                      vmin=-1, vmax=1)
    strip_axes(ax)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, ticks=[-1, 0, 1])
    bar.ax.set_yticklabels(["most negative", "0", "most positive"])
    return fig


def lenet_feature_maps(trained_lenet):
    """One test digit and its activation maps after conv1 (32) and conv2 (first 32 of 64)."""
    digit = load_digits(train=False)[0][EXAMPLE_INDEX:EXAMPLE_INDEX + 1]
    with torch.no_grad():
        activity = layer_activity(trained_lenet["model"], digit)
    fig = new_figure(12, 3.4)
    axes = fig.subplots(1, 3, width_ratios=[0.5, 1, 1])
    axes[0].imshow(digit[0, 0].numpy(), cmap=DIGIT_CMAP)
    axes[0].set_title("input")
    for ax, name in zip(axes[1:], ("conv1", "conv2")):
        maps = activity[name][0]
        n, size = len(maps), maps.shape[-1]
        maps = maps[:32] / maps[:32].amax(dim=(1, 2), keepdim=True).clamp_min(1e-6)  # to [0, 1]
        ax.imshow(_grid(maps, nrow=8).numpy(), cmap=_with_gaps("magma"), vmin=0, vmax=1)
        shown = "all 32" if n == 32 else f"32 of {n}"
        ax.set_title(f"{name} after ReLU: {shown} maps, {size}×{size}")
    strip_axes(*axes)
    return fig


def lenet_training_curve(trained_lenet):
    """Training loss per batch (and its running mean) and test accuracy after each epoch."""
    history = trained_lenet["history"]
    losses = np.array(history["train_loss"])
    per_epoch = history.get("steps_per_epoch", len(losses) // len(history["test_accuracy"]))
    epochs = np.arange(1, len(losses) + 1) / per_epoch
    window = min(25, len(losses))
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
    fig = new_figure(10, 4)
    left, right = fig.subplots(1, 2)
    left.plot(epochs, losses, color=BLUE, alpha=0.3, linewidth=1, label="each batch")
    left.plot(epochs[window - 1:], smooth, color=BLUE, label=f"mean of {window} batches")
    left.set_xlabel("epoch")
    left.set_ylabel("training loss (cross-entropy)")
    left.legend(frameon=False)
    accuracy = np.array(history["test_accuracy"]) * 100
    right.plot(np.arange(1, len(accuracy) + 1), accuracy, color=RED, marker="o")
    for epoch, value in enumerate(accuracy, start=1):
        right.annotate(f"{value:.1f}%", (epoch, value), textcoords="offset points",
                       xytext=(0, 10), ha="center", fontsize=12)
    right.set_xlabel("epoch")
    right.set_ylabel("test accuracy (%)")
    right.set_xticks(np.arange(1, len(accuracy) + 1))
    right.set_xlim(0.6, len(accuracy) + 0.4)
    right.set_ylim(min(accuracy.min() - 4, 90), 100)
    return fig


@torch.no_grad()
def _test_predictions(model):
    """Test images, their true labels and the model's predicted labels."""
    images, labels = load_digits(train=False)
    predictions = model.eval()(images).argmax(dim=1)
    return images, labels, predictions


def lenet_confusion(trained_lenet):
    """Confusion matrix on the test digits; mistakes coloured, correct counts in grey."""
    _, labels, predictions = _test_predictions(trained_lenet["model"])
    counts = torch.zeros(10, 10, dtype=torch.long)
    counts.index_put_((labels, predictions), torch.ones_like(labels), accumulate=True)
    mistakes = counts.numpy().astype(float)
    np.fill_diagonal(mistakes, np.nan)               # colour only the errors
    fig = new_figure(6.5, 5.5)
    ax = fig.subplots()
    image = ax.imshow(mistakes, cmap=_with_gaps("Reds", "#e4e4e4"), vmin=0)
    for (true, predicted), n in np.ndenumerate(counts.numpy()):
        if n:
            dark = true != predicted and n > 0.6 * np.nanmax(mistakes)
            ax.text(predicted, true, str(n), ha="center", va="center", fontsize=12,
                    color="white" if dark else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    bar = fig.colorbar(image, ax=ax, shrink=0.8, label="wrong predictions")
    bar.ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    return fig


def lenet_mistakes(trained_lenet):
    """The first 16 misclassified test digits, each with its true and predicted label."""
    images, labels, predictions = _test_predictions(trained_lenet["model"])
    wrong = torch.nonzero(labels != predictions).flatten()[:16]
    fig = new_figure(10, 3.6)
    axes = fig.subplots(2, 8).flatten()
    for ax, k in zip(axes, wrong):
        ax.imshow(images[k, 0].numpy(), cmap=DIGIT_CMAP)
        ax.set_title(f"{labels[k]} → {predictions[k]}", color=RED, fontsize=14)
    strip_axes(*axes)
    return fig
