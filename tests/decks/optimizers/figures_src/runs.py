"""Producers: one artifact (three optimisers run on the valley) and the figures drawn from it."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from code_snippets import optim
from figures_src._style import COLOURS


def optimizer_runs(progress=None) -> dict:
    """An artifact, not a figure: every optimiser's path and loss curve, plus numbers for the prose.
    `progress(done, total, note)` is called after each optimiser when the build passes it."""
    optimizers = {"SGD": optim.SGD(), "Momentum": optim.Momentum(), "Adam": optim.Adam()}
    paths = {}
    for done, (name, opt) in enumerate(optimizers.items(), 1):
        paths[name] = optim.run(opt, steps=60)
        if progress is not None:
            progress(done, len(optimizers), name)
    losses = {name: [optim.loss(w) for w in path] for name, path in paths.items()}
    return {
        "paths": {name: path.tolist() for name, path in paths.items()},
        "losses": losses,
        "steps": 60,
        "final_loss_sgd": losses["SGD"][-1],
        "final_loss_adam": losses["Adam"][-1],
        "best": min(losses, key=lambda name: losses[name][-1]),
    }


def trajectories(optimizer_runs):
    """The three paths over the valley's contour lines."""
    xs, ys = np.meshgrid(np.linspace(-4.5, 1.5, 200), np.linspace(-2, 2, 200))
    zs = 0.5 * (optim.CURVATURE[0] * xs**2 + optim.CURVATURE[1] * ys**2)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.contour(xs, ys, zs, levels=np.geomspace(0.05, 40, 12), colors="0.7", linewidths=0.8)
    for name, path in optimizer_runs["paths"].items():
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], ".-", color=COLOURS[name], label=name, markersize=3)
    ax.plot(0, 0, "k*", markersize=12)
    ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def loss_curves(optimizer_runs):
    """Loss against step, log scale."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, curve in optimizer_runs["losses"].items():
        ax.semilogy(curve, color=COLOURS[name], label=name)
    ax.set(xlabel="step", ylabel="loss")
    ax.legend()
    fig.tight_layout()
    return fig


def lr_schedules():
    """Step decay and cosine annealing over 100 steps; needs no artifact.

    Alt: Step decay halves the learning rate every 30 steps; the cosine schedule falls smoothly
    from 0.1 to 0 over 100 steps.
    """
    t = np.arange(101)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(t, [optim.step_decay(i) for i in t], label="step decay")
    ax.plot(t, [optim.cosine(i) for i in t], label="cosine")
    ax.set(xlabel="step", ylabel="learning rate")
    ax.legend()
    fig.tight_layout()
    return fig
