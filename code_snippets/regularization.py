"""Regularization: L2 and L1 penalties, weight decay, dropout."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def weights_of(model: nn.Module) -> list[torch.Tensor]:
    """The weight tensors of a model; biases are usually not penalized."""
    named = model.named_parameters()
    return [w for name, w in named if name.endswith("weight")]


def l2_penalty(model: nn.Module) -> torch.Tensor:
    """R(W) = sum of squared weights: many small weights."""
    return sum((w**2).sum() for w in weights_of(model))


def l1_penalty(model: nn.Module) -> torch.Tensor:
    """R(W) = sum of absolute weights: pushes many weights to exactly 0."""
    return sum(w.abs().sum() for w in weights_of(model))


def train_step_with_l1(model, images, labels, optimizer, l1_lambda=1e-4):
    """One step on C_total = C_task + lambda * sum |W|."""
    optimizer.zero_grad()
    # [start:l1_loss]
    task_loss = F.cross_entropy(model(images), labels)
    loss = task_loss + l1_lambda * l1_penalty(model)
    # [end:l1_loss]
    loss.backward()
    optimizer.step()
    return loss.item()


def make_optimizers(model: nn.Module) -> dict[str, torch.optim.Optimizer]:
    """L2 regularization through the optimizer's weight_decay argument."""
    params = list(model.parameters())
    # [start:weight_decay]
    # SGD: adds wd * w to the gradient, an L2 penalty
    sgd = torch.optim.SGD(params, lr=0.01, weight_decay=5e-4)
    # Adam: the same term, then rescaled (coupled)
    adam = torch.optim.Adam(params, lr=1e-3, weight_decay=5e-4)
    # AdamW: w <- w - lr * wd * w (decoupled)
    adamw = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2)
    # [end:weight_decay]
    return {"SGD": sgd, "Adam": adam, "AdamW": adamw}


class DropoutMLP(nn.Module):
    """An MLP for digits with dropout on the input and after hidden ReLUs."""

    def __init__(self, hidden=256, p_input=0.2, p_hidden=0.5):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Dropout(p_input),  # lower at the input: pixels carry the signal
            nn.Linear(784, hidden), nn.ReLU(), nn.Dropout(p_hidden),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(p_hidden),
            nn.Linear(hidden, 10),  # never dropout after the output layer
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.layers(images.flatten(1))


def inverted_dropout(x: torch.Tensor, p: float, training: bool):
    """PyTorch's dropout: drop with probability p, scale the rest by 1/(1-p)."""
    if not training:
        return x  # test time: nothing to do, training kept the mean
    keep = (torch.rand_like(x) >= p).float()
    return x * keep / (1 - p)


def original_dropout(x: torch.Tensor, p: float, training: bool):
    """Srivastava et al. (2014): drop in training, scale by 1-p at test time."""
    # The paper's p is the probability to KEEP a unit; ours is to drop it.
    if not training:
        return x * (1 - p)  # every unit present, each weighted by 1 - p
    keep = (torch.rand_like(x) >= p).float()
    return x * keep


def evaluate(net: nn.Module, images: torch.Tensor, labels: torch.Tensor):
    """Accuracy with dropout switched off, then back to training mode."""
    net.eval()  # dropout: identity; batch norm: running statistics
    with torch.no_grad():
        predictions = net(images).argmax(dim=1)
    net.train()  # switch dropout back on before the next training step
    return (predictions == labels).float().mean().item()


def dropout_train_and_eval() -> None:
    """nn.Dropout(0.5): zeroes half, doubles the rest; identity in eval."""
    dropout = nn.Dropout(p=0.5)
    x = torch.ones(100_000)
    dropout.train()
    y = dropout(x)
    print(f"train: zeroed {(y == 0).float().mean():.3f} of the units")
    print(f"train: values kept {y[y > 0].unique().tolist()}")
    print(f"train: mean {x.mean():.3f} -> {y.mean():.3f}")
    dropout.eval()
    print("eval:  identity:", torch.equal(dropout(x), x))


