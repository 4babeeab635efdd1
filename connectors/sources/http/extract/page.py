"""A whole live-blog page to its entries, oldest first.

Order of evidence: a profile when one is given (or a built-in profile whose `detect` selector
matches), else schema.org updates marked in microdata or RDFa, else the repeated-timed-blocks
detector; JSON-LD `liveBlogUpdate` items are matched to
the HTML blocks by id, else by text, and fill in what the HTML lacks. Each entry's time is decided
in one place, `timing.decide_times`, from every source on the page; titles from the HTML win over
JSON-LD ones (sites copy the page's own into every update). Entries keep the page's order, read
oldest first; JSON-LD updates that match no block are placed among them by time. Each entry's
`sources` says where each field came from.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, datetime, tzinfo

from rapidfuzz import fuzz, process
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from connectors.sources.http.extract.entry import entry_from_block, fragment
from connectors.sources.http.extract.furniture import drop_repeated
from connectors.sources.http.extract.jsonld import find_postings, posting_entries
from connectors.sources.http.extract.microdata import microdata_entries
from connectors.sources.http.extract.model import ExtractedEntry, Extraction
from connectors.sources.http.extract.profile import Profile, apply_profile, builtin_profiles
from connectors.sources.http.extract.repeated import find_blocks
from connectors.sources.http.extract.timing import decide_times, page_days
from streams.core.timefmt import leading_time

__all__ = ["extract_page", "merge_entries", "oldest_first"]

_MATCH_SCORE = 80.0


def extract_page(
    html: str,
    *,
    fetched_at: datetime,
    tz: tzinfo,
    url: str | None = None,
    profile: Profile | None = None,
) -> Extraction:
    """The page's entries, oldest first, with how they were found."""
    tree = HTMLParser(html)
    root: Node | None = tree.body or tree.root
    html_node = tree.css_first("html")
    language = (html_node.attributes.get("lang") or None) if html_node is not None else None
    title_node = tree.css_first('meta[property="og:title"]')
    title = title_node.attributes.get("content") if title_node is not None else None
    if not title and (node := tree.css_first("title")) is not None:
        title = " ".join(node.text().split()) or None
    notes: list[str] = []
    entries: list[ExtractedEntry] = []
    method = "none"
    if root is not None:
        chosen = profile or _detect_builtin(root)
        if chosen is not None:
            entries = apply_profile(chosen, root, tz=tz, fetched_at=fetched_at, page_url=url)
            method = f"profile:{chosen.name}"
        elif marked := microdata_entries(root, tz=tz, fetched_at=fetched_at, url=url):
            entries, method = marked, "microdata"
        else:
            entries, method = _detect_blocks(root, tz=tz, fetched_at=fetched_at, url=url)
    postings = find_postings(tree)
    extras: list[ExtractedEntry] = []
    for posting in postings:
        found, posting_notes = posting_entries(posting, tz=tz, page_url=url)
        notes.extend(posting_notes)
        if not found:
            continue
        if entries:
            entries, unmatched = merge_entries(entries, found)
            extras.extend(unmatched)
        else:
            extras.extend(found)
        method = f"json-ld+{method}" if method != "none" else "json-ld"
        language = language or posting.language
        title = title or posting.headline
    days = page_days(tree, postings, tz, url)
    entries = decide_times(
        oldest_first(entries, by_time=False), days=days, tz=tz, fetched_at=fetched_at
    )
    extras = decide_times(oldest_first(extras), days=days, tz=tz, fetched_at=fetched_at)
    entries, furniture_notes = drop_repeated(_once(_interleave(entries, extras)))
    notes.extend(furniture_notes)
    return Extraction(tuple(entries), method, title, language, None, tuple(notes))


def _detect_builtin(root: Node) -> Profile | None:
    for profile in builtin_profiles().values():
        if profile.detect and root.css_first(profile.detect) is not None:
            return profile
    return None


def _detect_blocks(
    root: Node, *, tz: tzinfo, fetched_at: datetime, url: str | None
) -> tuple[list[ExtractedEntry], str]:
    group = find_blocks(root)
    if group is None:
        return [], "none"
    out: list[ExtractedEntry] = []
    for nodes, day in zip(group.blocks, group.days, strict=True):
        block = fragment(list(nodes)) if group.flat else nodes[0]
        entry = entry_from_block(
            block,
            tz=tz,
            fetched_at=fetched_at,
            page_url=url,
            day=day if isinstance(day, date) else None,
        )
        if entry is not None:
            out.append(entry)
    return out, ("html:flat" if group.flat else f"html:blocks({group.signature})")


