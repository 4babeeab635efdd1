"""The file source: a live blog saved as plain text or Markdown, replayed as a stream.

Reads and decodes the file with clear errors (binary, wrong encoding, too large, no entries),
splits it into entry blocks, puts them oldest first and emits one `RawEntry` per block. Pacing by
the entries' own times is the runner's business (`pace_delays`).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from connectors.sources.blocks import Block, detect_newest_first, split_blocks
from schemas.events import EntryHints, RawEntry
from schemas.exceptions import (
    ConfigError,
    DecodeError,
    NoEntriesError,
    PayloadTooLarge,
    SourceError,
)

__all__ = ["BlogMeta", "FileSource", "decode_bytes", "load_sidecar", "pace_delays"]


@dataclass(frozen=True, slots=True)
class BlogMeta:
    """What a replay knows about a blog besides its text (flags, else the sidecar)."""

    blog_id: str
    date: date | None = None
    timezone: str | None = None
    language: str | None = None
    title: str | None = None
    source: str = ""
    order: str | None = None  # "newest-first", "oldest-first" or None to detect


def decode_bytes(data: bytes, *, encoding: str | None = None, name: str = "input") -> str:
    """Bytes to text: BOMs honoured, binary refused, invalid UTF-8 reported with its offset."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(f"{name}: cannot decode as {encoding}: {exc}") from exc
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{name}: invalid {codec} after its byte-order mark") from exc
    if b"\x00" in data[:8192]:
        raise DecodeError(f"{name}: looks like a binary file (NUL bytes), not live-blog text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DecodeError(
            f"{name}: invalid UTF-8 at byte {exc.start} (line {line}); "
            "pass --encoding if the file uses another encoding"
        ) from exc


def load_sidecar(path: Path) -> dict[str, object]:
    """The YAML metadata beside a seed file (`name.yaml` next to `name.txt`), or {}."""
    for candidate in (path.with_suffix(".yaml"), path.with_suffix(".yml")):
        if candidate.is_file():
            try:
                data = yaml.safe_load(candidate.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{candidate}: not valid YAML: {exc}") from exc
            if not isinstance(data, dict):
                raise ConfigError(f"{candidate}: expected a mapping")
            return data
    return {}


class FileSource:
    """Entry blocks of one live-blog file as raw entries, oldest first."""

    def __init__(
        self,
        path: Path,
        meta: BlogMeta,
        *,
        max_bytes: int,
        max_entry_chars: int,
        fetched_at: datetime,
        encoding: str | None = None,
    ) -> None:
        self.path = path
        self.meta = meta
        self.max_bytes = max_bytes
        self.max_entry_chars = max_entry_chars
        self.fetched_at = fetched_at
        self.encoding = encoding
        self.preamble: list[str] = []
        self.newest_first = False

    def read(self) -> str:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError as exc:
            raise SourceError(f"{self.path}: no such file") from exc
        except OSError as exc:
            raise SourceError(f"{self.path}: {exc.strerror}") from exc
        if not self.path.is_file():
            raise SourceError(f"{self.path}: not a regular file")
        if size > self.max_bytes:
            raise PayloadTooLarge(
                f"{self.path}: {size} bytes is over the {self.max_bytes}-byte limit "
                "(set LIVEBLOG_MAX_FILE_BYTES to raise it)",
                size=size,
                limit=self.max_bytes,
            )
        data = self.path.read_bytes()
        if not data.strip():
            raise NoEntriesError(f"{self.path}: the file is empty")
        return decode_bytes(data, encoding=self.encoding, name=str(self.path))

    def blocks(self) -> list[Block]:
        """The file's entry blocks, oldest first."""
        preamble, blocks = split_blocks(self.read())
        if not blocks:
            raise NoEntriesError(
                f"{self.path}: no timed entries found (times like 14:24 or 2:24 p.m.)"
            )
        self.preamble = preamble
        order = self.meta.order
        self.newest_first = (
            order == "newest-first"
            if order in ("newest-first", "oldest-first")
            else detect_newest_first(blocks)
        )
        return list(reversed(blocks)) if self.newest_first else blocks

    def __iter__(self) -> Iterator[RawEntry]:
        for seq, block in enumerate(self.blocks()):
            yield self.to_raw(block, seq)

    def to_raw(self, block: Block, seq: int) -> RawEntry:
        text = block.text
        if len(text) > self.max_entry_chars:
            raise PayloadTooLarge(
                f"entry at {block.time.printed} has {len(text)} characters, "
                f"over the {self.max_entry_chars} limit",
                size=len(text),
                limit=self.max_entry_chars,
            )
        return RawEntry(
            blog_id=self.meta.blog_id,
            source=f"file:{self.path.name}",
            seq=seq,
            fetched_at=self.fetched_at,
            raw=text,
            content_type="markdown",
            hints=EntryHints(
                printed_time=block.time.printed,
                headline=block.headline,
                date=self.meta.date,
                timezone=self.meta.timezone,
                language=self.meta.language,
            ),
        )


def pace_delays(times: list[datetime | None], speed: float) -> list[float]:
    """Seconds to wait before each entry so that a replay runs at `speed` times real time."""
    delays: list[float] = []
    previous: datetime | None = None
    for when in times:
        if previous is None or when is None or speed <= 0:
            delays.append(0.0)
        else:
            delays.append(max(0.0, (when - previous).total_seconds() / speed))
        if when is not None:
            previous = when
    return delays
