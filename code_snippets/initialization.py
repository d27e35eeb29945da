"""Weight initialization: why not zeros, and the Xavier, Kaiming and PyTorch default scales."""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn


def xavier_uniform_bound(n_in: int, n_out: int) -> float:
    """Glorot & Bengio (2010): W ~ U[-a, a] with a = sqrt(6 / (n_in + n_out))."""
    return math.sqrt(6 / (n_in + n_out))


def kaiming_normal_std(n_in: int) -> float:
    """He et al. (2015) for ReLU: W ~ N(0, std^2) with std = sqrt(2 / n_in)."""
    return math.sqrt(2 / n_in)


def kaiming_uniform_bound(n_in: int) -> float:
    """He et al. (2015) for ReLU, uniform version: W ~ U[-a, a] with a = sqrt(6 / n_in)."""
    return math.sqrt(6 / n_in)


def pytorch_default_bound(fan_in: int) -> float:
    """nn.Linear and nn.Conv2d draw W and b from U[-a, a] with a = 1 / sqrt(fan_in)."""
    return 1 / math.sqrt(fan_in)


def standard_init_(weight: torch.Tensor) -> torch.Tensor:
    """Glorot's 'standard' heuristic U[-1/sqrt(n_in), 1/sqrt(n_in)], in place."""
    bound = pytorch_default_bound(weight.shape[1])  # weight has shape (n_out, n_in)
    return nn.init.uniform_(weight, -bound, bound)


def init_for_tanh(module: nn.Module) -> None:
    """Xavier for layers followed by tanh or sigmoid; use as net.apply(init_for_tanh)."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def init_for_relu(module: nn.Module) -> None:
    """Kaiming for layers followed by ReLU; use as net.apply(init_for_relu)."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")  # std = sqrt(2 / fan_in)
        nn.init.zeros_(module.bias)


def init_relu_layer_weight_(weight: torch.Tensor) -> torch.Tensor:
    """Kaiming normal for a weight matrix feeding a ReLU, in place."""
    return nn.init.kaiming_normal_(weight, nonlinearity="relu")


def activation_stds(init_: Callable, activation: Callable, depth: int = 8,
                    width: int = 500) -> list[float]:
    """Standard deviation of the activations after each layer of a deep net on N(0, 1) input."""
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
    """All-zero weights: every hidden unit gets the same gradient, so they stay clones."""
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
    print("distinct weight rows after 50 steps:", len(net[0].weight.unique(dim=0)))


def xavier_bound_matches_pytorch() -> None:
    """The largest |w| drawn by nn.init.xavier_uniform_ sits just under sqrt(6/(n_in+n_out))."""
    n_in, n_out = 500, 1000
    w = nn.init.xavier_uniform_(torch.empty(n_out, n_in))
    print(f"sqrt(6 / (n_in + n_out)) = {xavier_uniform_bound(n_in, n_out):.4f}")
    print(f"max |w| drawn by PyTorch = {w.abs().max():.4f}")
    print(f"sqrt(6) / (n_in + n_out) = {math.sqrt(6) / (n_in + n_out):.4f}  (root misplaced)")


def kaiming_matches_pytorch() -> None:
    """kaiming_normal_ has std sqrt(2/n_in); kaiming_uniform_ has bound sqrt(6/n_in)."""
    n_in = 800
    normal = nn.init.kaiming_normal_(torch.empty(1000, n_in), nonlinearity="relu")
    uniform = nn.init.kaiming_uniform_(torch.empty(1000, n_in), nonlinearity="relu")
    print(f"normal:  sqrt(2 / n_in) = {kaiming_normal_std(n_in):.4f}, std  = {normal.std():.4f}")
    print(f"uniform: sqrt(6 / n_in) = {kaiming_uniform_bound(n_in):.4f}, "
          f"max = {uniform.abs().max():.4f}")


def pytorch_default_init() -> None:
    """Default nn.Linear / nn.Conv2d weights and biases lie in [-1/sqrt(fan_in), 1/sqrt(fan_in)]."""
    for layer, fan_in in [(nn.Linear(784, 256), 784), (nn.Conv2d(32, 64, 3), 32 * 3 * 3)]:
        name = type(layer).__name__
        print(f"{name}: 1/sqrt({fan_in}) = {pytorch_default_bound(fan_in):.4f}   "
              f"max |w| = {layer.weight.abs().max():.4f}   max |b| = {layer.bias.abs().max():.4f}")


def activation_scale_through_depth() -> None:
    """Per-layer activation std: the wrong scale shrinks the signal layer after layer."""
    runs = {
        "tanh standard": activation_stds(standard_init_, torch.tanh),
        "tanh Xavier": activation_stds(nn.init.xavier_uniform_, torch.tanh),
        "ReLU Xavier": activation_stds(nn.init.xavier_uniform_, torch.relu),
        "ReLU Kaiming": activation_stds(init_relu_layer_weight_, torch.relu),
    }
    print("layer" + "".join(f"{name:>15}" for name in runs))
    for layer, stds in enumerate(zip(*runs.values()), start=1):
        print(f"{layer:5d}" + "".join(f"{std:15.3f}" for std in stds))