def _same_id(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a == b or a.endswith(b) or b.endswith(a)


def merge_entries(
    html_entries: list[ExtractedEntry], ld_entries: list[ExtractedEntry]
) -> tuple[list[ExtractedEntry], list[ExtractedEntry]]:
    """HTML entries completed by the JSON-LD entries that match them (by id, else by text), and
    the JSON-LD entries that match no block."""
    out = list(html_entries)
    free = set(range(len(out)))
    extra: list[ExtractedEntry] = []
    for ld in ld_entries:
        index = next((i for i in sorted(free) if _same_id(out[i].block_id, ld.block_id)), None)
        if index is None and free:
            choices = {i: out[i].text[:400] for i in free}
            hit = process.extractOne(
                ld.text[:400], choices, scorer=fuzz.token_set_ratio, score_cutoff=_MATCH_SCORE
            )
            index = hit[2] if hit is not None else None
        if index is None:
            extra.append(ld)
            continue
        free.discard(index)
        out[index] = _combine(out[index], ld)
    return out, extra


def _combine(html: ExtractedEntry, ld: ExtractedEntry) -> ExtractedEntry:
    sources = dict(html.sources)
    ld_time = ld.time if ld.sources.get("time", "").startswith("json-ld:datePublished") else None
    if ld_time is not None:
        sources["ld-time"] = ld.sources["time"]
    headline = html.headline
    if not headline and ld.headline:
        headline = ld.headline
        sources["headline"] = ld.sources.get("headline", "json-ld")
    body, text = html.body_html, html.text
    if not body and ld.body_html:
        body, text = ld.body_html, ld.text
        sources["body"] = ld.sources.get("body", "json-ld")
    ident = html.block_id or ld.block_id
    if ident and "id" not in sources:
        sources["id"] = ld.sources.get("id", "json-ld")
    sources["json-ld"] = "matched"
    return dataclasses.replace(
        html,
        body_html=body,
        text=text,
        block_id=ident,
        headline=headline,
        printed_time=html.printed_time or ld.printed_time,
        ld_time=ld_time,
        url=html.url or ld.url,
        sources=sources,
    )


def _minutes(entry: ExtractedEntry) -> int | None:
    if entry.printed_time:
        stamp = leading_time(entry.printed_time)
        if stamp is not None:
            return stamp.minutes
    return None


def oldest_first(entries: list[ExtractedEntry], *, by_time: bool = True) -> list[ExtractedEntry]:
    """Entries put oldest first: read in the direction most consecutive times go (pages put the
    newest entry on top unless their times say otherwise), then, with `by_time`, sorted by time
    when all times are absolute."""
    if not entries:
        return []
    down = up = 0
    for a, b in itertools.pairwise(entries):
        if a.time is not None and b.time is not None:
            delta = (b.time - a.time).total_seconds() / 60
        else:
            ma, mb = _minutes(a), _minutes(b)
            if ma is None or mb is None:
                continue
            delta = mb - ma
            if abs(delta) > 12 * 60:  # a day boundary reverses the direction
                delta = -delta
        if delta < 0:
            down += 1
        elif delta > 0:
            up += 1
    ordered = entries if up > down else list(reversed(entries))
    if by_time and all(e.time is not None for e in ordered):
        # entries at the same minute keep the page's order, read oldest first
        return sorted(ordered, key=lambda e: e.time)  # type: ignore[arg-type,return-value]
    return ordered


def _interleave(
    entries: list[ExtractedEntry], extras: list[ExtractedEntry]
) -> list[ExtractedEntry]:
    """`extras` (oldest first) placed among `entries` (oldest first, in the page's order): each
    after the last entry that is not later than it; extras without a time go last."""
    timed = sorted(
        (e for e in extras if e.time is not None),
        key=lambda e: e.time,  # type: ignore[arg-type,return-value]
    )
    untimed = [e for e in extras if e.time is None]
    anchors = sorted(
        ((e.time, i) for i, e in enumerate(entries) if e.time is not None),
        key=lambda pair: pair[0],
    )
    after: dict[int, list[ExtractedEntry]] = {}
    reach, k = 0, 0
    for extra in timed:
        assert extra.time is not None
        while k < len(anchors) and anchors[k][0] <= extra.time:
            reach = max(reach, anchors[k][1] + 1)
            k += 1
        after.setdefault(reach, []).append(extra)
    out: list[ExtractedEntry] = list(after.get(0, []))
    for i, entry in enumerate(entries):
        out.append(entry)
        out.extend(after.get(i + 1, []))
    return out + untimed


def _once(entries: list[ExtractedEntry]) -> list[ExtractedEntry]:
    """A block shown twice (a pinned copy without an id, a key-event repeat) is one entry: the
    copy with the publisher's id is kept, in the first copy's place."""
    out: list[ExtractedEntry] = []
    seen: dict[tuple[object, str], int] = {}
    for entry in entries:
        key = (entry.time, entry.text)
        index = seen.get(key)
        if index is None or (entry.block_id and out[index].block_id not in (None, entry.block_id)):
            seen.setdefault(key, len(out))
            out.append(entry)
        elif out[index].block_id is None and entry.block_id:
            out[index] = entry
    return out
