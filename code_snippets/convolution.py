"""Convolutional layers: activation maps, weight sharing, output sizes."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

WORKED_INPUT = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
WORKED_KERNEL = [[0.0, 1.0], [2.0, 3.0]]


def conv_output_size(n: int, f: int, p: int = 0, s: int = 1) -> int:
    """Output width for input N, kernel F, padding P, stride S."""
    return (n - f + 2 * p) // s + 1  # floor((N - F + 2P) / S) + 1


def same_padding(f: int) -> int:
    """Padding that keeps the size at stride 1: P = (F - 1) / 2, F odd."""
    if f % 2 == 0:
        raise ValueError(f"'same' padding needs an odd kernel size, got {f}")
    return (f - 1) // 2


def cross_correlate2d(image: torch.Tensor, kernel: torch.Tensor):
    """What nn.Conv2d computes: out[i, j] = sum_l,m w[l, m] x[i+l, j+m]."""
    f_rows, f_cols = kernel.shape
    rows = image.shape[0] - f_rows + 1
    cols = image.shape[1] - f_cols + 1
    out = torch.empty(rows, cols)
    for i in range(rows):
        for j in range(cols):
            patch = image[i:i + f_rows, j:j + f_cols]  # receptive field
            out[i, j] = (kernel * patch).sum()
    return out


def convolve2d(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """True convolution: cross-correlation with the kernel flipped."""
    return cross_correlate2d(image, kernel.flip(0, 1))  # flip rows and cols


def multichannel_conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor,
                        stride: int = 1) -> torch.Tensor:
    """out[o, i, j] = b[o] + sum_c sum_l sum_m w[o, c, l, m] x[c, Si+l, Sj+m]."""
    c_out, c_in, f, _ = w.shape  # one F x F filter per (output, input) pair
    size = (x.shape[-1] - f) // stride + 1
    out = torch.empty(c_out, size, size)
    for o in range(c_out):
        for i in range(size):
            for j in range(size):
                rows = slice(stride * i, stride * i + f)
                cols = slice(stride * j, stride * j + f)
                # all input channels at once: the filter is C_in x F x F
                out[o, i, j] = b[o] + (w[o] * x[:, rows, cols]).sum()
    return out


def sliding_window_example(padding: int, stride: int):
    """A 5x5 input of small integers, zero-padded, and F.conv2d of it with a
    3x3 kernel of ones: each output is the sum under the window."""
    generator = torch.Generator().manual_seed(3)
    x = torch.randint(0, 4, (5, 5), generator=generator).float()
    out = F.conv2d(_as_batch(x), torch.ones(1, 1, 3, 3),
                   padding=padding, stride=stride)[0, 0]
    return F.pad(x, (padding,) * 4), out


def activation_map(x: torch.Tensor, w: torch.Tensor, b: float):
    """out(i, j) = sigma(b + sum_l sum_m w[l, m] x[i + l, j + m]), 5x5 w."""
    size = x.shape[0] - 5 + 1  # a 28x28 input gives a 24x24 map
    out = torch.empty(size, size)
    for i in range(size):
        for j in range(size):
            total = torch.tensor(b)
            for l in range(5):  # l = 0, ..., 4: five rows of the filter
                for m in range(5):  # m = 0, ..., 4: five columns
                    total += w[l, m] * x[i + l, j + m]
            out[i, j] = torch.sigmoid(total)
    return out


class LocallyConnected2d(nn.Module):
    """A convolution without weight sharing: new filters at every position."""

    def __init__(self, in_channels, out_channels, kernel_size, input_size):
        super().__init__()
        self.kernel_size = kernel_size
        self.out_size = input_size - kernel_size + 1
        patch = in_channels * kernel_size**2  # inputs seen by one unit
        positions = self.out_size**2
        weight = torch.randn(positions, out_channels, patch) / patch**0.5
        self.weight = nn.Parameter(weight)
        size = (out_channels, self.out_size, self.out_size)
        self.bias = nn.Parameter(torch.zeros(size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        patches = F.unfold(x, self.kernel_size)  # (batch, patch, positions)
        out = torch.einsum("bpn,nop->bon", patches, self.weight)
        return out.reshape(len(x), -1, self.out_size, self.out_size) + self.bias


def count_parameters(module: nn.Module) -> int:
    """Number of learned numbers in a module."""
    return sum(p.numel() for p in module.parameters())


def n_params_fully_connected() -> int:
    """Fully connected: 28x28 input to 32x26x26 outputs, like the conv."""
    with torch.device("meta"):  # shapes only: no memory, no random numbers
        return count_parameters(nn.Linear(28 * 28, 32 * 26 * 26))


def n_params_locally_connected() -> int:
    """Locally connected: 32 3x3 filters per position, 26x26 positions."""
    layer = LocallyConnected2d(1, 32, kernel_size=3, input_size=28)
    return count_parameters(layer)


def n_params_convolutional() -> int:
    """Convolutional: 32 3x3 filters on 28x28, shared by all positions."""
    return count_parameters(nn.Conv2d(1, 32, kernel_size=3))


def conv2d_signature() -> None:
    """nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)."""
    # [start:conv2d_layer]
    conv = nn.Conv2d(in_channels=1, out_channels=32, kernel_size=3,
                     stride=1, padding=0)
    images = torch.rand(64, 1, 28, 28)  # (batch, channels, height, width)
    feature_maps = conv(images)         # (64, 32, 26, 26)
    # [end:conv2d_layer]
    print(conv)
    print("weight:", tuple(conv.weight.shape), " bias:", tuple(conv.bias.shape))
    print("input:", tuple(images.shape), "->", tuple(feature_maps.shape))


def output_size_table() -> None:
    """floor((N - F + 2P) / S) + 1 against the shapes nn.Conv2d produces."""
    cases = [(28, 3, 0, 1), (28, 5, 0, 1), (28, 5, 2, 1), (28, 3, 1, 2),
             (7, 3, 0, 2), (227, 11, 0, 4), (224, 11, 2, 4), (224, 7, 3, 2)]
    print("   N   F   P   S   formula   nn.Conv2d")
    for n, f, p, s in cases:
        conv = nn.Conv2d(1, 1, kernel_size=f, padding=p, stride=s)
        real = conv(torch.zeros(1, 1, n, n)).shape[-1]
        formula = conv_output_size(n, f, p, s)
        print(f"{n:4d}{f:4d}{p:4d}{s:4d}{formula:10d}{real:12d}")


def same_padding_keeps_size() -> None:
    """With stride 1 and P = (F - 1) / 2 a 28x28 input stays 28x28."""
    x = torch.zeros(1, 1, 28, 28)
    for f in (3, 5, 7):
        p = same_padding(f)
        explicit = tuple(nn.Conv2d(1, 1, f, padding=p)(x).shape[-2:])
        by_name = tuple(nn.Conv2d(1, 1, f, padding="same")(x).shape[-2:])
        print(f"F = {f}, P = {p}: {explicit}   padding='same': {by_name}")


def _as_batch(t: torch.Tensor) -> torch.Tensor:
    """A 2-D tensor as shape (batch=1, channels=1, H, W), for F.conv2d."""
    return t.view(1, 1, *t.shape)


def cross_correlation_vs_convolution() -> None:
    """Deep learning's 'convolution' does not flip: it cross-correlates."""
    x, w = torch.tensor(WORKED_INPUT), torch.tensor(WORKED_KERNEL)
    pytorch = F.conv2d(_as_batch(x), _as_batch(w))[0, 0]
    flipped = F.conv2d(_as_batch(x), _as_batch(w.flip(0, 1)))[0, 0]
    results = [("cross-correlation", cross_correlate2d(x, w)),
               ("F.conv2d", pytorch), ("convolution", convolve2d(x, w)),
               ("F.conv2d, flipped", flipped)]
    for name, result in results:  # every entry is a whole number here
        print(f"{name + ':':<19}", result.round().long().tolist())


