"""Typical convnets: the conv-pool-FC pattern, layer tables, torchvision."""

from __future__ import annotations

import torch
from torch import nn
from torchvision import models
from torchvision.models import ResNet18_Weights

from code_snippets.convolution import count_parameters

# Layers that change shapes or hold parameters; ReLU and dropout do neither.
TABLE_LAYERS = (nn.Conv2d, nn.MaxPool2d, nn.Linear)


def typical_convnet(channels=(1, 32, 64), convs_per_block=2, hidden=128,
                    n_classes=10, image_size=28) -> nn.Sequential:
    """[[Conv -> ReLU] x N -> Pool] x M -> [FC -> ReLU] x K -> FC, K = 1."""
    layers, size = [], image_size
    for c_in, c_out in zip(channels, channels[1:]):  # M blocks
        for _ in range(convs_per_block):  # N convolutions per block
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU()]
            c_in = c_out
        layers.append(nn.MaxPool2d(2))  # halves height and width
        size //= 2
    layers += [nn.Flatten(),
               nn.Linear(c_out * size * size, hidden), nn.ReLU(),
               nn.Linear(hidden, n_classes)]  # logits: softmax is in the loss
    return nn.Sequential(*layers)


def layer_table(model: nn.Module, input_shape, kinds=TABLE_LAYERS):
    """Rows (layer, output shape, parameters) in the order layers run."""
    rows = []

    def record(module, inputs, output):
        shape = tuple(output.shape[1:])  # without the batch dimension
        rows.append((type(module).__name__, shape, count_parameters(module)))

    chosen = [m for m in model.modules() if isinstance(m, kinds)]
    hooks = [m.register_forward_hook(record) for m in chosen]
    device = next(model.parameters()).device  # also the meta device
    with torch.no_grad():
        model(torch.zeros(1, *input_shape, device=device))  # one pass
    for hook in hooks:
        hook.remove()
    return rows


def format_layer_table(rows) -> str:
    """The rows of layer_table as aligned text."""
    lines = [f"{'layer':<10}{'output shape':>18}{'parameters':>14}"]
    for name, shape, n_params in rows:
        lines.append(f"{name:<10}{str(shape):>18}{n_params:>14,}")
    return "\n".join(lines)


def build_on_meta(builder) -> nn.Module:
    """A torchvision architecture without weights: shapes and counts only."""
    with torch.device("meta"):  # no memory, no random initialization
        return builder(weights=None)


def vgg16_n_params() -> int:
    """Parameters of VGG-16 (Simonyan & Zisserman, 2015)."""
    return count_parameters(build_on_meta(models.vgg16))


def resnet18_n_params() -> int:
    """Parameters of ResNet-18 (He et al., 2016)."""
    return count_parameters(build_on_meta(models.resnet18))


def alexnet_n_params() -> int:
    """Parameters of AlexNet (Krizhevsky et al., 2012)."""
    return count_parameters(build_on_meta(models.alexnet))


def alexnet_layer_table_markdown() -> str:
    """AlexNet's conv, pool and linear layers on 3x224x224, as Markdown."""
    rows = layer_table(build_on_meta(models.alexnet), (3, 224, 224))
    lines = ["| layer | output shape | parameters |", "|---|---|---:|"]
    for name, shape, n_params in rows:
        size = " x ".join(map(str, shape))
        lines.append(f"| {name} | {size} | {n_params:,} |")
    return "\n".join(lines)


def n_torchvision_classifiers() -> int:
    """How many classification architectures torchvision.models offers."""
    return len(models.list_models(module=models))


def imagenet_mean() -> str:
    """Per-channel (R, G, B) mean the ImageNet weights expect."""
    mean = ResNet18_Weights.IMAGENET1K_V1.transforms().mean
    return ", ".join(f"{m:g}" for m in mean)


def imagenet_std() -> str:
    """Per-channel (R, G, B) standard deviation the ImageNet weights expect."""
    std = ResNet18_Weights.IMAGENET1K_V1.transforms().std
    return ", ".join(f"{s:g}" for s in std)


def resnet18_top1_accuracy() -> float:
    """ImageNet top-1 accuracy (%) in the ResNet-18 weights' metadata."""
    metrics = ResNet18_Weights.IMAGENET1K_V1.meta["_metrics"]
    return metrics["ImageNet-1K"]["acc@1"]


def pretrained_resnet18(weights=ResNet18_Weights.IMAGENET1K_V1):
    """A ResNet-18 with ImageNet weights and the preprocessing they expect."""
    model = models.resnet18(weights=weights)  # first call downloads 45 MB
    model.eval()  # batch norm uses running statistics, as at test time
    preprocess = weights.transforms()  # resize, crop, scale, normalize
    return model, preprocess


def typical_convnet_table() -> None:
    """Output shapes and parameters of typical_convnet() on a 1x28x28 digit."""
    rows = layer_table(typical_convnet(), (1, 28, 28))
    print(format_layer_table(rows))


def alexnet_layer_table() -> None:
    """AlexNet as a table, built from torchvision with weights=None."""
    rows = layer_table(build_on_meta(models.alexnet), (3, 224, 224))
    print(format_layer_table(rows))


def torchvision_model_sizes() -> None:
    """Parameter counts of three classic torchvision architectures."""
    builders = [("AlexNet", models.alexnet), ("VGG-16", models.vgg16),
                ("ResNet-18", models.resnet18)]
    for name, builder in builders:
        n_params = count_parameters(build_on_meta(builder))
        print(f"{name:<10}{n_params:>14,} parameters")


def imagenet_preprocessing() -> None:
    """What the ImageNet weights expect as input, read without a download."""
    weights = ResNet18_Weights.IMAGENET1K_V1
    preprocess = weights.transforms()
    categories = weights.meta["categories"]
    print(f"resize to {preprocess.resize_size[0]},"
          f" center crop {preprocess.crop_size[0]}")
    print("scale to [0, 1], then per channel (x - mean) / std")
    print("mean:", preprocess.mean, " std:", preprocess.std)
    print(f"{len(categories)} classes, e.g. {categories[:3]}")
    print(f"top-1 accuracy on ImageNet: {resnet18_top1_accuracy()}%")
