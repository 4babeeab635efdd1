"""Score a whole evaluation set in one process: every gold file's blog replayed and scored.

A set is a folder with `text/` (the replayable texts) and `gold/` (one JSON per blog naming its
text in `blog`, with `date` and `timezone`). Each blog goes through the embedded pipeline the way
`liveblog replay PATH --date D --tz Z --output - --no-db` runs it, and is scored with
`streams.evaluation.score`. Means are per language (from the text's `# source: ... | de |`
header line, else None); a gold file with `"quotes": null` counts for speakers only.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from schemas.events import EnrichedEntry
from schemas.exceptions import ConfigError, LiveblogError
from streams.pipeline.evaluation import score

if TYPE_CHECKING:
    from streams.core.settings import Settings

__all__ = [
    "BlogScore",
    "LanguageMean",
    "evaluate_set",
    "header_language",
    "means",
    "replay_entries",
    "to_json",
]

_HEADER = re.compile(r"^#\s*source:([^\n]*)")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")


@dataclass(frozen=True, slots=True)
class BlogScore:
    """One blog's row: entries aligned, quote-speaker F1 (None when the gold has no quotes)."""

    name: str
    language: str | None
    aligned: int
    gold_entries: int
    quote_f1: float | None
    speaker_f1: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class LanguageMean:
    language: str | None
    blogs: int
    quote_f1: float | None  # over the blogs with gold quotes; None when there are none
    speaker_f1: float


def header_language(path: Path) -> str | None:
    """The language field of the text's `# source: ... | de | ...` first line, else None."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            first = fh.readline()
    except OSError:
        return None
    m = _HEADER.match(first.lstrip("\ufeff"))
    if not m:
        return None
    for field in m.group(1).split("|")[1:]:
        value = field.strip()
        if _LANG.match(value):
            return value
    return None


class _Collect:
    """A sink that keeps each enriched entry as the JSON object `--output -` would print."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def write(self, records: Sequence[BaseModel]) -> None:
        for record in records:
            if isinstance(record, EnrichedEntry):
                self.entries.append(json.loads(record.model_dump_json()))

    def close(self) -> None:
        pass


def replay_entries(
    path: Path,
    *,
    date: str | None,
    tz: str | None,
    language: str | None = None,
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """The enriched entries of one text, as `liveblog replay PATH --output - --no-db` prints
    them; `language` fills in when the sidecar gives none."""
    from connectors.sources.files import FileSource
    from streams.attribution.memory import starting_memory
    from streams.cli.replay import build_meta, raw_items
    from streams.core.clock import system_clock
    from streams.core.settings import Settings
    from streams.runtime.embedded.runner import EmbeddedRunner

    settings = settings or Settings()
    meta = build_meta(path, blog=None, date=date, tz=tz, order=None)
    if meta.language is None and language:
        meta = dataclasses.replace(meta, language=language)
    source = FileSource(
        path,
        meta,
        max_bytes=settings.max_file_bytes,
        max_entry_chars=settings.max_entry_chars,
        fetched_at=system_clock(),
    )
    blocks = source.blocks()
    memory = starting_memory(settings.speakers_file, limit=settings.max_speakers)
    sink = _Collect()
    runner = EmbeddedRunner([sink], memory=memory, min_confidence=settings.min_confidence)
    try:
        for item in raw_items(source, blocks):
            runner.handle(item)
        runner.flush()
    finally:
        runner.close()
    return sink.entries


def _score_one(gold_path: Path, text_dir: Path, settings: Settings | None) -> BlogScore:
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{gold_path}: cannot read gold: {exc}") from exc
    if not isinstance(gold, dict) or not isinstance(gold.get("entries"), list):
        raise ConfigError(f"{gold_path}: not a gold file (no entries)")
    text = text_dir / str(gold.get("blog") or f"{gold_path.stem}.txt")
    language = header_language(text)
    error = None
    try:
        entries = replay_entries(
            text,
            date=str(gold["date"]) if gold.get("date") else None,
            tz=str(gold["timezone"]) if gold.get("timezone") else None,
            language=language,
            settings=settings,
        )
    except LiveblogError as exc:  # scored as an empty output, the reason kept in the row
        entries, error = [], str(exc).strip().splitlines()[0] if str(exc).strip() else "error"
    result = score(gold, entries)
    return BlogScore(
        name=text.stem,
        language=language,
        aligned=result["entries"]["aligned"],
        gold_entries=result["entries"]["gold"],
        quote_f1=None if gold.get("quotes") is None else result["quotes"]["f1"],
        speaker_f1=result["speakers"]["f1"],
        error=error,
    )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def means(rows: Sequence[BlogScore]) -> list[LanguageMean]:
    """Mean quote-speaker F1 and speaker F1 per language (None sorts last)."""
    by_lang: dict[str | None, list[BlogScore]] = {}
    for row in rows:
        by_lang.setdefault(row.language, []).append(row)
    out = []
    for lang in sorted(by_lang, key=lambda x: (x is None, x or "")):
        group = by_lang[lang]
        quote = _mean([r.quote_f1 for r in group if r.quote_f1 is not None])
        speaker = _mean([r.speaker_f1 for r in group])
        out.append(LanguageMean(lang, len(group), quote, speaker if speaker is not None else 0.0))
    return out


def evaluate_set(
    directory: Path, settings: Settings | None = None
) -> tuple[list[BlogScore], list[LanguageMean]]:
    """Every gold file of `directory/gold` replayed from `directory/text` and scored."""
    gold_dir = directory / "gold"
    if not gold_dir.is_dir():
        raise ConfigError(f"{directory}: no gold/ folder (expected gold/*.json and text/)")
    rows = [_score_one(g, directory / "text", settings) for g in sorted(gold_dir.glob("*.json"))]
    return rows, means(rows)


def to_json(rows: Sequence[BlogScore], mean_rows: Sequence[LanguageMean]) -> dict[str, Any]:
    return {
        "rows": [dataclasses.asdict(r) for r in rows],
        "means": [dataclasses.asdict(m) for m in mean_rows],
    }
