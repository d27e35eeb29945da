"""How a job's results are stored in the cache: figures as reproducible SVG, other results as bytes plus
a summary of their plain values (what value("producer.key") reads without loading torch)."""
from __future__ import annotations

import io
import pickle
import sys

from .svg_fonts import embed_fonts


def figure_svg(fig) -> bytes:
    """The figure as SVG bytes that are identical from run to run; the figure is closed after."""
    import matplotlib

    buffer = io.BytesIO()
    # Element ids are hashes salted with this string, and the date is left out: no run-to-run noise.
    with matplotlib.rc_context({"svg.hashsalt": "deckbuild"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)
    return embed_fonts(buffer.getvalue())  # text kept as text (svg.fonttype "none") gets its glyphs along


def artifact_bytes(result) -> bytes:
    """torch.save bytes (tagged b"T"); plain pickle (b"P") when the producer never loaded torch."""
    buffer = io.BytesIO()
    if "torch" in sys.modules:
        buffer.write(b"T")
        sys.modules["torch"].save(result, buffer)
    else:
        buffer.write(b"P")
        pickle.dump(result, buffer)
    return buffer.getvalue()


def load_artifact(cache, key: str):
    """An artifact stored by another job; tensors land on the CPU."""
    payload = cache.get("artifact", key)
    if payload is None:
        raise RuntimeError(f"cached artifact {key[:12]} is missing or corrupt; build again to recompute it")
    if payload[:1] == b"P":
        return pickle.loads(payload[1:])
    import torch

    return torch.load(io.BytesIO(payload[1:]), map_location="cpu", weights_only=False)


def summarize(result, path: str = "", depth: int = 0, out: dict | None = None) -> dict:
    """{"key.subkey": {"value": 0.97} or {"type": "LeNet"}} for the result and its dict entries."""
    out = {} if out is None else out
    plain = plain_value(result)
    out[path] = {"value": plain} if plain is not None else {"type": type_name(result), "item": hasattr(result, "item")}
    if isinstance(result, dict) and depth < 4:
        out[path]["keys"] = sorted(str(k) for k in result)
        for key, value in result.items():
            if isinstance(key, str):
                summarize(value, f"{path}.{key}" if path else key, depth + 1, out)
    return out


def plain_value(value) -> int | float | str | None:
    """The value as a plain JSON number or string, or None when it is neither."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return None


def type_name(value) -> str:
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
