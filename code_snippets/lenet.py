"""LeNet-5 (LeCun, Bottou, Bengio & Haffner, 1998) for MNIST, its training and its numbers."""
from __future__ import annotations

import math
import textwrap
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from code_snippets.data import load_digits


class LeNet5(nn.Module):
    """Convolutions and pooling find local features; three dense layers classify them."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)  # 1x28x28 -> 6x28x28
        self.s2 = nn.MaxPool2d(2)                            # 6x28x28 -> 6x14x14
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)            # 6x14x14 -> 16x10x10
        self.s4 = nn.MaxPool2d(2)                            # 16x10x10 -> 16x5x5
        self.c5 = nn.Linear(16 * 5 * 5, 120)  # the paper's 5x5 convolution on a 5x5 map
        self.f6 = nn.Linear(120, 84)
        self.output = nn.Linear(84, 10)       # one score per digit class

    def forward(self, x):                     # x: [batch, 1, 28, 28], not flattened
        x = self.s2(F.relu(self.c1(x)))
        x = self.s4(F.relu(self.c3(x)))
        x = torch.flatten(x, 1)               # keep the batch dimension: [batch, 400]
        x = F.relu(self.c5(x))
        x = F.relu(self.f6(x))
        return self.output(x)                 # logits: the loss applies log-softmax


def train_epoch(model, loader, optimizer, device="cpu"):
    """One pass over the training data; returns the loss of every batch."""
    model.train()                          # training mode: matters for dropout, batch norm
    losses = []
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()              # gradients add up unless cleared
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def evaluate(model, loader, device="cpu"):
    """Fraction of correctly classified images."""
    model.eval()
    correct = 0
    for images, labels in loader:
        predictions = model(images.to(device)).argmax(dim=1)
        correct += (predictions == labels.to(device)).sum().item()
    return correct / len(loader.dataset)


def digit_loaders(n_train=None, batch_size=64, seed=0):
    """Shuffled training batches and ordered test batches of the lecture's digits."""
    train_images, train_labels = load_digits(train=True)
    test_images, test_labels = load_digits(train=False)
    train = TensorDataset(train_images[:n_train], train_labels[:n_train])
    shuffle = torch.Generator().manual_seed(seed)  # same batches on every run
    return (
        DataLoader(train, batch_size=batch_size, shuffle=True, generator=shuffle),
        DataLoader(TensorDataset(test_images, test_labels), batch_size=500),
    )


def train_network(make_model=LeNet5, epochs=8, device="cpu", progress=None, n_train=None,
                  lr=1e-3, seed=0):
    """Train a new `make_model()` on the digits with Adam; returns the model (on the CPU),
    its final test accuracy, its history and the training time in seconds.

    `progress(done, total, note)` is called after every epoch when given.
    """
    torch.manual_seed(seed)                # same initial weights on every run
    train_loader, test_loader = digit_loaders(n_train, seed=seed)
    model = make_model().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "test_accuracy": []}
    start = time.perf_counter()
    for epoch in range(epochs):
        history["train_loss"] += train_epoch(model, train_loader, optimizer, device)
        history["test_accuracy"].append(evaluate(model, test_loader, device))
        if progress:
            progress(epoch + 1, epochs, f"test accuracy {history['test_accuracy'][-1]:.1%}")
    history["steps_per_epoch"] = len(train_loader)
    return {
        "model": model.cpu().eval(),
        "test_accuracy": history["test_accuracy"][-1],
        "history": history,
        "seconds": time.perf_counter() - start,
    }


# [start:counting]
def parameters_per_layer(model: nn.Module) -> dict[str, int]:
    """Number of weights and biases of each layer that has any."""
    counts = {}
    for name, layer in model.named_children():
        n = sum(p.numel() for p in layer.parameters())
        if n:
            counts[name] = n
    return counts


