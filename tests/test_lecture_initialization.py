"""Initialization scales of the lecture, checked against torch.nn.init."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import code_snippets.initialization as init
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions

OUTPUTS = [
    "zero_init_gives_identical_gradients",
    "xavier_bound_matches_pytorch",
    "kaiming_matches_pytorch",
    "pytorch_default_init",
    "activation_scale_through_depth",
]



@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(init, name), capsys))


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(init) == set(OUTPUTS)


def test_bounds_by_hand():
    assert init.xavier_uniform_bound(300, 700) == pytest.approx(math.sqrt(0.006))
    assert init.kaiming_normal_std(50) == pytest.approx(0.2)
    assert init.kaiming_uniform_bound(600) == pytest.approx(0.1)
    assert init.pytorch_default_bound(400) == pytest.approx(0.05)


def test_xavier_uniform_bound_against_pytorch():
    torch.manual_seed(0)
    n_in, n_out = 300, 700
    w = nn.init.xavier_uniform_(torch.empty(n_out, n_in))  # (out, in) like nn.Linear
    bound = init.xavier_uniform_bound(n_in, n_out)
    assert bound * 0.999 < w.abs().max().item() <= bound
    assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    # The misplaced root of the classic slide is far too small.
    assert math.sqrt(6) / (n_in + n_out) < bound / 10


def test_kaiming_normal_and_uniform_against_pytorch():
    torch.manual_seed(0)
    n_in = 400
    normal = nn.init.kaiming_normal_(torch.empty(800, n_in), nonlinearity="relu")
    uniform = nn.init.kaiming_uniform_(torch.empty(800, n_in), nonlinearity="relu")
    assert normal.std().item() == pytest.approx(init.kaiming_normal_std(n_in), rel=0.01)
    bound = init.kaiming_uniform_bound(n_in)
    assert bound * 0.999 < uniform.abs().max().item() <= bound


@pytest.mark.parametrize("layer, fan_in", [
    (nn.Linear(1000, 600), 1000),
    (nn.Conv2d(16, 512, kernel_size=5), 16 * 5 * 5),
])
def test_pytorch_default_init_is_one_over_root_fan_in(layer, fan_in):
    bound = init.pytorch_default_bound(fan_in)
    assert bound * 0.99 < layer.weight.abs().max().item() <= bound
    assert layer.bias.abs().max().item() <= bound
    expected_std = bound / math.sqrt(3)  # std of U[-a, a] is a / sqrt(3)
    assert layer.weight.std().item() == pytest.approx(expected_std, rel=0.02)


def test_standard_init_uses_the_input_size():
    w = init.standard_init_(torch.empty(2000, 100))
    assert 0.099 < w.abs().max().item() <= 0.1


def test_zero_init_makes_every_hidden_unit_the_same():
    net = nn.Sequential(nn.Linear(5, 6), nn.Sigmoid(), nn.Linear(6, 3))
    for parameter in net.parameters():
        nn.init.zeros_(parameter)
    x, y = torch.randn(20, 5), torch.randint(0, 3, (20,))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    for _ in range(3):
        optimizer.zero_grad()
        F.cross_entropy(net(x), y).backward()
        optimizer.step()
    gradient = net[0].weight.grad
    assert gradient.abs().max() > 0  # it learns something ...
    assert torch.allclose(gradient, gradient[0].expand_as(gradient))  # ... in unison


def test_zero_init_demo_reports_one_distinct_row(capsys):
    lines = printed_by(init.zero_init_gives_identical_gradients, capsys)
    assert lines[-1].endswith(": 1")


def test_init_functions_apply_to_a_network():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Conv2d(3, 4, 3))
    net.apply(init.init_for_relu)
    assert net[0].weight.std().item() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert not net[0].bias.any() and not net[2].bias.any()
    net.apply(init.init_for_tanh)
    assert net[0].weight.abs().max().item() <= init.xavier_uniform_bound(400, 300)
    assert not net[0].bias.any()


def test_kaiming_keeps_relu_activations_alive_and_xavier_does_not():
    torch.manual_seed(0)
    kaiming = init.activation_stds(init.relu_init_, torch.relu, depth=8, width=200)
    xavier = init.activation_stds(nn.init.xavier_uniform_, torch.relu, depth=8,
                                  width=200)
    assert 0.5 < kaiming[-1] / kaiming[0] < 2
    assert xavier[-1] / xavier[0] < 0.2  # halves in variance at every layer
    standard = init.activation_stds(init.standard_init_, torch.tanh, depth=8,
                                    width=200)
    assert standard[-1] < 0.05  # tanh signal dies with the 'standard' scale
