"""Figure producers that need a (trained) LeNet-5, run on an untrained stand-in."""
from __future__ import annotations

import inspect

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from code_snippets.lenet import LeNet5
from figures_src import (augmentation_figures, conv_figures, inspection_figures, lenet_figures,
                         models)

MODULES = (augmentation_figures, conv_figures, inspection_figures, lenet_figures, models)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Many small ops: on a busy 2-core machine one torch thread ran them ~10x faster."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def small_lenet():
    """An artifact shaped like trained_lenet5()'s, holding an untrained model."""
    torch.manual_seed(0)
    return {
        "model": LeNet5().eval(),
        "test_accuracy": 0.12,
        "history": {"train_loss": [2.3 - 0.03 * k for k in range(30)],
                    "test_accuracy": [0.1, 0.12], "steps_per_epoch": 15},
        "seconds": 1.0,
    }


@pytest.fixture(scope="module")
def artifacts(small_lenet):
    """Every artifact a figure may ask for, made from the small stand-in."""
    return {"trained_lenet5": small_lenet,
            "representational_similarity":
                inspection_figures.representational_similarity(small_lenet)}


FIGURES = [
    conv_figures.sobel_maps,
    conv_figures.pooling_comparison,
    conv_figures.translation_tolerance,
    conv_figures.lenet_first_layer_maps,
    lenet_figures.lenet_architecture,
    lenet_figures.lenet_filters,
    lenet_figures.lenet_feature_maps,
    lenet_figures.lenet_training_curve,
    lenet_figures.lenet_mistakes,
    inspection_figures.activation_maximization,
    inspection_figures.receptive_field_sizes,
    inspection_figures.orientation_tuning_curves,
    inspection_figures.rsa_matrices,
    augmentation_figures.augmentation_gallery,
    augmentation_figures.augmentation_pitfalls,
]
# Every producer of these modules, so that a new one cannot go untested; dropout_experiment's own
# test is in test_figures_analytic.py, beside its figure.
ARTIFACTS = [models.trained_lenet5, models.trained_fully_connected, models.transfer_learning, models.dropout_experiment,
             inspection_figures.representational_similarity,
             augmentation_figures.upside_down_digits]


@pytest.mark.parametrize("producer", FIGURES, ids=lambda f: f.__name__)
def test_figure_producer_returns_a_figure(producer, artifacts):
    torch.manual_seed(0)
    kwargs = {name: artifacts[name] for name in inspect.signature(producer).parameters}
    fig = producer(**kwargs)
    try:
        assert isinstance(fig, Figure)
        assert fig.axes, "an empty figure"
        width, height = fig.get_size_inches()
        assert width <= 12 and height <= 6.5      # fits a 16:9 slide
    finally:
        plt.close(fig)


def test_every_producer_here_is_tested():
    """A new public function in these modules is a producer: it needs a test above."""
    public = {name for module in MODULES for name, f in inspect.getmembers(module)
              if inspect.isfunction(f) and f.__module__ == module.__name__
              and not name.startswith("_")}
    assert public == {f.__name__ for f in FIGURES + ARTIFACTS}


def test_producer_parameters_name_producers_or_engine_arguments():
    known = {f.__name__ for f in FIGURES + ARTIFACTS} | {"device", "progress"}
    for producer in FIGURES + ARTIFACTS:
        assert set(inspect.signature(producer).parameters) <= known, producer.__name__


def test_representational_similarity_numbers(artifacts):
    rsa = artifacts["representational_similarity"]
    layers = rsa["layers"]
    assert layers == ["pixels", "c1", "c3", "f6", "output"]
    assert all(rsa["rdms"][layer].shape == (10, 10) for layer in layers)
    for i, a in enumerate(layers):
        assert rsa["spearman"][i][i] == pytest.approx(1)
        for j, b in enumerate(layers[i + 1:], start=i + 1):
            assert rsa[f"rho_{a}_{b}"] == rsa["spearman"][i][j] == rsa["spearman"][j][i]
            assert -1 <= rsa[f"rho_{a}_{b}"] <= 1


def test_upside_down_digits_are_fractions(small_lenet):
    shares = augmentation_figures.upside_down_digits(small_lenet)
    assert set(shares) == {"nines_read_as_six", "sixes_read_as_nine",
                           "mirrored_twos_read_as_two"}
    assert all(0 <= v <= 1 for v in shares.values())


def test_training_producers_pass_the_engine_arguments_on(monkeypatch):
    seen = []
    threads = []

    def record(*args, **kw):
        threads.append(torch.get_num_threads())
        seen.append((args, kw))

    monkeypatch.setattr(models, "train_network", record)
    monkeypatch.setattr(models, "repeated_transfer", record)
    before = torch.get_num_threads()
    report = print
    models.trained_lenet5(device="cuda", progress=report)
    models.trained_fully_connected(device="cuda", progress=report)
    models.transfer_learning(device="cuda", progress=report)
    engine = {"device": "cuda", "progress": report}
    assert seen == [((LeNet5,), {"epochs": models.EPOCHS, **engine}),
                    ((models.fully_connected_net,), {"epochs": models.EPOCHS, **engine}),
                    ((), {"seeds": (0, 1, 2), "n_labelled": 100, **engine})]
    assert threads == [1, 1, 1] and torch.get_num_threads() == before


def test_architecture_boxes_carry_the_computed_shapes():
    fig = lenet_figures.lenet_architecture()
    try:
        texts = {t.get_text() for t in fig.axes[0].texts}
        assert {"1×28×28", "6×28×28", "6×14×14", "16×10×10", "16×5×5", "120", "84", "10"} <= texts
    finally:
        plt.close(fig)


def test_filters_figure_shows_each_first_layer_filter(small_lenet):
    fig = lenet_figures.lenet_filters(small_lenet)
    try:
        weights = small_lenet["model"].c1.weight.detach()[:, 0]
        shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
        assert len(shown) == len(weights) == 6
        for kernel, image in zip(weights, shown):
            assert torch.allclose(torch.tensor(image), kernel / kernel.abs().max())
    finally:
        plt.close(fig)