def original_versus_inverted_dropout() -> None:
    """Both versions keep the expected activity equal in training and test."""
    x, p = torch.ones(100_000), 0.5
    versions = [("original", original_dropout), ("inverted", inverted_dropout)]
    print("             train mean   test mean")
    for name, dropout in versions:
        train = dropout(x, p, training=True).mean()
        test = dropout(x, p, training=False).mean()
        print(f"{name:>10} {train:12.3f} {test:11.3f}")
    layer = nn.Dropout(p)
    train, test = layer(x).mean(), layer.eval()(x).mean()
    print(f"{'nn.Dropout':>10} {train:12.3f} {test:11.3f}")


def dropout2d_zeroes_whole_channels() -> None:
    """nn.Dropout2d drops entire feature maps, not single pixels."""
    maps = torch.rand(8, 5, 5) + 0.1  # positive: every zero is dropout's
    dropped = nn.Dropout2d(p=0.5)(maps.unsqueeze(0))[0]
    zeroed = [c for c in range(8) if (dropped[c] == 0).all()]
    doubled = [c for c in range(8) if torch.allclose(dropped[c], 2 * maps[c])]
    other = sorted(set(range(8)) - set(zeroed) - set(doubled))
    print("channels zero everywhere:    ", zeroed)
    print("channels kept, all values x2:", doubled)
    print("anything else:               ", other)


def dropout_typo_fails() -> None:
    """The classic slide's torch.nn.DropOut does not exist."""
    try:
        torch.nn.DropOut(0.5)
    except AttributeError as error:
        print("torch.nn.DropOut ->", type(error).__name__ + ":")
        print("   ", error)
    print("torch.nn.Dropout ->", torch.nn.Dropout(0.5))


def l1_penalty_needs_lambda() -> None:
    """Summed over all weights the raw penalty dwarfs the task loss."""
    model = DropoutMLP()
    images, labels = torch.rand(64, 784), torch.randint(0, 10, (64,))
    task_loss = F.cross_entropy(model(images), labels).item()
    penalty = l1_penalty(model).item()
    print(f"task loss (cross-entropy)  = {task_loss:8.3f}")
    print(f"sum |W|                    = {penalty:8.1f}")
    print(f"lambda * sum |W|, 1e-4     = {1e-4 * penalty:8.3f}")


def weight_decay_is_l2_penalty() -> None:
    """SGD's weight_decay=wd takes the step of a (wd/2) sum W^2 penalty."""
    wd, x, y = 0.1, torch.randn(16, 4), torch.randn(16, 1)
    decayed, penalized = nn.Linear(4, 1), nn.Linear(4, 1)
    penalized.load_state_dict(decayed.state_dict())  # same start
    F.mse_loss(decayed(x), y).backward()
    loss = F.mse_loss(penalized(x), y) + wd / 2 * l2_penalty(penalized)
    loss.backward()
    torch.optim.SGD([decayed.weight], lr=0.5, weight_decay=wd).step()
    torch.optim.SGD([penalized.weight], lr=0.5).step()
    print("weight_decay:", decayed.weight.data.squeeze())
    print("L2 penalty:  ", penalized.weight.data.squeeze())


def adam_versus_adamw_decay() -> None:
    """No task gradient: Adam moves each weight by lr, AdamW by lr*wd*w."""
    start = torch.tensor([0.01, 1.0, 100.0])
    print("start:", [round(v, 4) for v in start.tolist()])
    for optimizer_class in (torch.optim.Adam, torch.optim.AdamW):
        w = nn.Parameter(start.clone())
        optimizer = optimizer_class([w], lr=0.1, weight_decay=0.1)
        (0 * w).sum().backward()  # a zero task gradient: only decay acts
        optimizer.step()
        name = optimizer_class.__name__
        print(f"{name:>5}:", [round(v, 4) for v in w.tolist()])
