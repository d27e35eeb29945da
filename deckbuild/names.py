"""Name lists for error messages: the closest names first, so that a typo shows its fix."""
from __future__ import annotations

import difflib

LIMIT = 10


def name_list(name: str, names, similar_from=None) -> str:
    """Names for an error message: close matches (from `similar_from`, default `names`) first, then
    the rest sorted, at most LIMIT of them; 'none' when there are none."""
    names = list(dict.fromkeys(names))
    close = difflib.get_close_matches(name, list(similar_from or names), n=3, cutoff=0.6)
    ordered = close + sorted(n for n in names if n not in close)
    more = f", ... ({len(ordered) - LIMIT} more)" if len(ordered) > LIMIT else ""
    return ", ".join(ordered[:LIMIT]) + more if ordered else "none"


def closest(name: str, names) -> str:
    """' (did you mean X?)' for the closest of `names`, or '' when none is close."""
    close = difflib.get_close_matches(name, list(names), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