def activation_map_matches_conv2d() -> None:
    """The double sum over l, m = 0..4 is a 5x5 conv followed by a sigmoid."""
    x, w, b = torch.rand(28, 28), torch.randn(5, 5), 0.1
    ours = activation_map(x, w, b)
    conv = F.conv2d(_as_batch(x), _as_batch(w), torch.tensor([b]))[0, 0]
    difference = (ours - torch.sigmoid(conv)).abs().max()
    print("map shape:", tuple(ours.shape))
    print(f"largest difference to PyTorch: {difference:.1e}")


def multichannel_sum_matches_conv2d() -> None:
    """The sum over input channels and the filter, against nn.Conv2d."""
    conv = nn.Conv2d(in_channels=3, out_channels=4, kernel_size=3, stride=2)
    x = torch.randn(3, 9, 9)  # one colour image: 3 channels of 9x9
    ours = multichannel_conv2d(x, conv.weight.detach(), conv.bias.detach(), 2)
    theirs = conv(x.unsqueeze(0))[0].detach()
    print("weight (C_out, C_in, F, F):", tuple(conv.weight.shape))
    print("parameters: 4 x 3 x 3 x 3 + 4 =", count_parameters(conv))
    print("output (C_out, H, W):", tuple(ours.shape))
    print(f"largest difference to nn.Conv2d: {(ours - theirs).abs().max():.1e}")


def conv_default_init() -> None:
    """nn.Conv2d's default init: U[-1/sqrt(fan_in), ...], fan_in = C_in F F."""
    conv = nn.Conv2d(32, 64, kernel_size=3)
    fan_in = 32 * 3 * 3  # inputs of one unit: every channel of its window
    bound = fan_in ** -0.5
    print(f"fan_in = 32 x 3 x 3 = {fan_in}, 1/sqrt(fan_in) = {bound:.4f}")
    print(f"max |w| = {conv.weight.abs().max():.4f}"
          f"   max |b| = {conv.bias.abs().max():.4f}")


def weight_sharing_parameter_counts() -> None:
    """Parameters to map a 28x28 image to 32 maps of 26x26."""
    print(f"fully connected:     {n_params_fully_connected():>12,}")
    print(f"locally connected:   {n_params_locally_connected():>12,}")
    print(f"convolutional:       {n_params_convolutional():>12,}")
