"""An invented live blog (a city council budget day) and helpers to replay it in tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from connectors.sources.files import FileSource
from schemas.events import DeadLetter, RawEntry
from streams.cli.replay import build_meta, raw_items

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
#: the quotations of BLOG: eight; the `onerror="…"` of the 4:05 entry is markup shown as text,
#: an attribute value and no quotation
QUOTES = 8

BLOG = """City council budget day – live

4:20 p.m.: That is all from us today. Thanks for following.

4:12 p.m.: “The rent cap starts in June,” Okafor said as the session closed.

4:05 p.m.: Bello replied: “<script>window.pwned = 1</script> is what they hide,” Bello said. \
Activists wrote <img src=x onerror="window.pwned = 2"> on a banner outside.

3:58 p.m.: “We will not support a budget that forgets the tram,” Bello said.

3:50 p.m.: Housing Minister Maria Okafor answered the opposition. “A rent cap protects families,” \
Okafor said. “It is fair.”

3:41 p.m.: Opposition leader Tunde Bello said the rent cap would fail. “It is a gimmick,” \
Bello said.

3:30 p.m.: “Our budget builds homes,” said Okafor. “Twelve thousand of them.”

3:22 p.m.: The session opened with a minute of silence for the flood victims.
"""


def write_blog(directory: Path, text: str = BLOG) -> Path:
    path = directory / "city-budget-live.txt"
    path.write_text(text, encoding="utf-8")
    return path


def items(path: Path) -> Iterator[RawEntry | DeadLetter]:
    meta = build_meta(
        path, blog="city-budget-live", date="2024-05-01", tz="Europe/London", order=None
    )
    source = FileSource(path, meta, max_bytes=1_000_000, max_entry_chars=100_000, fetched_at=NOW)
    return raw_items(source, source.blocks())
