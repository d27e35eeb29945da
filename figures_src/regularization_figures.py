"""Figures for the regularization section: a dropout mask drawn, and a real dropout experiment."""
from __future__ import annotations

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from torch import nn

from figures_src._style import BLUE, GREEN, GREY, ORANGE, RED, new_figure

LAYER_SIZES = (4, 6, 6, 2)
P_DROP = 0.5
MASK_SEED = 12  # any seed gives real masks; this one drops the typical half


def _dropout_masks(layer_sizes, p: float, seed: int, n_steps: int) -> list[list[torch.Tensor]]:
    """Which units survive (True) in each layer at each training step: real nn.Dropout masks."""
    dropout = nn.Dropout(p).train()  # train mode: dropout is active
    steps = []
    with torch.random.fork_rng():  # leave the caller's random state alone
        torch.manual_seed(seed)
        for _ in range(n_steps):
            hidden = [dropout(torch.ones(n)) > 0 for n in layer_sizes[1:-1]]
            # Input and output units are kept: no dropout on the output layer
            steps.append([torch.ones(layer_sizes[0], dtype=torch.bool), *hidden,
                          torch.ones(layer_sizes[-1], dtype=torch.bool)])
    return steps


def _unit_positions(layer_sizes) -> list[list[tuple[float, float]]]:
    """(x, y) of every unit: layers left to right, units centred vertically."""
    tallest = max(layer_sizes)
    return [[(1.5 * layer, (tallest - 1) / 2 + (n - 1) / 2 - i) for i in range(n)]
            for layer, n in enumerate(layer_sizes)]


def _draw_network(ax, layer_sizes, masks) -> None:
    """Units as circles, connections as lines; dropped units crossed out with their lines gone."""
    positions = _unit_positions(layer_sizes)
    colours = [GREEN] + [BLUE] * (len(layer_sizes) - 2) + [ORANGE]
    for layer in range(len(layer_sizes) - 1):
        for i, (x0, y0) in enumerate(positions[layer]):
            for j, (x1, y1) in enumerate(positions[layer + 1]):
                if masks[layer][i] and masks[layer + 1][j]:
                    ax.plot([x0, x1], [y0, y1], color=GREY, lw=1.0, zorder=1)
    for layer, units in enumerate(positions):
        for i, (x, y) in enumerate(units):
            kept = bool(masks[layer][i])
            ax.add_patch(_circle((x, y), colours[layer] if kept else "white", kept))
            if not kept:
                ax.plot([x - 0.12, x + 0.12], [y - 0.12, y + 0.12], color=RED, lw=3, zorder=3)
                ax.plot([x - 0.12, x + 0.12], [y + 0.12, y - 0.12], color=RED, lw=3, zorder=3)
    ax.set_xlim(-0.4, 1.5 * (len(layer_sizes) - 1) + 0.4)
    ax.set_ylim(-0.6, max(layer_sizes) - 0.4)
    ax.set_aspect("equal")
    ax.axis("off")


def _circle(centre, facecolor: str, kept: bool):
    """One unit: a filled circle, or a dashed empty one when dropped."""
    return Circle(centre, 0.22, facecolor=facecolor, edgecolor="black" if kept else GREY,
                  lw=1.5, ls="-" if kept else "--", zorder=2)


def dropout_network() -> Figure:
    """A 4-6-6-2 network in full, then at two training steps with nn.Dropout(0.5) masks."""
    steps = _dropout_masks(LAYER_SIZES, P_DROP, MASK_SEED, n_steps=2)
    everything = [torch.ones(n, dtype=torch.bool) for n in LAYER_SIZES]
    fig = new_figure(10, 4.2)
    axes = fig.subplots(1, 3)
    _draw_network(axes[0], LAYER_SIZES, everything)
    axes[0].set_title("full network")
    for step, (ax, masks) in enumerate(zip(axes[1:], steps), start=1):
        _draw_network(ax, LAYER_SIZES, masks)
        n_dropped = sum(int((~m).sum()) for m in masks)
        n_hidden = sum(LAYER_SIZES[1:-1])
        ax.set_title(f"training step {step}:\n{n_dropped} of {n_hidden} hidden units dropped")
    return fig


def dropout_curves(dropout_experiment) -> Figure:
    """Train and test accuracy per epoch with and without dropout, and the test loss."""
    runs = {"no dropout": (dropout_experiment["history_plain"], RED),
            f"dropout p = {dropout_experiment['p_drop']}":
                (dropout_experiment["history_dropout"], BLUE)}
    fig = new_figure(10, 4.5)
    acc_ax, loss_ax = fig.subplots(1, 2)
    for name, (history, colour) in runs.items():
        epochs = range(1, len(history["test_accuracy"]) + 1)
        acc_ax.plot(epochs, history["train_accuracy"], "--", color=colour, label=f"{name}, train")
        acc_ax.plot(epochs, history["test_accuracy"], color=colour, label=f"{name}, test")
        loss_ax.plot(epochs, history["test_loss"], color=colour, label=name)
    acc_ax.set_ylim(0.75, 1.005)
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    acc_ax.legend(frameon=False, loc="lower right")
    loss_ax.set_ylim(0, 1.2)
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("test loss (cross-entropy)")
    loss_ax.legend(frameon=False)
    return fig
