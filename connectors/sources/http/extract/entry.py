"""One entry block (an element, or a run of sibling elements) to an `ExtractedEntry`.

The block's id, time, headline and body are found by what real live-blog markup carries: an `id`
or `data-*-id` attribute, a `<time datetime>` or another stamp attribute, a printed time, a
heading; the rest of the block is the body, with bylines and share bars left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from connectors.sources.http.extract.body import (
    BodyPart,
    body_parts,
    is_furniture_block,
    is_meta,
    render_parts,
)
from connectors.sources.http.extract.model import ExtractedEntry
from connectors.sources.http.extract.times import (
    node_time,
    parse_date,
    strip_ticker,
    updated_stamp,
)
from streams.core.timefmt import leading_time

__all__ = ["BlockFields", "block_id", "entry_from_block", "fragment", "headline_node"]

_ID_ATTRIBUTES = (
    "id",
    "data-id",
    "data-entry-id",
    "data-post-id",
    "data-block-id",
    "data-uuid",
    "data-key",
)
_HEADINGS = "h1, h2, h3, h4, h5, h6"
_HEADLINE_CLASSES = '[itemprop="headline"], [class*="headline"], [class*="title"]'
_MAX_HEADLINE = 300
#: minutes an entry's printed time may run past its "Last updated" time (zones printed loosely)
_UPDATE_SLACK = 90


@dataclass(frozen=True, slots=True)
class BlockFields:
    """Selectors a profile gives for the parts of a block (None: find them by markup)."""

    headline: str | None = None
    body: str | None = None
    remove: tuple[str, ...] = ()


def fragment(nodes: list[Node]) -> Node:
    """A run of sibling elements as one element (a fresh `<div>` holding copies of them)."""
    html = "".join(n.html or "" for n in nodes)
    tree = HTMLParser(f"<div data-liveblog-run>{html}</div>")
    node = tree.css_first("div[data-liveblog-run]")
    assert node is not None
    return node


def block_id(block: Node) -> str | None:
    """The publisher's id of a block: an id attribute on it, else an anchor inside it."""
    for name in _ID_ATTRIBUTES:
        value = (block.attributes.get(name) or "").strip()
        if value and name != "data-liveblog-run":
            return value[:200]
    anchor = block.css_first("a[id], a[name], [id]")
    if anchor is not None:
        value = (anchor.attributes.get("id") or anchor.attributes.get("name") or "").strip()
        if value:
            return value[:200]
    link = block.css_first('a[href^="#"]')
    if link is not None:
        value = (link.attributes.get("href") or "").lstrip("#").strip()
        if value:
            return value[:200]
    return None


def headline_node(block: Node, selector: str | None = None) -> Node | None:
    """The block's headline element: the profile's selector, else the first heading outside a
    quotation, else an element whose class names a headline or title."""
    candidates = block.css(selector) if selector else block.css(_HEADINGS)
    if not selector:
        candidates += [n for n in block.css(_HEADLINE_CLASSES) if not is_meta(n)]
    for node in candidates:
        if node.mem_id == block.mem_id or _inside(node, block, ("blockquote", "figure")):
            continue
        text = " ".join(node.text(separator=" ").split())
        if 0 < len(text) <= _MAX_HEADLINE:
            return node
    return None


def _inside(node: Node, root: Node, tags: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None and parent.mem_id != root.mem_id:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def entry_from_block(
    block: Node,
    *,
    tz: tzinfo,
    fetched_at: datetime,
    page_url: str | None = None,
    day: date | None = None,
    fields: BlockFields = BlockFields(),
    ident: str | None = None,
    source: str = "html",
) -> ExtractedEntry | None:
    """The entry of one block, or None when the block has no text or is furniture."""
    if is_furniture_block(block):
        return None
    sources: dict[str, str] = {}
    found = node_time(block, tz, fetched_at=fetched_at)
    skip: set[int] = set()
    when: datetime | None = None
    printed: str | None = None
    if found is not None:
        when, printed = found.time, found.printed_text
        sources["time"] = found.source.replace("html", source, 1)
        if found.node is not None and found.node.mem_id != block.mem_id:
            skip.add(found.node.mem_id)
            label_day = parse_date(found.node.text(separator=" "))
            if label_day is not None:
                day = label_day
                sources["day"] = f"{source}:time-label"
    updated = updated_stamp(block)
    if updated is not None:
        skip.add(updated.node.mem_id)
        stamp_of_entry = leading_time(printed) if printed else None
        if day is None and stamp_of_entry is not None:
            day = updated.day
            if updated.printed is not None and (
                stamp_of_entry.minutes > updated.printed.minutes + _UPDATE_SLACK
            ):
                day -= timedelta(days=1)
            sources["day"] = f"{source}:updated-stamp"
    head = headline_node(block, fields.headline)
    headline: str | None = None
    if head is not None:
        skip.add(head.mem_id)
        headline = " ".join(head.text(separator="").split())
        stamp = leading_time(headline)
        if stamp is not None and found is not None and found.node is None:
            headline = headline[stamp.end :].strip()
        sources["headline"] = f"{source}:{head.tag}"
    for selector in fields.remove:
        skip.update(n.mem_id for n in block.css(selector))
    body_root = block.css_first(fields.body) if fields.body else None
    parts = body_parts(body_root or block, skip=frozenset(skip))
    if found is not None and found.source.endswith("printed-text") and parts:
        parts, headline = _drop_leading_time(parts, headline)
        if headline and "headline" not in sources:
            sources["headline"] = f"{source}:text"
    if not parts and not headline:
        return None
    ident = ident if ident is not None else block_id(block)
    if ident:
        sources["id"] = f"{source}:id"
    sources["body"] = source
    return ExtractedEntry(
        body_html=render_parts(parts),
        text=entry_text(headline, parts),
        block_id=ident,
        headline=headline or None,
        time=when,
        printed_time=printed,
        date=day,
        url=f"{page_url.split('#')[0]}#{ident}" if page_url and ident else page_url,
        sources=sources,
    )


def _drop_leading_time(
    parts: list[BodyPart], headline: str | None
) -> tuple[list[BodyPart], str | None]:
    """Cut a printed time off the start of the body; short paragraphs above it are the headline."""
    for i, part in enumerate(parts[:2]):
        text = strip_ticker(part.text)
        stamp = leading_time(text) if part.kind == "p" else None
        if stamp is None:
            continue
        rest = text[stamp.end :].strip().lstrip("+:–—-| ").strip()
        if i and headline is None:
            headline = " ".join(p.text for p in parts[:i])
        elif i:
            continue
        return ([BodyPart("p", rest)] if rest else []) + parts[i + 1 :], headline
    return parts, headline


def entry_text(headline: str | None, parts: list[BodyPart]) -> str:
    """The entry's text as the cursor fingerprints it: headline and paragraphs, one per line."""
    lines = ([headline] if headline else []) + [p.text for p in parts if p.text]
    return "\n".join(lines)
