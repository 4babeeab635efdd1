"""The parse stage: a raw entry block to a timed entry with headline and paragraphs.

Pure: `parse(raw, state) -> (entry, state)`. The state carries the last local time so that a blog
crossing midnight stays in order (entries arrive oldest first).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from schemas.events import RawEntry, stable_id
from streams.core.models import Paragraph, ParsedEntry, ParseState
from streams.core.timefmt import PrintedTime, leading_time, resolve_zone
from streams.pipeline.htmltext import html_paragraphs

__all__ = ["clean_inline", "parse"]

_LINK = re.compile(r"\[([^\]\n]{1,500})\]\((?:[^)\s]{1,2000})\)")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^#{1,6}\s+")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_TICKER = re.compile(r"(.+?)\s*\+{2,3}")
#: a day boundary: a time more than this far before the previous entry's is on the next day
_ROLLOVER = timedelta(hours=6)
#: a line that ends a paragraph: it closes a sentence
_ENDS_PARAGRAPH = re.compile(r"[.!?…:][\"'”’»)\]]*$")
#: page furniture, not the entry's words: "Last updated: 09:24 GMT Tuesday, 28 June 2016",
#: "Aktualisiert am 12.03.2025, 14:05 Uhr": a stamp word, then only a date and a time
_STAMP = re.compile(
    r"(?:last\s+updated|updated|published|zuletzt\s+aktualisiert|aktualisiert)\s*:?\s+(.{1,80})",
    re.IGNORECASE,
)
_DATE_WORD = re.compile(
    r"\d[\d.:/]*(?:am|pm|h)?|[ap]\.?m\.?|at|on|am|um|uhr|the|of|"
    r"(?:gmt|bst|cet|cest|utc|mez|mesz|et|edt|est|pt|pdt|pst)(?:[+-]\d{1,2})?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|"
    r"juli|oktober|dezember)[a-z]*\.?|"
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\.?|"
    r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)",
    re.IGNORECASE,
)


def _is_stamp(text: str) -> bool:
    """Whether a paragraph is only an update stamp (it names no one and quotes nothing)."""
    match = _STAMP.fullmatch(text)
    if match is None or not any(c.isdigit() for c in match.group(1)):
        return False
    words = match.group(1).replace(",", " ").replace("(", " ").replace(")", " ").split()
    return all(_DATE_WORD.fullmatch(w) for w in words)


def clean_inline(text: str) -> str:
    """Markdown emphasis, links and heading marks removed; spaces normalised.

    Each pattern runs only on a text holding what it needs ("#" first, "](", a doubled "*" or
    "_", a space that is not one plain space): most lines hold none of them.
    """
    if text.startswith("#"):
        text = _HEADING.sub("", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "**" in text or "__" in text:
        text = _EMPHASIS.sub(r"\2", text)
    if "  " in text or "\t" in text or "\u00a0" in text or "\u202f" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def _paragraphs(raw: RawEntry) -> list[Paragraph]:
    if raw.content_type == "html":
        return html_paragraphs(raw.raw)
    out: list[Paragraph] = []
    quote: list[str] = []
    for line in raw.raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(">"):
            line_text = stripped.lstrip(">").strip()
            if (
                quote
                and quote[-1]
                and (not line_text or _ENDS_PARAGRAPH.search(quote[-1]))
                and not line_text.startswith(("—", "–", "-"))  # a post's byline stays with it
            ):
                # one `> ` line per paragraph, as in the text outside the block; a line that
                # stops mid-sentence is a hard-wrapped line of the same paragraph
                out.append(
                    Paragraph(text=clean_inline(" ".join(q for q in quote if q)), quote_block=True)
                )
                quote = []
            quote.append(line_text)
            continue
        if quote:
            out.append(
                Paragraph(text=clean_inline(" ".join(q for q in quote if q)), quote_block=True)
            )
            quote = []
        if stripped:
            out.append(Paragraph(text=stripped))
    if quote:
        out.append(Paragraph(text=clean_inline(" ".join(q for q in quote if q)), quote_block=True))
    return [p for p in out if p.text]


def _cleaned(para: Paragraph) -> Paragraph:
    """A paragraph with its inline markup cleaned (a quote block is cleaned already)."""
    if para.quote_block:
        return para
    text = clean_inline(para.text)
    return para if text == para.text else Paragraph(text=text, embed=para.embed)


def parse(raw: RawEntry, state: ParseState) -> tuple[ParsedEntry, ParseState]:
    """Find the entry's time, headline and paragraphs; make the time absolute and tz-aware."""
    paragraphs = _paragraphs(raw)
    headline = raw.hints.headline
    if headline and paragraphs and clean_inline(paragraphs[0].text) == clean_inline(headline):
        paragraphs = paragraphs[1:]
    printed: PrintedTime | None = None
    for i, para in enumerate(paragraphs):
        if para.quote_block:
            continue
        printed = leading_time(para.text)
        if printed is not None:
            before = [p.text for p in paragraphs[:i]]
            if before and not headline:
                headline = clean_inline(" ".join(before))
            rest = para.text[printed.end :].strip()
            ticker = _TICKER.fullmatch(rest) if rest.endswith("++") else None
            if ticker and not headline:
                # "+++ 14:24 Headline +++": German-style tickers put the headline on the time line
                headline, rest = ticker.group(1), ""
            paragraphs = ([Paragraph(text=rest)] if rest else []) + paragraphs[i + 1 :]
            break
        if i >= 1:  # the time is on the first line, or under a one-line headline
            break
    if printed is None and raw.hints.printed_time:
        printed = leading_time(raw.hints.printed_time)
    cleaned = tuple(p for p in map(_cleaned, paragraphs) if p.text and not _is_stamp(p.text))
    published_at, state = _absolute_time(raw, printed, state)
    if headline:
        headline = clean_inline(headline) or None
    printed_text = printed.printed if printed else raw.hints.printed_time
    identity = raw.hints.block_id or "|".join(
        [printed_text or "", headline or "", " ".join(p.text for p in cleaned)]
    )
    entry = ParsedEntry(
        entry_id=stable_id(raw.blog_id, identity),
        blog_id=raw.blog_id,
        seq=raw.seq,
        version=raw.version,
        source=raw.source,
        language=raw.hints.language,
        published_at=published_at,
        printed_time=printed_text,
        headline=headline,
        paragraphs=cleaned,
    )
    return entry, state


def _absolute_time(
    raw: RawEntry, printed: PrintedTime | None, state: ParseState
) -> tuple[datetime | None, ParseState]:
    tz: tzinfo = resolve_zone(raw.hints.timezone) if raw.hints.timezone else UTC
    if raw.hints.time is not None:
        when = raw.hints.time.astimezone(tz)
        return when, state.model_copy(update={"last_local": when.replace(tzinfo=None)})
    if printed is None:
        return None, state
    day: date = printed.day or raw.hints.date or raw.fetched_at.astimezone(tz).date()
    shift = state.day_shift
    local = datetime.combine(day, datetime.min.time()).replace(
        hour=printed.hour, minute=printed.minute
    ) + timedelta(days=shift if printed.day is None else 0)
    if (
        printed.day is None
        and state.last_local is not None
        and local < state.last_local - _ROLLOVER
    ):
        shift += 1
        local += timedelta(days=1)
    when = printed.to_datetime(local.date(), tz)
    return when, ParseState(last_local=local, day_shift=shift)
