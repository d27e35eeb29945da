"""Transfer learning, measured: reuse features learned on digits 0-4 to learn 5-9."""
from __future__ import annotations

import torch
from torch.utils.data import DataLoader, TensorDataset

from code_snippets.data import load_digits
from code_snippets.lenet import LeNet, evaluate, train_epoch

OLD_DIGITS = (0, 1, 2, 3, 4)
NEW_DIGITS = (5, 6, 7, 8, 9)


def select_digits(images, labels, digits, per_class=None):
    """The images of the given classes, at most `per_class` of each."""
    rows = torch.cat([torch.nonzero(labels == d).flatten()[:per_class] for d in digits])
    return images[rows], labels[rows]


# [start:freeze]
def reuse_features(pretrained: LeNet) -> LeNet:
    """Keep the pretrained convolutions, frozen, under a new untrained classifier head."""
    model = LeNet()
    model.conv1.load_state_dict(pretrained.conv1.state_dict())
    model.conv2.load_state_dict(pretrained.conv2.state_dict())
    for layer in (model.conv1, model.conv2):
        layer.requires_grad_(False)     # no gradient: the features stay as learned
    return model


def fit(model, images, labels, epochs, batch_size=20, device="cpu"):
    """Train only the parameters that still require gradients."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=1e-3)
    loader = DataLoader(TensorDataset(images, labels), batch_size=batch_size, shuffle=True)
    for _ in range(epochs):
        train_epoch(model, loader, optimizer, device)
    return model
# [end:freeze]


def accuracy(model, images, labels, device="cpu"):
    """Fraction of these images that the model classifies correctly."""
    return evaluate(model.to(device), DataLoader(TensorDataset(images, labels), 500), device)


def transfer_experiment(n_labelled=100, pretrain_epochs=2, head_epochs=30, n_pretrain=None,
                        device="cpu", progress=None):
    """Accuracy on new digits 5-9 after training on `n_labelled` of them, with and without
    convolutions pretrained on digits 0-4."""
    torch.manual_seed(0)
    train_images, train_labels = load_digits(train=True)
    test_images, test_labels = load_digits(train=False)
    old = select_digits(train_images, train_labels, OLD_DIGITS)
    few_new = select_digits(train_images, train_labels, NEW_DIGITS, n_labelled // len(NEW_DIGITS))
    old_test = select_digits(test_images, test_labels, OLD_DIGITS)
    new_test = select_digits(test_images, test_labels, NEW_DIGITS)
    notify = progress or (lambda done, total, note: None)

    pretrained = fit(LeNet().to(device), old[0][:n_pretrain], old[1][:n_pretrain],
                     pretrain_epochs, batch_size=64, device=device)
    notify(1, 3, "pretrained on digits 0-4")
    transferred = fit(reuse_features(pretrained).to(device), *few_new, head_epochs, device=device)
    notify(2, 3, "new head trained on digits 5-9")
    scratch = fit(LeNet().to(device), *few_new, head_epochs, device=device)
    notify(3, 3, "trained from scratch on digits 5-9")
    return {
        "n_labelled": len(few_new[1]),
        "pretrain_accuracy": accuracy(pretrained, *old_test, device),
        "frozen_accuracy": accuracy(transferred, *new_test, device),
        "scratch_accuracy": accuracy(scratch, *new_test, device),
        "model": transferred.cpu(),
    }
