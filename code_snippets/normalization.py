"""Normalization layers: batch normalization and layer normalization, written out and checked."""

from __future__ import annotations

import torch
from torch import nn


def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
               eps: float = 1e-5) -> torch.Tensor:
    """Ioffe & Szegedy (2015): normalize each channel over batch and pixels, scale, shift."""
    mean = x.mean(dim=(0, 2, 3), keepdim=True)  # one mean per channel: x has shape (N, C, H, W)
    var = x.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
    x_hat = (x - mean) / torch.sqrt(var + eps)  # per channel: mean 0, variance 1
    return gamma.view(1, -1, 1, 1) * x_hat + beta.view(1, -1, 1, 1)  # learned scale and shift


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
               eps: float = 1e-5) -> torch.Tensor:
    """Ba et al. (2016): normalize each sample over its features, scale, shift."""
    mean = x.mean(dim=-1, keepdim=True)  # one mean per sample: x has shape (N, features)
    var = x.var(dim=-1, keepdim=True, unbiased=False)
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


def update_running_stats(running_mean, running_var, x, momentum: float = 0.1):
    """What BatchNorm2d keeps for eval mode: moving averages of the batch statistics."""
    batch_mean = x.mean(dim=(0, 2, 3))
    batch_var = x.var(dim=(0, 2, 3), unbiased=True)  # PyTorch stores the unbiased variance
    running_mean = (1 - momentum) * running_mean + momentum * batch_mean
    running_var = (1 - momentum) * running_var + momentum * batch_var
    return running_mean, running_var


def conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    """The usual block: convolution, batch norm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),  # BN's shift is the bias
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


def _channel_stats(x: torch.Tensor) -> str:
    """Per-channel mean and variance of an (N, C, H, W) tensor, formatted for one line."""
    means = x.mean(dim=(0, 2, 3)).tolist()
    variances = x.var(dim=(0, 2, 3), unbiased=False).tolist()
    return "  ".join(f"{round(m, 2) + 0.0:6.2f}/{v:5.2f}" for m, v in zip(means, variances))


def batch_norm_per_channel_statistics() -> None:
    """After nn.BatchNorm2d each channel has mean 0 and variance 1 over the batch."""
    scale, offset = torch.tensor([1.0, 5.0, 0.2]), torch.tensor([2.0, -3.0, 10.0])
    x = torch.randn(16, 3, 8, 8) * scale.view(1, 3, 1, 1) + offset.view(1, 3, 1, 1)
    bn = nn.BatchNorm2d(3)  # gamma = 1, beta = 0 at the start: output is x_hat
    y = bn(x)
    print("channel mean/variance:")
    print("before:", _channel_stats(x))
    print("after: ", _channel_stats(y.detach()))
    ours = batch_norm(x, bn.weight, bn.bias)
    print("formula == nn.BatchNorm2d:", torch.allclose(ours, y, atol=1e-5))


def layer_norm_per_sample_statistics() -> None:
    """After nn.LayerNorm each sample has mean 0 and variance 1 over its features."""
    x = torch.randn(4, 10) * torch.tensor([[1.0], [5.0], [0.2], [3.0]]) + 7
    ln = nn.LayerNorm(10)
    y = ln(x).detach()
    print("per-sample mean:    ", [round(m, 3) + 0.0 for m in y.mean(dim=1).tolist()])
    print("per-sample variance:", [round(v, 3) for v in y.var(dim=1, unbiased=False).tolist()])
    print("formula == nn.LayerNorm:", torch.allclose(layer_norm(x, ln.weight, ln.bias), y, atol=1e-5))
    print("train == eval:", torch.equal(ln.train()(x), ln.eval()(x)))


def batch_norm_eval_uses_running_stats() -> None:
    """In eval mode BatchNorm2d normalizes with the running averages, not the batch."""
    bn = nn.BatchNorm2d(1)
    for _ in range(200):  # training batches with mean 2 and standard deviation 3
        bn(2 + 3 * torch.randn(32, 1, 4, 4))
    print(f"running mean {bn.running_mean.item():.2f}, running var {bn.running_var.item():.2f}")
    x = torch.tensor([1.0, 2.0, 5.0, 8.0]).view(4, 1, 1, 1)
    by_hand = (x - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps)
    print("eval mode: ", bn.eval()(x).flatten().detach())
    print("by hand:   ", by_hand.flatten())
    print("train mode:", bn.train()(x).flatten().detach())  # batch statistics instead
