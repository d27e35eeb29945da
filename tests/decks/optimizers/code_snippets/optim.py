"""Gradient descent and its friends on a two-dimensional valley, in plain NumPy (fast on any CPU)."""
from __future__ import annotations

import numpy as np

# [start:valley]
CURVATURE = np.array([1.0, 10.0])  # steep across the valley, shallow along it


def loss(w: np.ndarray) -> float:
    return 0.5 * float(np.sum(CURVATURE * w**2))


def grad(w: np.ndarray) -> np.ndarray:
    return CURVATURE * w
# [end:valley]


class SGD:
    """Plain gradient descent: a step against the gradient."""

    def __init__(self, lr: float = 0.09):
        self.lr = lr

    def step(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        return w - self.lr * g


class Momentum:
    """Heavy ball: remembers past gradients."""

    def __init__(self, lr=0.03, beta=0.8):
        self.lr, self.beta = lr, beta
        self.v = 0.0

    def step(self, w, g):
        self.v = self.beta * self.v + g
        return w - self.lr * self.v


class Adam:
    """Adam (Kingma & Ba, 2015): momentum divided by a running RMS of the gradient."""

    def __init__(self, lr: float = 0.3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.s, self.t = 0.0, 0.0, 0

    def step(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.s = self.beta2 * self.s + (1 - self.beta2) * g**2
        m_hat = self.m / (1 - self.beta1**self.t)
        s_hat = self.s / (1 - self.beta2**self.t)
        return w - self.lr * m_hat / (np.sqrt(s_hat) + self.eps)


START = np.array([-4.0, 1.5])


def run(optimizer, steps: int = 60) -> np.ndarray:
    """The path of `optimizer` from START: an array of shape (steps + 1, 2)."""
    path = [START.copy()]
    for _ in range(steps):
        path.append(optimizer.step(path[-1], grad(path[-1])))
    return np.array(path)


def condition_number() -> float:
    """Largest over smallest curvature: how much steeper the valley is across than along."""
    return float(CURVATURE.max() / CURVATURE.min())


def largest_stable_lr() -> float:
    """Plain gradient descent diverges on this valley once lr exceeds 2 / (largest curvature)."""
    return 2.0 / float(CURVATURE.max())


def compare_optimizers() -> None:
    """Loss after 60 steps from the same start, one line per optimizer."""
    for name, optimizer in [("SGD", SGD()), ("Momentum", Momentum()), ("Adam", Adam())]:
        path = run(optimizer)
        print(f"{name:<9} loss {loss(path[0]):6.2f} -> {loss(path[-1]):.2e}")


# [start:schedules]
def step_decay(t: int, lr0: float = 0.1) -> float:
    return lr0 * 0.5 ** (t // 30)


def cosine(t: int, lr0: float = 0.1, total: int = 100) -> float:
    return lr0 * 0.5 * (1 + np.cos(np.pi * min(t, total) / total))
# [end:schedules]


def halfway_cosine_lr() -> float:
    """The cosine schedule's rate halfway through: exactly half the initial one."""
    return cosine(50)
