"""Furniture found by repetition: a paragraph that recurs across many entries of one page ("Follow
our live coverage on WhatsApp", "Sign up to the morning briefing") is the publisher's, not news.

Structure-based filters (share bars, related links, newsletter boxes, bylines) live in
`body.py`; this pass sees the whole page's entries at once.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.sources.http.extract.model import ExtractedEntry

__all__ = ["drop_repeated"]

#: a paragraph this short may honestly recur ("No run.", "Wicket!")
_MIN_CHARS = 25
_MIN_ENTRIES = 3
_MIN_SHARE = 0.25


def _paragraphs(body_html: str) -> list[str]:
    tree = HTMLParser(f"<div>{body_html}</div>")
    return [" ".join(p.text(separator=" ").split()) for p in tree.css("p")]


def drop_repeated(entries: list[ExtractedEntry]) -> tuple[list[ExtractedEntry], list[str]]:
    """Entries without the paragraphs that recur in at least three entries and a quarter of
    them, and a note naming what was dropped."""
    if len(entries) < _MIN_ENTRIES:
        return entries, []
    counts: Counter[str] = Counter()
    for entry in entries:
        counts.update({t for t in _paragraphs(entry.body_html) if len(t) >= _MIN_CHARS})
    floor = max(_MIN_ENTRIES, _MIN_SHARE * len(entries))
    repeated = {text for text, n in counts.items() if n >= floor}
    if not repeated:
        return entries, []
    out: list[ExtractedEntry] = []
    for entry in entries:
        if not repeated.intersection(_paragraphs(entry.body_html)):
            out.append(entry)
            continue
        root = HTMLParser(f"<div>{entry.body_html}</div>").css_first("div")
        assert root is not None
        for paragraph in root.css("p"):
            if " ".join(paragraph.text(separator=" ").split()) in repeated:
                paragraph.decompose()
        for quote in root.css("blockquote"):
            if not quote.css_first("p") and not quote.attributes.get("data-url"):
                quote.decompose()
        kept = [" ".join(p.text(separator=" ").split()) for p in root.css("p")]
        if not kept and not entry.headline:
            continue  # nothing but furniture
        body = "".join(child.html or "" for child in root.iter(include_text=False))
        sources = {**entry.sources, "furniture": "repeated text dropped"}
        out.append(
            dataclasses.replace(
                entry,
                body_html=body,
                text="\n".join(([entry.headline] if entry.headline else []) + kept),
                sources=sources,
            )
        )
    notes = [f"furniture: dropped text repeated across entries: {t[:80]!r}" for t in repeated]
    return out, sorted(notes)
