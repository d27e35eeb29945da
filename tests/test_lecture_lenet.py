"""LeNet, its training, and the code that inspects it, transfers it and augments its data."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from code_snippets import augmentation, inspection, lenet, transfer
from code_snippets.lenet import LeNet

# Parameter and multiply-add counts by hand: weights + biases; output positions x dot length.
EXPECTED_PARAMS = {
    "conv1": 32 * 1 * 3 * 3 + 32,
    "conv2": 64 * 32 * 3 * 3 + 64,
    "fc1": 64 * 12 * 12 * 128 + 128,
    "fc2": 128 * 10 + 10,
}
EXPECTED_MACS = {
    "conv1": 32 * 26 * 26 * (1 * 3 * 3),
    "conv2": 64 * 24 * 24 * (32 * 3 * 3),
    "fc1": 128 * 9216,
    "fc2": 10 * 128,
}


@pytest.fixture
def model():
    torch.manual_seed(0)
    return LeNet().eval()


# ---- the network and its numbers -------------------------------------------------------

def test_parameter_count_is_the_one_the_lecture_states(model):
    assert lenet.n_params() == 1_199_882 == sum(p.numel() for p in model.parameters())
    assert sum(EXPECTED_PARAMS.values()) == 1_199_882


def test_parameters_per_layer(model):
    counts = lenet.parameters_per_layer(model)
    assert counts == EXPECTED_PARAMS
    for name, n in counts.items():
        assert n == sum(p.numel() for p in getattr(model, name).parameters())


def test_convolutions_hold_few_parameters():
    assert lenet.n_params_conv() == EXPECTED_PARAMS["conv1"] + EXPECTED_PARAMS["conv2"] == 18_816
    assert lenet.n_params_fc1() == EXPECTED_PARAMS["fc1"]


def test_first_fully_connected_layer_holds_98_percent():
    assert lenet.fc1_param_share() == pytest.approx(1_179_776 / 1_199_882)
    assert round(lenet.fc1_param_share(), 2) == 0.98


def test_multiply_adds_per_layer_and_conv_share(model):
    assert lenet.multiply_adds_per_layer(model) == EXPECTED_MACS
    assert lenet.n_multiply_adds() == sum(EXPECTED_MACS.values())
    conv = EXPECTED_MACS["conv1"] + EXPECTED_MACS["conv2"]
    assert lenet.conv_multiply_add_share() == pytest.approx(conv / sum(EXPECTED_MACS.values()))
    assert lenet.conv_multiply_add_share() > 0.9


def test_fully_connected_net_of_last_week():
    assert lenet.n_params_fully_connected() == 784 * 256 + 256 + 256 * 10 + 10
    assert lenet.lenet_to_fully_connected_ratio() == pytest.approx(1_199_882 / 203_530)
    assert lenet.fully_connected_net()(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_layer_table_fits_a_slide(capsys):
    lenet.print_layer_table()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) <= 12 and max(map(len, lines)) <= 70
    assert lines[-1].split() == ["total", "1,199,882", f"{sum(EXPECTED_MACS.values()):,}"]


def test_output_is_one_logit_per_class(model):
    assert model(torch.rand(5, 1, 28, 28)).shape == (5, 10)


def test_flattened_input_is_rejected(model):
    with pytest.raises(RuntimeError):
        model(torch.rand(5, 784))


def test_flattened_input_demo_shows_the_error(capsys):
    lenet.flattened_input_fails()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ">>> LeNet()(images.view(64, 784))"
    assert lines[1].startswith("RuntimeError: ")
    assert "[64, 784]" in " ".join(lines)
    assert len(lines) <= 5 and max(map(len, lines)) <= 70


def test_dropout_is_active_only_in_train_mode(model):
    x = torch.rand(8, 1, 28, 28)
    assert torch.equal(model.eval()(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


# ---- training ------------------------------------------------------------------------

class _Constant(nn.Module):
    """A stand-in model that always predicts the same class."""

    def __init__(self, label):
        super().__init__()
        self.label = label

    def forward(self, x):
        return nn.functional.one_hot(torch.full((len(x),), self.label), 10).float()


def test_evaluate_counts_correct_predictions():
    labels = torch.tensor([3, 3, 1, 0, 3, 7, 3, 3, 2, 3])
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.zeros(10, 1, 28, 28), labels), batch_size=4)
    assert lenet.evaluate(_Constant(3), loader) == 0.6


def test_train_epoch_lowers_the_loss_on_a_fixed_batch(model):
    labels = torch.arange(32) % 10
    images = torch.zeros(32, 1, 28, 28)
    for k, label in enumerate(labels):             # class c: a bright bar in rows 2c, 2c+1
        images[k, 0, 2 * label:2 * label + 2] = 1.0
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(images, labels), batch_size=32)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = [lenet.train_epoch(model, loader, optimizer)[0] for _ in range(15)]
    assert losses[0] == pytest.approx(math.log(10), abs=0.2)  # untrained: chance level
    assert losses[-1] < 0.5 * losses[0]


def test_train_lenet_smoke():
    calls = []
    result = lenet.train_lenet(epochs=1, n_train=320,
                               progress=lambda *args: calls.append(args))
    history = result["history"]
    assert len(history["train_loss"]) == 5 == history["steps_per_epoch"]
    assert history["test_accuracy"] == [result["test_accuracy"]]
    assert 0.3 < result["test_accuracy"] <= 1       # well above chance after 320 digits
    assert calls and calls[-1][:2] == (1, 1)
    assert not result["model"].training
    assert next(result["model"].parameters()).device.type == "cpu"


# ---- inspection -----------------------------------------------------------------------

def test_layer_activity_shapes_and_output(model):
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        activity = inspection.layer_activity(model, x)
        expected = model(x)
    shapes = {name: tuple(a.shape) for name, a in activity.items()}
    assert shapes == {"pixels": (3, 1, 28, 28), "conv1": (3, 32, 26, 26),
                      "conv2": (3, 64, 24, 24), "pool": (3, 64, 12, 12),
                      "fc1": (3, 128), "fc2": (3, 10)}
    assert torch.allclose(activity["fc2"], expected, atol=1e-6)


def test_activation_maximization_raises_the_units_activity(model):
    units = [0, 4, 9]
    images = inspection.maximize_activation(model, "fc2", units, steps=30)
    assert images.shape == (3, 28, 28)
    assert images.min() >= 0 and images.max() <= 1
    with torch.no_grad():
        before = model(torch.full((1, 1, 28, 28), 0.1))[0, units]
        after = model(images[:, None])[range(3), units]
    assert (after > before).all()


def test_occluded_copies_cover_one_square_each():
    image = torch.zeros(1, 28, 28)
    copies = inspection.occluded_copies(image, patch=5, fill=0.5)
    assert copies.shape == (784, 1, 28, 28)
    k = 10 * 28 + 20                              # patch centred on row 10, column 20
    assert (copies[k, 0, 8:13, 18:23] == 0.5).all()
    assert copies[k].sum() == 25 * 0.5
    assert copies[0].sum() == 9 * 0.5              # clipped at the corner: 3 x 3


def test_occlusion_map_of_a_single_pixel_score():
    """A score that reads one pixel drops only where the patch covers that pixel."""
    image = torch.ones(1, 28, 28)
    drop = inspection.occlusion_map(lambda x: x[:, 0, 10, 10], image, patch=5, fill=0.25)
    expected = torch.zeros(28, 28)
    expected[8:13, 8:13] = 0.75
    assert torch.equal(drop, expected)


def test_receptive_fields_are_recentred_and_bounded(model):
    images = torch.rand(2, 1, 28, 28)
    fields = inspection.receptive_fields(model, images, {"conv1": [0, 1], "fc1": [5]},
                                         patch=3)
    assert fields["conv1"].shape == (2, 28, 28) and fields["fc1"].shape == (1, 28, 28)
    # conv1 sees 3x3 pixels; a 3x3 patch touches them from at most 2 pixels away
    inside = torch.zeros(28, 28, dtype=torch.bool)
    inside[12:17, 12:17] = True
    # Outside that window the true change is 0, but a batch of 784 occluded copies and a batch
    # of one run different convolution kernels, whose float32 sums round differently. Each
    # result is within n*eps*(|b| + sum|w||x|) of the exact value (n = 3*3 products + the bias;
    # pixels and the grey fill lie in [0, 1]); two of them differ by at most twice that, and
    # the map, an average of such differences, too.
    weight, bias = model.conv1.weight[[0, 1]], model.conv1.bias[[0, 1]]
    scale = bias.abs() + weight.abs().sum(dim=(1, 2, 3))
    rounding = 2 * (weight[0].numel() + 1) * torch.finfo(torch.float32).eps * scale
    outside = fields["conv1"][:, ~inside]
    assert (outside <= rounding[:, None]).all(), (outside.max(dim=1).values, rounding)
    # ...while inside it, covering a pixel the unit sees changes it by far more than rounding.
    assert (fields["conv1"][:, inside].amax(dim=1) > 1000 * rounding).all()


def test_gratings_have_the_stated_orientation():
    horizontal, vertical = inspection.grating(0), inspection.grating(90)
    assert torch.allclose(horizontal, horizontal[:, :1].expand(28, 28))  # rows constant
    assert torch.allclose(vertical, vertical[:1, :].expand(28, 28))      # columns constant
    assert horizontal.min() >= 0 and horizontal.max() <= 1


def test_a_horizontal_edge_filter_prefers_horizontal_stripes(model):
    with torch.no_grad():
        model.conv1.weight[0, 0] = torch.tensor([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]])
        model.conv1.bias[0] = 0
    angles = np.arange(0, 180, 15)
    tuning = inspection.orientation_tuning(model, angles)
    assert tuning.shape == (32, len(angles))
    assert angles[tuning[0].argmax()] in (0, 165, 15)
    assert angles[tuning[0].argmin()] == 90


def test_orientation_selectivity_extremes():
    angles = np.arange(0, 180, 15)
    flat = torch.ones(1, len(angles))
    one = torch.zeros(1, len(angles))
    one[0, 3] = 2.0
    assert inspection.orientation_selectivity(flat, angles).item() == pytest.approx(0, abs=1e-6)
    assert inspection.orientation_selectivity(one, angles).item() == pytest.approx(1)


def test_dissimilarity_matrix_properties():
    torch.manual_seed(1)
    labels = torch.arange(40) % 10
    patterns = torch.rand(40, 7)
    rdm = inspection.dissimilarity_matrix(patterns, labels)
    assert rdm.shape == (10, 10)
    assert torch.allclose(rdm, rdm.T)
    assert torch.allclose(rdm.diagonal(), torch.zeros(10, dtype=rdm.dtype), atol=1e-12)
    means = torch.stack([patterns[labels == c].mean(0) for c in range(10)])
    assert rdm[2, 5].item() == pytest.approx(
        1 - np.corrcoef(means[2].numpy(), means[5].numpy())[0, 1])


def test_compare_rdms_is_a_rank_correlation():
    torch.manual_seed(2)
    a = torch.rand(10, 10)
    a = a + a.T
    assert inspection.compare_rdms(a, a ** 3) == pytest.approx(1)   # same order
    assert inspection.compare_rdms(a, -a) == pytest.approx(-1)


def test_layer_rdms_cover_every_layer(model):
    images, labels = torch.rand(30, 1, 28, 28), torch.arange(30) % 10
    rdms = inspection.layer_rdms(model, images, labels)
    assert list(rdms) == ["pixels", "conv1", "conv2", "fc1", "fc2"]
    assert all(r.shape == (10, 10) for r in rdms.values())


def test_layer_rdms_in_batches_equal_the_rdm_of_all_images_at_once(model):
    images, labels = torch.rand(70, 1, 28, 28), torch.randperm(70) % 10
    batched = inspection.layer_rdms(model, images, labels, batch_size=16)
    with torch.no_grad():
        activity = inspection.layer_activity(model, images)
    for name, rdm in batched.items():
        assert torch.allclose(rdm, inspection.dissimilarity_matrix(activity[name], labels), atol=1e-10)


# ---- transfer learning ------------------------------------------------------------------

def test_select_digits_takes_the_asked_classes():
    labels = torch.tensor([5, 1, 5, 6, 6, 6, 9, 5])
    images = torch.arange(8).float()
    chosen, chosen_labels = transfer.select_digits(images, labels, (5, 6), per_class=2)
    assert chosen.tolist() == [0, 2, 3, 4]
    assert chosen_labels.tolist() == [5, 5, 6, 6]


def test_reused_features_stay_frozen(model):
    new = transfer.reuse_features(model)
    assert torch.equal(new.conv2.weight, model.conv2.weight)
    assert not any(p.requires_grad for p in new.conv1.parameters())
    assert all(p.requires_grad for p in new.fc1.parameters())
    before_conv, before_fc = new.conv1.weight.clone(), new.fc2.weight.clone()
    transfer.fit(new, torch.rand(20, 1, 28, 28), torch.arange(20) % 10, epochs=1)
    assert torch.equal(new.conv1.weight, before_conv)
    assert not torch.equal(new.fc2.weight, before_fc)


def test_transfer_experiment_with_tiny_settings():
    result = transfer.transfer_experiment(n_labelled=10, pretrain_epochs=1, head_epochs=1,
                                          n_pretrain=128)
    assert result["n_labelled"] == 10
    for key in ("pretrain_accuracy", "frozen_accuracy", "scratch_accuracy"):
        assert 0 <= result[key] <= 1
    assert isinstance(result["model"], LeNet)


# ---- augmentation -----------------------------------------------------------------------

def test_augmentation_keeps_shape_and_range():
    torch.manual_seed(0)
    image = torch.zeros(1, 28, 28)
    image[0, 8:20, 12:16] = 1.0
    pipeline = augmentation.augmentation()
    for _ in range(10):
        out = pipeline(image)
        assert out.shape == (1, 28, 28)
        assert out.min() >= 0 and out.max() <= 1


def test_augmented_dataset_gives_tensors():
    image, label = augmentation.augmented_mnist()[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert 0 <= int(label) <= 9


def test_pitfall_transforms_are_flips():
    image = torch.rand(1, 28, 28)
    assert torch.equal(augmentation.mirrored(image), image.flip(-1))
    assert torch.allclose(augmentation.upside_down(image), image.flip(-1).flip(-2))


def test_share_read_as():
    images = torch.zeros(4, 1, 28, 28)
    assert augmentation.share_read_as(_Constant(6), images, augmentation.upside_down, 6) == 1.0
    assert augmentation.share_read_as(_Constant(6), images, augmentation.mirrored, 9) == 0.0
