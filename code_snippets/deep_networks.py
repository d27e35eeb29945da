"""Deep networks: why the activation function and skip connections decide
whether any gradient reaches the first layer."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

WIDTH = 256  # units per hidden layer
DEPTH = 20  # hidden layers in the activation experiment


def sigmoid_slope(a: torch.Tensor) -> torch.Tensor:
    """d sigma / da = sigma (1 - sigma): at most 1/4, near 0 for large |a|."""
    s = torch.sigmoid(a)
    return s * (1 - s)


def tanh_slope(a: torch.Tensor) -> torch.Tensor:
    """d tanh / da = 1 - tanh^2: 1 at a = 0, near 0 for large |a|."""
    return 1 - torch.tanh(a) ** 2


def relu_slope(a: torch.Tensor) -> torch.Tensor:
    """d relu / da = 1 for a > 0, else 0: no saturation on the active side."""
    return (a > 0).to(a.dtype)


# name: (activation, its slope, the initialization made for it)
ACTIVATIONS = {
    "sigmoid": (torch.sigmoid, sigmoid_slope, nn.init.xavier_uniform_),
    "tanh": (torch.tanh, tanh_slope, nn.init.xavier_uniform_),
    "relu": (torch.relu, relu_slope, nn.init.kaiming_uniform_),
}


def gradient_through_depth(name: str, depth: int = DEPTH, seed: int = 0):
    """Gradient norm of the first and last hidden layer's weights, and the
    mean slope of the activation, for one batch through `depth` layers."""
    activation, slope, init = ACTIVATIONS[name]
    torch.manual_seed(seed)
    layers = [nn.Linear(WIDTH, WIDTH) for _ in range(depth)]
    for layer in layers:  # each activation with the scale made for it
        init(layer.weight)
        nn.init.zeros_(layer.bias)
    head = nn.Linear(WIDTH, 10)
    h, labels = torch.randn(256, WIDTH), torch.randint(0, 10, (256,))
    slopes = []
    for layer in layers:
        a = layer(h)
        slopes.append(slope(a.detach()).mean())
        h = activation(a)
    F.cross_entropy(head(h), labels).backward()
    first, last = layers[0].weight.grad.norm(), layers[-1].weight.grad.norm()
    return first.item(), last.item(), torch.stack(slopes).mean().item()


class Block(nn.Module):
    """Two linear layers with ReLU; with skip=True it returns x + f(x)."""

    def __init__(self, width: int, skip: bool):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(width, width), nn.ReLU(),
                               nn.Linear(width, width), nn.ReLU())
        self.skip = skip

    def forward(self, x):
        # the gradient of x + f(x) is I + f'(x)
        if self.skip:
            return x + self.f(x)
        return self.f(x)


def first_layer_gradient(skip: bool, n_layers: int, seed: int = 0):
    """Gradient norm of the first and last layer's weights of a ReLU network
    with PyTorch's default initialization, with or without skips."""
    torch.manual_seed(seed)
    blocks = nn.Sequential(*[Block(128, skip) for _ in range(n_layers // 2)])
    head = nn.Linear(128, 10)
    x, labels = torch.randn(256, 128), torch.randint(0, 10, (256,))
    F.cross_entropy(head(blocks(x)), labels).backward()
    first = blocks[0].f[0].weight.grad.norm()
    last = blocks[-1].f[2].weight.grad.norm()
    return first.item(), last.item()


def activation_gradients_through_depth() -> None:
    """The gradient that reaches layer 1 of 20, for three activations."""
    print(f"{DEPTH} layers of {WIDTH} units")
    print("          mean   gradient norm")
    print(f"          slope  layer 1  layer {DEPTH}")
    for name in ACTIVATIONS:
        first, last, mean_slope = gradient_through_depth(name)
        print(f"{name:<8}{mean_slope:7.2f}{first:9.1e}{last:10.1e}")


def residual_gradients() -> None:
    """Gradient norm at the first layer, plain network against skips."""
    print("ReLU network, gradient norm of the weights")
    print(f"{'layers':<14}{'first':>8}{'last':>9}")
    for n_layers in (20, 50):
        for skip, name in ((False, "plain"), (True, "skips")):
            first, last = first_layer_gradient(skip, n_layers)
            print(f"{n_layers:3d} {name:<10}{first:8.1e}{last:9.1e}")
