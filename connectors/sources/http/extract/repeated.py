"""Finding a page's entry blocks: the largest group of repeated sibling elements that carry a time.

This one detector covers the common live-blog markups: blocks with an id and a `<time datetime>`
(as large news sites mark theirs), the WordPress Liveblog plugin's `.liveblog-entry` elements,
and any other list of timed blocks. Pages that print entries as flat paragraphs (a time at the
start of a paragraph, the body in the paragraphs after it) are cut into runs of siblings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from selectolax.lexbor import LexborNode as Node

from connectors.sources.http.extract.body import is_furniture_block
from connectors.sources.http.extract.times import (
    STAMP_ATTRIBUTES,
    parse_date,
    relative_delta,
    strip_ticker,
)
from streams.core.timefmt import leading_time

__all__ = ["BlockGroup", "find_blocks", "has_time"]

_MARKER_CSS = "time, " + ", ".join(
    f"[{a}]" for a in STAMP_ATTRIBUTES if a not in ("content", "title")
)
_IGNORE = {"script", "style", "noscript", "template", "head", "svg", "nav"}
_FLAT_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "figure"}
#: a group needs this share of timed members to count as entries
_MIN_TIMED_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class BlockGroup:
    """Entry blocks in document order, each a list of sibling nodes (one node unless `flat`),
    with the date printed in a day header above each block, if any."""

    blocks: tuple[tuple[Node, ...], ...]
    days: tuple[object, ...]
    flat: bool
    signature: str


def _signature(node: Node) -> str:
    classes = (node.attributes.get("class") or "").split()
    return f"{node.tag}.{classes[0]}" if classes else node.tag or ""


def has_time(node: Node) -> bool:
    """Whether `node` shows a time: a stamp element or a printed or relative time at its start."""
    if node.tag == "time" or node.css_first(_MARKER_CSS) is not None:
        return True
    return _printed_start(node)


def _printed_start(node: Node) -> bool:
    seen = 0
    for child in node.traverse(include_text=True):
        if child.tag != "-text":
            continue
        parent = child.parent
        if parent is not None and parent.tag in _IGNORE:
            continue
        text = " ".join((child.text_content or "").split())
        if not text:
            continue
        if leading_time(strip_ticker(text)) is not None or relative_delta(text) is not None:
            return True
        seen += 1
        if seen >= 3:
            return False
    return False


def find_blocks(root: Node) -> BlockGroup | None:
    """The page's entry blocks, or None when no group of at least two timed blocks exists.

    Sibling groups of one signature in cousin containers (entries grouped in one `<div>` per day)
    count together."""
    pooled: dict[tuple[str, str, int], list[tuple[Node, int, int]]] = defaultdict(list)
    for parent in root.traverse():
        if parent.tag in _IGNORE or parent.tag == "-text":
            continue
        groups: dict[str, list[Node]] = defaultdict(list)
        child = parent.child
        while child is not None:
            if child.is_element_node and child.tag not in _IGNORE:
                groups[_signature(child)].append(child)
            child = child.next
        for sig, members in groups.items():
            timed = [m for m in members if has_time(m) and not is_furniture_block(m)]
            if not timed:
                continue
            flat = sig.split(".")[0] in _FLAT_TAGS
            if not flat and len(timed) < _MIN_TIMED_SHARE * len(members):
                continue
            with_ids = sum(1 for m in timed if m.attributes.get("id"))
            grand = parent.parent.mem_id if parent.parent is not None else 0
            pooled[(sig, _signature(parent), grand)].append((parent, len(timed), with_ids))
    best: tuple[tuple[int, int, int], str, list[Node], bool] | None = None
    for (sig, _, _), found in pooled.items():
        timed_count = sum(t for _, t, _ in found)
        if timed_count < 2:
            continue
        parents = [p for p, _, _ in found]
        # one timed child per container: the containers are the entries (a time in each
        # entry's header or footer, say), not the children
        outer = len(parents) >= 2 and timed_count <= len(parents) and parents[0].parent is not None
        kind = _signature(parents[0]) if outer else sig
        flat = kind.split(".")[0] in _FLAT_TAGS
        ids = sum(i for _, _, i in found) + (
            sum(1 for p in parents if p.attributes.get("id")) if outer else 0
        )
        # prefer more timed blocks, then blocks with ids, then structured over flat, then the
        # outer of two nested candidates (found first in document order)
        rank = (timed_count, ids, 0 if flat else 1)
        if best is None or rank > best[0]:
            best = (rank, kind, parents, outer)
    if best is None:
        return None
    _, sig, parents, outer = best
    container = parents[0].parent if outer else parents[0]
    assert container is not None
    if sig.split(".")[0] in _FLAT_TAGS:
        return _flat(container, sig)
    if outer:
        return _structured([container], sig, require_time=False)
    return _structured(parents, sig)


def _structured(parents: list[Node], sig: str, *, require_time: bool = True) -> BlockGroup:
    blocks: list[tuple[Node, ...]] = []
    days: list[object] = []
    day = None
    for parent in parents:
        child = parent.child
        while child is not None:
            if child.is_element_node:
                if _signature(child) == sig and (not require_time or has_time(child)):
                    blocks.append((child,))
                    days.append(day)
                else:
                    day = _day_header(child) or day
            child = child.next
    return BlockGroup(tuple(blocks), tuple(days), False, sig)


def _day_header(node: Node) -> object:
    text = " ".join(node.text(separator=" ").split())
    return parse_date(text) if 0 < len(text) <= 80 else None


def _flat(parent: Node, sig: str) -> BlockGroup:
    """Runs of siblings: each timed paragraph starts an entry; a short heading or bold line just
    above it is its headline; untimed paragraphs after it are its body."""
    children: list[Node] = []
    child = parent.child
    while child is not None:
        if child.is_element_node and child.tag not in _IGNORE:
            children.append(child)
        child = child.next
    timed = [
        _printed_start(c) or c.tag == "time" or c.css_first(_MARKER_CSS) is not None
        for c in children
    ]
    blocks: list[list[Node]] = []
    days: list[object] = []
    day = None
    pending: list[Node] = []
    for i, (node, is_timed) in enumerate(zip(children, timed, strict=True)):
        if is_timed:
            blocks.append([*pending, node])
            days.append(day)
            pending = []
            continue
        header_day = _day_header(node)
        if header_day is not None:
            # a day header ("Montag, 10. Februar 2025") is never a headline
            day = header_day
            continue
        next_timed = i + 1 < len(children) and timed[i + 1]
        if next_timed and _headline_like(node):
            pending = [node]
            continue
        if blocks:
            blocks[-1].append(node)
    return BlockGroup(tuple(tuple(b) for b in blocks), tuple(days), True, sig)


def _headline_like(node: Node) -> bool:
    text = " ".join(node.text(separator=" ").split())
    if not text or len(text) > 200:
        return False
    if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return True
    core = text.rstrip("\"'”’»›* \u00a0")
    return bool(core) and core[-1] not in ".!…:;,"
