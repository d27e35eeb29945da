"""`<!-- .element: class="fragment" -->`: attributes for the element just before the comment,
or for the element that contains it, as reveal.js's Markdown plugin does."""
from __future__ import annotations

import re

ELEMENT = re.compile(r"<!--\s*\.element:\s*(.*?)\s*-->")
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*?)(/?)>")
ATTR = re.compile(r"""([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
VOID = {"img", "br", "hr", "input", "source", "track", "wbr", "col", "area", "embed"}


def parse_attributes(text: str) -> dict[str, str]:
    """'class="fragment" data-fragment-index=2' -> {'class': 'fragment', 'data-fragment-index': '2'}"""
    return {m.group(1): next((g for g in m.groups()[1:] if g is not None), "") for m in ATTR.finditer(text)}


def _merge_into_tag(tag: str, extra: dict[str, str]) -> str:
    name_end = TAG.match(tag).end(2)
    closing = "/>" if tag.endswith("/>") else ">"
    attrs = parse_attributes(tag[name_end : -len(closing)])
    for key, value in extra.items():
        attrs[key] = f"{attrs[key]} {value}".strip() if key == "class" and key in attrs else value
    rendered = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return tag[:name_end] + rendered + (" />" if closing == "/>" else ">")


def apply_element_attributes(html: str) -> str:
    """Move every .element comment's attributes onto its target element; comments are removed."""
    if ".element:" not in html:
        return html
    edits: dict[int, dict[str, str]] = {}  # start of an opening tag -> attributes to add
    stack: list[int] = []
    last_closed: int | None = None  # opening-tag start of the element that just ended
    position = 0
    for match in re.finditer(TAG.pattern + "|" + ELEMENT.pattern, html):
        between = html[position : match.start()]
        if between.strip():
            last_closed = None
        position = match.end()
        if match.group(0).startswith("<!--"):
            target = last_closed if last_closed is not None else (stack[-1] if stack else None)
            if target is not None:
                edits.setdefault(target, {}).update(parse_attributes(match.group(5)))
            continue
        closing, name, _, self_closing = match.group(1), match.group(2).lower(), match.group(3), match.group(4)
        if closing:
            last_closed = stack.pop() if stack else None
        elif self_closing or name in VOID:
            last_closed = match.start()
        else:
            stack.append(match.start())
            last_closed = None
    pieces, cursor = [], 0
    for start in sorted(edits):
        tag = TAG.match(html, start).group(0)
        pieces += [html[cursor:start], _merge_into_tag(tag, edits[start])]
        cursor = start + len(tag)
    pieces.append(html[cursor:])
    return ELEMENT.sub("", "".join(pieces))
