"""Figures for data augmentation: what the transforms do, and where they break the label."""
from __future__ import annotations

import torch

from code_snippets.augmentation import (augmentation, mirrored, share_read_as,
                                        single_augmentations, upside_down)
from code_snippets.data import load_digits
from figures_src._style import DIGIT_CMAP, GREEN, RED, new_figure, strip_axes

GALLERY_CLASSES = (2, 3, 4, 5, 7)   # one test digit of each
COPIES = 5                          # random draws of the full pipeline per digit


def _first_of(images, labels, digit):
    """The first test image of a class, [1, 28, 28]."""
    return images[labels == digit][0]


def augmentation_gallery():
    """Left: each transform alone on five digits. Right: the whole pipeline, fresh draws."""
    images, labels = load_digits(train=False)
    digits = [_first_of(images, labels, d) for d in GALLERY_CLASSES]
    rows = {"original": lambda image: image, **single_augmentations()}
    pipeline = augmentation()
    fig = new_figure(9, 4.1)  # shown in a column about 700 px wide: 16 pt -> 17 px
    left, right = fig.subfigures(1, 2, width_ratios=[1.25, 1], wspace=0.04)
    singles = left.subplots(len(rows), len(digits))
    for r, (name, transform) in enumerate(rows.items()):
        for c, digit in enumerate(digits):
            singles[r, c].imshow(transform(digit)[0].numpy(), cmap=DIGIT_CMAP, vmin=0, vmax=1)
        singles[r, 0].text(-4, 14, name, ha="right", va="center")
    draws = right.subplots(len(digits), COPIES)
    for r, digit in enumerate(digits):
        for c in range(COPIES):
            draws[r, c].imshow(pipeline(digit)[0].numpy(), cmap=DIGIT_CMAP, vmin=0, vmax=1)
    left.suptitle("one at a time, stronger than in training")
    right.suptitle("all of them, random draws")
    strip_axes(*singles.flatten(), *draws.flatten())
    return fig


@torch.no_grad()
def augmentation_pitfalls(trained_lenet5):
    """A mirrored 2, an upside-down 6 and 9, and what the trained LeNet-5 calls each."""
    model = trained_lenet5["model"].eval()
    images, labels = load_digits(train=False)
    cases = [(2, "mirrored", mirrored), (6, "rotated 180°", upside_down),
             (9, "rotated 180°", upside_down)]
    fig = new_figure(10.5, 3)
    axes = fig.subplots(1, 2 * len(cases))
    for k, (digit, change, transform) in enumerate(cases):
        image = _first_of(images, labels, digit)
        for ax, shown, caption, color in ((axes[2 * k], image, f"a {digit}", GREEN),
                                          (axes[2 * k + 1], transform(image), change, RED)):
            ax.imshow(shown[0].numpy(), cmap=DIGIT_CMAP)
            ax.set_title(caption)
            ax.set_xlabel(f"LeNet-5: {model(shown[None]).argmax().item()}", color=color)
            ax.set_xticks([])
            ax.set_yticks([])
    return fig


def upside_down_digits(trained_lenet5):
    """How the trained LeNet-5 reads test digits that augmentation went too far with."""
    model = trained_lenet5["model"]
    images, labels = load_digits(train=False)
    return {
        "nines_read_as_six": share_read_as(model, images[labels == 9], upside_down, 6),
        "sixes_read_as_nine": share_read_as(model, images[labels == 6], upside_down, 9),
        "mirrored_twos_read_as_two": share_read_as(model, images[labels == 2], mirrored, 2),
    }
