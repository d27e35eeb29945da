"""Text files as editors save them, read as one meaning: UTF-8 with or without a byte-order mark,
LF, CRLF or CR line endings, composed (NFC) or decomposed (NFD) accents."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import DeckError, Problem

BOM = "\ufeff"
UNICODE_SPACE = re.compile(r"[^\S\n\t ]")  # whitespace other than a newline, a tab or a space
INDENT = re.compile(r"^[^\S\n\t]+", re.M)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def normalized(text: str) -> str:
    """LF line endings, no byte-order mark, NFC: the same deck whatever the editor saved. Unicode
    spaces (a non-breaking space, say) that indent a line, or sit inside a Jinja expression, are
    plain spaces there: they cannot mean anything else."""
    text = text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")
    text = INDENT.sub(lambda match: " " * len(match.group()), text)
    text = JINJA.sub(lambda match: UNICODE_SPACE.sub(" ", match.group()), text)
    return unicodedata.normalize("NFC", text)


def decode(data: bytes, path: str) -> str:
    """UTF-8 bytes as normalized text; anything else is a DeckError at the first bad byte's line."""
    try:
        return normalized(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        raise DeckError(Problem(path, line, message)) from None


def read_text(path: Path, shown_as: str) -> str:
    """A deck file's text, normalized; unreadable or not UTF-8 is a DeckError naming `shown_as`."""
    try:
        data = path.read_bytes()
    except OSError as error:  # a folder named like the file, a dangling link, no permission
        raise DeckError(Problem(shown_as, 0, f"cannot read: {error.strerror}")) from None
    return decode(data, shown_as)
