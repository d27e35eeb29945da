"""Dropout against overfitting: one small MLP trained on 500 digits, with and without dropout."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from code_snippets.data import load_digits

N_TRAIN = 500  # few examples, many weights: an invitation to overfit
EPOCHS = 40
BATCH_SIZE = 50
P_DROP = 0.5


# [start:mlp]
def make_mlp(p_drop: float) -> nn.Sequential:
    """A 784-256-256-10 MLP with dropout after each hidden activation (p_drop=0: none)."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 256), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(256, 256), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(256, 10),  # no dropout after the output layer
    )
# [end:mlp]


# [start:train]
def train_one_epoch(net, optimizer, images, labels, generator):
    """One pass over the training set in shuffled mini-batches."""
    net.train()  # dropout on: a new random mask for every batch
    order = torch.randperm(len(labels), generator=generator)
    for batch in order.split(BATCH_SIZE):
        loss = F.cross_entropy(net(images[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@torch.no_grad()
def evaluate(net, images, labels) -> tuple[float, float]:
    """Accuracy and mean cross-entropy on a whole set, with dropout off."""
    net.eval()  # dropout off: the whole network votes
    logits = net(images)
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    return accuracy, F.cross_entropy(logits, labels).item()
# [end:train]


def small_training_set(n: int = N_TRAIN, seed: int = 0):
    """A fixed random subset of n training digits."""
    images, labels = load_digits(train=True)
    subset = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:n]
    return images[subset], labels[subset]


def train_and_record(p_drop: float, train_set, test_set, epochs: int = EPOCHS,
                     seed: int = 0, progress=None) -> dict:
    """Train make_mlp(p_drop); train/test accuracy and test loss after every epoch."""
    torch.manual_seed(seed)  # same initial weights for both runs
    net = make_mlp(p_drop)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)  # same batch order for both runs
    history = {"train_accuracy": [], "test_accuracy": [], "test_loss": []}
    for epoch in range(epochs):
        train_one_epoch(net, optimizer, *train_set, generator)
        train_accuracy, _ = evaluate(net, *train_set)
        test_accuracy, test_loss = evaluate(net, *test_set)
        history["train_accuracy"].append(train_accuracy)
        history["test_accuracy"].append(test_accuracy)
        history["test_loss"].append(test_loss)
        if progress is not None:
            progress(epoch + 1, epochs, f"p_drop={p_drop}")
    return history


def run_experiment(n_train: int = N_TRAIN, epochs: int = EPOCHS,
                   p_drop: float = P_DROP, progress=None) -> dict:
    """Train without and with dropout on the same n_train digits; curves and final numbers."""
    train_set = small_training_set(n_train)
    test_set = load_digits(train=False)
    plain = train_and_record(0.0, train_set, test_set, epochs, progress=progress)
    dropout = train_and_record(p_drop, train_set, test_set, epochs, progress=progress)
    return {
        "n_train": n_train,
        "n_test": len(test_set[1]),
        "epochs": epochs,
        "p_drop": p_drop,
        "history_plain": plain,
        "history_dropout": dropout,
        "train_accuracy_plain": plain["train_accuracy"][-1],
        "test_accuracy_plain": plain["test_accuracy"][-1],
        "train_accuracy_dropout": dropout["train_accuracy"][-1],
        "test_accuracy_dropout": dropout["test_accuracy"][-1],
        "test_loss_plain": plain["test_loss"][-1],
        "test_loss_dropout": dropout["test_loss"][-1],
    }
