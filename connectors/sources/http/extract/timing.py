"""The one place that decides each entry's time from every source on the page.

Precedence, highest first (the winner is named in `sources["time"]`, the day of a printed time in
`sources["day"]`, and a lower source that disagreed in `sources["time-overruled"]`):

1. the JSON-LD `liveBlogUpdate`'s own `datePublished` (not one copied from the page);
2. an absolute stamp in the block's markup (`<time datetime>`, `data-timestamp`, a `title` ISO
   stamp, a relative time next to such a stamp);
3. a printed clock time on a day the page gives: the block's own date (a day header above it, a
   date in its time label, its "Last updated" stamp), else the day carried from the nearest entry
   with a known day (across midnight in the blog's zone), else the page's day (JSON-LD
   `datePublished`/`dateModified`, meta `article:published_time`, `itemprop`, a date line, the
   date in the canonical URL);
4. a feed item's date;
5. a relative time ("20m ago") counted back from the fetch time;
6. a printed time on the fetch day, only when nothing on the page gives a day.

The clock never gives the day when the page gives one.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from connectors.sources.http.extract.jsonld import LiveBlogPosting
from connectors.sources.http.extract.model import ExtractedEntry
from connectors.sources.http.extract.times import parse_date, parse_stamp
from streams.core.timefmt import PrintedTime, leading_time

__all__ = ["PageDays", "decide_times", "page_days", "printed_of"]

#: a printed time this much earlier than the entry before it is on the next day
_SLACK = timedelta(minutes=90)
_URL_DATE = re.compile(
    r"/(20\d\d)/(\d{1,2}|[a-z]{3})/(\d{1,2})(?:/|$)",
)
_URL_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_START_META = (
    'meta[property="article:published_time"]',
    'meta[property="og:article:published_time"]',
    'meta[name="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="date"]',
    'meta[name="dcterms.created"]',
    'meta[name="DC.date.issued"]',
)
_END_META = (
    'meta[property="article:modified_time"]',
    'meta[property="og:updated_time"]',
    'meta[itemprop="dateModified"]',
    'meta[name="last-modified"]',
)
_DATE_LINES = '[class*="dateline"], [class*="publish-date"], [class*="article-date"], header time'
_URL_SOURCES = (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content"))
#: ranks of absolute times by the prefix of their source
_ABSOLUTE_RANKS = (("json-ld:", 1), ("feed:", 4))


@dataclass(frozen=True, slots=True)
class PageDays:
    """The days the page itself gives: when its coverage started and when it was last changed,
    each with where it was read."""

    start: date | None = None
    start_source: str | None = None
    end: date | None = None
    end_source: str | None = None


def _local_day(value: str | None, tz: tzinfo) -> date | None:
    if not value:
        return None
    when = parse_stamp(value, tz)
    if when is not None:
        return when.astimezone(tz).date()
    return parse_date(value) if len(value) <= 40 else None


def _inside_update(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        prop = (parent.attributes.get("itemprop") or "") + (parent.attributes.get("property") or "")
        if "liveBlogUpdate" in prop:
            return True
        parent = parent.parent
    return False


def page_days(
    tree: HTMLParser, postings: list[LiveBlogPosting], tz: tzinfo, url: str | None = None
) -> PageDays:
    """The page's start and end days from its JSON-LD, meta tags, page-level `itemprop` dates,
    a date line, and the date in its canonical URL, in that order of trust."""
    start: tuple[date, str] | None = None
    end: tuple[date, str] | None = None
    for posting in postings:
        if start is None and (day := _local_day(posting.published, tz)):
            start = (day, "json-ld:datePublished")
        if end is None and (day := _local_day(posting.modified, tz)):
            end = (day, "json-ld:dateModified")
    for selectors, kind in ((_START_META, "start"), (_END_META, "end")):
        for selector in selectors:
            if (start if kind == "start" else end) is not None:
                break
            node = tree.css_first(selector)
            day = _local_day(node.attributes.get("content") if node is not None else None, tz)
            if day is not None:
                found = (day, f"meta:{selector.split('=')[1].strip(']').strip(chr(34))}")
                if kind == "start":
                    start = found
                else:
                    end = found
    for prop, kind in (("datePublished", "start"), ("dateModified", "end")):
        if (start if kind == "start" else end) is not None:
            continue
        for node in tree.css(f'[itemprop="{prop}"]')[:50]:
            if _inside_update(node):
                continue
            attrs = node.attributes
            raw = attrs.get("datetime") or attrs.get("content") or node.text(deep=True)
            day = _local_day((raw or "").strip()[:64], tz)
            if day is not None:
                found = (day, f"html:itemprop={prop}")
                if kind == "start":
                    start = found
                else:
                    end = found
                break
    if start is None and end is None:
        for node in tree.css(_DATE_LINES)[:10]:
            if _inside_update(node):
                continue
            raw = node.attributes.get("datetime") or node.text(deep=True) or ""
            day = _local_day(raw.strip()[:64], tz) or parse_date(raw[:200])
            if day is not None:
                start = (day, "html:date-line")
                break
    if start is None and end is None:
        for selector, attr in _URL_SOURCES:
            node = tree.css_first(selector)
            day = _url_day(node.attributes.get(attr) if node is not None else None)
            if day is not None:
                start = (day, "url:canonical")
                break
        if start is None and (day := _url_day(url)) is not None:
            start = (day, "url:page")
    return PageDays(
        start[0] if start else None,
        start[1] if start else None,
        end[0] if end else None,
        end[1] if end else None,
    )


def _url_day(url: str | None) -> date | None:
    m = _URL_DATE.search((url or "")[:2000].lower())
    if not m:
        return None
    month = _URL_MONTHS.get(m.group(2)) or (int(m.group(2)) if m.group(2).isdigit() else 0)
    try:
        return date(int(m.group(1)), month, int(m.group(3)))
    except ValueError:
        return None


def printed_of(entry: ExtractedEntry) -> PrintedTime | None:
    """The entry's printed clock time, if it has one."""
    return leading_time(entry.printed_time) if entry.printed_time else None


