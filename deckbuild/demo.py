"""demo(): a trained network live on a slide. The producer's module is exported to ONNX (in a torch
process, demo_export.py), cached under the producer's own key, and the site gets the model, the
onnxruntime-web runtime and the widget (demo.js) as plain scripts that a file:// page may load.

Files in the site (only when some slide has a demo):
  demo/demo.js, demo/demo.css        the widget, linked from the page (small)
  demo/demo-input.js                 MNIST's preprocessing of a drawing, loaded with the runtime
  demo/ort.wasm.min.js               onnxruntime-web, loaded when a demo slide is first shown
  demo/ort-runtime.js                its WebAssembly binary and loader as base64 (file:// cannot fetch)
  demo/PRODUCER-KEY.js / .svg        the model as base64 ONNX with its test digits; the static picture
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

from .atomic import write_atomically
from .cache import Cache, key_of
from .errors import Collector
from .fingerprint import ENGINE_ROOT, library_versions
from .model import Ref
from .vendor import NODE

KINDS = ("draw-digit", "occlude")
FORMAT = 1
HERE = Path(__file__).resolve().parent
ORT = NODE / "onnxruntime-web" / "dist"
# Single-threaded SIMD build: a file:// page is never cross-origin isolated, so no threads anyway.
ORT_FILES = ("ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs")
EXPORT_CODE = ("demo_export.py", "demo_static.py", "demo_digits.py", "artifacts.py", "svg_fonts.py")  # what the answer depends on


def make_demos(deck: Path, refs: list[Ref], artifacts: dict[str, str], cache: Cache, timeout: float,
               files: dict[str, Path], problems: Collector) -> dict[Ref, str]:
    """The HTML of every demo() reference; its files are added to `files` (site target -> source).
    `artifacts` maps a producer to its artifact's cache key (missing: its error is reported already)."""
    html: dict[Ref, str] = {}
    for ref in refs:
        if ref.target not in artifacts:
            continue
        answer = _exported(deck, ref, artifacts[ref.target], cache, timeout)
        if "problem" in answer:
            problems.add(ref.path, ref.line, f"demo('{ref.target}'): {answer['problem']}")
            continue
        name = f"{ref.target}-{answer['key'][:12]}"
        files[f"demo/{name}.js"] = _cached_file(cache, f"{name}.js", lambda: _model_script(name, answer))
        files[f"demo/{name}.svg"] = _cached_file(cache, f"{name}.svg", lambda: answer["svg"].encode())
        html[ref] = demo_html(ref, name, answer)
    if html:
        files.update(runtime_files(cache))
    return html


def runtime_files(cache: Cache) -> dict[str, Path]:
    """The widget and onnxruntime-web, as the site carries them."""
    digest = hashlib.sha256(b"".join((ORT / f).read_bytes() for f in ORT_FILES)).hexdigest()[:16]
    runtime = _cached_file(cache, f"ort-runtime-{digest}.js", _runtime_script)
    return {"demo/demo.js": HERE / "demo.js", "demo/demo.css": HERE / "demo.css", "demo/demo-input.js": HERE / "demo-input.js",
            "demo/ort.wasm.min.js": ORT / "ort.wasm.min.js", "demo/ort-runtime.js": runtime}


def demo_html(ref: Ref, name: str, answer: dict) -> str:
    """The slide's markup: the static picture, which demo.js replaces by the live widget."""
    static = answer["static"]
    best = max(range(10), key=lambda c: static["probabilities"][c])
    channels = answer["maps"][0]
    alt = (f"{answer['model']} on a test digit {static['label']}: it predicts {best} with probability "
           f"{static['probabilities'][best]:.0%}; beside it the {channels} maps of layer {answer['layer']} "
           f"and the 10 class probabilities as bars.")
    attributes = {"class": "deck-demo", "data-kind": ref.arg("kind", "draw-digit"), "data-model": f"demo/{name}.js",
                  "data-model-id": name, "data-layer": answer["layer"], "data-network": answer["model"]}
    attrs = " ".join(f'{k}="{escape(str(v), quote=True)}"' for k, v in attributes.items())
    return f'<div {attrs}><img class="demo-static" src="demo/{name}.svg" alt="{escape(alt, quote=True)}" /></div>'


def _exported(deck: Path, ref: Ref, artifact: str, cache: Cache, timeout: float) -> dict:
    """The export's answer (with the ONNX bytes and the SVG), from the cache or computed now."""
    code = [(HERE / f).read_text(encoding="utf-8") for f in EXPORT_CODE]
    exporters = library_versions(("torch", "onnx", "numpy", "matplotlib"))  # the export and its check
    key = key_of("demo", FORMAT, artifact, ref.arg("kind", "draw-digit"), ref.arg("layer"), code, exporters)
    answer = cache.get_json("demo", key)
    if not isinstance(answer, dict):
        answer = _run_export(deck, ref, artifact, cache, timeout)
        cache.put_json("demo", key, answer)  # a problem too: the same module fails the same way
    return dict(answer, key=key)


def _run_export(deck: Path, ref: Ref, artifact: str, cache: Cache, timeout: float) -> dict:
    """Run demo_export.py in a fresh process; its answer, with the model and SVG read back."""
    request = {"cache": str(cache.root.resolve()), "artifact": artifact, "producer": ref.target,
               "layer": ref.arg("layer"), "kind": ref.arg("kind", "draw-digit"), "deck": str(deck.resolve())}
    with tempfile.TemporaryDirectory(prefix="deckbuild-demo-") as out:
        (Path(out) / "request.json").write_text(json.dumps(request), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(ENGINE_ROOT))
        try:
            done = subprocess.run([sys.executable, "-m", "deckbuild.demo_export", str(Path(out) / "request.json"), out],
                                  cwd=deck, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"problem": f"exporting the model took longer than {timeout:g} s (timeout in deck.toml)"}
        if done.returncode != 0:  # an engine bug or a broken environment: show the traceback
            raise RuntimeError(f"demo export of '{ref.target}' failed:\n{done.stderr}")
        answer = json.loads((Path(out) / "answer.json").read_text(encoding="utf-8"))
        if "problem" not in answer:
            answer["onnx"] = base64.b64encode((Path(out) / "model.onnx").read_bytes()).decode()
            answer["svg"] = (Path(out) / "static.svg").read_text(encoding="utf-8")
    return answer


def _model_script(name: str, answer: dict) -> bytes:
    """A script that registers the model: a file:// page can run scripts but cannot fetch bytes."""
    model = {k: answer[k] for k in ("onnx", "layer", "model", "maps", "digits", "labels", "reference", "agreement")}
    return (f"(window.DeckDemoModels = window.DeckDemoModels || {{}})[{json.dumps(name)}] = "
            f"{json.dumps(model)};\n").encode()


def _runtime_script() -> bytes:
    wasm, loader = (base64.b64encode((ORT / f).read_bytes()).decode() for f in ORT_FILES)
    return f'window.DeckDemoRuntime = {{wasm: "{wasm}", loader: "{loader}"}};\n'.encode()


def _cached_file(cache: Cache, name: str, content) -> Path:
    """A plain file under .cache/demo-files that the site hard-links; written when missing."""
    path = cache.root / "demo-files" / name
    if not path.is_file():
        write_atomically(path, content())
        path.chmod(0o644)  # a site is served and shared; the temporary file was private
    return path
