"""Typical convnets: the conv-pool-FC pattern, layer tables, torchvision models and weights."""

from __future__ import annotations

import torch
from torch import nn
from torchvision import models
from torchvision.models import ResNet18_Weights

from code_snippets.convolution import count_parameters

TABLE_LAYERS = (nn.Conv2d, nn.MaxPool2d, nn.Linear)  # ReLU, dropout, flatten: shape-neutral


def typical_convnet(channels=(1, 32, 64), convs_per_block: int = 2, hidden: int = 128,
                    n_classes: int = 10, image_size: int = 28) -> nn.Sequential:
    """[[Conv -> ReLU] x N -> Pool] x M -> [FC -> ReLU] x K -> FC, here with K = 1."""
    layers, size = [], image_size
    for c_in, c_out in zip(channels, channels[1:]):  # M = len(channels) - 1 blocks
        for _ in range(convs_per_block):  # N convolutions per block
            layers += [nn.Conv2d(c_in, c_out, kernel_size=3, padding=1), nn.ReLU()]
            c_in = c_out
        layers.append(nn.MaxPool2d(2))  # halves height and width
        size //= 2
    layers += [nn.Flatten(), nn.Linear(c_out * size * size, hidden), nn.ReLU(),
               nn.Linear(hidden, n_classes)]  # raw logits: softmax lives in the loss
    return nn.Sequential(*layers)


def layer_table(model: nn.Module, input_shape: tuple[int, ...],
                kinds: tuple[type, ...] = TABLE_LAYERS) -> list[tuple[str, tuple, int]]:
    """(layer, output shape, parameters) for each layer of the given kinds, in call order."""
    rows = []

    def record(module, inputs, output):
        rows.append((type(module).__name__, tuple(output.shape[1:]), count_parameters(module)))

    hooks = [m.register_forward_hook(record) for m in model.modules() if isinstance(m, kinds)]
    device = next(model.parameters()).device  # works for models built on the meta device
    with torch.no_grad():
        model(torch.zeros(1, *input_shape, device=device))  # one pass fills the table
    for hook in hooks:
        hook.remove()
    return rows


def format_layer_table(rows: list[tuple[str, tuple, int]]) -> str:
    """The rows of layer_table as aligned text."""
    lines = [f"{'layer':<10}{'output shape':>18}{'parameters':>14}"]
    for name, shape, n_params in rows:
        lines.append(f"{name:<10}{str(shape):>18}{n_params:>14,}")
    return "\n".join(lines)


def build_on_meta(builder) -> nn.Module:
    """A torchvision architecture without weights or memory: enough for shapes and counts."""
    with torch.device("meta"):
        return builder(weights=None)


def vgg16_n_params() -> int:
    """Parameters of VGG-16 (Simonyan & Zisserman, 2015), counted from the architecture."""
    return count_parameters(build_on_meta(models.vgg16))


def resnet18_n_params() -> int:
    """Parameters of ResNet-18 (He et al., 2016), counted from the architecture."""
    return count_parameters(build_on_meta(models.resnet18))


def alexnet_n_params() -> int:
    """Parameters of AlexNet (Krizhevsky et al., 2012), counted from the architecture."""
    return count_parameters(build_on_meta(models.alexnet))


def alexnet_layer_table_markdown() -> str:
    """AlexNet's convolution, pooling and linear layers for a 3x224x224 image, as Markdown."""
    rows = layer_table(build_on_meta(models.alexnet), (3, 224, 224))
    lines = ["| layer | output shape | parameters |", "|---|---|---:|"]
    for name, shape, n_params in rows:
        lines.append(f"| {name} | {' x '.join(map(str, shape))} | {n_params:,} |")
    return "\n".join(lines)


def n_torchvision_classifiers() -> int:
    """How many image-classification architectures torchvision.models offers."""
    return len(models.list_models(module=models))


def imagenet_mean() -> str:
    """Per-channel (R, G, B) mean the ImageNet weights expect, read from their metadata."""
    return ", ".join(f"{m:g}" for m in ResNet18_Weights.IMAGENET1K_V1.transforms().mean)


def imagenet_std() -> str:
    """Per-channel (R, G, B) standard deviation the ImageNet weights expect."""
    return ", ".join(f"{s:g}" for s in ResNet18_Weights.IMAGENET1K_V1.transforms().std)


def resnet18_top1_accuracy() -> float:
    """ImageNet top-1 accuracy (percent) recorded in the ResNet-18 weights' metadata."""
    return ResNet18_Weights.IMAGENET1K_V1.meta["_metrics"]["ImageNet-1K"]["acc@1"]


def pretrained_resnet18(weights: ResNet18_Weights = ResNet18_Weights.IMAGENET1K_V1):
    """A ResNet-18 with ImageNet weights and the preprocessing those weights expect."""
    model = models.resnet18(weights=weights)  # the first call downloads about 45 MB
    model.eval()  # batch norm uses running statistics, as at test time
    preprocess = weights.transforms()  # resize, crop, scale to [0, 1], normalize
    return model, preprocess


def typical_convnet_table() -> None:
    """Output shapes and parameters of typical_convnet() on a 1x28x28 digit."""
    print(format_layer_table(layer_table(typical_convnet(), (1, 28, 28))))


def alexnet_layer_table() -> None:
    """AlexNet as a table, built from torchvision with weights=None."""
    print(format_layer_table(layer_table(build_on_meta(models.alexnet), (3, 224, 224))))


def torchvision_model_sizes() -> None:
    """Parameter counts of three classic torchvision architectures, computed."""
    for name, builder in [("AlexNet", models.alexnet), ("VGG-16", models.vgg16),
                          ("ResNet-18", models.resnet18)]:
        print(f"{name:<10}{count_parameters(build_on_meta(builder)):>14,} parameters")


def imagenet_preprocessing() -> None:
    """What the ImageNet weights expect as input, read from torchvision (no download)."""
    weights = ResNet18_Weights.IMAGENET1K_V1
    preprocess = weights.transforms()
    print(f"resize to {preprocess.resize_size[0]}, center crop {preprocess.crop_size[0]}")
    print("scale to [0, 1], then per channel (x - mean) / std")
    print("mean:", preprocess.mean, " std:", preprocess.std)
    print(f"{len(weights.meta['categories'])} classes, e.g. {weights.meta['categories'][:3]}")
    print(f"top-1 accuracy on ImageNet: {resnet18_top1_accuracy()}%")
