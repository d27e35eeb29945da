"""Figures for losses, regularization, initialization, cortex: they run and their models hold."""
from __future__ import annotations

import cmath
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from code_snippets import cortex  # noqa: E402
from figures_src import (cortex_figures, init_figures, loss_figures, models,  # noqa: E402
                         regularization_figures)
from figures_src.init_figures import _layer_activations, _standard_init_  # noqa: E402
from figures_src.regularization_figures import _dropout_masks  # noqa: E402

FIGURES = [
    loss_figures.ce_vs_mse,
    regularization_figures.dropout_network,
    init_figures.init_tanh_histograms,
    init_figures.init_relu_std,
    cortex_figures.vision_challenges,
    cortex_figures.visual_hierarchy,
    cortex_figures.gabor_tuning_curve,
    cortex_figures.gabor_receptive_field,
    cortex_figures.retinotopy,
    cortex_figures.orientation_map,
]


@pytest.mark.parametrize("producer", FIGURES, ids=lambda f: f.__name__)
def test_figure_producer_draws_a_figure(producer):
    torch.manual_seed(0)  # as the engine does
    fig = producer()
    try:
        assert isinstance(fig, Figure)
        assert fig.axes, "no axes drawn"
        w, h = fig.get_size_inches()
        assert w <= 10.5 and h <= 5.5, "too large for a 1280x720 slide"
    finally:
        plt.close(fig)


def test_figures_are_deterministic_and_leave_global_rng_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = cortex_figures.vision_challenges()
    assert torch.equal(torch.get_rng_state(), before)
    second = cortex_figures.vision_challenges()
    try:
        for a, b in zip(first.axes, second.axes):
            assert (a.images[0].get_array() == b.images[0].get_array()).all()
    finally:
        plt.close(first)
        plt.close(second)


def test_ce_vs_mse_plots_the_two_losses():
    fig = loss_figures.ce_vs_mse()
    try:
        ce, mse = fig.axes[0].lines[:2]
        for p, y in zip(ce.get_xdata()[::50], ce.get_ydata()[::50]):
            assert y == pytest.approx(-math.log(p), rel=1e-5)
        for p, y in zip(mse.get_xdata()[::50], mse.get_ydata()[::50]):
            assert y == pytest.approx((1 - p) ** 2, rel=1e-5, abs=1e-7)
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- dropout
def test_dropout_masks_drop_a_fraction_p_of_hidden_units():
    sizes = (3, 2000, 2000, 2)
    for p in (0.2, 0.5):
        steps = _dropout_masks(sizes, p, seed=7, n_steps=5)
        dropped = torch.stack([(~m).float().mean() for step in steps for m in step[1:3]])
        assert dropped.mean().item() == pytest.approx(p, abs=0.01)
        for step in steps:  # input and output layers are never dropped
            assert step[0].all() and step[-1].all()


def test_dropout_masks_come_from_nn_dropout_and_change_every_step():
    steps = _dropout_masks((4, 6, 6, 2), 0.5, seed=12, n_steps=2)
    torch.manual_seed(12)
    layer = nn.Dropout(0.5).train()
    assert torch.equal(steps[0][1], layer(torch.ones(6)) > 0)
    assert torch.equal(steps[0][2], layer(torch.ones(6)) > 0)
    assert not all(torch.equal(a, b) for a, b in zip(steps[0][1:3], steps[1][1:3]))


@pytest.fixture(scope="module")
def dropout_result():
    torch.manual_seed(0)
    return models.dropout_experiment()


def test_dropout_experiment_artifact_has_the_documented_keys(dropout_result):
    r = dropout_result
    for key in ("n_train", "n_test", "epochs", "p_drop", "history_plain", "history_dropout",
                "train_accuracy_plain", "test_accuracy_plain", "train_accuracy_dropout",
                "test_accuracy_dropout", "test_loss_plain", "test_loss_dropout"):
        assert key in r
    assert r["n_train"] == 500 and r["p_drop"] == 0.5
    for run in ("plain", "dropout"):
        history = r[f"history_{run}"]
        assert all(len(v) == r["epochs"] for v in history.values())
        assert r[f"test_accuracy_{run}"] == history["test_accuracy"][-1]
        assert 0.7 < r[f"test_accuracy_{run}"] < 1.0


def test_dropout_experiment_shows_overfitting_and_dropout_reduces_it(dropout_result):
    r = dropout_result
    plain_loss = r["history_plain"]["test_loss"]
    assert r["train_accuracy_plain"] >= 0.99  # memorized the 500 digits
    assert r["test_accuracy_plain"] < r["train_accuracy_plain"] - 0.08
    assert plain_loss[-1] > min(plain_loss) + 0.05  # the test loss climbs again
    assert r["test_loss_dropout"] < r["test_loss_plain"]


