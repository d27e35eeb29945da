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

# Sizes in points. A figure W inches wide shown D slide pixels wide turns p points into p * D / (72 W)
# pixels, and every text must reach 16 px at 1280x720 (tests/test_figure_text.py): a 10-inch figure
# across the slide (about 1150 px) shows 14 pt as 22 px; in one of two columns (about 700 px) the
# figure must be about 6 inches wide. Superscripts in math are 0.7 times their text's size.
STYLE = {
    "font.size": 16,
    "axes.titlesize": 16,
    "axes.labelsize": 16,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 14,
    "legend.title_fontsize": 14,
    "figure.titlesize": 17,
    "axes.linewidth": 1.2,
    "lines.linewidth": 2.5,
    "lines.markersize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=COLORS),
    "image.interpolation": "nearest",  # pixels stay pixels, never blurred
    "image.cmap": SEQUENTIAL_CMAP,
    "savefig.dpi": 150,
    # Text stays text: measurable, searchable, sharp at any zoom; the build embeds the glyphs it uses.
    "svg.fonttype": "none",
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