def _rank(entry: ExtractedEntry) -> int:
    """Where the entry's absolute `time` stands in the precedence (2: the block's markup)."""
    source = entry.sources.get("time", "")
    if "relative-to-fetch" in source:
        return 5
    for prefix, rank in _ABSOLUTE_RANKS:
        if source.startswith(prefix):
            return rank
    return 2


def decide_times(
    entries: list[ExtractedEntry], *, days: PageDays, tz: tzinfo, fetched_at: datetime
) -> list[ExtractedEntry]:
    """Every entry's time by the precedence above; `entries` are oldest first."""
    out = list(entries)
    fixed: list[datetime | None] = [None] * len(out)
    for i, entry in enumerate(out):
        sources = dict(entry.sources)
        printed = printed_of(entry)
        when: datetime | None = None
        if entry.ld_time is not None:
            when = entry.ld_time
            if entry.time is not None and entry.time != entry.ld_time:
                sources["time-overruled"] = (
                    f"{sources.get('time', 'html')} {entry.time.isoformat()}"
                )
            elif printed is not None and _differs(printed, entry.ld_time, tz):
                sources["time-overruled"] = f"{sources.get('time', 'html')} {printed.printed}"
            sources["time"] = entry.sources.get("ld-time", "json-ld:datePublished")
        elif entry.time is not None and _rank(entry) <= 4:
            when = entry.time
        elif printed is not None and entry.date is not None:
            when = printed.to_datetime(entry.date, tz)
            sources["time"] = sources.get("time", "html:printed")
            sources.setdefault("day", "html:block-date")
        if when is not None:
            fixed[i] = when
            sources.pop("ld-time", None)
            if "printed" not in sources["time"]:
                sources.pop("day", None)  # a full stamp needs no day
            local = when.astimezone(tz)
            out[i] = dataclasses.replace(entry, time=when, date=local.date(), sources=sources)
    _walk_days(out, fixed, days, tz, fetched_at)
    return out


def _differs(printed: PrintedTime, when: datetime, tz: tzinfo) -> bool:
    local = printed.to_datetime(when.astimezone(tz).date(), tz)
    return abs((local - when).total_seconds()) >= 60


def _walk_days(
    out: list[ExtractedEntry],
    fixed: list[datetime | None],
    days: PageDays,
    tz: tzinfo,
    fetched_at: datetime,
) -> None:
    """Printed-only times placed on a day: forward from the last entry with a known time (a
    time well before it is on the next day), else back from the first one (a time well after it
    is on the day before), else forward from the page's start day, else back from its end day,
    else back from the fetch day."""
    slack = int(_SLACK.total_seconds() // 60)
    previous: tuple[date, int] | None = None
    pending: list[int] = []
    for i, entry in enumerate(out):
        when = fixed[i]
        if when is not None:
            local = when.astimezone(tz)
            previous = (local.date(), local.hour * 60 + local.minute)
            continue
        printed = printed_of(entry)
        if printed is None:
            continue
        if previous is None:
            pending.append(i)
            continue
        day = previous[0]
        if printed.minutes + slack < previous[1]:
            day += timedelta(days=1)
        _place(out, i, printed, day, tz, "carried-forward")
        previous = (day, printed.minutes)
    if not pending:
        return
    first = next((f for f in fixed if f is not None), None)
    if first is None and days.start is not None:
        previous = (days.start, -1)
        for i in pending:
            printed = printed_of(out[i])
            assert printed is not None
            day = previous[0]
            if previous[1] >= 0 and printed.minutes + slack < previous[1]:
                day += timedelta(days=1)
            _place(out, i, printed, day, tz, f"page:{days.start_source}")
            previous = (day, printed.minutes)
        return
    following: tuple[date, int]
    if first is not None:
        local = first.astimezone(tz)
        following, origin = (local.date(), local.hour * 60 + local.minute), "carried-back"
    elif days.end is not None:
        following, origin = (days.end, 24 * 60), f"page:{days.end_source}"
    else:
        following, origin = (fetched_at.astimezone(tz).date(), -1), "clock:fetch-date"
    for i in reversed(pending):
        printed = printed_of(out[i])
        assert printed is not None
        day = following[0]
        if following[1] < 0:
            # the fetch day: a printed time later than the fetch is from the day before
            if printed.to_datetime(day, tz) > fetched_at + _SLACK:
                day -= timedelta(days=1)
        elif printed.minutes > following[1] + slack:
            day -= timedelta(days=1)
        _place(out, i, printed, day, tz, origin)
        following = (day, printed.minutes)


def _place(
    out: list[ExtractedEntry], i: int, printed: PrintedTime, day: date, tz: tzinfo, origin: str
) -> datetime:
    entry = out[i]
    when = printed.to_datetime(day, tz)
    sources = dict(entry.sources)
    sources["time"] = sources.get("time", "html:printed")
    sources["day"] = origin
    out[i] = dataclasses.replace(entry, time=when, date=when.astimezone(tz).date(), sources=sources)
    return when
