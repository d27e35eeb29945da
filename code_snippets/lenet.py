"""LeNet for MNIST (the network of the PyTorch MNIST example), its training and its numbers."""
from __future__ import annotations

import math
import textwrap

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from code_snippets.data import load_digits


class LeNet(nn.Module):
    """Two convolutions extract local features; two fully connected layers classify them."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3)    # 1x28x28  -> 32x26x26
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3)   # 32x26x26 -> 64x24x24
        self.pool = nn.MaxPool2d(2)                     # 64x24x24 -> 64x12x12
        self.dropout1 = nn.Dropout2d(0.25)              # drops whole feature maps
        self.fc1 = nn.Linear(64 * 12 * 12, 128)         # 9,216 inputs
        self.dropout2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)                   # one score per digit class

    def forward(self, x):                  # x: [batch, 1, 28, 28], not flattened
        x = F.relu(self.conv1(x))
        x = F.relu(self.pool(self.conv2(x)))  # max-pool and ReLU commute
        x = self.dropout1(x)
        x = torch.flatten(x, 1)            # keep the batch dimension
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)                 # logits: the loss applies log-softmax


def train_epoch(model, loader, optimizer, device="cpu"):
    """One pass over the training data; returns the loss of every batch."""
    model.train()                          # dropout on
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
    model.eval()                           # dropout off
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


def train_lenet(epochs=3, device="cpu", progress=None, n_train=None, lr=1e-3, seed=0):
    """Train a LeNet on the digits with Adam; returns the model (on the CPU) and its history.

    `progress(done, total, note)` is called after every epoch when given.
    """
    torch.manual_seed(seed)
    train_loader, test_loader = digit_loaders(n_train, seed=seed)
    model = LeNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "test_accuracy": []}
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


def n_params() -> int:
    """Total number of parameters of LeNet (1,199,882)."""
    return sum(p.numel() for p in LeNet().parameters())


def n_params_conv() -> int:
    """Parameters of both convolutional layers together (18,816)."""
    counts = parameters_per_layer(LeNet())
    return counts["conv1"] + counts["conv2"]


def n_params_fc1() -> int:
    """Parameters of the first fully connected layer, 9,216 -> 128 (1,179,776)."""
    return parameters_per_layer(LeNet())["fc1"]


def fc1_param_share() -> float:
    """Fraction of LeNet's parameters in the first fully connected layer (about 98%)."""
    return n_params_fc1() / n_params()


def n_multiply_adds() -> int:
    """Multiply-adds of one forward pass of LeNet for one image."""
    return sum(multiply_adds_per_layer(LeNet()).values())


def conv_multiply_add_share() -> float:
    """Fraction of LeNet's multiply-adds done by the two convolutions (about 90%)."""
    counts = multiply_adds_per_layer(LeNet())
    return (counts["conv1"] + counts["conv2"]) / sum(counts.values())


def print_layer_table() -> None:
    """Print parameters and multiply-adds per layer of LeNet, with totals."""
    model = LeNet()
    params, macs = parameters_per_layer(model), multiply_adds_per_layer(model)
    print(f"{'layer':<8}{'parameters':>12}{'multiply-adds':>16}")
    for name in params:
        print(f"{name:<8}{params[name]:>12,}{macs[name]:>16,}")
    print(f"{'total':<8}{sum(params.values()):>12,}{sum(macs.values()):>16,}")


def flattened_input_fails() -> None:
    """Feed LeNet images flattened the way last week's fully connected network wanted them."""
    images = torch.rand(64, 1, 28, 28)
    print(">>> LeNet()(images.view(64, 784))")
    try:
        LeNet()(images.view(64, 784))      # the 2-D neighbourhoods are gone
    except RuntimeError as error:          # conv2d refuses: no height and width left
        print(textwrap.fill(f"RuntimeError: {error}", width=60))


def fully_connected_net() -> nn.Sequential:
    """Last week's fully connected network: 784 pixels -> 256 hidden units (ReLU) -> 10."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def n_params_fully_connected() -> int:
    """Parameters of the 784-256-10 fully connected network (203,530)."""
    return sum(p.numel() for p in fully_connected_net().parameters())


def lenet_to_fully_connected_ratio() -> float:
    """How many times more parameters LeNet has than the 784-256-10 network."""
    return n_params() / n_params_fully_connected()
