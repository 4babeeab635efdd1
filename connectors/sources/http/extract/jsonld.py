"""schema.org `LiveBlogPosting` JSON-LD: the page's `liveBlogUpdate` items as entries.

Real sites emit the posting inside a list or an `@graph`, sometimes several `<script>` elements
per page, and often copy the page's own `headline` and `datePublished` into every update. Such a
copied field says nothing about the update, so it is dropped (and noted) rather than trusted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.sources.http.extract.body import body_parts, render_parts, text_parts
from connectors.sources.http.extract.entry import entry_text
from connectors.sources.http.extract.model import ExtractedEntry
from connectors.sources.http.extract.times import parse_stamp
from streams.core.timefmt import leading_time

__all__ = ["LiveBlogPosting", "find_postings", "posting_entries"]

_MAX_SCRIPT_CHARS = 5_000_000
_MAX_UPDATES = 5000
_UPDATE_TYPES = {"BlogPosting", "NewsArticle", "Article", "SocialMediaPosting", "LiveBlogPosting"}


@dataclass(frozen=True, slots=True)
class LiveBlogPosting:
    """The posting's own fields and its raw update items."""

    headline: str | None
    published: str | None
    modified: str | None
    url: str | None
    language: str | None
    updates: tuple[dict[str, Any], ...]


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    if isinstance(kind, str):
        return {kind.rsplit("/", 1)[-1]}
    if isinstance(kind, list):
        return {str(k).rsplit("/", 1)[-1] for k in kind}
    return set()


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data[:200]:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
            if key in data:
                yield from _walk(data[key], depth + 1)


def _str(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    if isinstance(value, str | int | float) and str(value).strip():
        return " ".join(str(value).split())
    return None


def find_postings(tree: HTMLParser) -> list[LiveBlogPosting]:
    """Every `LiveBlogPosting` in the page's JSON-LD scripts; unparsable scripts are skipped."""
    out: list[LiveBlogPosting] = []
    for script in tree.css('script[type="application/ld+json"]'):
        text = script.text(deep=True)
        if not text or len(text) > _MAX_SCRIPT_CHARS:
            continue
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            continue
        for item in _walk(data):
            if "LiveBlogPosting" not in _types(item):
                continue
            updates = item.get("liveBlogUpdate") or []
            if isinstance(updates, dict):
                updates = [updates]
            if not isinstance(updates, list):
                continue
            out.append(
                LiveBlogPosting(
                    headline=_str(item.get("headline")),
                    published=_str(item.get("datePublished") or item.get("coverageStartTime")),
                    modified=_str(item.get("dateModified") or item.get("coverageEndTime")),
                    url=_str(item.get("url")),
                    language=_str(item.get("inLanguage")),
                    updates=tuple(u for u in updates[:_MAX_UPDATES] if isinstance(u, dict)),
                )
            )
    return out


def _update_id(update: dict[str, Any]) -> str | None:
    for key in ("url", "@id", "mainEntityOfPage", "identifier"):
        value = _str(update.get(key))
        if not value:
            continue
        if "#" in value:
            return value.rsplit("#", 1)[1] or None
        if key == "identifier":
            return value
    return None


def _copied(posting: LiveBlogPosting, field: str, values: list[str | None]) -> set[str]:
    """Values of `field` that are the page's own or the same in every update (two or more)."""
    own = posting.headline if field == "headline" else posting.published
    copied = {own} if own else set()
    present = [v for v in values if v]
    if len(present) >= 2 and len(set(present)) == 1:
        copied.add(present[0])
    return {c for c in copied if c}


def posting_entries(
    posting: LiveBlogPosting, *, tz: tzinfo, page_url: str | None
) -> tuple[list[ExtractedEntry], list[str]]:
    """The posting's updates as entries, in the order given, and notes on dropped fields."""
    updates = [u for u in posting.updates if _types(u) & _UPDATE_TYPES or not _types(u)]
    headlines = [_str(u.get("headline")) for u in updates]
    stamps = [_str(u.get("datePublished")) for u in updates]
    bad_headlines = _copied(posting, "headline", headlines)
    bad_stamps = _copied(posting, "datePublished", stamps)
    notes: list[str] = []
    if bad_headlines & set(headlines):
        notes.append("json-ld: updates repeat the page's headline; ignored")
    if bad_stamps & set(stamps):
        notes.append("json-ld: updates repeat the page's datePublished; ignored")
    entries: list[ExtractedEntry] = []
    seen: set[str] = set()
    for update, headline, stamp in zip(updates, headlines, stamps, strict=True):
        sources: dict[str, str] = {"body": "json-ld:articleBody"}
        body = update.get("articleBody") or update.get("text") or update.get("description") or ""
        body = body if isinstance(body, str) else ""
        if "<" in body and ">" in body:
            fragment = HTMLParser(f"<div>{body}</div>").css_first("div")
            parts = body_parts(fragment) if fragment is not None else []
        else:
            parts = text_parts(body)
        if headline in bad_headlines:
            headline = None
        elif headline:
            sources["headline"] = "json-ld:headline"
        when: datetime | None = None
        printed: str | None = None
        if stamp and stamp not in bad_stamps:
            when = parse_stamp(stamp, tz)
            if when is not None:
                sources["time"] = "json-ld:datePublished"
        if when is None and parts:
            found = leading_time(parts[0].text)
            if found is not None:
                printed = found.printed
                sources["time"] = "json-ld:articleBody(printed)"
        if not parts and not headline:
            continue
        ident = _update_id(update)
        key = f"id:{ident}" if ident else f"text:{stamp}:{entry_text(headline, parts)[:500]}"
        if key in seen:
            continue  # an update listed twice is one entry
        seen.add(key)
        if ident:
            sources["id"] = "json-ld:url"
        url = _str(update.get("url")) or (f"{page_url}#{ident}" if page_url and ident else None)
        entries.append(
            ExtractedEntry(
                body_html=render_parts(parts),
                text=entry_text(headline, parts),
                block_id=ident,
                headline=headline,
                time=when,
                printed_time=printed,
                url=url,
                sources=sources,
            )
        )
    return entries, notes
