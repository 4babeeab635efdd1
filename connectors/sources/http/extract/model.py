"""What an extractor finds on a page: entries with their fields and where each field came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["ExtractedEntry", "Extraction"]


@dataclass(frozen=True, slots=True)
class ExtractedEntry:
    """One live-blog entry as found on a page, before it becomes a `RawEntry`.

    `body_html` is canonical HTML (`<p>`, `<blockquote>`, `<blockquote class="embed">` only, all
    text escaped); `text` is the headline and body as plain text, the entry's content fingerprint.
    `sources` says for each field which part of the page it came from, e.g.
    `{"time": "html:time@datetime", "headline": "json-ld"}`. `time` is what the block's own
    markup (or a feed item) says; `ld_time` the matching JSON-LD update's own stamp, which
    `timing.decide_times` prefers.
    """

    body_html: str
    text: str
    block_id: str | None = None
    headline: str | None = None
    time: datetime | None = None
    printed_time: str | None = None
    date: date | None = None
    url: str | None = None
    ld_time: datetime | None = None
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Extraction:
    """The entries of one page, oldest first, and what was learnt about the page."""

    entries: tuple[ExtractedEntry, ...]
    method: str
    title: str | None = None
    language: str | None = None
    timezone: str | None = None
    notes: tuple[str, ...] = ()
