"""Figures that study the trained LeNet the way neuroscientists study neurons."""
from __future__ import annotations

import itertools

import matplotlib.patches
import numpy as np
import torch

from code_snippets.data import load_digits
from code_snippets.inspection import (SIDE, compare_rdms, grating, layer_activity, layer_rdms,
                                      maximize_activation, occlusion_map,
                                      orientation_selectivity, orientation_tuning,
                                      receptive_fields)
from figures_src._style import (BLUE, DIGIT_CMAP, DIVERGING_CMAP, RED, SEQUENTIAL_CMAP,
                                new_figure, strip_axes)

ANGLES = np.arange(0, 180, 7.5)
WAVELENGTH = 4.0       # pixels per stripe cycle: fine enough for 3x3 filters
RF_IMAGES = 6          # test digits used to estimate receptive fields
THEORY_RF = {"conv1": 3, "conv2": 5, "fc1": SIDE}  # pixels each unit can see
OCCLUDED_CLASSES = (1, 2, 4, 7, 9)  # the first test digit of each of these classes
RSA_LAYERS = ("pixels", "conv1", "conv2", "fc1", "fc2")


def activation_maximization(trained_lenet):
    """For each digit: the image its output unit likes best, and the mean training image."""
    liked = maximize_activation(trained_lenet["model"], "fc2", list(range(10)))
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


def receptive_field_sizes(trained_lenet):
    """Estimated receptive fields of two units per layer; dashed: what the unit can see."""
    model = trained_lenet["model"]
    images = load_digits(train=False)[0][:RF_IMAGES]
    with torch.no_grad():
        activity = layer_activity(model, images)
    units = {layer: _most_active_units(activity[layer]) for layer in THEORY_RF}
    fields = receptive_fields(model, images, units)
    fig = new_figure(10, 2.8)
    axes = fig.subplots(1, 6)
    for k, (layer, ids) in enumerate(units.items()):
        for n, unit in enumerate(ids):
            ax = axes[2 * k + n]
            ax.imshow(fields[layer][n].numpy(), cmap="magma")
            size = THEORY_RF[layer]
            if size < SIDE:                       # a fully connected unit sees everything
                corner = SIDE // 2 - size // 2 - 0.5
                ax.add_patch(matplotlib.patches.Rectangle(
                    (corner, corner), size, size, fill=False, linestyle="--", color="white"))
            ax.set_title(f"{layer} unit {unit}")
    strip_axes(*axes)
    return fig


def occlusion_maps(trained_lenet):
    """Test digits and how much their correct class score drops when a patch covers each spot."""
    model = trained_lenet["model"].eval()
    images, labels = load_digits(train=False)
    fig = new_figure(10, 4.2)
    axes = fig.subplots(2, len(OCCLUDED_CLASSES))
    for ax_digit, ax_map, digit in zip(axes[0], axes[1], OCCLUDED_CLASSES):
        image = images[labels == digit][0]
        drop = occlusion_map(lambda x: model(x)[:, digit], image)
        limit = drop.abs().max().item()
        ax_digit.imshow(image[0].numpy(), cmap=DIGIT_CMAP)
        ax_digit.set_title(f"score of {digit}")
        shown = ax_map.imshow(drop.numpy(), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        ax_map.contour(image[0].numpy(), levels=[0.5], colors="black", linewidths=1)  # the strokes
    strip_axes(*axes.flatten())
    bar = fig.colorbar(shown, ax=axes[1], shrink=0.9, ticks=[-limit, 0, limit])
    bar.ax.set_yticklabels(["score rises", "0", "score drops"])
    return fig


def orientation_tuning_curves(trained_lenet):
    """Two probe gratings, then tuning curves of the 8 most orientation-selective conv1 units."""
    model = trained_lenet["model"]
    tuning = orientation_tuning(model, ANGLES, WAVELENGTH)
    selectivity = orientation_selectivity(tuning, ANGLES)
    best = selectivity.argsort(descending=True)[:8].tolist()
    fig = new_figure(10.5, 4.5)
    fig.get_layout_engine().set(wspace=0.08)  # room between panels: "180" and "0" must not touch
    grid = fig.add_gridspec(2, 5, width_ratios=[0.8, 1, 1, 1, 1])
    for row, angle in enumerate((0, 45)):
        ax = fig.add_subplot(grid[row, 0])
        ax.imshow(grating(angle, WAVELENGTH).numpy(), cmap=DIGIT_CMAP)
        ax.set_title(f"grating {angle}°")
        strip_axes(ax)
    for k, unit in enumerate(best):
        ax = fig.add_subplot(grid[k // 4, 1 + k % 4])
        ax.plot(ANGLES, tuning[unit].numpy(), color=BLUE)
        ax.set_xticks([0, 90, 180])
        ax.set_xlim(0, 180)
        ax.set_ylim(0, None)
        ax.set_yticks([])
        ax.set_title(f"unit {unit}", loc="right")
        inset = ax.inset_axes([0.0, 1.03, 0.27, 0.27])  # the filter itself, above the curve
        weights = model.conv1.weight.detach()[unit, 0]
        limit = weights.abs().max().item()
        inset.imshow(weights.numpy(), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
        strip_axes(inset)
    fig.supxlabel("orientation of the stripes (degrees)", fontsize=14)
    fig.supylabel("mean response", fontsize=14)
    return fig


def representational_similarity(trained_lenet):
    """RDMs of each layer over the test digits and their pairwise Spearman correlations.

    Keys `rho_A_B` (e.g. `rho_pixels_fc1`) hold single numbers for the slides.
    """
    images, labels = load_digits(train=False)
    with torch.no_grad():
        rdms = layer_rdms(trained_lenet["model"], images, labels, RSA_LAYERS)
    spearman = [[float(compare_rdms(rdms[a], rdms[b])) for b in RSA_LAYERS] for a in RSA_LAYERS]
    pairs = {f"rho_{a}_{b}": spearman[i][j]
             for (i, a), (j, b) in itertools.combinations(enumerate(RSA_LAYERS), 2)}
    return {"layers": list(RSA_LAYERS), "rdms": rdms, "spearman": spearman, **pairs}


def rsa_matrices(representational_similarity):
    """Dissimilarity matrices over the ten digit classes, one per layer."""
    rsa = representational_similarity
    fig = new_figure(11, 3)
    axes = fig.subplots(1, len(rsa["layers"]))
    for ax, layer in zip(axes, rsa["layers"]):
        shown = ax.imshow(rsa["rdms"][layer].numpy(), cmap=SEQUENTIAL_CMAP, vmin=0)
        ax.set_title(layer)
        ax.set_xticks(range(0, 10, 3))
        ax.set_yticks(range(0, 10, 3))
    fig.colorbar(shown, ax=axes, shrink=0.9, label="1 − correlation")
    return fig


def rsa_layer_comparison(representational_similarity):
    """How much each layer's dissimilarities agree with those of the pixels and the output."""
    rsa = representational_similarity
    layers = rsa["layers"]
    rho = np.asarray(rsa["spearman"])
    fig = new_figure(7.5, 4.2)
    ax = fig.subplots()
    for reference, color, marker in ((layers[0], BLUE, "o"), (layers[-1], RED, "s")):
        ax.plot(range(len(layers)), rho[layers.index(reference)], color=color, marker=marker,
                label=f"compared with {reference}")
    ax.set_xticks(range(len(layers)), layers)
    ax.set_ylabel("Spearman ρ of the RDMs")
    ax.set_ylim(0, 1.05)
    ax.legend(frameon=False, loc="lower center")
    return fig
