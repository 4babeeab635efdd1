"""Entry times as pages mark them: attributes with absolute stamps, printed times, relative times
("20m ago", "vor 5 Minuten") resolved from an absolute stamp, and dates printed in day headers.

Printed clock times (`2:24 p.m.`, `14.24 GMT`, `14:24 Uhr`) are `streams.core.timefmt`'s business;
this module finds them in markup and turns what it can into aware datetimes. Regular expressions
here only ever see text, never HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborNode as Node

from streams.core.timefmt import PrintedTime, leading_time

__all__ = [
    "STAMP_ATTRIBUTES",
    "UPDATED",
    "NodeTime",
    "node_time",
    "parse_date",
    "parse_stamp",
    "relative_delta",
    "strip_ticker",
    "time_label",
    "updated_stamp",
]

#: attributes that carry an absolute time, most specific first
STAMP_ATTRIBUTES = (
    "datetime",
    "data-timestamp",
    "data-utime",
    "data-time",
    "data-datetime",
    "data-published",
    "data-published-at",
    "data-date",
    "data-ts",
    "data-sort-time",
    "content",
    "title",
)
_STAMP_CSS = ", ".join(f"[{a}]" for a in STAMP_ATTRIBUTES if a not in ("content", "title"))
_STAMP_CSS += ', abbr[title], [itemprop="datePublished"][content], [class*="time"][title]'
_EPOCH = re.compile(r"\d{10}(?:\d{3})?(?:\.\d+)?")
_ISO_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")
_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "sekunde": 1,
    "sekunden": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "minuten": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "std": 3600,
    "stunde": 3600,
    "stunden": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "tag": 86400,
    "tagen": 86400,
}
_RELATIVE = re.compile(
    r"^\s*(?:(?P<n>\d{1,4}|an?|one)\s*(?P<unit>[a-zäöü]+)\.?\s+ago"
    r"|vor\s+(?P<n2>\d{1,4}|einer?|einem)\s+(?P<unit2>[a-zäöü]+)\.?)\s*$",
    re.IGNORECASE,
)
#: "Last updated: 13:07 GMT+1 Friday, 25 September 2015", "Zuletzt aktualisiert am ..."
UPDATED = re.compile(
    r"^\s*(?:last\s+updated|updated|aktualisiert|zuletzt\s+aktualisiert|stand)\b(?:\s+(?:at|on|am|um))?"
    r"\s*:?\s*",
    re.IGNORECASE,
)
_TICKER = re.compile(
    r"^\s*(?:\+{2,}\s*|(?:update|eilmeldung|breaking)\s*:?\s+(?=\d))", re.IGNORECASE
)
_NOW = re.compile(r"^\s*(?:just now|now|gerade eben|jetzt|soeben)\s*$", re.IGNORECASE)

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan", "januar", "jänner"),
            ("february", "feb", "februar"),
            ("march", "mar", "märz", "maerz", "mär"),
            ("april", "apr"),
            ("may", "mai"),
            ("june", "jun", "juni"),
            ("july", "jul", "juli"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct", "oktober", "okt"),
            ("november", "nov"),
            ("december", "dec", "dezember", "dez"),
        ]
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def parse_stamp(value: str, tz: tzinfo = UTC) -> datetime | None:
    """An absolute time from an attribute value: ISO 8601, Unix seconds or milliseconds, or an
    RFC 2822 date. A stamp without an offset is read in `tz`. None when it is none of these."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    if _EPOCH.fullmatch(value):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        if not 946_684_800 <= number <= 4_102_444_800:  # 2000 to 2100: anything else is an id
            return None
        return datetime.fromtimestamp(number, UTC)
    if _ISO_LIKE.match(value):
        text = value.replace("Z", "+00:00").replace(" ", "T", 1)
        text = _OFFSET_NO_COLON.sub(r"\1:\2", text)
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
        if len(value) <= 10:  # a bare date is no time of day
            return None
        return when if when.tzinfo is not None else when.replace(tzinfo=tz)
    if "," in value or value[:3].isalpha():
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return when if when.tzinfo is not None else when.replace(tzinfo=tz)
    return None


def relative_delta(text: str) -> timedelta | None:
    """How long ago a relative time says (`20m ago`, `2 hours ago`, `vor 5 Minuten`, `just now`)."""
    text = " ".join(text.split())
    if len(text) > 40:
        return None
    if _NOW.match(text):
        return timedelta(0)
    m = _RELATIVE.match(text)
    if not m:
        return None
    count = (m.group("n") or m.group("n2") or "").lower()
    unit = (m.group("unit") or m.group("unit2") or "").lower()
    seconds = _UNITS.get(unit)
    if seconds is None:
        return None
    n = int(count) if count.isdigit() else 1
    return timedelta(seconds=n * seconds)


