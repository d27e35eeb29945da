"""Figures that study the trained LeNet-5 the way neuroscientists study neurons."""
from __future__ import annotations

import itertools

import matplotlib.patches
import numpy as np
import torch

from code_snippets.data import load_digits
from code_snippets.inspection import (compare_rdms, grating, layer_activity, layer_rdms,
                                      maximize_activation, orientation_selectivity,
                                      orientation_tuning, receptive_fields, recentred_box)
from figures_src._style import (BLUE, DIGIT_CMAP, DIVERGING_CMAP, SEQUENTIAL_CMAP, new_figure,
                                strip_axes)

ANGLES = np.arange(0, 180, 7.5)
WAVELENGTH = 6.0       # pixels per stripe cycle: about what a 5x5 filter can resolve
RF_IMAGES = 6          # test digits used to estimate receptive fields
RF_LAYERS = ("c1", "c3", "f6")
RSA_LAYERS = ("pixels", "c1", "c3", "f6", "output")


def activation_maximization(trained_lenet5):
    """For each digit: the image its output unit likes best, and the mean training image."""
    liked = maximize_activation(trained_lenet5["model"], "output", list(range(10)))
    images, labels = load_digits(train=True)
    fig = new_figure(10, 2.9)
    axes = fig.subplots(2, 10)
    for digit in range(10):
        axes[0, digit].imshow(liked[digit].numpy(), cmap=DIGIT_CMAP, vmin=0, vmax=1)
        axes[0, digit].set_title(str(digit))
        axes[1, digit].imshow(images[labels == digit, 0].mean(dim=0).numpy(), cmap=DIGIT_CMAP)
    strip_axes(*axes.flatten())
    axes[0, 0].text(-4, 14, "liked\nmost", ha="right", va="center")
    axes[1, 0].text(-4, 14, "mean\ndigit", ha="right", va="center")
    return fig


def _most_active_units(activity, k=2):
    """The k units of a layer with the highest mean activity (silent units tell nothing)."""
    per_unit = activity.mean(dim=0)
    if per_unit.dim() == 3:                      # conv layer: average over positions too
        per_unit = per_unit.mean(dim=(1, 2))
    return per_unit.topk(k).indices.tolist()


def receptive_field_sizes(trained_lenet5):
    """Estimated receptive fields of two units per layer; dashed: what the unit can see."""
    model = trained_lenet5["model"]
    images = load_digits(train=False)[0][:RF_IMAGES]
    with torch.no_grad():
        activity = layer_activity(model, images)
    units = {layer: _most_active_units(activity[layer]) for layer in RF_LAYERS}
    fields = receptive_fields(model, images, units)
    fig = new_figure(10, 2.6)
    axes = fig.subplots(1, 6)
    for k, (layer, ids) in enumerate(units.items()):
        for n, unit in enumerate(ids):
            ax = axes[2 * k + n]
            ax.imshow(fields[layer][n].numpy(), cmap="magma")
            seen = "all"                          # a dense unit sees the whole image
            if layer in ("c1", "c3"):
                first, last = recentred_box(layer)
                side = last - first + 1
                ax.add_patch(matplotlib.patches.Rectangle(
                    (first - 0.5, first - 0.5), side, side,
                    fill=False, linestyle="--", linewidth=2, color="white"))
                seen = f"{side}×{side}"
            ax.set_title(f"{layer.upper()} #{unit}", fontsize=16)
            ax.text(0.5, -0.08, f"sees {seen}", transform=ax.transAxes, ha="center", va="top",
                    fontsize=16)
    strip_axes(*axes)
    return fig


def orientation_tuning_curves(trained_lenet5):
    """Two probe gratings, then the tuning curve of each C1 unit under its 5x5 filter."""
    model = trained_lenet5["model"]
    tuning = orientation_tuning(model, ANGLES, WAVELENGTH)
    selectivity = orientation_selectivity(tuning, ANGLES)
    fig = new_figure(11, 4.6)
    # Room between panels: "180" and "0" must not touch, nor a title the ticks above it.
    fig.get_layout_engine().set(wspace=0.1, hspace=0.12)
    grid = fig.add_gridspec(2, 4, width_ratios=[0.8, 1, 1, 1])
    for row, angle in enumerate((0, 45)):
        ax = fig.add_subplot(grid[row, 0])
        ax.imshow(grating(angle, WAVELENGTH).numpy(), cmap=DIGIT_CMAP)
        ax.set_title(f"grating {angle}°", fontsize=16)
        strip_axes(ax)
    for unit in range(len(tuning)):
        ax = fig.add_subplot(grid[unit // 3, 1 + unit % 3])
        ax.plot(ANGLES, tuning[unit].numpy(), color=BLUE)
        ax.set_xticks([0, 90, 180])
        ax.tick_params(labelsize=15)
        ax.set_xlim(0, 180)
        ax.set_yticks([])
        peak = tuning[unit].max().item()
        if peak > 0:
            ax.set_ylim(0, 1.1 * peak)
            note = f"selectivity {selectivity[unit]:.2f}"
        else:                                    # ReLU never opens for these stimuli
            note = "silent"
        ax.text(1, 1.05, note, transform=ax.transAxes, ha="right", va="bottom",
                fontsize=15)                     # beside the filter, not above it
        inset = ax.inset_axes([0.0, 1.03, 0.3, 0.3])  # the filter itself, above the curve
        weights = model.c1.weight.detach()[unit, 0]
        limit = weights.abs().max().item()
        inset.imshow(weights.numpy(), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        strip_axes(inset)
    fig.supxlabel("orientation of the stripes (degrees)", fontsize=16)
    fig.supylabel("peak response", fontsize=16)
    return fig


def representational_similarity(trained_lenet5):
    """RDMs of each layer over the test digits and their pairwise Spearman correlations.

    Keys `rho_A_B` (e.g. `rho_pixels_fc1`) hold single numbers for the slides.
    """
    images, labels = load_digits(train=False)
    with torch.no_grad():
        rdms = layer_rdms(trained_lenet5["model"], images, labels, RSA_LAYERS)
    spearman = [[float(compare_rdms(rdms[a], rdms[b])) for b in RSA_LAYERS] for a in RSA_LAYERS]
    pairs = {f"rho_{a}_{b}": spearman[i][j]
             for (i, a), (j, b) in itertools.combinations(enumerate(RSA_LAYERS), 2)}
    return {"layers": list(RSA_LAYERS), "rdms": rdms, "spearman": spearman, **pairs}


def rsa_matrices(representational_similarity):
    """Dissimilarity matrices over the ten digit classes, one per layer."""
    rsa = representational_similarity
    fig = new_figure(12, 3.1)
    axes = fig.subplots(1, len(rsa["layers"]))
    for ax, layer in zip(axes, rsa["layers"]):
        rdm = rsa["rdms"][layer]                 # layers differ in range: only the pattern counts
        shown = ax.imshow((rdm / rdm.max()).numpy(), cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1)
        ax.set_title(layer if layer in ("pixels", "output") else layer.upper(), fontsize=16)
        ax.set_xticks(range(10))                 # a tick per digit: find any pair
        ax.set_yticks(range(10))
        ax.tick_params(labelsize=13, length=2, pad=1)  # 13 pt of 12 inches in 1150 px: 17 px
    bar = fig.colorbar(shown, ax=axes, shrink=0.9, ticks=[0, 1])
    bar.ax.set_yticklabels(["same", "most\ndifferent"])
    return fig
