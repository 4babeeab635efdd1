"""Split live-blog text into entry blocks, in reading order, and put them oldest first.

A block is one timed paragraph with the headline line above it (if any) and the untimed
paragraphs that follow it in reading order. Paragraphs before the first timed one are the blog's
preamble (title, standfirst). Consecutive `> ` lines form one quote-block paragraph.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from streams.core.timefmt import PrintedTime, leading_time

__all__ = ["Block", "detect_newest_first", "split_blocks", "split_paragraphs"]

#: a headline is short; longer untimed paragraphs are body text
_HEADLINE_MAX = 200
_CLOSERS = "\"'”’»›*_ \u00a0"


@dataclass(frozen=True, slots=True)
class Block:
    """One entry block in reading order; `paragraphs` start with the timed one, as printed."""

    paragraphs: tuple[str, ...]
    time: PrintedTime
    headline: str | None = None
    index: int = 0

    @property
    def text(self) -> str:
        lines = ([self.headline] if self.headline else []) + list(self.paragraphs)
        return "\n\n".join(lines)


@dataclass(slots=True)
class _Draft:
    time: PrintedTime
    headline: str | None
    paragraphs: list[str] = field(default_factory=list)
    time_only: bool = False  # the time stood alone on its line


#: page furniture that copy-pasted live blogs carry between entries ("2h ago", "Share")
_FURNITURE = re.compile(
    r"^(?:\d{1,3}\s*(?:s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\s+ago"
    r"|just now|share|share this|copy link|key event|pinned post|pinned|updated|advertisement"
    r"|(?:last )?updated(?: at| on)?:? [\w ,.:]{1,40}"
    r"|show key events only|please turn on javascript.*)$",
    re.IGNORECASE,
)


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines as paragraphs; consecutive `>` lines joined into one quote block; page
    furniture lines ("2h ago", "Share", "Key event") dropped."""
    paragraphs: list[str] = []
    quote: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line.startswith(">"):
            quote.append(line)
            continue
        if quote:
            paragraphs.append("\n".join(quote))
            quote = []
        if line and not _FURNITURE.match(line):
            paragraphs.append(line)
    if quote:
        paragraphs.append("\n".join(quote))
    return paragraphs


_BULLET = re.compile(r"^(?:[•·▪◦‣*+-]|–|—|\d{1,2}[.)])\s")


def _is_headline(paragraph: str) -> bool:
    if paragraph.startswith(">") or len(paragraph) > _HEADLINE_MAX or _BULLET.match(paragraph):
        return False
    if re.match(r"^#{1,6}\s", paragraph):
        return True
    if re.fullmatch(r"(\*\*|__).+\1", paragraph):
        return True
    core = paragraph.rstrip(_CLOSERS)
    return bool(core) and core[-1] not in ".!?…:;,"


def split_blocks(text: str) -> tuple[list[str], list[Block]]:
    """The preamble paragraphs and the entry blocks of `text`, in reading order."""
    paragraphs = split_paragraphs(text)
    times = [leading_time(p) for p in paragraphs]
    # a blog that prints its times alone on their lines puts each headline after its time, so
    # a short line above a time is the end of the entry before it
    alone = [not p[t.end :].strip() for p, t in zip(paragraphs, times, strict=True) if t]
    headline_after_time = bool(alone) and sum(alone) * 2 > len(alone)
    preamble: list[str] = []
    drafts: list[_Draft] = []
    pending_headline: str | None = None
    for i, (para, when) in enumerate(zip(paragraphs, times, strict=True)):
        next_timed = i + 1 < len(paragraphs) and times[i + 1] is not None
        if when is not None:
            drafts.append(_Draft(when, pending_headline))
            pending_headline = None
            drafts[-1].paragraphs.append(para)
            drafts[-1].time_only = not para[when.end :].strip()
            continue
        if (
            next_timed
            and not headline_after_time
            and _is_headline(para)
            and (drafts or not preamble)
        ):
            # before the first entry, a lone line is the blog's title, not an entry headline
            if not drafts and i == 0:
                preamble.append(para)
                continue
            pending_headline = _clean_headline(para)
            continue
        if not drafts:
            preamble.append(para)
        elif (
            drafts[-1].time_only
            and len(drafts[-1].paragraphs) == 1
            and drafts[-1].headline is None
            and _is_headline(para)
        ):
            # a time alone on its line, then its headline, then the body
            drafts[-1].headline = _clean_headline(para)
        else:
            drafts[-1].paragraphs.append(para)
    blocks = [Block(tuple(d.paragraphs), d.time, d.headline, index=i) for i, d in enumerate(drafts)]
    return preamble, blocks


def _clean_headline(paragraph: str) -> str:
    text = re.sub(r"^#{1,6}\s+", "", paragraph).strip()
    m = re.fullmatch(r"(\*\*|__)(.+)\1", text)
    return m.group(2).strip() if m else text


def detect_newest_first(blocks: list[Block]) -> bool:
    """True when most consecutive entry times go down: the blog puts its newest entry on top."""
    down = up = 0
    for a, b in itertools.pairwise(blocks):
        if a.time.day and b.time.day and a.time.day != b.time.day:
            if a.time.day > b.time.day:
                down += 1
            else:
                up += 1
            continue
        delta = b.time.minutes - a.time.minutes
        if delta == 0:
            continue
        # a jump of more than 12 hours is a day boundary, which reverses the direction
        if abs(delta) > 12 * 60:
            delta = -delta
        if delta < 0:
            down += 1
        else:
            up += 1
    return down > up