def test_dropout_curves_draws_from_the_artifact(dropout_result):
    fig = regularization_figures.dropout_curves(dropout_result)
    try:
        assert isinstance(fig, Figure)
        plotted = fig.axes[0].lines[1].get_ydata()
        assert list(plotted) == dropout_result["history_plain"]["test_accuracy"]
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- initialization
def test_standard_init_is_uniform_one_over_sqrt_n():
    w = _standard_init_(torch.empty(1000, 400))
    assert w.abs().max().item() <= 1 / math.sqrt(400)
    assert w.abs().max().item() > 0.99 / math.sqrt(400)
    assert w.std().item() == pytest.approx(1 / math.sqrt(3 * 400), rel=0.02)


def test_tanh_activations_shrink_under_standard_init_but_not_xavier():
    standard = [a.std().item() for a in _layer_activations(_standard_init_, torch.tanh, 5, 1000)]
    xavier = [a.std().item()
              for a in _layer_activations(nn.init.xavier_uniform_, torch.tanh, 5, 1000)]
    assert all(b < a for a, b in zip(standard, standard[1:]))
    # Small activations: tanh is nearly linear and n Var(w) = 1/3, so std shrinks by 1/sqrt(3)
    assert standard[-1] / standard[-2] == pytest.approx(3 ** -0.5, abs=0.03)
    # Xavier: n Var(w) = 1, only tanh's squashing shrinks the signal, and less so each layer
    assert xavier[-1] / xavier[-2] > 0.85


def test_relu_depth_xavier_shrinks_by_root_two_kaiming_keeps_scale():
    def ratio_per_layer(init_):
        stds = [a.std().item() for a in _layer_activations(init_, torch.relu, 20, 512)]
        return (stds[-1] / stds[0]) ** (1 / 19)
    assert ratio_per_layer(nn.init.xavier_uniform_) == pytest.approx(2 ** -0.5, abs=0.03)
    kaiming = ratio_per_layer(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))
    assert kaiming == pytest.approx(1.0, abs=0.03)


# ---------------------------------------------------------------- simple cells
def test_grating_orientation_convention():
    horizontal = cortex.grating(21, 6.0, 0.0)
    vertical = cortex.grating(21, 6.0, 90.0)
    assert torch.allclose(horizontal, horizontal[:, :1].expand(-1, 21), atol=1e-6)  # rows constant
    assert torch.allclose(vertical, vertical[:1, :].expand(21, -1), atol=1e-6)  # columns constant
    # 45 degrees: bars run from lower left to upper right, so the anti-diagonal is constant
    diagonal = cortex.grating(21, 6.0, 45.0)
    anti = torch.stack([diagonal[20 - i, i] for i in range(21)])
    assert torch.allclose(anti, anti[0].expand(21), atol=1e-5)


@pytest.mark.parametrize("orientation", [0.0, 30.0, 45.0, 100.0, 150.0])
def test_gabor_tuning_peaks_at_its_orientation(orientation):
    rf = cortex.gabor(33, 8.0, orientation, 5.0)
    probes = torch.arange(0.0, 180.0, 1.0)
    responses = cortex.tuning_curve(rf, probes, 8.0)
    peak = probes[responses.argmax()].item()
    assert min(abs(peak - orientation), 180 - abs(peak - orientation)) <= 1.0
    orthogonal = int((orientation + 90) % 180)
    assert responses[orthogonal] < 0.05 * responses.max()


def test_gabor_is_even_symmetric_with_on_centre():
    rf = cortex.model_cell()
    assert torch.allclose(rf, rf.flip(0, 1), atol=1e-6)
    centre = cortex.CELL_SIZE // 2
    assert rf[centre, centre] == rf.max() and rf.min() < 0


def test_model_cell_values():
    assert cortex.preferred_orientation() == cortex.CELL_ORIENTATION
    assert 20 < cortex.tuning_width() < 60  # V1 cells: tens of degrees


# ---------------------------------------------------------------- retinotopy
def _random_field_points(n: int = 200) -> list[complex]:
    generator = torch.Generator().manual_seed(1)
    eccentricity = 0.5 + 39.5 * torch.rand(n, generator=generator)
    angle = -90 + 180 * torch.rand(n, generator=generator)
    return [cmath.rect(e, math.radians(a)) for e, a in zip(eccentricity.tolist(), angle.tolist())]


