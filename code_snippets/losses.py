"""Losses: MSE for regression, cross-entropy and softmax for classification."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def mse_loss(predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean squared error for regression: (1/N) sum_n (y_n - t_n)^2."""
    return ((predictions - targets) ** 2).mean()


def cross_entropy(q: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """H(q, p) = -sum_k q_k log p_k, averaged over the N rows (samples)."""
    return -(q * torch.log(p)).sum(dim=1).mean()


def negative_log_likelihood(p: torch.Tensor, labels: torch.Tensor):
    """Cross-entropy for one-hot targets: -(1/N) sum_n log p(label_n | x_n)."""
    p_of_true_class = p[torch.arange(len(labels)), labels]
    return -torch.log(p_of_true_class).mean()


def naive_normalize(a: torch.Tensor) -> torch.Tensor:
    """The tempting a_i / sum_j a_j: fails for negative scores."""
    return a / a.sum(dim=-1, keepdim=True)


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """exp(a_i) / sum_j exp(a_j), computed without overflow."""
    # Shift invariance lets us subtract the max: then every exp is <= 1.
    shifted = logits - logits.max(dim=-1, keepdim=True).values
    exp = torch.exp(shifted)
    return exp / exp.sum(dim=-1, keepdim=True)


def logsumexp(logits: torch.Tensor) -> torch.Tensor:
    """log sum_j exp(a_j) = m + log sum_j exp(a_j - m), m = max_j a_j."""
    m = logits.max(dim=-1, keepdim=True).values
    return m + torch.log(torch.exp(logits - m).sum(dim=-1, keepdim=True))


def log_softmax(logits: torch.Tensor) -> torch.Tensor:
    """log softmax(a)_i = a_i - log sum_j exp(a_j): never takes log(0)."""
    return logits - logsumexp(logits)


def binary_cross_entropy(y: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """-(1/N) sum_n [t_n log y_n + (1 - t_n) log(1 - y_n)], t_n in {0, 1}."""
    return -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).mean()


def softmax_is_shift_invariant() -> None:
    """Adding a constant to every logit leaves the softmax unchanged."""
    a = torch.tensor([2.0, 1.0, -1.0])
    print("a = [2, 1, -1]")
    print("softmax(a)        =", softmax(a))
    print("softmax(a + 100)  =", softmax(a + 100))
    b = torch.tensor([1000.0, 1001.0, 1002.0])
    print("b = [1000, 1001, 1002]")
    print("exp(b)/sum exp(b) =", torch.exp(b) / torch.exp(b).sum())
    print("softmax(b)        =", softmax(b))
    print("torch.softmax(b)  =", torch.softmax(b, dim=0))


def naive_normalization_fails() -> None:
    """a_i / sum_j a_j gives negative 'probabilities' and depends on a shift."""
    a = torch.tensor([2.0, -1.0, 1.0])
    print("a / sum(a)            =", naive_normalize(a))
    print("(a + 1) / sum(a + 1)  =", naive_normalize(a + 1))
    print("softmax(a)            =", softmax(a))
    print("softmax(a + 1)        =", softmax(a + 1))
    print("scores summing to 0:  ", naive_normalize(torch.tensor([1.0, -1.0])))


def cross_entropy_is_entropy_plus_kl() -> None:
    """H(q, p) = H(q) + KL(q || p): minimising H(q, p) in p minimises the KL."""
    q = torch.softmax(torch.randn(4, 5), dim=1)  # true distributions, by row
    p = torch.softmax(torch.randn(4, 5), dim=1)  # the model's distributions
    entropy = cross_entropy(q, q)
    kl = F.kl_div(torch.log(p), q, reduction="batchmean")  # KL(q || p)
    kl_self = F.kl_div(torch.log(q), q, reduction="batchmean")
    print(f"H(q, p)           = {cross_entropy(q, p).item():.4f}")
    print(f"H(q) + KL(q || p) = {(entropy + kl).item():.4f}")
    print(f"KL(q || q)        = {kl_self.item():.4f}")


def one_hot_targets_give_negative_log_likelihood() -> None:
    """With one-hot q only the true class is left: H(q, p) = -log p(label)."""
    p = torch.softmax(torch.randn(4, 3), dim=1)
    labels = torch.tensor([0, 2, 1, 2])
    q = F.one_hot(labels, num_classes=3).float()
    print(f"H(one_hot, p)   = {cross_entropy(q, p).item():.4f}")
    print(f"-mean log p[y]  = {negative_log_likelihood(p, labels).item():.4f}")


def cross_entropy_is_nll_of_log_softmax() -> None:
    """F.cross_entropy takes logits and class indices, applies log-softmax."""
    logits = torch.randn(8, 10)  # what the last nn.Linear returns
    labels = torch.randint(0, 10, (8,))  # class indices, not one-hot
    one_step = F.cross_entropy(logits, labels)
    two_steps = F.nll_loss(F.log_softmax(logits, dim=1), labels)
    by_hand = negative_log_likelihood(softmax(logits), labels)
    print(f"F.cross_entropy(logits, y)         = {one_step.item():.6f}")
    print(f"F.nll_loss(F.log_softmax(logits))  = {two_steps.item():.6f}")
    print(f"-mean log softmax(logits)[y]       = {by_hand.item():.6f}")


def cross_entropy_loss_in_practice() -> None:
    """The usual set-up: logits out of the network, class indices as targets."""
    model = nn.Linear(784, 10)
    images, labels = torch.rand(32, 784), torch.randint(0, 10, (32,))
    # [start:cross_entropy_usage]
    criterion = nn.CrossEntropyLoss()   # log-softmax + NLL in one
    logits = model(images)              # (batch, 10), no softmax
    loss = criterion(logits, labels)    # labels: (batch,), in 0..9
    predictions = logits.argmax(dim=1)  # same as argmax of softmax
    # [end:cross_entropy_usage]
    print(f"loss: {loss.item():.4f}  predictions: {predictions[:8].tolist()}")


def argmax_softmax_equals_argmax_logits() -> None:
    """Softmax is monotonic, so the predicted class needs no softmax."""
    logits = torch.randn(1000, 10)
    same = torch.equal(softmax(logits).argmax(dim=1), logits.argmax(dim=1))
    print("1000 samples, argmax(softmax) == argmax(logits):", same)


def nats_versus_bits() -> None:
    """PyTorch uses the natural log (nats); log2 counts bits."""
    p_true = torch.tensor([[0.25, 0.75]])  # the true class gets 0.25
    labels = torch.tensor([0])
    nats = F.nll_loss(torch.log(p_true), labels).item()
    print(f"-ln p   = {nats:.4f} nats  (what PyTorch reports)")
    print(f"-log2 p = {-math.log2(0.25):.4f} bits")
    print(f"nats / ln 2 = {nats / math.log(2):.4f} bits")


def binary_cross_entropy_matches_pytorch() -> None:
    """Our formula against nn.BCELoss and nn.BCEWithLogitsLoss."""
    logits = torch.randn(6)
    y = torch.sigmoid(logits)  # predicted probability of class 1
    t = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    with_logits = nn.BCEWithLogitsLoss()(logits, t)
    print(f"formula              = {binary_cross_entropy(y, t).item():.6f}")
    print(f"nn.BCELoss           = {nn.BCELoss()(y, t).item():.6f}")
    print(f"nn.BCEWithLogitsLoss = {with_logits.item():.6f}")


def confident_mistakes_cost_more() -> None:
    """Loss at probability p of the true class: -log p is unbounded."""
    print("   p    -ln p   (1 - p)^2")
    for p in [0.9, 0.5, 0.1, 0.01, 0.001]:
        print(f"{p:6.3f} {-math.log(p):7.3f} {(1 - p) ** 2:9.3f}")


def mse_matches_pytorch() -> None:
    """Our MSE against nn.MSELoss on a small regression batch."""
    predictions, targets = torch.randn(5), torch.randn(5)
    print(f"formula      = {mse_loss(predictions, targets).item():.6f}")
    print(f"nn.MSELoss   = {nn.MSELoss()(predictions, targets).item():.6f}")
