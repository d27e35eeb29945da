"""Convolution formulas of the lecture, checked against PyTorch and SciPy."""
from __future__ import annotations

import inspect
import itertools

import pytest
import torch
import torch.nn.functional as F
from scipy import signal
from torch import nn

import code_snippets.convolution as conv
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions

OUTPUTS = [
    "conv2d_signature",
    "output_size_table",
    "same_padding_keeps_size",
    "cross_correlation_vs_convolution",
    "activation_map_matches_conv2d",
    "weight_sharing_parameter_counts",
    "multichannel_sum_matches_conv2d",
    "conv_default_init",
]
VALUES = ["n_params_fully_connected", "n_params_locally_connected",
          "n_params_convolutional"]



@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(conv, name), capsys))


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(conv) == set(OUTPUTS) | set(VALUES)


def test_parameter_counts_by_hand():
    assert conv.n_params_fully_connected() == 784 * (32 * 26 * 26) + 32 * 26 * 26
    assert conv.n_params_locally_connected() == 26 * 26 * 32 * (9 + 1)
    assert conv.n_params_convolutional() == 32 * 9 + 32
    for name in VALUES:
        assert type(getattr(conv, name)()) is int


def test_conv2d_and_its_signature():
    parameters = list(inspect.signature(nn.Conv2d).parameters.values())
    names = [p.name for p in parameters[:5]]
    assert names == ["in_channels", "out_channels", "kernel_size", "stride", "padding"]
    assert parameters[3].default == 1 and parameters[4].default == 0
    layer = nn.Conv2d(in_channels=1, out_channels=32, kernel_size=3, stride=1, padding=0)
    assert layer.weight.shape == (32, 1, 3, 3)


CASES = [(n, f, p, s) for n, f, p, s in itertools.product(
    (5, 7, 28, 32), (1, 2, 3, 5), (0, 1, 2), (1, 2, 3)) if f <= n + 2 * p]


def test_output_size_formula_against_conv2d_shapes():
    for n, f, p, s in CASES:
        x, w = torch.zeros(1, 1, n, n + 3), torch.zeros(1, 1, f, f)
        height, width = F.conv2d(x, w, padding=p, stride=s).shape[-2:]
        assert height == conv.conv_output_size(n, f, p, s), (n, f, p, s)
        assert width == conv.conv_output_size(n + 3, f, p, s), (n, f, p, s)
    assert len(CASES) > 100


@pytest.mark.parametrize("f", [1, 3, 5, 7, 9])
def test_same_padding_keeps_the_size(f):
    out = nn.Conv2d(1, 1, f, padding=conv.same_padding(f))(torch.zeros(1, 1, 28, 28))
    assert out.shape[-2:] == (28, 28)


def test_same_padding_refuses_even_kernels():
    with pytest.raises(ValueError, match="odd"):
        conv.same_padding(4)


def test_worked_example_with_f_conv2d_and_scipy():
    x, w = torch.tensor(conv.WORKED_INPUT), torch.tensor(conv.WORKED_KERNEL)
    correlation = torch.tensor([[19.0, 25.0], [37.0, 43.0]])
    convolution = torch.tensor([[5.0, 11.0], [23.0, 29.0]])
    assert torch.equal(conv.cross_correlate2d(x, w), correlation)
    assert torch.equal(conv.convolve2d(x, w), convolution)
    assert torch.equal(F.conv2d(x.view(1, 1, 3, 3), w.view(1, 1, 2, 2))[0, 0], correlation)
    scipy_corr = signal.correlate2d(x.numpy(), w.numpy(), mode="valid")
    scipy_conv = signal.convolve2d(x.numpy(), w.numpy(), mode="valid")
    assert (scipy_corr == correlation.numpy()).all()
    assert (scipy_conv == convolution.numpy()).all()


def test_cross_correlation_matches_conv2d_on_random_input():
    x, w = torch.randn(9, 12), torch.randn(3, 4)
    expected = F.conv2d(x.view(1, 1, 9, 12), w.view(1, 1, 3, 4))[0, 0]
    assert torch.allclose(conv.cross_correlate2d(x, w), expected, atol=1e-5)
    expected = signal.convolve2d(x.numpy(), w.numpy(), mode="valid")
    assert torch.allclose(conv.convolve2d(x, w), torch.from_numpy(expected), atol=1e-5)


