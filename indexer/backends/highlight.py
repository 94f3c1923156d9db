"""Highlight rendering shared by the backends: HTML-escape everything, then wrap
matches in `<mark>`. The result contains no markup but `<mark>`/`</mark>`."""

from __future__ import annotations

import html
from collections.abc import Iterable

# Private-use characters: never produced by escaping and stripped from inputs.
PRE_SENTINEL = "\ue000"
POST_SENTINEL = "\ue001"


def mark_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the character ranges `[start, end)` wrapped in <mark>, escaped."""
    out: list[str] = []
    cursor = 0
    for start, end in sorted(set(spans)):
        start = max(start, cursor)
        if end <= start:
            continue
        out.append(html.escape(text[cursor:start], quote=False))
        out.append("<mark>" + html.escape(text[start:end], quote=False) + "</mark>")
        cursor = end
    out.append(html.escape(text[cursor:], quote=False))
    return "".join(out)


def sentinels_to_html(text: str) -> str:
    """Convert engine output highlighted with PRE/POST sentinels to escaped HTML."""
    escaped = html.escape(text, quote=False)
    return escaped.replace(PRE_SENTINEL, "<mark>").replace(POST_SENTINEL, "</mark>")


def strip_sentinels(text: str) -> str:
    return text.replace(PRE_SENTINEL, "").replace(POST_SENTINEL, "")
