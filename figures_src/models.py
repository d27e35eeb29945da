"""The trained models that figures and slides share (the only producers here that train)."""
from __future__ import annotations

from contextlib import contextmanager

import torch

from code_snippets.dropout_experiment import run_experiment
from code_snippets.lenet import LeNet5, fully_connected_net, train_network
from code_snippets.transfer import repeated_transfer

EPOCHS = 10  # the same for both networks of the assignment's comparison


@contextmanager
def _one_torch_thread():
    """Run with one torch thread, then restore the setting. LeNet-5's small convolutions gain
    little from a second thread, and on a busy 2-core machine two threads waiting for each other
    took 83 s for an epoch that one thread did in 2.5 s."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def trained_lenet5(device="cpu", progress=None):
    """LeNet-5 trained on the 8,000 training digits: model, test accuracy, history, seconds."""
    with _one_torch_thread():
        return train_network(LeNet5, epochs=EPOCHS, device=device, progress=progress)


def trained_fully_connected(device="cpu", progress=None):
    """Last week's 784-256-10 network, trained exactly like LeNet-5, for the comparison."""
    with _one_torch_thread():
        return train_network(fully_connected_net, epochs=EPOCHS, device=device,
                             progress=progress)


def dropout_experiment(progress=None) -> dict:
    """A small MLP trained on 500 digits with and without dropout (p = 0.5); curves and numbers.
    Here, not beside its figure, so that restyling the figure never retrains it."""
    with _one_torch_thread():
        return run_experiment(progress=progress)


def transfer_learning(device="cpu", progress=None):
    """Digits 5-9 from 100 labelled images: pretrained features (frozen, fine-tuned), a new
    output layer only, and training from scratch; the mean of three seeded runs."""
    with _one_torch_thread():
        return repeated_transfer(seeds=(0, 1, 2), n_labelled=100, device=device,
                                 progress=progress)
