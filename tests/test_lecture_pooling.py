"""Pooling of the lecture, checked against PyTorch and SciPy."""
from __future__ import annotations

import inspect

import pytest
import torch
import torch.nn.functional as F
from scipy import signal
from torch import nn

import code_snippets.pooling as pooling
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions

OUTPUTS = [
    "pooling_worked_example",
    "maxpool2d_signature",
    "pooling_tolerates_small_shifts",
]
VALUES = ["shift_change_without_pooling", "shift_change_with_max_pooling",
          "shift_change_with_mean_pooling"]



@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(pooling, name), capsys))


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(pooling) == set(OUTPUTS) | set(VALUES)


def test_worked_example():
    x = torch.tensor(pooling.WORKED_INPUT)
    assert pooling.max_pool2d(x).tolist() == [[4, 5], [7, 8]]
    assert pooling.mean_pool2d(x).tolist() == [[2, 3], [5, 6]]
    batch = x.view(1, 1, 3, 3)
    assert F.max_pool2d(batch, 2, stride=1)[0, 0].tolist() == [[4, 5], [7, 8]]
    assert F.avg_pool2d(batch, 2, stride=1)[0, 0].tolist() == [[2, 3], [5, 6]]


@pytest.mark.parametrize("size, stride", [(2, 1), (2, 2), (3, 2), (3, 3), (4, 1)])
def test_pooling_by_hand_matches_pytorch(size, stride):
    x = torch.randn(11, 9)
    batch = x.view(1, 1, 11, 9)
    expected_max = F.max_pool2d(batch, size, stride=stride)[0, 0]
    expected_mean = F.avg_pool2d(batch, size, stride=stride)[0, 0]
    assert torch.equal(pooling.max_pool2d(x, size, stride), expected_max)
    assert torch.allclose(pooling.mean_pool2d(x, size, stride), expected_mean)


def test_maxpool2d_signature_and_default_stride():
    parameters = inspect.signature(nn.MaxPool2d).parameters
    assert list(parameters)[:2] == ["kernel_size", "stride"]
    assert parameters["stride"].default is None
    pool = nn.MaxPool2d(kernel_size=2)
    assert pool.stride == 2
    assert pool(torch.zeros(3, 32, 26, 26)).shape == (3, 32, 13, 13)


def test_edge_features_are_rectified_sobel_responses():
    image = torch.rand(1, 1, 10, 10)
    sobel = torch.tensor(pooling.SOBEL_X).numpy()
    features = pooling.edge_features(image)[0]
    for channel, kernel in enumerate([sobel, sobel.T]):
        expected = signal.correlate2d(image[0, 0].numpy(), kernel, mode="same")
        assert torch.allclose(features[channel], torch.from_numpy(expected).clamp(min=0),
                              atol=1e-5)


def test_a_shift_along_an_invariant_direction_changes_nothing():
    stripes = torch.zeros(1, 1, 12, 12)
    stripes[0, 0, 4:7, :] = 1.0  # a horizontal bar: moving it right changes nothing
    assert pooling.change_after_shift(stripes) == pytest.approx(0.0)


def test_max_pooling_tolerates_a_shift_inside_its_window():
    bar = torch.zeros(1, 1, 12, 12)
    bar[0, 0, 2:10, 3] = 1.0  # a vertical bar; moved right, its left edge stays
    without = pooling.change_after_shift(bar)  # in the same 2x2 pooling window
    with_pooling = pooling.change_after_shift(bar, nn.MaxPool2d(2))
    assert without > 1.0  # unpooled edge maps barely overlap after the shift
    assert with_pooling < 0.3 * without
    bar = torch.roll(bar, shifts=1, dims=-1)  # now the edge crosses a window border
    assert pooling.change_after_shift(bar, nn.MaxPool2d(2)) > 0.9 * without


def test_pooling_reduces_the_change_on_real_digits():
    without = pooling.shift_change_without_pooling()
    with_pooling = pooling.shift_change_with_max_pooling()
    assert type(without) is float and type(with_pooling) is float
    assert 0 < with_pooling < without < 1.5


def test_mean_pooling_keeps_position_no_better_than_max_pooling():
    # the pooling Goody rests on this: mean pooling is no remedy when position matters
    without = pooling.shift_change_without_pooling()
    max_change = pooling.shift_change_with_max_pooling()
    mean_change = pooling.shift_change_with_mean_pooling()
    assert max_change < without and mean_change < without
    assert abs(mean_change - max_change) < 0.25 * without
