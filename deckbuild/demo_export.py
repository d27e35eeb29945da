"""The torch side of demo(): export a producer's module to ONNX, check the export, draw the fallback.

Run as `python -m deckbuild.demo_export REQUEST.json OUT_DIR` by demo.py, in its own process so that
the build's main process never imports torch. The request names the cached artifact; the answer is
OUT_DIR/answer.json: {"problem": "..."} for a user mistake, else the files model.onnx and static.svg
and the metadata the page needs.
"""
from __future__ import annotations

import base64
import io
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from .demo_digits import demo_digits
from .demo_static import static_svg

# ONNX (checked with onnx's reference evaluator) against torch on the same float32 digits: both
# compute the same sums in float32 in another order, a few ulp of logits of size ~10-30 apart.
LOGIT_TOLERANCE = 1e-3
CHECKED_DIGITS = 200


class Problem(Exception):
    """A mistake in the deck (wrong producer, layer or module): reported at the slide's line."""


def pick_module(result, producer: str):
    """The torch module of a producer's result: the result itself, or the one module in its dict."""
    import torch

    if isinstance(result, torch.nn.Module):
        return result
    if isinstance(result, dict):
        modules = {k: v for k, v in result.items() if isinstance(v, torch.nn.Module)}
        if len(modules) == 1:
            return next(iter(modules.values()))
        if len(modules) > 1:
            raise Problem(f"producer '{producer}' returned a dict with several torch modules "
                          f"({', '.join(sorted(map(str, modules)))}); return one")
        raise Problem(f"producer '{producer}' returned a dict without a torch module "
                      f"(keys: {', '.join(sorted(map(str, result)))}); demo() needs a trained torch.nn.Module")
    raise Problem(f"producer '{producer}' returned {type(result).__name__}, not a torch module; "
                  "demo() needs a trained torch.nn.Module")


def pick_layer(model, layer: str | None):
    """(name, module) of the layer whose maps are shown: `layer`, or the first Conv2d."""
    import torch

    named = {name: module for name, module in model.named_modules() if name}
    if layer is None:
        layer = next((n for n, m in named.items() if isinstance(m, torch.nn.Conv2d)), None)
        if layer is None:
            raise Problem(f"{type(model).__name__} has no Conv2d layer: name the layer with layer=\"...\"")
    if layer not in named:
        raise Problem(f"{type(model).__name__} has no layer '{layer}' (layers: {', '.join(named)})")
    return layer, named[layer]


def with_maps(model, layer_module):
    """A module returning (logits, the layer's output): the two outputs of the exported graph."""
    import torch

    class LogitsAndMaps(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, image):
            seen = []
            hook = layer_module.register_forward_hook(lambda _m, _i, out: seen.append(out))
            try:
                logits = self.model(image)
            finally:
                hook.remove()
            return logits, seen[0]

    return LogitsAndMaps().eval()


def export(wrapped, example) -> bytes:
    """ONNX bytes, batch size free; the TorchScript exporter (no onnxscript rewrite needed for CNNs)."""
    import torch

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation notes are not the user's business
        torch.onnx.export(wrapped, (example,), buffer, input_names=["image"], output_names=["logits", "maps"],
                          dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}, "maps": {0: "batch"}},
                          opset_version=17, dynamo=False)
    return buffer.getvalue()


