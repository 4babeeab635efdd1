"""Models that pass between the stages inside one worker (never on a topic)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

__all__ = ["Paragraph", "ParseState", "ParsedEntry"]


class Paragraph(BaseModel):
    """One paragraph of an entry; `quote_block` for a `> ` block or a <blockquote>."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    quote_block: bool = False
    embed: bool = False


class ParsedEntry(BaseModel):
    """An entry after the parse stage: time, headline and paragraphs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entry_id: str
    blog_id: str
    seq: int
    version: int = 1
    source: str = ""
    language: str | None = None
    published_at: AwareDatetime | None
    printed_time: str | None
    headline: str | None
    paragraphs: tuple[Paragraph, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


class ParseState(BaseModel):
    """Per-blog state of the parse stage: the last local time seen, to cross midnight."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_local: datetime | None = None
    day_shift: int = 0
