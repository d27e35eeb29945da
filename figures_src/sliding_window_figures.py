"""Convolution drawn: a 3x3 window sliding over a 5x5 input, without and with padding and stride.
Every output number is computed by F.conv2d (code_snippets.convolution.sliding_window_example)."""
from __future__ import annotations

from matplotlib.patches import Rectangle

from code_snippets.convolution import sliding_window_example
from figures_src._style import BLUE, GREY, ORANGE, new_figure

# (title, padding, stride): "valid" (no padding), "same" (padding 1), and stride 2
CASES = (("valid: P = 0, S = 1", 0, 1), ("same: P = 1, S = 1", 1, 1), ("P = 1, S = 2", 1, 2))
WINDOWS = ((0, 0, ORANGE, "-"), (0, 1, BLUE, "--"))  # the first two window positions


def _grid(ax, values, x0, padded=0, fontsize=15) -> None:
    """Integers in unit cells from (x0, 0) downwards; the outer `padded` ring in grey."""
    n = len(values)
    for i in range(n):
        for j in range(n):
            pad = min(i, j, n - 1 - i, n - 1 - j) < padded
            ax.add_patch(Rectangle((x0 + j, -i - 1), 1, 1, facecolor="#e6e6e6" if pad else "white",
                                   edgecolor=GREY, linewidth=1))
            ax.text(x0 + j + 0.5, -i - 0.5, f"{values[i][j]:.0f}", ha="center", va="center",
                    fontsize=fontsize, color=GREY if pad else "black")


def _outline(ax, x, y, size, color, style) -> None:
    """A thick square outline with its top-left corner at grid cell (row y, column x)."""
    ax.add_patch(Rectangle((x, -y - size), size, size, fill=False, edgecolor=color,
                           linewidth=4, linestyle=style))


def convolution_sliding_window():
    """Three panels: input (padding grey), the window at two positions, and the output map."""
    examples = [sliding_window_example(padding, stride) for _, padding, stride in CASES]
    widths = [len(padded) + 1.2 + len(out) for padded, out in examples]  # in grid cells
    fig = new_figure(13, 3.9)
    axes = fig.subplots(1, 3, width_ratios=widths)
    for ax, (title, padding, stride), (padded, out) in zip(axes, CASES, examples):
        n_in, n_out = len(padded), len(out)
        x_out = n_in + 1.2  # the output grid to the right of the input
        _grid(ax, padded.tolist(), 0, padded=padding)
        _grid(ax, out.tolist(), x_out)
        for row, col, color, style in WINDOWS:
            _outline(ax, stride * col, stride * row, 3, color, style)  # the window on the input
            _outline(ax, x_out + col, row, 1, color, style)            # the number it gives
        ax.annotate("", xy=(x_out - 0.15, -n_in / 2), xytext=(n_in + 0.15, -n_in / 2),
                    arrowprops={"arrowstyle": "->", "linewidth": 2, "color": GREY})
        ax.set_title(f"{title}\n{n_in - 2 * padding}×{n_in - 2 * padding} → {n_out}×{n_out}",
                     fontsize=17)
        ax.set_xlim(-0.1, x_out + n_out + 0.1)
        ax.set_ylim(-7.1, 0.1)
        ax.set_aspect("equal")
        ax.set_axis_off()
    return fig