def check_onnx(onnx_bytes: bytes, wrapped, images: np.ndarray) -> dict:
    """Run the exported graph with onnx's reference evaluator and torch on the same digits; a
    Problem when an argmax differs or a logit is further than LOGIT_TOLERANCE away."""
    import torch
    from onnx.reference import ReferenceEvaluator

    x = images[:, None].astype(np.float32)
    onnx_logits, onnx_maps = ReferenceEvaluator(onnx_bytes).run(None, {"image": x})
    with torch.no_grad():
        torch_logits, torch_maps = (t.numpy() for t in wrapped(torch.from_numpy(x)))
    logit_gap = float(np.abs(onnx_logits - torch_logits).max())
    map_gap = float(np.abs(onnx_maps - torch_maps).max())
    same = int((onnx_logits.argmax(1) == torch_logits.argmax(1)).sum())
    if same != len(x) or logit_gap > LOGIT_TOLERANCE or map_gap > LOGIT_TOLERANCE:
        raise Problem(f"the ONNX export disagrees with torch on {len(x)} test digits: same class for {same}, "
                      f"largest logit difference {logit_gap:.2g}, map difference {map_gap:.2g} "
                      f"(allowed {LOGIT_TOLERANCE:g})")
    return {"digits": len(x), "same_argmax": same, "max_logit_diff": logit_gap, "max_map_diff": map_gap,
            "tolerance": LOGIT_TOLERANCE}


def run(request: dict, out: Path) -> dict:
    """Export, check and draw one demo; returns the answer's metadata."""
    import torch

    from .artifacts import load_artifact
    from .cache import Cache

    torch.set_num_threads(1)  # the build machine is shared; LeNet-sized models gain nothing from more
    try:
        result = load_artifact(Cache(Path(request["cache"])), request["artifact"])
    except RuntimeError:  # producers that return a Figure are cached as SVG, never as an artifact
        raise Problem(f"producer '{request['producer']}' made no result to export (does it return a "
                      "matplotlib Figure?); demo() needs a trained torch.nn.Module") from None
    model = pick_module(result, request["producer"])
    model = model.cpu().eval()
    layer, layer_module = pick_layer(model, request.get("layer"))
    wrapped = with_maps(model, layer_module)
    digits = demo_digits(Path(request["deck"]), CHECKED_DIGITS)
    example = torch.from_numpy(digits.images[:1, None].astype(np.float32))
    try:
        with torch.no_grad():
            logits, maps = wrapped(example)
    except Exception as error:  # noqa: BLE001 - any failure here means the module does not take digits
        raise Problem(f"{type(model).__name__} does not take a [1, 1, 28, 28] digit: {error}") from None
    if logits.shape != (1, 10) or maps.dim() != 4:
        raise Problem(f"{type(model).__name__} must give 10 class scores and layer '{layer}' feature maps "
                      f"[1, C, H, W]; got {list(logits.shape)} and {list(maps.shape)}")
    try:
        onnx_bytes = export(wrapped, example)
    except Exception as error:  # noqa: BLE001 - the exporter's own message says what it cannot export
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise Problem(f"{type(model).__name__} cannot be exported to ONNX: {first}") from None
    agreement = check_onnx(onnx_bytes, wrapped, digits.images)
    picks = digits.picks()  # the 20 digits of the occlusion kind; the first is the static rendering's
    with torch.no_grad():
        pick_logits, pick_maps = wrapped(torch.from_numpy(digits.images[picks, None].astype(np.float32)))
    (out / "model.onnx").write_bytes(onnx_bytes)
    probabilities = torch.softmax(pick_logits, 1).numpy()
    (out / "static.svg").write_bytes(static_svg(digits.images[picks[0]], probabilities[0], pick_maps[0].numpy(),
                                                layer, request["kind"]))
    return {"layer": layer, "model": type(model).__name__, "maps": list(maps.shape[1:]), "agreement": agreement,
            "digits": base64.b64encode((digits.images[picks] * 255).round().astype(np.uint8).tobytes()).decode(),
            "labels": [int(digits.labels[i]) for i in picks],
            "reference": probabilities.tolist(),  # torch's answer on each of them, for the browser tests
            "static": {"label": int(digits.labels[picks[0]]), "probabilities": probabilities[0].tolist()}}


def main(request_file: str, out_dir: str) -> None:
    out = Path(out_dir)
    request = json.loads(Path(request_file).read_text(encoding="utf-8"))
    sys.path[:0] = [request["deck"]]  # the artifact's classes live in the deck's code_snippets/
    try:
        answer = run(request, out)
    except Problem as problem:
        answer = {"problem": str(problem)}
    (out / "answer.json").write_text(json.dumps(answer), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
