"""Weight initialization: not zeros, and the Xavier, Kaiming, default scales."""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn


def xavier_uniform_bound(n_in: int, n_out: int) -> float:
    """Glorot & Bengio (2010): W ~ U[-a, a], a = sqrt(6 / (n_in + n_out))."""
    return math.sqrt(6 / (n_in + n_out))


def kaiming_normal_std(n_in: int) -> float:
    """He et al. (2015), for ReLU: W ~ N(0, std^2), std = sqrt(2 / n_in)."""
    return math.sqrt(2 / n_in)


def kaiming_uniform_bound(n_in: int) -> float:
    """He et al. (2015), uniform version: W ~ U[-a, a], a = sqrt(6 / n_in)."""
    return math.sqrt(6 / n_in)


def pytorch_default_bound(fan_in: int) -> float:
    """nn.Linear and nn.Conv2d: W, b ~ U[-a, a], a = 1 / sqrt(fan_in)."""
    return 1 / math.sqrt(fan_in)


def standard_init_(weight: torch.Tensor) -> torch.Tensor:
    """Glorot's 'standard' U[-1/sqrt(n_in), 1/sqrt(n_in)], in place."""
    bound = pytorch_default_bound(weight.shape[1])  # shape (n_out, n_in)
    return nn.init.uniform_(weight, -bound, bound)


def relu_init_(weight: torch.Tensor) -> torch.Tensor:
    """Kaiming normal for a weight matrix that feeds a ReLU, in place."""
    return nn.init.kaiming_normal_(weight, nonlinearity="relu")


def init_for_tanh(module: nn.Module) -> None:
    """Xavier for layers before tanh or sigmoid: net.apply(init_for_tanh)."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def init_for_relu(module: nn.Module) -> None:
    """Kaiming for layers before a ReLU: net.apply(init_for_relu)."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)


def activation_stds(init_: Callable, activation: Callable, depth: int = 8,
                    width: int = 500) -> list[float]:
    """Std of each layer's activations in a deep net fed N(0, 1) inputs."""
    x = torch.randn(1000, width)
    stds = []
    with torch.no_grad():
        for _ in range(depth):
            layer = nn.Linear(width, width, bias=False)
            init_(layer.weight)
            x = activation(layer(x))
            stds.append(x.std().item())
    return stds


def zero_init_gives_identical_gradients() -> None:
    """All-zero weights: all hidden units get one gradient and stay clones."""
    net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
    for parameter in net.parameters():
        nn.init.zeros_(parameter)
    x, y = torch.randn(32, 3), torch.randint(0, 2, (32,))
    optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
    for _ in range(50):
        optimizer.zero_grad()
        F.cross_entropy(net(x), y).backward()
        optimizer.step()
    print("gradient of the 4 hidden units' weights (one row each):")
    print(net[0].weight.grad)
    distinct = len(net[0].weight.unique(dim=0))
    print("distinct weight rows after 50 steps:", distinct)


def xavier_bound_matches_pytorch() -> None:
    """nn.init.xavier_uniform_ draws up to sqrt(6 / (n_in + n_out))."""
    n_in, n_out = 500, 1000
    w = nn.init.xavier_uniform_(torch.empty(n_out, n_in))
    wrong = math.sqrt(6) / (n_in + n_out)
    print(f"sqrt(6 / (n_in + n_out)) = {xavier_uniform_bound(n_in, n_out):.4f}")
    print(f"max |w| drawn by PyTorch = {w.abs().max():.4f}")
    print(f"sqrt(6) / (n_in + n_out) = {wrong:.4f}  (root misplaced)")


def kaiming_matches_pytorch() -> None:
    """PyTorch Kaiming: normal std sqrt(2/n_in), uniform bound sqrt(6/n_in)."""
    n_in = 800
    w = torch.empty(1000, n_in)
    normal = nn.init.kaiming_normal_(w.clone(), nonlinearity="relu")
    uniform = nn.init.kaiming_uniform_(w.clone(), nonlinearity="relu")
    print(f"normal:  sqrt(2 / n_in) = {kaiming_normal_std(n_in):.4f}"
          f"   std of w = {normal.std():.4f}")
    print(f"uniform: sqrt(6 / n_in) = {kaiming_uniform_bound(n_in):.4f}"
          f"   max |w|  = {uniform.abs().max():.4f}")


def pytorch_default_init() -> None:
    """Default weights and biases lie in [-1/sqrt(fan_in), 1/sqrt(fan_in)]."""
    layer, fan_in = nn.Linear(784, 256), 784  # fan_in: inputs of one unit
    print(f"nn.Linear(784, 256): 1/sqrt({fan_in}) = "
          f"{pytorch_default_bound(fan_in):.4f}")
    print(f"max |w| = {layer.weight.abs().max():.4f}"
          f"   max |b| = {layer.bias.abs().max():.4f}")


def activation_scale_through_depth() -> None:
    """Std of the activations per layer: a wrong scale shrinks the signal."""
    runs = {
        "tanh standard": activation_stds(standard_init_, torch.tanh),
        "tanh Xavier": activation_stds(nn.init.xavier_uniform_, torch.tanh),
        "ReLU Xavier": activation_stds(nn.init.xavier_uniform_, torch.relu),
        "ReLU Kaiming": activation_stds(relu_init_, torch.relu),
    }
    print("layer" + "".join(f"{name:>15}" for name in runs))
    for layer, stds in enumerate(zip(*runs.values()), start=1):
        print(f"{layer:5d}" + "".join(f"{std:15.3f}" for std in stds))
