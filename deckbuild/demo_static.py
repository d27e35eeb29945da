"""The static picture of a demo (PDF, handout, no JavaScript): the widget on one fixed test digit,
computed by the torch module that was exported (after the export was checked against it)."""
from __future__ import annotations

import numpy as np

from .artifacts import figure_svg


def static_svg(digit: np.ndarray, probabilities: np.ndarray, maps: np.ndarray, layer: str, kind: str) -> bytes:
    """SVG: the input digit, the layer's maps on one shared grey scale, and the 10 probabilities."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # 16 px or more once scaled to the slide's width; text kept as text, its glyphs embedded (svg_fonts)
    with matplotlib.rc_context({"font.size": 14, "svg.fonttype": "none"}):
        return _draw(Figure(figsize=(12, 3.6)), digit, probabilities, maps, layer, kind)


def _draw(fig, digit, probabilities, maps, layer: str, kind: str) -> bytes:
    grid = fig.add_gridspec(2, 3 + (len(maps) + 1) // 2, width_ratios=[2.2, 0.3] + [1] * ((len(maps) + 1) // 2) + [4.5])
    shown = fig.add_subplot(grid[:, 0])
    shown.imshow(digit, cmap="gray", vmin=0, vmax=1)
    shown.set_title("input (28 x 28)" if kind == "draw-digit" else "test digit")
    shown.axis("off")
    low, high = float(maps.min()), float(maps.max())
    columns = (len(maps) + 1) // 2
    for index, image in enumerate(maps):
        ax = fig.add_subplot(grid[index // columns, 2 + index % columns])
        ax.imshow(image, cmap="gray", vmin=low, vmax=high)
        ax.axis("off")
        if index == 0:
            ax.set_title(f"maps of {layer}", loc="left")
    bars = fig.add_subplot(grid[:, -1])
    best = int(np.argmax(probabilities))
    colours = ["#1f5fa8" if c == best else "#8a8a8a" for c in range(10)]
    bars.barh(range(10), probabilities, color=colours)
    bars.set_yticks(range(10), [str(c) for c in range(10)])
    bars.invert_yaxis()
    bars.set_xlim(0, 1)
    bars.set_xlabel("probability")
    bars.set_title(f"predicts {best} ({probabilities[best]:.1%})")
    for side in ("top", "right"):
        bars.spines[side].set_visible(False)
    fig.tight_layout()
    return figure_svg(fig)
