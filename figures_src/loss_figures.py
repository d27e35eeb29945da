"""Figures for the losses section: why cross-entropy rather than squared error for classes."""
from __future__ import annotations

import math

import torch
from matplotlib.figure import Figure

from figures_src._style import BLUE, GREY, RED, new_figure


def ce_vs_mse() -> Figure:
    """Cross-entropy -log p and squared error (1 - p)^2 against p(true class)."""
    p = torch.linspace(0.005, 1.0, 400)
    fig = new_figure(8, 4.5)
    ax = fig.add_subplot()
    ax.plot(p, -torch.log(p), color=RED, label=r"cross-entropy $-\ln p$")
    ax.plot(p, (1 - p) ** 2, color=BLUE, label="squared error (1 − p)²")  # a math superscript would be too small

    # A confident mistake: the net gives the true class only 2 %
    bad = 0.02
    ax.plot([bad, bad], [(1 - bad) ** 2, -math.log(bad)], ":", color=GREY, lw=1.5)
    ax.plot([bad], [-math.log(bad)], "o", color=RED)
    ax.plot([bad], [(1 - bad) ** 2], "o", color=BLUE)
    ax.annotate(f"confident mistake, p = {bad}:\n"
                f"cross-entropy {-math.log(bad):.1f}, squared error {(1 - bad) ** 2:.2f}",
                xy=(bad, -math.log(bad)), xytext=(0.16, 3.6),
                arrowprops={"arrowstyle": "->", "color": GREY}, va="center")

    ax.set_xlim(0, 1)
    ax.set_ylim(0, 5.5)
    ax.set_xlabel("p = probability the network gives the true class")
    ax.set_ylabel("loss for one sample")
    ax.legend(loc="upper right", frameon=False)
    return fig