def _w(z: complex, a: float = 0.7) -> complex:
    return complex(cortex.complex_log_map(torch.tensor(z, dtype=torch.complex128), a))


def test_complex_log_map_is_log_of_z_plus_a():
    for z in _random_field_points(20):
        assert _w(z, 0.5) == pytest.approx(cmath.log(z + 0.5), abs=1e-12)


def test_complex_log_map_keeps_neighbours_together():
    h = 1e-3
    for z in _random_field_points():
        for direction in (1, 1j, cmath.rect(1, 1.0)):
            distance = abs(_w(z + h * direction) - _w(z))
            # Derivative of log: a step of h is stretched by 1 / |z + a|
            assert distance == pytest.approx(h / abs(z + 0.7), rel=1e-3)


def test_complex_log_map_is_conformal():
    h = 1e-5
    for z in _random_field_points():
        right = _w(z + h) - _w(z)
        up = _w(z + 1j * h) - _w(z)
        # Orthogonal steps stay orthogonal and equally long: angles are preserved
        assert up / right == pytest.approx(1j, abs=1e-4)


def test_cortical_magnification_ratio():
    assert cortex.magnification_ratio(1.0, 20.0) == pytest.approx((20 + 0.7) / (1 + 0.7),
                                                                  rel=1e-3)


def test_polar_point():
    assert complex(cortex.polar_point(torch.tensor(10.0), torch.tensor(90.0))) == \
        pytest.approx(10j, abs=1e-12)


# ---------------------------------------------------------------- orientation maps
def test_find_pinwheels_finds_a_single_vortex_and_its_sign():
    ys, xs = torch.meshgrid(torch.arange(20.0), torch.arange(20.0), indexing="ij")
    z = torch.complex(xs - 10.3, ys - 7.6)
    found = []
    for field in (z, z.conj()):
        rows, cols, signs = cortex.find_pinwheels(field)
        interior = (rows < 19) & (cols < 19)  # the wrap-around edge is not a real neighbour
        assert interior.sum() == 1
        assert (rows[interior].item(), cols[interior].item()) == (7.5, 10.5)
        found.append(signs[interior].item())
    assert sorted(found) == [-1, 1]


def test_orientation_map_pinwheel_density_matches_theory():
    densities = []
    for seed in range(4):
        rows, _, signs = cortex.find_pinwheels(cortex.orientation_map(seed=seed))
        assert signs.sum() == 0  # on a periodic map every pinwheel has an opposite partner
        densities.append(len(rows) / (cortex.MAP_SIZE / cortex.MAP_WAVELENGTH) ** 2)
    expected = cortex.expected_pinwheel_density()
    assert sum(densities) / len(densities) == pytest.approx(expected, rel=0.1)
    assert cortex.pinwheel_density() == pytest.approx(expected, rel=0.15)


def test_narrow_band_maps_have_pi_pinwheels_per_column_area():
    assert cortex.expected_pinwheel_density(bandwidth=0.02) == pytest.approx(math.pi, rel=0.01)


def test_preferred_orientations_cover_0_to_180():
    angles = cortex.preferred_orientations(cortex.orientation_map())
    assert angles.min() >= 0 and angles.max() < 180
    assert angles.max() - angles.min() > 170


# ---------------------------------------------------------------- convolution: learned filters
def test_lenet_first_layer_maps_shows_the_strongest_units_and_their_relu_maps():
    from code_snippets.lenet import LeNet5
    from figures_src import conv_figures

    torch.manual_seed(0)
    model = LeNet5().eval()
    digit = conv_figures._example_digit()
    units, maps = conv_figures._strongest_first_layer_units(model, digit, n=3)
    expected = torch.relu(torch.nn.functional.conv2d(digit, model.c1.weight, model.c1.bias,
                                                     padding=2))[0]
    assert torch.allclose(maps, expected)
    totals = expected.sum(dim=(1, 2))
    assert totals[units].tolist() == sorted(totals.tolist(), reverse=True)[:3]

    fig = conv_figures.lenet_first_layer_maps({"model": model})
    try:
        shown = [ax.images[0].get_array() for ax in fig.axes[1:]]  # after the input
        n = conv_figures.N_LEARNED_SHOWN
        assert len(shown) == 2 * n
        top, _ = conv_figures._strongest_first_layer_units(model, digit)
        for k, unit in enumerate(top.tolist()):
            assert torch.allclose(torch.tensor(shown[2 * k]), model.c1.weight[unit, 0].detach())
            assert torch.allclose(torch.tensor(shown[2 * k + 1]), expected[unit])
    finally:
        plt.close(fig)
