"""Data augmentation: new training images from old ones, by changes that keep the label."""
from __future__ import annotations

import torch
from torchvision import datasets
from torchvision.transforms import v2

from code_snippets.data import DATA_ROOT, prepare_mnist


# [start:pipeline]
def augmentation() -> v2.Compose:
    """Random changes that leave a digit's class alone; a fresh draw for every image."""
    return v2.Compose([
        v2.RandomRotation(degrees=15),                          # slanted handwriting
        v2.RandomAffine(degrees=0, translate=(0.1, 0.1), scale=(0.9, 1.1)),  # position, size
        v2.ColorJitter(contrast=0.5),                           # faint or bold ink
        v2.RandomErasing(p=0.5, scale=(0.02, 0.1), value=0),    # a missing piece of stroke
    ])


def augmented_mnist(root=DATA_ROOT) -> datasets.MNIST:
    """Training digits that look a little different every epoch."""
    prepare_mnist(root)
    to_tensor = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    return datasets.MNIST(root, train=True, download=False,
                          transform=v2.Compose([to_tensor, augmentation()]))
# [end:pipeline]


def single_augmentations() -> dict[str, v2.Transform]:
    """Each step of the pipeline on its own (stronger than in training, to be visible)."""
    return {
        "rotation ±25°": v2.RandomRotation(degrees=25),
        "shift and scale": v2.RandomAffine(degrees=0, translate=(0.15, 0.15), scale=(0.8, 1.2)),
        "contrast": v2.ColorJitter(contrast=(0.3, 1.0)),
        "erasing": v2.RandomErasing(p=1.0, scale=(0.05, 0.15), value=0),
    }


# [start:pitfalls]
def mirrored(image):
    """Left-right flip: fine for cats and cars, but a mirrored 2 is no longer a 2."""
    return v2.functional.horizontal_flip(image)


def upside_down(image):
    """Rotation by 180 degrees: a 6 becomes a 9."""
    return v2.functional.rotate(image, 180)
# [end:pitfalls]


@torch.no_grad()
def share_read_as(model, images, transform, digit) -> float:
    """Fraction of the transformed images that the model classifies as `digit`."""
    return (model.eval()(transform(images)).argmax(dim=1) == digit).float().mean().item()
