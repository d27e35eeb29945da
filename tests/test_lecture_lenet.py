"""LeNet-5, its training, and the code that inspects it, transfers it and augments its data."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from code_snippets import augmentation, inspection, lenet, transfer
from lecture_checks import zero_argument_functions
from code_snippets.lenet import LeNet5

# Parameter and multiply-add counts by hand: weights + biases; output positions x dot length.
# C1 keeps 28x28 (padding 2), S2 halves it to 14, C3 (5x5, no padding) gives 10, S4 gives 5.
EXPECTED_PARAMS = {
    "c1": 6 * 1 * 5 * 5 + 6,
    "c3": 16 * 6 * 5 * 5 + 16,
    "c5": 16 * 5 * 5 * 120 + 120,
    "f6": 120 * 84 + 84,
    "output": 84 * 10 + 10,
}
EXPECTED_MACS = {
    "c1": 6 * 28 * 28 * (1 * 5 * 5),
    "c3": 16 * 10 * 10 * (6 * 5 * 5),
    "c5": 120 * 400,
    "f6": 84 * 120,
    "output": 10 * 84,
}
DENSE = EXPECTED_PARAMS["c5"] + EXPECTED_PARAMS["f6"] + EXPECTED_PARAMS["output"]


@pytest.fixture
def model():
    torch.manual_seed(0)
    return LeNet5().eval()


# ---- the network and its numbers -------------------------------------------------------

def test_parameter_count_is_the_one_the_lecture_states(model):
    assert lenet.n_params() == 61_706 == sum(p.numel() for p in model.parameters())
    assert sum(EXPECTED_PARAMS.values()) == 61_706


def test_parameters_per_layer(model):
    counts = lenet.parameters_per_layer(model)
    assert counts == EXPECTED_PARAMS
    for name, n in counts.items():
        assert n == sum(p.numel() for p in getattr(model, name).parameters())


def test_dense_layers_hold_most_parameters():
    assert lenet.dense_param_share() == pytest.approx(DENSE / 61_706)
    assert round(lenet.dense_param_share(), 2) == 0.96


def test_multiply_adds_per_layer_and_conv_share(model):
    assert lenet.multiply_adds_per_layer(model) == EXPECTED_MACS
    assert lenet.n_multiply_adds() == sum(EXPECTED_MACS.values()) == 416_520
    conv = EXPECTED_MACS["c1"] + EXPECTED_MACS["c3"]
    assert lenet.conv_multiply_add_share() == pytest.approx(conv / sum(EXPECTED_MACS.values()))
    assert round(lenet.conv_multiply_add_share(), 2) == 0.86


def test_output_shapes_follow_the_paper(model):
    assert lenet.output_shapes(model) == {
        "input": (1, 28, 28), "c1": (6, 28, 28), "s2": (6, 14, 14), "c3": (16, 10, 10),
        "s4": (16, 5, 5), "c5": (120,), "f6": (84,), "output": (10,)}


def test_paper_parameter_count_from_its_connection_table():
    # C3 reads 6x3 + 6x4 + 3x4 + 1x6 = 60 S2 maps with 5x5 filters, plus 16 biases; S2 and S4 have
    # a weight and a bias per map; the RBF output is fixed. LeCun et al. (1998) give 1,516 for C3.
    c3 = 60 * 25 + 16
    assert c3 == 1_516
    assert lenet.paper_params() == 156 + 6 * 2 + c3 + 16 * 2 + 48_120 + 10_164 == 60_000


def test_every_value_and_output_for_slides_is_checked_here():
    tested = {"n_params", "dense_param_share", "n_multiply_adds", "conv_multiply_add_share",
              "print_layer_table", "flattened_input_fails", "fully_connected_net",
              "n_params_fully_connected", "fully_connected_to_lenet5_ratio", "paper_params"}
    assert zero_argument_functions(lenet) == tested


def test_fully_connected_net_of_last_week():
    assert lenet.n_params_fully_connected() == 784 * 256 + 256 + 256 * 10 + 10 == 203_530
    assert lenet.fully_connected_to_lenet5_ratio() == pytest.approx(203_530 / 61_706)
    assert lenet.fully_connected_net()(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_layer_table_fits_a_slide(capsys):
    lenet.print_layer_table()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) <= 12 and max(map(len, lines)) <= 70
    assert lines[-1].split() == ["total", "61,706", "416,520"]
    assert [line.split()[0] for line in lines[1:-1]] == list(EXPECTED_PARAMS)


def test_output_is_one_logit_per_class(model):
    assert model(torch.rand(5, 1, 28, 28)).shape == (5, 10)


def test_flattened_input_is_rejected(model):
    with pytest.raises(RuntimeError):
        model(torch.rand(5, 784))


def test_flattened_input_demo_shows_the_error(capsys):
    lenet.flattened_input_fails()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ">>> LeNet5()(images.view(64, 784))"
    assert lines[1].startswith("RuntimeError: ")
    assert "[64, 784]" in " ".join(lines)
    assert len(lines) <= 5 and max(map(len, lines)) <= 70


def test_forward_is_the_paper_order_with_relu_and_max_pooling(model):
    x = torch.rand(3, 1, 28, 28)
    expected = F.max_pool2d(F.relu(F.conv2d(x, model.c1.weight, model.c1.bias, padding=2)), 2)
    expected = F.max_pool2d(F.relu(F.conv2d(expected, model.c3.weight, model.c3.bias)), 2)
    expected = F.relu(F.linear(expected.flatten(1), model.c5.weight, model.c5.bias))
    expected = F.relu(F.linear(expected, model.f6.weight, model.f6.bias))
    expected = F.linear(expected, model.output.weight, model.output.bias)
    with torch.no_grad():
        assert torch.allclose(model(x), expected, atol=1e-6)
        model.train()                       # no dropout: training mode gives the same logits
        assert torch.equal(model(x), model.eval()(x))


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
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = [lenet.train_epoch(model, loader, optimizer)[0] for _ in range(20)]
    assert losses[0] == pytest.approx(math.log(10), abs=0.2)  # untrained: chance level
    assert losses[-1] < 0.5 * losses[0]


def test_train_network_smoke():
    calls = []
    result = lenet.train_network(LeNet5, epochs=2, n_train=640, lr=3e-3,
                                 progress=lambda *args: calls.append(args))
    history = result["history"]
    assert len(history["train_loss"]) == 20 and history["steps_per_epoch"] == 10
    assert history["test_accuracy"][-1] == result["test_accuracy"]
    assert 0.3 < result["test_accuracy"] <= 1       # well above chance after 20 small steps
    assert [call[:2] for call in calls] == [(1, 2), (2, 2)]
    assert not result["model"].training
    assert next(result["model"].parameters()).device.type == "cpu"
    assert result["seconds"] > 0


def test_train_network_is_seeded():
    first = lenet.train_network(lenet.fully_connected_net, epochs=1, n_train=128)
    second = lenet.train_network(lenet.fully_connected_net, epochs=1, n_train=128)
    assert first["history"]["train_loss"] == second["history"]["train_loss"]


# ---- inspection -----------------------------------------------------------------------

def test_layer_activity_shapes_and_output(model):
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        activity = inspection.layer_activity(model, x)
        expected = model(x)
    shapes = {name: tuple(a.shape) for name, a in activity.items()}
    assert shapes == {"pixels": (3, 1, 28, 28), "c1": (3, 6, 28, 28), "c3": (3, 16, 10, 10),
                      "c5": (3, 120), "f6": (3, 84), "output": (3, 10)}
    assert torch.allclose(activity["output"], expected, atol=1e-6)


def test_activation_maximization_raises_the_units_activity(model):
    units = [0, 4, 9]
    start = torch.full((1, 1, 28, 28), 0.1)
    l2 = 0.01

    def objective(images):                  # what the ascent climbs: activity minus penalty
        with torch.no_grad():
            activity = model(images)[range(len(images)), units]
        return activity - l2 * images.pow(2).sum(dim=(1, 2, 3))

    images = inspection.maximize_activation(model, "output", units, steps=30, l2=l2)
    assert images.shape == (3, 28, 28)
    assert images.min() >= 0 and images.max() <= 1
    assert (objective(images[:, None]) > objective(start.expand(3, 1, 28, 28))).all()
    # Without the penalty the climb is on the unit's activity alone.
    images = inspection.maximize_activation(model, "output", units, steps=30, l2=0)
    with torch.no_grad():
        assert (model(images[:, None])[range(3), units] > model(start)[0, units]).all()


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
    fields = inspection.receptive_fields(model, images, {"c1": [0, 1], "f6": [5]}, patch=3)
    assert fields["c1"].shape == (2, 28, 28) and fields["f6"].shape == (1, 28, 28)
    # A C1 unit sees 5x5 pixels, re-centred on rows and columns 12-16; a 3x3 patch touches
    # them from at most one pixel further out: 11-17.
    assert inspection.recentred_box("c1") == (12, 16)
    inside = torch.zeros(28, 28, dtype=torch.bool)
    inside[11:18, 11:18] = True
    # Outside that window the true change is 0, but a batch of 784 occluded copies and a batch
    # of one run different convolution kernels, whose float32 sums round differently. Each
    # result is within n*eps*(|b| + sum|w||x|) of the exact value (n = 5*5 products + the bias;
    # pixels, the zero padding and the grey fill lie in [0, 1]); two of them differ by at most
    # twice that, and the map, an average of such differences, too.
    weight, bias = model.c1.weight[[0, 1]], model.c1.bias[[0, 1]]
    scale = bias.abs() + weight.abs().sum(dim=(1, 2, 3))
    rounding = 2 * (weight[0].numel() + 1) * torch.finfo(torch.float32).eps * scale
    outside = fields["c1"][:, ~inside]
    assert (outside <= rounding[:, None]).all(), (outside.max(dim=1).values, rounding)
    # ...while inside it, covering a pixel the unit sees changes it by far more than rounding.
    assert (fields["c1"][:, inside].amax(dim=1) > 1000 * rounding).all()


@pytest.mark.parametrize("layer", ["c1", "c3"])
def test_receptive_field_geometry_matches_the_gradient(model, layer):
    """The pixels RF_GEOMETRY says a unit sees are exactly those its gradient reaches."""
    stride, first, size = inspection.RF_GEOMETRY[layer]
    image = torch.rand(1, 1, 28, 28, requires_grad=True)
    y, x = 3, 2                                   # a unit away from the image's border
    with torch.no_grad():                         # all weights positive: no cancellation
        for conv in (model.c1, model.c3):
            conv.weight.abs_()
            conv.bias.fill_(1.0)                  # every ReLU open
    model.s2 = nn.AvgPool2d(2)   # same window as max pooling, but every input gets a gradient
    inspection.layer_activity(model, image)[layer][0, 0, y, x].backward()
    seen = torch.nonzero(image.grad[0, 0].abs().sum(dim=1)).flatten()
    assert seen.tolist() == list(range(stride * y + first, stride * y + first + size))


def test_gratings_have_the_stated_orientation():
    horizontal, vertical = inspection.grating(0), inspection.grating(90)
    assert torch.allclose(horizontal, horizontal[:, :1].expand(28, 28))  # rows constant
    assert torch.allclose(vertical, vertical[:1, :].expand(28, 28))      # columns constant
    assert horizontal.min() >= 0 and horizontal.max() <= 1


def test_a_horizontal_edge_filter_prefers_horizontal_stripes(model):
    with torch.no_grad():
        model.c1.weight[0, 0] = 0
        model.c1.weight[0, 0, 1:4, 1:4] = torch.tensor([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]])
        model.c1.bias[0] = 0
    angles = np.arange(0, 180, 15)
    tuning = inspection.orientation_tuning(model, angles)
    assert tuning.shape == (6, len(angles))
    assert angles[tuning[0].argmax()] in (0, 165, 15)
    assert angles[tuning[0].argmin()] == 90


def test_a_unit_whose_relu_never_closes_is_still_tuned(model):
    """Averaged over phase, a linear response sees only the mean brightness: the tuning must keep
    the best phase, or every unit with a large bias would draw a flat curve."""
    with torch.no_grad():
        model.c1.weight[0, 0] = 0
        model.c1.weight[0, 0, 1:4, 1:4] = torch.tensor([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]])
        model.c1.bias[0] = 10.0  # larger than any response of the filter: the ReLU stays open
    angles = np.arange(0, 180, 15)
    tuning = inspection.orientation_tuning(model, angles)
    assert tuning[0].min() >= 10.0 - 1e-4  # the ReLU never closed
    assert angles[tuning[0].argmax()] in (0, 165, 15) and angles[tuning[0].argmin()] == 90
    assert inspection.orientation_selectivity(tuning, angles)[0] > 0.01


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
    assert list(rdms) == ["pixels", "c1", "c3", "f6", "output"]
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
    assert torch.equal(new.c3.weight, model.c3.weight)
    assert not any(p.requires_grad for p in new.c1.parameters())
    assert all(p.requires_grad for p in new.c5.parameters())
    assert transfer.n_trainable(new) == DENSE     # the head: C5, F6 and the output layer
    before_conv, before_out = new.c1.weight.clone(), new.output.weight.clone()
    transfer.fit(new, torch.rand(20, 1, 28, 28), torch.arange(20) % 10, epochs=1)
    assert torch.equal(new.c1.weight, before_conv)
    assert not torch.equal(new.output.weight, before_out)


def test_only_a_new_output_layer_trains_850_parameters(model):
    probe = transfer.reuse_features(model, frozen=("c1", "c3", "c5", "f6"))
    assert transfer.n_trainable(probe) == EXPECTED_PARAMS["output"] == 850
    assert transfer.n_trainable(transfer.unfreeze(probe)) == 61_706


def test_transfer_experiment_with_tiny_settings():
    result = transfer.transfer_experiment(n_labelled=10, pretrain_epochs=1, head_epochs=1,
                                          finetune_epochs=1, n_pretrain=128)
    assert result["n_labelled"] == 10
    for variant in ("frozen", "finetuned", "probe", "scratch"):
        assert 0 <= result[f"{variant}_accuracy"] <= 1
    assert 0 <= result["pretrain_accuracy"] <= 1
    assert (result["frozen_trained"], result["probe_trained"]) == (DENSE, 850)
    assert result["finetuned_trained"] == result["scratch_trained"] == 61_706
    assert isinstance(result["model"], LeNet5)


def test_repeated_transfer_averages_the_runs(monkeypatch):
    accuracies = iter([0.5, 0.7, 0.9])
    monkeypatch.setattr(transfer, "transfer_experiment", lambda seed, **kw: {
        "n_labelled": 100, "frozen_accuracy": next(accuracies), "frozen_trained": 7,
        "seed_seen": seed, "model": None})
    result = transfer.repeated_transfer(seeds=(0, 1, 2))
    assert result["frozen_accuracy"] == pytest.approx(0.7)
    assert (result["frozen_lowest"], result["frozen_highest"]) == (0.5, 0.9)
    assert (result["runs"], result["n_labelled"], result["frozen_trained"]) == (3, 100, 7)
    assert "model" not in result


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
