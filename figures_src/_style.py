"""Shared look of every figure: large fonts, strong colours, deterministic SVG output."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# Okabe-Ito colours: distinguishable with colour-blindness and dark enough for a projector.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
GREY = "#555555"
COLORS = (BLUE, RED, GREEN, ORANGE, PURPLE, SKY, GREY)

DIGIT_CMAP = "gray"        # MNIST look: white strokes on black
DIVERGING_CMAP = "RdBu_r"  # signed values: blue negative, red positive, white zero
SEQUENTIAL_CMAP = "viridis"

STYLE = {
    "font.size": 14,
    "axes.titlesize": 14,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 15,
    "axes.linewidth": 1.2,
    "lines.linewidth": 2.5,
    "lines.markersize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=COLORS),
    "image.interpolation": "nearest",  # pixels stay pixels, never blurred
    "image.cmap": SEQUENTIAL_CMAP,
    "savefig.dpi": 150,
    "svg.fonttype": "path",
    "svg.hashsalt": "deckbuild",  # fixed ids inside SVG files: same figure, same bytes
}


def apply_style() -> None:
    """Set the shared rcParams (safe to call any number of times)."""
    matplotlib.rcParams.update(STYLE)


def new_figure(width: float = 10, height: float = 4.5, **kw) -> Figure:
    """A styled, constrained-layout figure sized for a 1280x720 slide."""
    apply_style()
    kw.setdefault("layout", "constrained")
    return plt.figure(figsize=(width, height), **kw)


def strip_axes(*axes) -> None:
    """No ticks and no frame: for panels that show images."""
    for ax in axes:
        ax.set_axis_off()
