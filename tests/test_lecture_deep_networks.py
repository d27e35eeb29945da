"""Activation slopes and skip connections of the lecture, checked against autograd."""
from __future__ import annotations

import pytest
import torch
from torch import nn

import code_snippets.deep_networks as deep
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions

OUTPUTS = ["activation_gradients_through_depth", "residual_gradients"]


@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(deep, name), capsys))


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(deep) == set(OUTPUTS)


@pytest.mark.parametrize("name", list(deep.ACTIVATIONS))
def test_slope_formulas_match_autograd(name):
    activation, slope, _ = deep.ACTIVATIONS[name]
    a = torch.linspace(-6, 6, 1001, dtype=torch.float64)  # no point at exactly 0 for relu
    a.requires_grad_(True)
    activation(a).sum().backward()
    torch.testing.assert_close(slope(a.detach()), a.grad)


def test_sigmoid_slope_is_at_most_a_quarter_and_tanh_saturates():
    a = torch.linspace(-10, 10, 2001)
    assert deep.sigmoid_slope(a).max() <= 0.25
    assert deep.tanh_slope(torch.tensor([0.0])).item() == 1.0
    assert deep.tanh_slope(torch.tensor([5.0])).item() < 1e-3
    assert deep.relu_slope(torch.tensor([5.0, 500.0])).tolist() == [1.0, 1.0]


def test_sigmoid_loses_the_gradient_and_relu_keeps_it():
    sigmoid_first, sigmoid_last, _ = deep.gradient_through_depth("sigmoid")
    relu_first, relu_last, _ = deep.gradient_through_depth("relu")
    assert sigmoid_first / sigmoid_last < 1e-8
    assert relu_first / relu_last > 1e-2


def test_a_skip_adds_the_identity_to_the_jacobian():
    torch.manual_seed(0)
    plain, skip = deep.Block(6, skip=False), deep.Block(6, skip=True)
    skip.load_state_dict(plain.state_dict())
    x = torch.randn(6)
    j_plain = torch.autograd.functional.jacobian(plain, x)
    j_skip = torch.autograd.functional.jacobian(skip, x)
    torch.testing.assert_close(j_skip, torch.eye(6) + j_plain)


def test_skips_bring_the_gradient_to_the_first_layer():
    plain_first, _ = deep.first_layer_gradient(skip=False, n_layers=20)
    skip_first, _ = deep.first_layer_gradient(skip=True, n_layers=20)
    assert plain_first < 1e-6 < 1e-2 < skip_first
