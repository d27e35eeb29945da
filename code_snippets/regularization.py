"""Regularization: L2 and L1 penalties, weight decay in optimizers, dropout."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def l2_penalty(model: nn.Module) -> torch.Tensor:
    """R(W) = sum of squared weights (biases are usually left unpenalized)."""
    return sum((w**2).sum() for name, w in model.named_parameters() if name.endswith("weight"))


def l1_penalty(model: nn.Module) -> torch.Tensor:
    """R(W) = sum of absolute weights: pushes many weights to exactly zero."""
    return sum(w.abs().sum() for name, w in model.named_parameters() if name.endswith("weight"))


def train_step_with_l1(model, images, labels, optimizer, l1_lambda: float = 1e-4) -> float:
    """One optimizer step on C_total = C_task + lambda * sum |W|."""
    optimizer.zero_grad()
    task_loss = F.cross_entropy(model(images), labels)
    loss = task_loss + l1_lambda * l1_penalty(model)  # without lambda the penalty dominates
    loss.backward()
    optimizer.step()
    return loss.item()


def make_optimizers(model: nn.Module) -> dict[str, torch.optim.Optimizer]:
    """L2 regularization through the optimizer's weight_decay argument."""
    # [start:weight_decay]
    # SGD: adds weight_decay * w to the gradient, the gradient of (wd / 2) * sum w^2
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=5e-4)
    # Adam: the same L2 gradient, then divided by Adam's running scale (coupled)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=5e-4)
    # AdamW: shrinks the weights directly, w <- w - lr * wd * w (decoupled)
    adamw = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    # [end:weight_decay]
    return {"SGD": sgd, "Adam": adam, "AdamW": adamw}


class DropoutMLP(nn.Module):
    """A 784-hidden-hidden-10 MLP with dropout on the input and after each hidden ReLU."""

    def __init__(self, hidden: int = 256, p_input: float = 0.2, p_hidden: float = 0.5):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Dropout(p_input),  # drop few pixels: the input carries the information
            nn.Linear(784, hidden), nn.ReLU(), nn.Dropout(p_hidden),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(p_hidden),
            nn.Linear(hidden, 10),  # no dropout after the output layer
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.layers(images.flatten(1))


def inverted_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """PyTorch's dropout: drop with probability p, scale survivors by 1/(1-p) in training."""
    if not training:
        return x  # test time: nothing to do, the mean was kept during training
    keep = (torch.rand_like(x) >= p).float()
    return x * keep / (1 - p)


def original_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Srivastava et al. (2014): drop in training, scale activities by (1-p) at test time."""
    if not training:
        return x * (1 - p)  # the paper's p is the keep probability: its 'p' is our 1 - p
    keep = (torch.rand_like(x) >= p).float()
    return x * keep


def evaluate(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Accuracy with dropout switched off; net.train() switches it back on."""
    net.eval()  # dropout becomes the identity, batch norm uses running statistics
    with torch.no_grad():
        accuracy = (net(images).argmax(dim=1) == labels).float().mean().item()
    net.train()  # back to training behaviour before the next step
    return accuracy


def dropout_train_and_eval() -> None:
    """nn.Dropout(0.5) zeroes half the units, doubles the rest, and does nothing in eval."""
    dropout = nn.Dropout(p=0.5)
    x = torch.ones(100_000)
    dropout.train()
    y = dropout(x)
    print(f"train: zeroed {(y == 0).float().mean():.3f}, kept values {y[y > 0].unique().tolist()}")
    print(f"train: mean {x.mean():.3f} -> {y.mean():.3f}")
    dropout.eval()
    print("eval:  identity:", torch.equal(dropout(x), x))


def original_versus_inverted_dropout() -> None:
    """Both versions give the same expected activity in training and at test time."""
    x, p = torch.ones(100_000), 0.5
    print("             train mean   test mean")
    for name, dropout in [("original", original_dropout), ("inverted", inverted_dropout)]:
        train, test = dropout(x, p, training=True), dropout(x, p, training=False)
        print(f"{name:>10} {train.mean():12.3f} {test.mean():11.3f}")
    pytorch = nn.Dropout(p)
    print(f"{'nn.Dropout':>10} {pytorch(x).mean():12.3f} {pytorch.eval()(x).mean():11.3f}")


def dropout2d_zeroes_whole_channels() -> None:
    """nn.Dropout2d drops entire feature maps, not single pixels."""
    maps = torch.rand(8, 5, 5) + 0.1  # 8 channels, strictly positive: zeros come from dropout
    dropped = nn.Dropout2d(p=0.5)(maps.unsqueeze(0))[0]
    zeroed = [c for c in range(8) if (dropped[c] == 0).all()]
    scaled = [c for c in range(8) if torch.allclose(dropped[c], 2 * maps[c])]
    print("channels zero everywhere:   ", zeroed)
    print("channels kept, all values x2:", scaled)
    print("anything else:              ", sorted(set(range(8)) - set(zeroed) - set(scaled)))


def dropout_typo_fails() -> None:
    """The classic slide's torch.nn.DropOut does not exist; torch.nn.Dropout does."""
    try:
        torch.nn.DropOut(0.5)
    except AttributeError as error:
        print("torch.nn.DropOut ->", type(error).__name__ + ":", error)
    print("torch.nn.Dropout ->", torch.nn.Dropout(0.5))


def l1_penalty_needs_lambda() -> None:
    """Summed over all weights the raw penalty dwarfs the task loss: lambda scales it."""
    model = DropoutMLP()
    images, labels = torch.rand(64, 784), torch.randint(0, 10, (64,))
    task_loss = F.cross_entropy(model(images), labels).item()
    penalty = l1_penalty(model).item()
    print(f"task loss (cross-entropy)  = {task_loss:8.3f}")
    print(f"sum |W|                    = {penalty:8.1f}")
    print(f"lambda * sum |W|, 1e-4     = {1e-4 * penalty:8.3f}")


def weight_decay_is_l2_penalty() -> None:
    """SGD with weight_decay=wd takes the same step as adding (wd/2) sum W^2 to the loss."""
    wd, x, y = 0.1, torch.randn(16, 4), torch.randn(16, 1)
    layers = [nn.Linear(4, 1, bias=False) for _ in range(2)]
    layers[1].load_state_dict(layers[0].state_dict())
    decayed = torch.optim.SGD(layers[0].parameters(), lr=0.5, weight_decay=wd)
    penalized = torch.optim.SGD(layers[1].parameters(), lr=0.5)
    F.mse_loss(layers[0](x), y).backward()
    (F.mse_loss(layers[1](x), y) + wd / 2 * l2_penalty(layers[1])).backward()
    decayed.step()
    penalized.step()
    print("weight_decay:", layers[0].weight.data.squeeze())
    print("L2 penalty:  ", layers[1].weight.data.squeeze())


def adam_versus_adamw_decay() -> None:
    """With no task gradient: Adam moves every weight by lr, AdamW shrinks it by lr*wd*w."""
    start = torch.tensor([0.01, 1.0, 100.0])
    print("start:", [round(v, 4) for v in start.tolist()])
    for optimizer_class in (torch.optim.Adam, torch.optim.AdamW):
        w = nn.Parameter(start.clone())
        optimizer = optimizer_class([w], lr=0.1, weight_decay=0.1)
        (0 * w).sum().backward()  # task gradient exactly zero: only decay acts
        optimizer.step()
        print(f"{optimizer_class.__name__:>5}:", [round(v, 4) for v in w.tolist()])
