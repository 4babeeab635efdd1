"""Entry times as live blogs print them.

`2:24 p.m.`, `2:24 p.m .:`, `2.24pm`, `14:24`, `14.24 GMT` (also with a no-break space),
`14:24 Uhr`, `19h30`, and ISO 8601 stamps. Only a time at the start of a paragraph starts an
entry; `leading_time` looks there and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schemas.exceptions import ConfigError

__all__ = ["PrintedTime", "leading_time", "resolve_zone", "strip_markup"]

#: Zone abbreviations as printed after a time, with their UTC offsets in hours.
_ZONES: dict[str, float] = {
    "GMT": 0,
    "UTC": 0,
    "Z": 0,
    "BST": 1,
    "IST": 1,
    "CET": 1,
    "MEZ": 1,
    "CEST": 2,
    "MESZ": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AEST": 10,
    "AEDT": 11,
    "JST": 9,
}

_SPACE = r"[ \t\u00a0\u202f]"
_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?P<off>Z|[+-]\d{2}:?\d{2})?"
)
_CLOCK = re.compile(
    rf"(?P<h>\d{{1,2}})(?:[:.]|h(?=\d))(?P<m>[0-5]\d)"
    rf"(?:{_SPACE}*(?P<ampm>[aApP])\.?{_SPACE}*[mM]\b\.?(?:{_SPACE}*\.(?!\d))?)?"
    rf"(?:{_SPACE}*(?P<zone>{'|'.join(sorted(_ZONES, key=len, reverse=True))}|Uhr|ET|PT)\b\.?)?"
)
# what may follow a time that starts an entry: end, a separator, or the start of a sentence
_AFTER = re.compile(rf"{_SPACE}*(?:$|[:\-–—|•]|(?=[\"“‘'„«*A-Z\u00c0-\u024f\[(]))")
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# a date printed right after the time: "8:52 p.m. ET, July 18, 2024" / "14:05, 26 April 2022"
_DATE_AFTER = re.compile(
    rf"{_SPACE}*[,|•–-]?{_SPACE}*(?:[A-Z][a-z]+day,?{_SPACE}+)?"
    rf"(?:(?P<mon1>[A-Za-z]{{3,9}})\.?{_SPACE}+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?{_SPACE}+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?{_SPACE}+(?P<mon2>[A-Za-z]{{3,9}})\.?,?{_SPACE}+(?P<y2>\d{{4}}))"
)
_MARKUP = re.compile(
    r"^(?:#{1,6}\s+)?(?:\+{2,3}\s*)?(?:\*\*|__|\*|_)?"
    r"(?:(?i:posted|published)(?:\s+at)?\s*:?\s+(?=\d))?(?:\*\*|__)?"
)


@dataclass(frozen=True, slots=True)
class PrintedTime:
    """A time found at the start of a paragraph."""

    hour: int
    minute: int
    printed: str
    end: int
    zone: str | None = None
    day: date | None = None
    offset: timezone | None = None

    @property
    def minutes(self) -> int:
        return self.hour * 60 + self.minute

    def to_datetime(self, day: date, tz: tzinfo) -> datetime:
        """The absolute time of this printed time on `day`, in its printed zone or else in `tz`."""
        zone: tzinfo = tz
        if self.offset is not None:
            zone = self.offset
        elif self.zone in _ZONES:
            zone = timezone(timedelta(hours=_ZONES[self.zone]))
        return datetime.combine(self.day or day, time(self.hour, self.minute), tzinfo=zone)


def strip_markup(line: str) -> tuple[str, int]:
    """The line without a leading heading or emphasis marker or a `Posted at` before its time,
    and how much was cut."""
    m = _MARKUP.match(line)
    cut = m.end() if m else 0
    return line[cut:], cut


def leading_time(paragraph: str) -> PrintedTime | None:
    """The entry time printed at the very start of `paragraph`, or None."""
    text, cut = strip_markup(paragraph.lstrip())
    cut += len(paragraph) - len(paragraph.lstrip())
    iso = _ISO.match(text)
    if iso:
        offset = None
        off = iso.group("off")
        if off:
            if off == "Z":
                offset = UTC
            else:
                sign = 1 if off[0] == "+" else -1
                hh, mm = int(off[1:3]), int(off[-2:])
                offset = timezone(sign * timedelta(hours=hh, minutes=mm))
        try:
            day = date.fromisoformat(iso.group("date"))
        except ValueError:
            return None
        hour, minute = int(iso.group("h")), int(iso.group("m"))
        if hour > 23 or minute > 59:
            return None
        end = _consume_after(text, iso.end())
        return PrintedTime(hour, minute, iso.group(0), cut + end, None, day, offset)
    clock = _CLOCK.match(text)
    if not clock:
        return None
    hour, minute = int(clock.group("h")), int(clock.group("m"))
    ampm = clock.group("ampm")
    zone = clock.group("zone")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    elif hour > 23:
        return None
    printed_day, after_date = _date_after(text, clock.end())
    after = _AFTER.match(text, clock.end())
    if after is None and not (ampm or zone or printed_day):
        return None
    end = _consume_after(text, after_date)
    printed = clock.group(0).strip()
    return PrintedTime(
        hour, minute, printed, cut + end, zone if zone in _ZONES else None, printed_day
    )


def _date_after(text: str, pos: int) -> tuple[date | None, int]:
    """A date printed after the time (with its year), and where it ends; else (None, pos)."""
    m = _DATE_AFTER.match(text, pos)
    if not m:
        return None, pos
    month = _MONTHS.get((m.group("mon1") or m.group("mon2")).lower())
    day = int(m.group("d1") or m.group("d2"))
    year = int(m.group("y1") or m.group("y2"))
    if month is None:
        return None, pos
    try:
        return date(year, month, day), m.end()
    except ValueError:
        return None, pos


def _consume_after(text: str, pos: int) -> int:
    """Skip closing emphasis and one separator after a time."""
    m = re.compile(rf"(?:\*\*|__)?{_SPACE}*(?:[:\-–—|•]{_SPACE}*)?").match(text, pos)
    return m.end() if m else pos


def resolve_zone(name: str) -> tzinfo:
    """A time zone by IANA name (`Europe/Berlin`) or fixed offset (`+02:00`, `UTC`)."""
    if re.fullmatch(r"[+-]\d{2}:?\d{2}", name):
        sign = 1 if name[0] == "+" else -1
        return timezone(sign * timedelta(hours=int(name[1:3]), minutes=int(name[-2:])))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}") from exc
