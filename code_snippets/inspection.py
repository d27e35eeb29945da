"""Looking inside a trained LeNet-5 with the methods used to study neurons.

Record the activity of every layer, find the image a unit likes best (activation maximization),
map where it looks (occlusion), measure its orientation tuning with gratings (Hubel and Wiesel),
and compare layers through representational dissimilarity matrices (RSA).
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr

SIDE = 28


def layer_activity(model, images):
    """Activity of every layer for a batch of images, as the next layer sees it."""
    model.eval()                            # as in testing: no dropout, fixed statistics
    c1 = F.relu(model.c1(images))
    c3 = F.relu(model.c3(model.s2(c1)))
    c5 = F.relu(model.c5(torch.flatten(model.s4(c3), 1)))
    f6 = F.relu(model.f6(c5))
    return {"pixels": images, "c1": c1, "c3": c3, "c5": c5, "f6": f6, "output": model.output(f6)}


# Which pixels a conv unit at row (or column) i sees: from stride * i + first, `size` of them.
# c1 (5x5, padding 2) keeps positions; a c3 unit sees 5 pooled positions of 2 pixels each,
# widened by c1's reach of 2 pixels on each side: 14 pixels.
RF_GEOMETRY = {"c1": (1, -2, 5), "c3": (2, -2, 14)}


def recentred_box(layer):
    """First and last pixel (row or column) of a conv unit's receptive field after
    receptive_fields() re-centred it: the same for every unit of the layer."""
    size = RF_GEOMETRY[layer][2]
    return SIDE // 2 - size // 2, SIDE // 2 - size // 2 + size - 1


# [start:activation_maximization]
def maximize_activation(model, layer, units, steps=100, lr=0.1, l2=0.01):
    """For each unit of a fully connected layer, the image in [0, 1] that drives it most.

    Gradient ascent on the pixels; all units are optimised at once, one image each.
    """
    images = torch.full((len(units), 1, SIDE, SIDE), 0.1, requires_grad=True)
    optimizer = torch.optim.Adam([images], lr=lr)
    for _ in range(steps):
        activity = layer_activity(model, images)[layer][range(len(units)), units]
        loss = -activity.sum() + l2 * images.pow(2).sum()  # the penalty keeps pixels dark
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            images.clamp_(0, 1)                   # stay a valid image
    return images.detach()[:, 0]
# [end:activation_maximization]


# [start:occlusion]
def occluded_copies(image, patch=5, fill=0.5):
    """One copy of `image` [1, 28, 28] per pixel, with a grey square centred on that pixel."""
    copies = image.repeat(SIDE * SIDE, 1, 1, 1)
    r = patch // 2
    for k in range(SIDE * SIDE):
        i, j = divmod(k, SIDE)
        copies[k, :, max(i - r, 0):i + r + 1, max(j - r, 0):j + r + 1] = fill
    return copies


@torch.no_grad()
def occlusion_map(score, image, patch=5, fill=0.5):
    """How much score(image) drops when each pixel's neighbourhood is covered: [28, 28].

    `score` maps a batch of images to one number per image (e.g. a class logit).
    """
    drop = score(image[None]) - score(occluded_copies(image, patch, fill))
    return drop.reshape(SIDE, SIDE)
# [end:occlusion]


@torch.no_grad()
def receptive_fields(model, images, units, patch=3, fill=0.5):
    """Estimated receptive fields, {layer: [n_units, 28, 28]}, for units = {layer: [unit...]}.

    For each image, the change of a unit's activity under occlusion is re-centred on the place
    where the unit fired most (conv layers), weighted by that activity and averaged.
    """
    total = {layer: torch.zeros(len(ids), SIDE, SIDE) for layer, ids in units.items()}
    weight = {layer: torch.zeros(len(ids)) for layer, ids in units.items()}
    for image in images:
        clean = layer_activity(model, image[None])
        occluded = layer_activity(model, occluded_copies(image, patch, fill))
        for layer, ids in units.items():
            for n, unit in enumerate(ids):
                rf_map, strength = _unit_change(layer, clean[layer][0, unit],
                                                occluded[layer][:, unit])
                total[layer][n] += strength * rf_map
                weight[layer][n] += strength
    return {layer: total[layer] / weight[layer].clamp_min(1e-8)[:, None, None]
            for layer in units}


def _unit_change(layer, clean, occluded):
    """|change| of one unit under each occlusion as a [28, 28] map, and the unit's activity.

    A conv unit is a whole feature map: we follow its strongest position and move the map so
    that the pixels this position sees land on recentred_box(layer) (Zhou et al., 2015).
    """
    if clean.dim() == 0:                          # fully connected: sees the whole image
        return (occluded - clean).abs().reshape(SIDE, SIDE), clean
    y, x = divmod(int(clean.argmax()), clean.shape[1])
    change = (occluded[:, y, x] - clean[y, x]).abs().reshape(SIDE, SIDE)
    stride, first, _ = RF_GEOMETRY[layer]
    start = recentred_box(layer)[0]
    return _shift(change, start - stride * y - first, start - stride * x - first), clean[y, x]


def _shift(image, dy, dx):
    """Move a 2-D image by (dy, dx) pixels, filling with zeros (no wrap-around)."""
    padded = F.pad(image, (SIDE, SIDE, SIDE, SIDE))
    return padded[SIDE - dy:2 * SIDE - dy, SIDE - dx:2 * SIDE - dx]


# [start:tuning]
def grating(angle, wavelength=6.0, phase=0.0, size=SIDE):
    """Stripes at `angle` degrees (0 = horizontal, counter-clockwise), values in [0, 1]."""
    y, x = torch.meshgrid(torch.arange(size) - size / 2, torch.arange(size) - size / 2,
                          indexing="ij")
    theta = math.radians(angle)
    across = x * math.sin(theta) + y * math.cos(theta)  # distance across the stripes
    return 0.5 + 0.5 * torch.cos(2 * math.pi * across / wavelength + phase)


@torch.no_grad()
def orientation_tuning(model, angles, wavelength=6.0, phases=8):
    """Peak response [units, angles] of each first-layer unit to gratings: the strongest over
    phases and positions, as a physiologist moves the bar to where the cell answers best."""
    responses = []
    for angle in angles:
        stimuli = torch.stack([grating(angle, wavelength, 2 * math.pi * p / phases)
                               for p in range(phases)])[:, None]
        activity = layer_activity(model, stimuli)["c1"]      # [phases, units, 28, 28]
        inner = activity[:, :, 2:-2, 2:-2]    # units whose 5x5 window is not on the padding
        # Not the mean: averaged over phase, a linear filter sees only the mean brightness,
        # the same at every orientation; its best phase keeps what the filter is tuned to.
        responses.append(inner.amax(dim=(0, 2, 3)))
    return torch.stack(responses, dim=1)
# [end:tuning]


def orientation_selectivity(tuning, angles):
    """Selectivity in [0, 1] per unit: 0 responds to all orientations alike, 1 to one only."""
    doubled = torch.tensor(np.radians(angles) * 2)  # orientation repeats every 180 degrees
    vector = (tuning * torch.exp(1j * doubled)).sum(dim=1)
    return (vector.abs() / tuning.sum(dim=1).clamp_min(1e-12)).float()


# [start:rsa]
def dissimilarity_matrix(patterns, labels, n_classes=10):
    """RDM [10, 10]: 1 - correlation between the mean activity patterns of each class."""
    flat = patterns.flatten(1).double()
    means = torch.stack([flat[labels == c].mean(dim=0) for c in range(n_classes)])
    return 1 - torch.corrcoef(means)


def compare_rdms(a, b):
    """Spearman correlation of the entries above the diagonal of two RDMs."""
    upper = torch.triu_indices(len(a), len(a), offset=1)
    return spearmanr(a[upper[0], upper[1]], b[upper[0], upper[1]]).statistic
# [end:rsa]


@torch.no_grad()
def layer_rdms(model, images, labels, layers=("pixels", "c1", "c3", "f6", "output"),
               n_classes=10, batch_size=250):
    """The dissimilarity matrix of each layer, computed over the same images.

    The same RDM as dissimilarity_matrix, but the class means are summed batch by batch: the
    c1 maps of 2,000 digits at once, in double precision, would take about 75 megabytes.
    """
    sums = {}
    for start in range(0, len(images), batch_size):
        activity = layer_activity(model, images[start:start + batch_size])
        batch_labels = labels[start:start + batch_size]
        for name in layers:
            flat = activity[name].flatten(1).double()
            per_class = torch.zeros(n_classes, flat.shape[1], dtype=flat.dtype).index_add_(0, batch_labels, flat)
            sums[name] = sums.get(name, 0) + per_class
    counts = torch.bincount(labels, minlength=n_classes).double()[:, None]
    return {name: 1 - torch.corrcoef(sums[name] / counts) for name in layers}
