"""Penalties, weight decay and dropout of the lecture, checked against PyTorch."""
from __future__ import annotations


import pytest
import torch
import torch.nn.functional as F
from torch import nn

import code_snippets.regularization as reg
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions

OUTPUTS = [
    "dropout_train_and_eval",
    "original_versus_inverted_dropout",
    "dropout2d_zeroes_whole_channels",
    "dropout_typo_fails",
    "l1_penalty_needs_lambda",
    "weight_decay_is_l2_penalty",
    "adam_versus_adamw_decay",
]



@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(reg, name), capsys))


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(reg) == set(OUTPUTS)


def test_penalties_sum_over_weights_only():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    weights = [model[0].weight, model[2].weight]
    l2 = sum(float((w.detach().numpy() ** 2).sum()) for w in weights)
    l1 = sum(float(abs(w.detach().numpy()).sum()) for w in weights)
    assert reg.l2_penalty(model).item() == pytest.approx(l2, rel=1e-5)
    assert reg.l1_penalty(model).item() == pytest.approx(l1, rel=1e-5)


def test_l1_step_adds_lambda_times_sign_of_the_weights():
    torch.manual_seed(1)
    model, lr, lam = nn.Linear(6, 3), 0.1, 0.05
    images, labels = torch.randn(8, 6), torch.randint(0, 3, (8,))
    before = model.weight.detach().clone()
    reference = nn.Linear(6, 3)
    reference.load_state_dict(model.state_dict())
    F.cross_entropy(reference(images), labels).backward()
    task_gradient = reference.weight.grad
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    reg.train_step_with_l1(model, images, labels, optimizer, l1_lambda=lam)
    expected = before - lr * (task_gradient + lam * before.sign())
    assert torch.allclose(model.weight.detach(), expected, atol=1e-6)


def test_optimizers_carry_their_weight_decay():
    optimizers = reg.make_optimizers(nn.Linear(2, 2))
    assert isinstance(optimizers["AdamW"], torch.optim.AdamW)
    assert isinstance(optimizers["Adam"], torch.optim.Adam)
    for optimizer in optimizers.values():
        assert optimizer.param_groups[0]["weight_decay"] > 0


def test_sgd_weight_decay_is_gradient_of_half_wd_sum_of_squares():
    w0, wd, lr = torch.randn(5), 0.3, 0.2
    w = nn.Parameter(w0.clone())
    (0 * w).sum().backward()
    torch.optim.SGD([w], lr=lr, weight_decay=wd).step()
    assert torch.allclose(w.detach(), w0 - lr * wd * w0)


def test_adamw_shrinks_weights_and_adam_moves_them_by_lr():
    w0, wd, lr = torch.tensor([0.01, 1.0, 100.0]), 0.1, 0.1
    results = {}
    for optimizer_class in (torch.optim.Adam, torch.optim.AdamW):
        w = nn.Parameter(w0.clone())
        (0 * w).sum().backward()
        optimizer_class([w], lr=lr, weight_decay=wd).step()
        results[optimizer_class] = w.detach()
    assert torch.allclose(results[torch.optim.AdamW], w0 * (1 - lr * wd))
    assert torch.allclose(results[torch.optim.Adam], w0 - lr, atol=1e-5)


def test_dropout_mlp_places_dropout_after_activations_only():
    model = reg.DropoutMLP()
    layers = list(model.layers)
    assert isinstance(layers[0], nn.Dropout) and layers[0].p == 0.2
    assert isinstance(layers[-1], nn.Linear)  # no dropout after the output
    for before, layer in zip(layers, layers[1:]):
        if isinstance(layer, nn.Dropout):
            assert isinstance(before, nn.ReLU) and layer.p == 0.5
    images = torch.rand(5, 1, 28, 28)
    assert model(images).shape == (5, 10)
    model.eval()
    assert torch.equal(model(images), model(images))


def test_inverted_dropout_behaves_like_nn_dropout():
    torch.manual_seed(0)
    x, p = torch.rand(200_000) + 0.5, 0.3
    ours, theirs = reg.inverted_dropout(x, p, True), nn.Dropout(p)(x)
    for y in (ours, theirs):
        kept = y != 0
        assert torch.allclose(y[kept], x[kept] / (1 - p))
        assert (~kept).float().mean().item() == pytest.approx(p, abs=0.01)
        assert y.mean().item() == pytest.approx(x.mean().item(), rel=0.01)
    assert torch.equal(reg.inverted_dropout(x, p, False), x)
    assert torch.equal(nn.Dropout(p).eval()(x), x)


def test_original_dropout_scales_at_test_time():
    torch.manual_seed(0)
    x, p = torch.rand(200_000) + 0.5, 0.3
    train = reg.original_dropout(x, p, True)
    kept = train != 0
    assert torch.equal(train[kept], x[kept])  # no scaling in training
    test = reg.original_dropout(x, p, False)
    assert torch.allclose(test, x * (1 - p))
    assert train.mean().item() == pytest.approx(test.mean().item(), rel=0.01)


def test_evaluate_switches_dropout_off_and_back_on():
    net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.9))
    images, labels = torch.randn(64, 4), torch.randint(0, 3, (64,))
    net.train()
    first, second = reg.evaluate(net, images, labels), reg.evaluate(net, images, labels)
    assert first == second  # deterministic: dropout was off
    with torch.no_grad():
        expected = (net[0](images).argmax(1) == labels).float().mean().item()
    assert first == pytest.approx(expected)
    assert net.training


def test_dropout2d_zeroes_whole_channels():
    torch.manual_seed(0)
    maps = torch.rand(4, 32, 6, 6) + 0.1
    dropped = nn.Dropout2d(p=0.5)(maps)
    zero = (dropped == 0).flatten(2).all(dim=2)
    kept = torch.isclose(dropped, 2 * maps).flatten(2).all(dim=2)
    assert torch.all(zero ^ kept)  # each channel: all gone or all kept
    assert 0.3 < zero.float().mean().item() < 0.7


def test_the_class_is_dropout_not_dropout_with_capital_o(capsys):
    assert not hasattr(torch.nn, "DropOut")
    assert hasattr(torch.nn, "Dropout")
    lines = printed_by(reg.dropout_typo_fails, capsys)
    assert "AttributeError" in lines[0]
    assert lines[-1].endswith("Dropout(p=0.5, inplace=False)")
