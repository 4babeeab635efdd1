"""schema.org `LiveBlogPosting` updates marked up in the HTML itself: microdata
(`itemprop="liveBlogUpdate"`) and RDFa (`property="liveBlogUpdate"`, also `schema:`-prefixed).

Each update element is one entry: its id from `id`, `itemid`, `resource` or `about` (else an
`itemprop="url"` link), its time from its `datePublished`, its headline and body from `headline`
and `articleBody` when they are marked, else found as in any block. Finding these needs no more
than CSS selectors, so no microdata library is pulled in.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, tzinfo

from selectolax.lexbor import LexborNode as Node

from connectors.sources.http.extract.entry import BlockFields, entry_from_block
from connectors.sources.http.extract.model import ExtractedEntry
from connectors.sources.http.extract.times import parse_stamp

__all__ = ["UPDATE_CSS", "microdata_entries"]


def _prop(name: str) -> str:
    return f'[itemprop~="{name}"], [property~="{name}"], [property~="schema:{name}"]'


UPDATE_CSS = _prop("liveBlogUpdate")
_HEADLINE = _prop("headline")
_BODY = _prop("articleBody")
_PUBLISHED = _prop("datePublished")
_URL = '[itemprop~="url"], [property~="url"], [property~="schema:url"]'
_MAX_UPDATES = 5000


def _ident(node: Node) -> str | None:
    attrs = node.attributes
    for name in ("id", "itemid", "resource", "about"):
        value = (attrs.get(name) or "").strip()
        if value:
            return (value.rsplit("#", 1)[-1] or value)[:200]
    link = node.css_first(_URL)
    if link is not None:
        value = link.attributes.get("href") or link.attributes.get("content") or ""
        if "#" in value:
            return value.rsplit("#", 1)[1][:200] or None
    return None


def _outermost(nodes: list[Node]) -> list[Node]:
    ids = {n.mem_id for n in nodes}
    out: list[Node] = []
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            out.append(node)
    return out


def microdata_entries(
    root: Node, *, tz: tzinfo, fetched_at: datetime, url: str | None
) -> list[ExtractedEntry]:
    """The page's marked-up updates in document order (empty when it marks none)."""
    out: list[ExtractedEntry] = []
    for node in _outermost(root.css(UPDATE_CSS)[:_MAX_UPDATES]):
        fields = BlockFields(
            headline=_HEADLINE if node.css_first(_HEADLINE) is not None else None,
            body=_BODY if node.css_first(_BODY) is not None else None,
        )
        entry = entry_from_block(
            node,
            tz=tz,
            fetched_at=fetched_at,
            page_url=url,
            fields=fields,
            ident=_ident(node),
            source="microdata",
        )
        if entry is None:
            continue
        stamp = node.css_first(_PUBLISHED)
        if stamp is not None:
            attrs = stamp.attributes
            value = attrs.get("content") or attrs.get("datetime") or stamp.text(deep=True)
            when = parse_stamp((value or "").strip(), tz)
            if when is not None:
                sources = {**entry.sources, "time": "microdata:datePublished"}
                entry = dataclasses.replace(entry, time=when, sources=sources)
        out.append(entry)
    return out
