"""A whole live-blog page to its entries, oldest first.

Order of evidence: a profile when one is given (or a built-in profile whose `detect` selector
matches), else the repeated-timed-blocks detector; JSON-LD `liveBlogUpdate` items are matched to
the HTML blocks by id, else by text, and fill in what the HTML lacks. HTML block times and titles
win over JSON-LD ones (sites copy the page's own into every update). Each entry's `sources` says
where each field came from.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, datetime, timedelta, tzinfo

from rapidfuzz import fuzz, process
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from connectors.sources.http.extract.entry import entry_from_block, fragment
from connectors.sources.http.extract.jsonld import find_postings, posting_entries
from connectors.sources.http.extract.model import ExtractedEntry, Extraction
from connectors.sources.http.extract.profile import Profile, apply_profile, builtin_profiles
from connectors.sources.http.extract.repeated import find_blocks
from streams.core.timefmt import leading_time

__all__ = ["extract_page", "merge_entries", "oldest_first"]

#: a printed time this far after the fetch time is from the day before
_FUTURE_SLACK = timedelta(minutes=90)
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
        else:
            entries, method = _detect_blocks(root, tz=tz, fetched_at=fetched_at, url=url)
    postings = find_postings(tree)
    for posting in postings:
        found, posting_notes = posting_entries(posting, tz=tz, page_url=url)
        notes.extend(posting_notes)
        if not found:
            continue
        entries = merge_entries(entries, found, tz) if entries else found
        method = f"json-ld+{method}" if method != "none" else "json-ld"
        language = language or posting.language
        title = title or posting.headline
    entries = _resolve_days(oldest_first(entries), tz, fetched_at)
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
    html_entries: list[ExtractedEntry], ld_entries: list[ExtractedEntry], tz: tzinfo
) -> list[ExtractedEntry]:
    """HTML entries completed by the JSON-LD entries that match them (by id, else by text); the
    JSON-LD entries that match no block are kept as they are."""
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
        out[index] = _combine(out[index], ld, tz)
    return out + extra


def _combine(html: ExtractedEntry, ld: ExtractedEntry, tz: tzinfo) -> ExtractedEntry:
    sources = dict(html.sources)
    when, printed = html.time, html.printed_time
    if when is None and ld.time is not None:
        local = ld.time.astimezone(tz)
        stamp = leading_time(printed) if printed else None
        if stamp is None or (stamp.hour, stamp.minute) == (local.hour, local.minute):
            when = ld.time
            sources["time"] = "json-ld:datePublished" + (" (= html:printed)" if stamp else "")
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
        time=when,
        printed_time=printed,
        url=html.url or ld.url,
        sources=sources,
    )


def _minutes(entry: ExtractedEntry) -> int | None:
    if entry.printed_time:
        stamp = leading_time(entry.printed_time)
        if stamp is not None:
            return stamp.minutes
    return None


def oldest_first(entries: list[ExtractedEntry]) -> list[ExtractedEntry]:
    """Entries put oldest first: read in the direction most consecutive times go (pages put the
    newest entry on top unless their times say otherwise), then sorted by time when all times
    are absolute."""
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
    if all(e.time is not None for e in ordered):
        # entries at the same minute keep the page's order, read oldest first
        return sorted(ordered, key=lambda e: e.time)  # type: ignore[arg-type,return-value]
    return ordered


def _resolve_days(
    entries: list[ExtractedEntry], tz: tzinfo, fetched_at: datetime
) -> list[ExtractedEntry]:
    """Printed-only times made absolute: on their header date, else counted back from the fetch
    day (newest entry first; a later clock time than the entry after it is the day before)."""
    out = list(entries)
    local_fetch = fetched_at.astimezone(tz)
    day = local_fetch.date()
    next_minutes: int | None = None
    for i in range(len(out) - 1, -1, -1):
        entry = out[i]
        if entry.time is not None:
            local = entry.time.astimezone(tz)
            day, next_minutes = local.date(), local.hour * 60 + local.minute
            continue
        stamp = leading_time(entry.printed_time) if entry.printed_time else None
        if stamp is None:
            continue
        if entry.date is not None:
            when = stamp.to_datetime(entry.date, tz)
            where = "+header-date"
        else:
            if next_minutes is None:
                if stamp.to_datetime(day, tz) > fetched_at + _FUTURE_SLACK:
                    day -= timedelta(days=1)
            elif stamp.minutes > next_minutes + _FUTURE_SLACK.total_seconds() // 60:
                day -= timedelta(days=1)
            when = stamp.to_datetime(day, tz)
            where = "+fetch-date"
        local = when.astimezone(tz)
        day, next_minutes = local.date(), local.hour * 60 + local.minute
        sources = dict(entry.sources)
        sources["time"] = sources.get("time", "printed") + where
        out[i] = dataclasses.replace(entry, time=when, date=local.date(), sources=sources)
    return out
