"""A content-addressed cache on disk: entries are checked on read, written atomically."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from .atomic import write_atomically

# Every entry starts with the SHA-256 of its payload, so a truncated or garbled entry is detected.
_DIGEST = 32


def key_of(*parts: object) -> str:
    """A stable hex key for any JSON-serialisable parts (code text, versions, seeds...)."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


class Cache:
    """Entries live in `root/kind/ab/abcdef...`; a bad entry is deleted and reported as missing."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under (kind, key), or None when absent or corrupt."""
        path = self.path(kind, key)
        try:
            blob = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        digest, payload = blob[:_DIGEST], blob[_DIGEST:]
        if len(blob) < _DIGEST or hashlib.sha256(payload).digest() != digest:
            print(f"warning: corrupt cache entry {path} removed; recomputing", file=sys.stderr)
            path.unlink(missing_ok=True)
            return None
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> Path:
        """Store payload atomically: readers see the old entry or the whole new one, never half."""
        path = self.path(kind, key)
        write_atomically(path, hashlib.sha256(payload).digest() + payload)
        return path

    def get_json(self, kind: str, key: str):
        payload = self.get(kind, key)
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            self.path(kind, key).unlink(missing_ok=True)
            return None

    def put_json(self, kind: str, key: str, value) -> Path:
        return self.put(kind, key, json.dumps(value, sort_keys=True).encode())