def multiply_adds_per_layer(model: nn.Module, image_shape=(1, 28, 28)) -> dict[str, int]:
    """Multiply-adds per image of each conv and linear layer, read from a real forward pass."""
    counts = {}

    def count(name):
        def hook(layer, inputs, output):
            if isinstance(layer, nn.Conv2d):   # every output value: one dot product
                per_output = layer.in_channels // layer.groups * math.prod(layer.kernel_size)
            else:
                per_output = layer.in_features
            counts[name] = output[0].numel() * per_output
        return hook

    hooks = [layer.register_forward_hook(count(name)) for name, layer in model.named_children()
             if isinstance(layer, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.zeros(1, *image_shape))
    for h in hooks:
        h.remove()
    return counts
# [end:counting]


def output_shapes(model: nn.Module, image_shape=(1, 28, 28)) -> dict[str, tuple[int, ...]]:
    """Shape of one image's activity after each layer, read from a real forward pass."""
    shapes = {"input": tuple(image_shape)}
    hooks = [layer.register_forward_hook(
                 lambda layer, inputs, output, name=name: shapes.update({name: output.shape[1:]}))
             for name, layer in model.named_children()]
    with torch.no_grad():
        model.eval()(torch.zeros(1, *image_shape))
    for h in hooks:
        h.remove()
    return {name: tuple(shape) for name, shape in shapes.items()}


CONVOLUTIONS = ("c1", "c3")
DENSE = ("c5", "f6", "output")


def n_params() -> int:
    """Total number of parameters of LeNet-5 (61,706 with full C3 connections)."""
    return sum(parameters_per_layer(LeNet5()).values())


def dense_param_share() -> float:
    """Fraction of LeNet-5's parameters in its three dense layers (about 96%)."""
    counts = parameters_per_layer(LeNet5())
    return sum(counts[name] for name in DENSE) / sum(counts.values())


def n_multiply_adds() -> int:
    """Multiply-adds of one forward pass of LeNet-5 for one image."""
    return sum(multiply_adds_per_layer(LeNet5()).values())


def conv_multiply_add_share() -> float:
    """Fraction of LeNet-5's multiply-adds done by its two convolutions (about 86%)."""
    counts = multiply_adds_per_layer(LeNet5())
    return sum(counts[name] for name in CONVOLUTIONS) / sum(counts.values())


def print_layer_table() -> None:
    """Print parameters and multiply-adds per layer of LeNet-5, with totals."""
    model = LeNet5()
    params, macs = parameters_per_layer(model), multiply_adds_per_layer(model)
    print(f"{'layer':<8}{'parameters':>12}{'multiply-adds':>16}")
    for name in params:
        print(f"{name:<8}{params[name]:>12,}{macs[name]:>16,}")
    print(f"{'total':<8}{sum(params.values()):>12,}{sum(macs.values()):>16,}")


def flattened_input_fails() -> None:
    """Feed LeNet-5 images flattened the way last week's fully connected network wanted them."""
    images = torch.rand(64, 1, 28, 28)
    print(">>> LeNet5()(images.view(64, 784))")
    try:
        LeNet5()(images.view(64, 784))     # the 2-D neighbourhoods are gone
    except RuntimeError as error:          # conv2d refuses: no height and width left
        print(textwrap.fill(f"RuntimeError: {error}", width=60))


# C3's connection table in the paper: how many of the 6 S2 maps each of the 16 C3 maps reads
# (six read 3 neighbouring maps, six read 4, three read 4 non-neighbouring, one reads all 6).
PAPER_C3_INPUTS = [3] * 6 + [4] * 6 + [4] * 3 + [6]


def paper_params() -> int:
    """Trainable parameters of LeNet-5 as published (60,000)."""
    c1 = 6 * (5 * 5 + 1)
    s2 = 6 * 2                            # one trainable weight and one bias per map
    c3 = sum(n * 5 * 5 for n in PAPER_C3_INPUTS) + 16
    s4 = 16 * 2
    c5 = 120 * (16 * 5 * 5 + 1)
    f6 = 84 * (120 + 1)
    return c1 + s2 + c3 + s4 + c5 + f6    # the RBF output's codes are fixed, not trained


def fully_connected_net() -> nn.Sequential:
    """Last week's fully connected network: 784 pixels -> 256 hidden units (ReLU) -> 10."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def n_params_fully_connected() -> int:
    """Parameters of the 784-256-10 fully connected network (203,530)."""
    return sum(p.numel() for p in fully_connected_net().parameters())


def fully_connected_to_lenet5_ratio() -> float:
    """How many times more parameters the 784-256-10 network has than LeNet-5 (about 3.3)."""
    return n_params_fully_connected() / n_params()