def parse_date(text: str) -> date | None:
    """A calendar date printed in a day header: `Tuesday, 26 April 2022`, `April 26, 2022`,
    `26. April 2022`, `26.04.2022`, `2022-04-26`."""
    text = " ".join(text.split())[:200]
    for pattern, order in (
        (_DAY_MONTH_YEAR, "dmy"),
        (_MONTH_DAY_YEAR, "mdy"),
        (_ISO_DATE, "iso"),
        (_NUMERIC_DATE, "num"),
    ):
        m = pattern.search(text)
        if not m:
            continue
        try:
            if order == "dmy":
                return date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
            if order == "mdy":
                return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
            if order == "iso":
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            continue
    return None


@dataclass(frozen=True, slots=True)
class NodeTime:
    """The time of an entry block as its markup gives it.

    `time` is absolute when the markup holds a stamp (or a relative time was resolved); `printed`
    is the clock time as printed, for the parse stage to place on a day; `source` names where the
    time came from (`html:time@datetime`, `html:relative+data-timestamp`, `html:printed`, ...).
    """

    time: datetime | None
    printed: PrintedTime | None
    printed_text: str | None
    source: str
    node: Node | None = None


def _stamp_of(node: Node, tz: tzinfo) -> tuple[datetime, str] | None:
    attrs = node.attributes
    for name in STAMP_ATTRIBUTES:
        value = attrs.get(name)
        if value:
            when = parse_stamp(value, tz)
            if when is not None:
                return when, f"{node.tag}@{name}"
    return None


def node_time(block: Node, tz: tzinfo, *, fetched_at: datetime, limit: int = 60) -> NodeTime | None:
    """The time of `block`: an absolute stamp in an attribute (on the block or its first
    descendants), else a printed time in a time-like element or at the start of the text, else a
    relative time resolved against the fetch time. None when the block shows no time."""
    stamp = _stamp_of(block, tz)
    label: Node | None = None
    if stamp is None:
        for node in block.css(_STAMP_CSS)[:limit]:
            if node.tag == "meta" and (node.attributes.get("itemprop") or "") != "datePublished":
                continue
            stamp = _stamp_of(node, tz)
            if stamp is not None:
                label = node
                break
    if label is None:
        label = time_label(block)
    label_text = " ".join(label.text(separator=" ").split()) if label is not None else ""
    printed = leading_time(strip_ticker(label_text)) if label_text else None
    if stamp is not None:
        when, where = stamp
        rel = relative_delta(label_text) if label_text else None
        source = f"html:relative+{where}" if rel is not None else f"html:{where}"
        printed_text = printed.printed if printed else None
        return NodeTime(when, printed, printed_text, source, label)
    if printed is not None:
        return NodeTime(None, printed, printed.printed, "html:printed", label)
    if label_text:
        rel = relative_delta(label_text)
        if rel is not None:
            return NodeTime(fetched_at - rel, None, None, "html:relative-to-fetch", label)
    for text in _first_texts(block, 3):
        printed = leading_time(strip_ticker(text))
        if printed is not None:
            return NodeTime(None, printed, printed.printed, "html:printed-text", None)
        rel = relative_delta(text)
        if rel is not None:
            return NodeTime(fetched_at - rel, None, None, "html:relative-to-fetch", None)
    return None


def time_label(block: Node) -> Node | None:
    """The element inside `block` that shows its time: a `<time>`, else a short element whose
    class names a time or date."""
    for selector in ("time", '[class*="time"]', '[class*="date"]', '[class*="stamp"]'):
        for node in block.css(selector)[:10]:
            if node.mem_id == block.mem_id:
                continue
            text = " ".join(node.text(separator=" ").split())
            if 0 < len(text) <= 60:
                return node
    return None


def _first_texts(block: Node, count: int) -> list[str]:
    out: list[str] = []
    for node in block.traverse(include_text=True):
        if node.tag in ("script", "style", "noscript", "template"):
            continue
        if node.tag == "-text":
            parent = node.parent
            if parent is not None and parent.tag in ("script", "style", "noscript", "template"):
                continue
            text = " ".join((node.text_content or "").split())
            if text:
                out.append(text)
                if len(out) >= count:
                    break
    return out


def strip_ticker(text: str) -> str:
    """A ticker line without its lead-in (`+++ 14:24 Uhr +++`, `Update 13.05 Uhr:`), so that it
    starts with the time."""
    return _TICKER.sub("", text, count=1)


@dataclass(frozen=True, slots=True)
class UpdatedStamp:
    """A block's "Last updated" line: the element, its day and its clock time."""

    node: Node
    day: date
    printed: PrintedTime | None


def updated_stamp(block: Node) -> UpdatedStamp | None:
    """The block's "Last updated ..." line with a date in it, if any (an entry was posted on
    that day, or the day before when its time is later than the update's)."""
    for node in block.css('p, span, div, small, footer, time, [class*="updated"]')[:200]:
        text = " ".join(node.text(separator=" ").split())
        if not 0 < len(text) <= 120:
            continue
        m = UPDATED.match(text)
        if not m:
            continue
        day = parse_date(text)
        if day is not None:
            return UpdatedStamp(node, day, leading_time(text[m.end() :]))
    return None
