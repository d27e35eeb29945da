"""Loss formulas of the lecture, checked against PyTorch and SciPy."""
from __future__ import annotations

import inspect
import math

import pytest
import torch
import torch.nn.functional as F
from scipy import stats

import code_snippets.losses as losses
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions

OUTPUTS = [
    "softmax_is_shift_invariant",
    "naive_normalization_fails",
    "cross_entropy_is_entropy_plus_kl",
    "one_hot_targets_give_negative_log_likelihood",
    "cross_entropy_is_nll_of_log_softmax",
    "cross_entropy_loss_in_practice",
    "argmax_softmax_equals_argmax_logits",
    "nats_versus_bits",
    "binary_cross_entropy_matches_pytorch",
    "confident_mistakes_cost_more",
    "mse_matches_pytorch",
]



@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(losses, name), capsys))


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(losses) == set(OUTPUTS)


def test_mse_matches_pytorch_on_vectors_and_matrices():
    for shape in [(7,), (5, 3)]:
        y, t = torch.randn(shape), torch.randn(shape)
        assert torch.allclose(losses.mse_loss(y, t), F.mse_loss(y, t))


def test_cross_entropy_is_entropy_plus_kl_by_scipy():
    q = torch.softmax(torch.randn(6, 4, dtype=torch.float64), dim=1)
    p = torch.softmax(torch.randn(6, 4, dtype=torch.float64), dim=1)
    expected = sum(stats.entropy(qi) + stats.entropy(qi, pi)  # H(q) + KL(q||p)
                   for qi, pi in zip(q.numpy(), p.numpy())) / 6
    assert losses.cross_entropy(q, p).item() == pytest.approx(expected)


def test_cross_entropy_of_one_hot_targets_is_negative_log_likelihood():
    p = torch.softmax(torch.randn(5, 3), dim=1)
    labels = torch.tensor([2, 0, 1, 1, 2])
    expected = F.nll_loss(torch.log(p), labels)
    one_hot = F.one_hot(labels, 3).float()
    assert torch.allclose(losses.negative_log_likelihood(p, labels), expected)
    assert torch.allclose(losses.cross_entropy(one_hot, p), expected)


def test_negative_log_likelihood_by_hand():
    p = torch.tensor([[0.5, 0.5], [0.9, 0.1]])
    value = losses.negative_log_likelihood(p, torch.tensor([0, 1]))
    assert value.item() == pytest.approx(-(math.log(0.5) + math.log(0.1)) / 2)


@pytest.mark.parametrize("scale", [1.0, 50.0, 1000.0])
def test_softmax_log_softmax_logsumexp_match_torch(scale):
    logits = torch.randn(4, 6, dtype=torch.float64) * scale  # exp(1000) = inf
    assert torch.allclose(losses.softmax(logits), torch.softmax(logits, dim=1))
    assert torch.allclose(losses.log_softmax(logits), F.log_softmax(logits, 1))
    expected = torch.logsumexp(logits, dim=1, keepdim=True)
    assert torch.allclose(losses.logsumexp(logits), expected)
    assert torch.isfinite(losses.log_softmax(logits)).all()


@pytest.mark.parametrize("shift", [-30.0, 0.5, 100.0])
def test_softmax_is_shift_invariant(shift):
    logits = torch.randn(3, 5)
    shifted = losses.softmax(logits + shift)
    assert torch.allclose(shifted, losses.softmax(logits), atol=1e-6)


def test_naive_normalization_is_not_a_distribution():
    a = torch.tensor([2.0, -1.0, 1.0])
    assert (losses.naive_normalize(a) < 0).any()
    assert not torch.allclose(losses.naive_normalize(a),
                              losses.naive_normalize(a + 1))
    assert losses.naive_normalize(a).sum().item() == pytest.approx(1.0)


def test_binary_cross_entropy_matches_pytorch_and_hand_value():
    y, t = torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0])
    by_hand = -(math.log(0.9) + math.log(0.8)) / 2  # both terms inside the sum
    assert losses.binary_cross_entropy(y, t).item() == pytest.approx(by_hand)
    y, t = torch.rand(50) * 0.98 + 0.01, torch.randint(0, 2, (50,)).float()
    expected = F.binary_cross_entropy(y, t)
    assert torch.allclose(losses.binary_cross_entropy(y, t), expected)


def test_cross_entropy_takes_logits_and_indices():
    logits, labels = torch.randn(16, 10), torch.randint(0, 10, (16,))
    by_hand = losses.negative_log_likelihood(losses.softmax(logits), labels)
    assert torch.allclose(F.cross_entropy(logits, labels), by_hand)
    assert torch.allclose(F.cross_entropy(logits, labels),
                          F.nll_loss(F.log_softmax(logits, dim=1), labels))


def test_argmax_of_softmax_is_argmax_of_logits():
    logits = torch.randn(500, 7) * 5
    assert torch.equal(losses.softmax(logits).argmax(1), logits.argmax(1))


def test_bits_are_nats_divided_by_ln2(capsys):
    lines = printed_by(losses.nats_versus_bits, capsys)
    assert "1.3863 nats" in lines[0] and "2.0000 bits" in lines[1]
    assert math.log(4) / math.log(2) == pytest.approx(2.0)


def test_demo_numbers_agree(capsys):
    lines = printed_by(losses.cross_entropy_is_nll_of_log_softmax, capsys)
    values = {line.split("=")[1].strip() for line in lines}
    assert len(values) == 1  # the three ways print the same number
    lines = printed_by(losses.cross_entropy_is_entropy_plus_kl, capsys)
    assert lines[0].split("=")[1] == lines[1].split("=")[1]
    assert lines[2].endswith("0.0000")


def test_region_marker_names_are_paired():
    source = inspect.getsource(losses)
    assert source.count("# [start:cross_entropy_usage]") == 1
    assert source.count("# [end:cross_entropy_usage]") == 1
