"""Convnet patterns and torchvision facts of the lecture, checked."""
from __future__ import annotations


import pytest
import torch
import torchvision.models._api as weights_api
from torch import nn
from torchvision import models

import code_snippets.convnets as convnets
from lecture_checks import assert_fits_on_a_slide, printed_by, zero_argument_functions
from code_snippets.convolution import conv_output_size

OUTPUTS = [
    "typical_convnet_table",
    "alexnet_layer_table",
    "torchvision_model_sizes",
    "imagenet_preprocessing",
]
VALUES = [
    "vgg16_n_params",
    "resnet18_n_params",
    "alexnet_n_params",
    "alexnet_layer_table_markdown",
    "n_torchvision_classifiers",
    "imagenet_mean",
    "imagenet_std",
    "resnet18_top1_accuracy",
]



@pytest.mark.parametrize("name", OUTPUTS)
def test_output_fits_on_a_slide(name, capsys):
    assert_fits_on_a_slide(printed_by(getattr(convnets, name), capsys))


@pytest.mark.parametrize("name", VALUES)
def test_values_are_numbers_or_text(name):
    assert type(getattr(convnets, name)()) in (int, float, str)


def test_every_zero_argument_function_is_listed_here():
    assert zero_argument_functions(convnets) == set(OUTPUTS) | set(VALUES)


def test_parameter_counts_of_the_lecture_agree_with_torchvision_metadata():
    expected = {
        convnets.vgg16_n_params: (138_357_544, models.VGG16_Weights),
        convnets.resnet18_n_params: (11_689_512, models.ResNet18_Weights),
        convnets.alexnet_n_params: (61_100_840, models.AlexNet_Weights),
    }
    for count, (number, weights) in expected.items():
        assert count() == number == weights.IMAGENET1K_V1.meta["num_params"]


def test_counting_on_the_meta_device_equals_counting_a_real_model():
    real = sum(p.numel() for p in models.resnet18(weights=None).parameters())
    assert real == convnets.resnet18_n_params()


def test_typical_convnet_follows_the_pattern():
    net = convnets.typical_convnet(channels=(3, 8, 16, 32), convs_per_block=2,
                                   image_size=32)
    kinds = [type(layer) for layer in net]
    block = [nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU, nn.MaxPool2d]
    assert kinds == block * 3 + [nn.Flatten, nn.Linear, nn.ReLU, nn.Linear]
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    single = convnets.typical_convnet(convs_per_block=1)
    assert [type(m) for m in single[:3]] == [nn.Conv2d, nn.ReLU, nn.MaxPool2d]


def test_layer_table_shapes_and_counts():
    net = convnets.typical_convnet()
    rows = convnets.layer_table(net, (1, 28, 28))
    assert [name for name, _, _ in rows] == ["Conv2d", "Conv2d", "MaxPool2d",
                                             "Conv2d", "Conv2d", "MaxPool2d",
                                             "Linear", "Linear"]
    same = conv_output_size(28, 3, p=1)  # padding 1 keeps 28
    assert rows[0][1] == (32, same, same)
    assert rows[2][1] == (32, 14, 14) and rows[5][1] == (64, 7, 7)
    assert rows[0][2] == 32 * 9 + 32 and rows[6][2] == 64 * 7 * 7 * 128 + 128
    assert sum(n for _, _, n in rows) == sum(p.numel() for p in net.parameters())
    assert all(not m._forward_hooks for m in net.modules())  # hooks removed


def test_alexnet_markdown_table_adds_up():
    lines = convnets.alexnet_layer_table_markdown().splitlines()
    assert lines[0].startswith("| layer |") and len(lines) == 2 + 11
    total = sum(int(line.split("|")[3].replace(",", "")) for line in lines[2:])
    assert total == 61_100_840
    assert "| Conv2d | 64 x 55 x 55 | 23,296 |" in lines


def test_imagenet_preprocessing_from_the_weights_metadata():
    assert convnets.imagenet_mean() == "0.485, 0.456, 0.406"
    assert convnets.imagenet_std() == "0.229, 0.224, 0.225"
    assert convnets.resnet18_top1_accuracy() == pytest.approx(69.758)
    assert convnets.n_torchvision_classifiers() > 20


def test_pretrained_resnet18_loads_weights_and_preprocessing(monkeypatch):
    state = models.resnet18(weights=None).state_dict()
    seen = []

    def fake_download(url, *args, **kwargs):
        seen.append(url)  # no network here: hand back a state dict
        return state

    monkeypatch.setattr(weights_api, "load_state_dict_from_url", fake_download)
    model, preprocess = convnets.pretrained_resnet18()
    assert seen == [models.ResNet18_Weights.IMAGENET1K_V1.url]
    assert not model.training
    assert torch.equal(model.conv1.weight, state["conv1.weight"])
    image = torch.randint(0, 256, (3, 300, 400), dtype=torch.uint8)
    batch = preprocess(image).unsqueeze(0)
    assert batch.shape == (1, 3, 224, 224)
    assert model(batch).shape == (1, 1000)
