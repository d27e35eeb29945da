"""Normalization layers: batch norm and layer norm, written out and checked."""

from __future__ import annotations

import torch
from torch import nn


def batch_norm(x, gamma, beta, eps: float = 1e-5) -> torch.Tensor:
    """Ioffe & Szegedy (2015): normalize each channel over the batch."""
    # x has shape (N, C, H, W): one mean and variance per channel C
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
    x_hat = (x - mean) / torch.sqrt(var + eps)  # mean 0, variance 1
    gamma, beta = gamma.view(1, -1, 1, 1), beta.view(1, -1, 1, 1)
    return gamma * x_hat + beta  # learned scale and shift per channel


def layer_norm(x, gamma, beta, eps: float = 1e-5) -> torch.Tensor:
    """Ba et al. (2016): normalize each sample over its own features."""
    # x has shape (N, features): one mean and variance per sample
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True, unbiased=False)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma * x_hat + beta  # learned scale and shift per feature


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    """What BatchNorm2d keeps for eval mode: moving averages of batch stats."""
    batch_mean = x.mean(dim=(0, 2, 3))
    batch_var = x.var(dim=(0, 2, 3), unbiased=True)  # PyTorch keeps unbiased
    running_mean = (1 - momentum) * running_mean + momentum * batch_mean
    running_var = (1 - momentum) * running_var + momentum * batch_var
    return running_mean, running_var


def conv_bn_relu(c_in: int, c_out: int) -> nn.Sequential:
    """The usual block: convolution, batch norm, ReLU."""
    # [start:conv_bn_relu_block]
    return nn.Sequential(
        # no bias: batch norm removes the mean
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),  # then adds its own shift
        nn.ReLU(),
    )
    # [end:conv_bn_relu_block]


def _channel_stats(name: str, x: torch.Tensor) -> list[str]:
    """Two lines: per-channel mean and variance of an (N, C, H, W) tensor."""
    means = x.mean(dim=(0, 2, 3)).tolist()
    variances = x.var(dim=(0, 2, 3), unbiased=False).tolist()
    return [f"{name:<7}mean     " + "".join(f"{round(m, 2) + 0.0:11.2f}" for m in means),
            f"{'':<7}variance " + "".join(f"{v:11.2f}" for v in variances)]


def batch_norm_per_channel_statistics() -> None:
    """After nn.BatchNorm2d each channel has mean 0, variance 1."""
    scale = torch.tensor([1.0, 5.0, 0.2]).view(1, 3, 1, 1)
    offset = torch.tensor([2.0, -3.0, 10.0]).view(1, 3, 1, 1)
    x = torch.randn(16, 3, 8, 8) * scale + offset
    bn = nn.BatchNorm2d(3)  # starts with gamma = 1, beta = 0
    y = bn(x).detach()
    print(" " * 16 + "".join(f"{f'channel {c}':>11}" for c in range(3)))
    print("\n".join(_channel_stats("before", x) + _channel_stats("after", y)))
    ours = batch_norm(x, bn.weight, bn.bias)
    print("formula == nn.BatchNorm2d:", torch.allclose(ours, y, atol=1e-5))


def layer_norm_per_sample_statistics() -> None:
    """After nn.LayerNorm each sample has mean 0, variance 1."""
    scale = torch.tensor([[1.0], [5.0], [0.2], [3.0]])  # one per sample
    x = torch.randn(4, 10) * scale + 7
    ln = nn.LayerNorm(10)
    y = ln(x).detach()
    means = [round(m, 3) + 0.0 for m in y.mean(dim=1).tolist()]
    variances = [round(v, 3) for v in y.var(dim=1, unbiased=False).tolist()]
    ours = layer_norm(x, ln.weight, ln.bias)
    print("per-sample mean:    ", means)
    print("per-sample variance:", variances)
    print("formula == nn.LayerNorm:", torch.allclose(ours, y, atol=1e-5))
    print("train == eval:", torch.equal(ln.train()(x), ln.eval()(x)))


def batch_norm_eval_uses_running_stats() -> None:
    """In eval mode BatchNorm2d uses its running averages, not the batch."""
    bn = nn.BatchNorm2d(1)
    for _ in range(200):  # training batches with mean 2 and std 3
        bn(2 + 3 * torch.randn(32, 1, 4, 4))
    mean, var = bn.running_mean, bn.running_var
    print(f"running mean {mean.item():.2f}, running var {var.item():.2f}")
    x = torch.tensor([1.0, 2.0, 5.0, 8.0]).view(4, 1, 1, 1)
    by_hand = (x - mean) / torch.sqrt(var + bn.eps)
    print("eval mode: ", bn.eval()(x).flatten().detach())
    print("by hand:   ", by_hand.flatten())
    print("train mode:", bn.train()(x).flatten().detach())  # batch stats
