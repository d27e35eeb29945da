"""Batch norm and layer norm of the lecture, checked against PyTorch."""
from __future__ import annotations


import pytest
import torch
import torch.nn.functional as F
from torch import nn

import code_snippets.normalization as norm
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions

OUTPUTS = [
    "batch_norm_per_channel_statistics",
    "layer_norm_per_sample_statistics",
    "batch_norm_eval_uses_running_stats",
]



@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(norm, name), capsys))


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(norm) == set(OUTPUTS)


def test_batch_norm_formula_matches_pytorch_with_affine_parameters():
    x = torch.randn(8, 4, 5, 5) * 3 + 1
    gamma, beta = torch.randn(4), torch.randn(4)
    expected = F.batch_norm(x, None, None, gamma, beta, training=True)
    assert torch.allclose(norm.batch_norm(x, gamma, beta), expected, atol=1e-5)


def test_batch_norm_output_has_per_channel_mean_0_variance_1():
    x = torch.randn(16, 3, 6, 6) * torch.tensor([0.1, 1.0, 10.0]).view(1, 3, 1, 1)
    y = nn.BatchNorm2d(3)(x).detach()
    mean = y.mean(dim=(0, 2, 3))
    var = y.var(dim=(0, 2, 3), unbiased=False)
    assert torch.allclose(mean, torch.zeros(3), atol=1e-5)
    v = x.var(dim=(0, 2, 3), unbiased=False)
    assert torch.allclose(var, v / (v + 1e-5), atol=1e-4)  # 1 up to eps
    # Per sample the statistics are not normalized: BN works across the batch.
    assert not torch.allclose(y[0].mean(), torch.tensor(0.0), atol=1e-3)


def test_layer_norm_formula_matches_pytorch_with_affine_parameters():
    x = torch.randn(6, 12) * 4 - 2
    gamma, beta = torch.randn(12), torch.randn(12)
    expected = F.layer_norm(x, (12,), gamma, beta)
    assert torch.allclose(norm.layer_norm(x, gamma, beta), expected, atol=1e-5)


def test_layer_norm_output_has_per_sample_mean_0_variance_1():
    x = torch.randn(5, 20) * torch.arange(1.0, 6.0).view(5, 1) + 3
    layer = nn.LayerNorm(20)
    y = layer(x).detach()
    assert torch.allclose(y.mean(dim=1), torch.zeros(5), atol=1e-5)
    assert torch.allclose(y.var(dim=1, unbiased=False), torch.ones(5), atol=1e-3)
    assert torch.equal(layer.eval()(x), layer.train()(x))  # no train/eval split


def test_running_statistics_follow_pytorch_updates():
    bn = nn.BatchNorm2d(3, momentum=0.1)
    mean, var = torch.zeros(3), torch.ones(3)  # PyTorch's starting values
    for _ in range(4):
        x = torch.randn(10, 3, 4, 4) * 2 + 5
        bn(x)
        mean, var = norm.update_running_stats(mean, var, x, momentum=0.1)
    assert torch.allclose(bn.running_mean, mean, atol=1e-6)
    assert torch.allclose(bn.running_var, var, atol=1e-5)


def test_eval_mode_batch_norm_uses_running_statistics():
    bn = nn.BatchNorm2d(2)
    for _ in range(5):
        bn(torch.randn(8, 2, 3, 3) * 4 + 1)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([2.0, 0.5]))
        bn.bias.copy_(torch.tensor([-1.0, 3.0]))
    bn.eval()
    x = torch.randn(3, 2, 3, 3)
    shape = (1, 2, 1, 1)
    x_hat = (x - bn.running_mean.view(shape)) / torch.sqrt(bn.running_var.view(shape)
                                                           + bn.eps)
    expected = bn.weight.view(shape) * x_hat + bn.bias.view(shape)
    assert torch.allclose(bn(x), expected, atol=1e-5)
    # A sample's output no longer depends on the rest of the batch.
    assert torch.allclose(bn(x[:1]), bn(x)[:1])


def test_eval_demo_prints_matching_rows(capsys):
    lines = printed_by(norm.batch_norm_eval_uses_running_stats, capsys)
    assert lines[1].split(":")[1].strip() == lines[2].split(":")[1].strip()
    assert lines[3].split(":")[1].strip() != lines[1].split(":")[1].strip()


def test_conv_bn_relu_block():
    block = norm.conv_bn_relu(3, 8)
    conv, bn, relu = block
    assert conv.bias is None and isinstance(bn, nn.BatchNorm2d)
    y = block(torch.randn(4, 3, 10, 10))
    assert y.shape == (4, 8, 10, 10) and (y >= 0).all()
