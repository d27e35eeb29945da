"""The trained models that figures and slides share (the only producers here that train)."""
from __future__ import annotations

from code_snippets.lenet import train_lenet
from code_snippets.transfer import transfer_experiment


def trained_lenet(device="cpu", progress=None):
    """LeNet trained for 3 epochs on the 8,000 training digits: model, test accuracy, history."""
    return train_lenet(epochs=3, device=device, progress=progress)


def transfer_learning(device="cpu", progress=None):
    """Digits 5-9 from 100 labelled images: frozen conv layers from digits 0-4 vs from scratch."""
    return transfer_experiment(n_labelled=100, device=device, progress=progress)
