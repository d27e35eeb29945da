"""Transfer learning, measured: reuse features learned on digits 0-4 to learn 5-9."""
from __future__ import annotations

import copy

import torch
from torch.utils.data import DataLoader, TensorDataset

from code_snippets.data import load_digits
from code_snippets.lenet import CONVOLUTIONS, LeNet5, evaluate, train_epoch

OLD_DIGITS = (0, 1, 2, 3, 4)
NEW_DIGITS = (5, 6, 7, 8, 9)


def select_digits(images, labels, digits, per_class=None):
    """The images of the given classes, at most `per_class` of each."""
    rows = torch.cat([torch.nonzero(labels == d).flatten()[:per_class] for d in digits])
    return images[rows], labels[rows]


# [start:freeze]
def reuse_features(pretrained: LeNet5, frozen=CONVOLUTIONS) -> LeNet5:
    """A new LeNet-5 that copies the pretrained layers in `frozen` and freezes them;
    the other layers, the head, start untrained."""
    model = LeNet5()
    for name in frozen:
        layer = getattr(model, name)
        layer.load_state_dict(getattr(pretrained, name).state_dict())
        layer.requires_grad_(False)     # no gradient: the features stay as learned
    return model


def n_trainable(model) -> int:
    """Parameters that the optimizer will change."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def fit(model, images, labels, epochs, lr=1e-3, batch_size=20, device="cpu"):
    """Train only the parameters that still require gradients."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=lr)
    loader = DataLoader(TensorDataset(images, labels), batch_size=batch_size, shuffle=True)
    for _ in range(epochs):
        train_epoch(model, loader, optimizer, device)
    return model
# [end:freeze]


def unfreeze(model) -> LeNet5:
    """Let every parameter learn again (for fine-tuning)."""
    return model.requires_grad_(True)


def accuracy(model, images, labels, device="cpu"):
    """Fraction of these images that the model classifies correctly."""
    return evaluate(model.to(device), DataLoader(TensorDataset(images, labels), 500), device)


def transfer_experiment(n_labelled=100, pretrain_epochs=10, head_epochs=30, finetune_epochs=10,
                        finetune_lr=1e-4, n_pretrain=None, seed=0, device="cpu", progress=None):
    """Accuracy on new digits 5-9 after training on `n_labelled` of them: with convolutions
    pretrained on digits 0-4 (frozen, then fine-tuned), with only a new output layer, and
    from scratch. Each variant also reports how many parameters it trained."""
    torch.manual_seed(seed)
    train_images, train_labels = load_digits(train=True)
    test_images, test_labels = load_digits(train=False)
    old = select_digits(train_images, train_labels, OLD_DIGITS)
    few_new = select_digits(train_images, train_labels, NEW_DIGITS, n_labelled // len(NEW_DIGITS))
    old_test = select_digits(test_images, test_labels, OLD_DIGITS)
    new_test = select_digits(test_images, test_labels, NEW_DIGITS)
    notify = progress or (lambda done, total, note: None)

    pretrained = fit(LeNet5().to(device), old[0][:n_pretrain], old[1][:n_pretrain],
                     pretrain_epochs, batch_size=64, device=device).cpu()
    notify(1, 5, "pretrained on digits 0-4")
    frozen = reuse_features(pretrained).to(device)
    frozen_trained = n_trainable(frozen)
    fit(frozen, *few_new, head_epochs, device=device)
    notify(2, 5, "new head trained on digits 5-9")
    # Fine-tuning starts from that model, with every layer learning, slowly.
    finetuned = unfreeze(copy.deepcopy(frozen))
    fit(finetuned, *few_new, finetune_epochs, lr=finetune_lr, device=device)
    notify(3, 5, "fine-tuned all layers")
    probe = reuse_features(pretrained, frozen=CONVOLUTIONS + ("c5", "f6")).to(device)
    probe_trained = n_trainable(probe)
    fit(probe, *few_new, head_epochs, device=device)
    notify(4, 5, "new output layer on digits 5-9")
    scratch = LeNet5().to(device)
    fit(scratch, *few_new, head_epochs, device=device)
    notify(5, 5, "trained from scratch on digits 5-9")
    return {
        "n_labelled": len(few_new[1]),
        "pretrain_accuracy": accuracy(pretrained, *old_test, device),
        "frozen_accuracy": accuracy(frozen, *new_test, device),
        "frozen_trained": frozen_trained,
        "finetuned_accuracy": accuracy(finetuned, *new_test, device),
        "finetuned_trained": n_trainable(finetuned),
        "probe_accuracy": accuracy(probe, *new_test, device),
        "probe_trained": probe_trained,
        "scratch_accuracy": accuracy(scratch, *new_test, device),
        "scratch_trained": n_trainable(scratch),
        "model": frozen.cpu(),
    }


def repeated_transfer(seeds=(0, 1, 2), progress=None, **settings):
    """transfer_experiment once per seed (initial weights and batch order change; the images
    do not): mean accuracy of each variant, its lowest and highest run, parameters trained."""
    runs = []
    for k, seed in enumerate(seeds):
        runs.append(transfer_experiment(seed=seed, **settings))
        if progress:
            progress(k + 1, len(seeds), f"run {k + 1}: seed {seed}")
    first = runs[0]
    result = {"runs": len(runs), "n_labelled": first["n_labelled"]}
    for key in first:
        if key.endswith("_accuracy"):
            values = [run[key] for run in runs]
            result[key] = sum(values) / len(values)
            result[key.replace("_accuracy", "_lowest")] = min(values)
            result[key.replace("_accuracy", "_highest")] = max(values)
        elif key.endswith("_trained"):
            result[key] = first[key]
    return result
