"""Figures for the initialization section: activations through depth under different scales."""
from __future__ import annotations

import torch
from matplotlib import colormaps
from matplotlib.figure import Figure
from torch import nn

from figures_src._style import BLUE, RED, new_figure

TANH_DEPTH = 5
TANH_WIDTH = 1000
RELU_DEPTH = 20
RELU_WIDTH = 512


def _standard_init_(weight: torch.Tensor) -> torch.Tensor:
    """Glorot's 'standard' heuristic U[-1/sqrt(n_in), 1/sqrt(n_in)], in place."""
    bound = weight.shape[1] ** -0.5  # weight has shape (n_out, n_in)
    return nn.init.uniform_(weight, -bound, bound)


def _kaiming_init_(weight: torch.Tensor) -> torch.Tensor:
    """He et al. (2015) for ReLU: N(0, 2 / n_in), in place."""
    return nn.init.kaiming_normal_(weight, nonlinearity="relu")


def _layer_activations(init_, activation, depth: int, width: int,
                       n_samples: int = 1000, seed: int = 0) -> list[torch.Tensor]:
    """Activations after each layer of a deep net (no biases) fed N(0, 1) inputs."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n_samples, width, generator=generator)
    activations = []
    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(seed)  # the init functions draw from the global generator
        for _ in range(depth):
            weight = init_(torch.empty(width, width))
            x = activation(x @ weight.T)
            activations.append(x)
    return activations


def init_tanh_histograms() -> Figure:
    """Histograms of each layer's tanh activations: 'standard' init against Xavier."""
    inits = {r"standard: $U[-1/\sqrt{n},\ 1/\sqrt{n}]$": _standard_init_,
             "Xavier (Glorot & Bengio)": nn.init.xavier_uniform_}
    fig = new_figure(10, 4.5)
    axes = fig.subplots(1, 2, sharey=True)
    shades = colormaps["viridis"](torch.linspace(0.0, 0.85, TANH_DEPTH).tolist())
    bins = torch.linspace(-1, 1, 51)
    for ax, (name, init_) in zip(axes, inits.items()):
        activations = _layer_activations(init_, torch.tanh, TANH_DEPTH, TANH_WIDTH)
        for layer, (values, shade) in enumerate(zip(activations, shades), start=1):
            counts, _ = torch.histogram(values.flatten(), bins)
            share = counts / counts.sum()  # fraction of activations in each bin
            ax.stairs(share, bins, color=shade, lw=2.5, label=f"layer {layer}")
        ax.set_title(name)
        ax.set_xlabel("activation value (tanh)")
        ax.set_xlim(-1, 1)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    axes[0].set_ylabel("fraction of units")
    axes[1].legend(frameon=False, loc="upper right")
    return fig


def init_relu_std() -> Figure:
    """Std of the activations at each layer of a 20-layer ReLU net: Xavier against Kaiming."""
    runs = {"Kaiming (He et al.)": (_kaiming_init_, BLUE),
            "Xavier": (nn.init.xavier_uniform_, RED)}
    fig = new_figure(8, 4.5)
    ax = fig.add_subplot()
    for name, (init_, colour) in runs.items():
        activations = _layer_activations(init_, torch.relu, RELU_DEPTH, RELU_WIDTH)
        stds = [a.std().item() for a in activations]
        layers = range(1, len(stds) + 1)
        ax.plot(layers, stds, "o-", color=colour, label=name)
    # Xavier gives Var(w) = 1/n; ReLU zeroes half the signal, so each layer halves
    # the mean square: the scale shrinks by 1/sqrt(2) per layer
    ax.text(11, 0.05, r"Xavier: $\times 1/\sqrt{2}$ per layer", color=RED)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter("{x:g}")  # 0.01, not 10^-2: superscripts would be too small to read
    ax.set_xlabel("layer (ReLU, 512 units each)")
    ax.set_ylabel("std of activations")
    ax.set_xticks([1, 5, 10, 15, 20])
    ax.legend(frameon=False)
    return fig