def test_activation_map_is_sigmoid_of_a_5x5_conv():
    x, w, b = torch.rand(12, 12), torch.randn(5, 5), -0.3
    ours = conv.activation_map(x, w, b)
    expected = torch.sigmoid(F.conv2d(x.view(1, 1, 12, 12), w.view(1, 1, 5, 5),
                                      torch.tensor([b])))[0, 0]
    assert ours.shape == (8, 8)
    assert torch.allclose(ours, expected, atol=1e-6)
    # Unit (1, 0) looks at rows 1..5 and columns 0..4 of the input.
    by_hand = torch.sigmoid(b + (w * x[1:6, 0:5]).sum())
    assert torch.allclose(ours[1, 0], by_hand)


def test_locally_connected_with_shared_weights_is_a_convolution():
    torch.manual_seed(0)
    layer = conv.LocallyConnected2d(2, 3, kernel_size=3, input_size=7)
    kernel, bias = torch.randn(3, 2, 3, 3), torch.randn(3)
    with torch.no_grad():
        layer.weight.copy_(kernel.flatten(1).expand(25, 3, 18))  # same at each position
        layer.bias.copy_(bias.view(3, 1, 1).expand(3, 5, 5))
    x = torch.randn(4, 2, 7, 7)
    assert torch.allclose(layer(x), F.conv2d(x, kernel, bias), atol=1e-5)


def test_locally_connected_positions_are_independent():
    torch.manual_seed(0)
    layer = conv.LocallyConnected2d(1, 1, kernel_size=3, input_size=5)
    x = torch.randn(1, 1, 5, 5)
    with torch.no_grad():
        layer.weight[4].zero_()  # position (1, 1) of the 3x3 output only
    out = layer(x)[0, 0]
    assert out[1, 1] == 0 and out[0, 0] != 0


def test_cross_correlation_demo_shows_the_lecture_numbers(capsys):
    lines = printed_by(conv.cross_correlation_vs_convolution, capsys)
    assert lines[0].endswith("[[19, 25], [37, 43]]")
    assert lines[1].endswith("[[19, 25], [37, 43]]")
    assert lines[2].endswith("[[5, 11], [23, 29]]")
    assert lines[3].endswith("[[5, 11], [23, 29]]")


def test_output_size_table_columns_agree(capsys):
    lines = printed_by(conv.output_size_table, capsys)
    for line in lines[1:]:
        *_, formula, real = line.split()
        assert formula == real


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_multichannel_sum_matches_conv2d(stride):
    torch.manual_seed(stride)
    layer = nn.Conv2d(3, 5, kernel_size=3, stride=stride)
    x = torch.randn(3, 10, 10)
    ours = conv.multichannel_conv2d(x, layer.weight.detach(), layer.bias.detach(), stride)
    # float32 sums of 27 products of order 1 agree to ~1e-6; 1e-5 leaves room for reordering
    torch.testing.assert_close(ours, layer(x[None])[0].detach(), rtol=0, atol=1e-5)


def test_multichannel_output_is_the_sum_of_per_channel_maps():
    torch.manual_seed(0)
    x, w, b = torch.randn(3, 6, 6), torch.randn(2, 3, 3, 3), torch.zeros(2)
    per_channel = sum(conv.multichannel_conv2d(x[c:c + 1], w[:, c:c + 1], b) for c in range(3))
    torch.testing.assert_close(conv.multichannel_conv2d(x, w, b), per_channel, rtol=0, atol=1e-5)


@pytest.mark.parametrize("padding,stride", [(0, 1), (1, 1), (1, 2)])
def test_sliding_window_outputs_are_window_sums(padding, stride):
    padded, out = conv.sliding_window_example(padding, stride)
    assert padded.shape[-1] == 5 + 2 * padding
    assert out.shape[-1] == conv.conv_output_size(5, 3, padding, stride)
    for i, j in itertools.product(range(out.shape[0]), repeat=2):
        window = padded[stride * i:stride * i + 3, stride * j:stride * j + 3]
        assert out[i, j] == window.sum()  # small integers: exact in float32


def test_conv_default_init_bound_is_one_over_root_c_in_f_f():
    layer = nn.Conv2d(32, 64, kernel_size=3)
    bound = 1 / (32 * 3 * 3) ** 0.5
    assert layer.weight.abs().max() <= bound
    assert layer.weight.abs().max() > 0.99 * bound  # 18,432 draws reach the edge
