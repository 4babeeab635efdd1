"""RSS and Atom feeds as live sources, parsed with feedparser.

Many live blogs publish each update as a feed item. An item's `id`/`guid` (else its link) is the
entry's block id, its `published` (else `updated`) stamp the entry's time, its title the headline
and its content (else summary) the body, as canonical HTML. Feeds are polled by the same
`HttpPoller` as pages: `feed_extractor()` is the part that differs.
"""

from __future__ import annotations

import calendar
import time as time_module
from datetime import UTC, datetime, tzinfo
from typing import Any

import feedparser
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.sources.http.extract.body import body_parts, render_parts, text_parts
from connectors.sources.http.extract.entry import entry_text
from connectors.sources.http.extract.model import ExtractedEntry, Extraction
from connectors.sources.http.extract.page import oldest_first
from connectors.sources.http.extract.times import parse_stamp
from connectors.sources.http.extract.timing import PageDays, decide_times
from connectors.sources.http.fetch import FetchResult
from connectors.sources.http.poller import Extractor
from schemas.exceptions import SourceError

__all__ = ["extract_feed", "feed_extractor"]

_MAX_ITEMS = 2000


def _stamp(item: Any, tz: tzinfo) -> tuple[datetime | None, str | None]:
    for key in ("published", "updated", "created"):
        raw = item.get(key)
        if isinstance(raw, str):
            when = parse_stamp(raw, tz)
            if when is not None:
                return when, f"feed:{key}"
        parsed = item.get(f"{key}_parsed")
        if isinstance(parsed, time_module.struct_time):
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC), f"feed:{key}"
    return None, None


def _content(item: Any) -> str:
    content = item.get("content")
    if isinstance(content, list) and content:
        value = content[0].get("value")
        if isinstance(value, str) and value.strip():
            return value
    summary = item.get("summary")
    return summary if isinstance(summary, str) else ""


def extract_feed(
    body: bytes, *, fetched_at: datetime, tz: tzinfo, url: str | None = None
) -> Extraction:
    """The items of an RSS or Atom document as entries, oldest first."""
    headers = {"content-location": url} if url else {}
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.entries:
        reason = parsed.get("bozo_exception") if parsed.get("bozo") else "no items"
        raise SourceError(f"{url or 'feed'}: not an RSS or Atom feed with items ({reason})")
    entries: list[ExtractedEntry] = []
    for item in parsed.entries[:_MAX_ITEMS]:
        sources: dict[str, str] = {"body": "feed:content"}
        html = _content(item)
        if "<" in html:
            root = HTMLParser(f"<div>{html}</div>").css_first("div")
            parts = body_parts(root) if root is not None else []
        else:
            parts = text_parts(html)
        title = item.get("title")
        headline = " ".join(title.split()) if isinstance(title, str) and title.strip() else None
        if headline:
            sources["headline"] = "feed:title"
        when, where = _stamp(item, tz)
        if where:
            sources["time"] = where
        ident = item.get("id") or item.get("guid") or item.get("link")
        ident = str(ident)[:500] if ident else None
        if ident:
            sources["id"] = "feed:id"
        if not parts and not headline:
            continue
        link = item.get("link")
        entries.append(
            ExtractedEntry(
                body_html=render_parts(parts),
                text=entry_text(headline, parts),
                block_id=ident,
                headline=headline,
                time=when,
                url=link if isinstance(link, str) else None,
                sources=sources,
            )
        )
    feed = parsed.get("feed", {})
    language = feed.get("language") if isinstance(feed.get("language"), str) else None
    title = feed.get("title") if isinstance(feed.get("title"), str) else None
    kind = str(parsed.get("version") or "feed")
    decided = decide_times(oldest_first(entries), days=PageDays(), tz=tz, fetched_at=fetched_at)
    return Extraction(tuple(decided), f"feed:{kind}", title, language)


def feed_extractor() -> Extractor:
    """An `HttpPoller` extractor for RSS and Atom."""

    def extract(result: FetchResult, now: datetime, tz: tzinfo) -> Extraction:
        return extract_feed(result.body or b"", fetched_at=now, tz=tz, url=result.url)

    return extract
