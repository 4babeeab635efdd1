"""Event models as table rows: one mapping shared by every SQL sink (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from schemas.events import Alert, DeadLetter, EnrichedEntry, Quote, Speaker, Subscription

__all__ = ["INDEXES", "INTEGER_COLUMNS", "REAL_COLUMNS", "TABLES", "Row", "group", "rows"]

#: table -> (columns, primary key columns); column types are chosen by each sink's DDL
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "entries": (
        (
            "entry_id",
            "blog_id",
            "seq",
            "version",
            "published_at",
            "printed_time",
            "headline",
            "body",
            "speakers",
            "entities",
            "keywords",
            "source",
            "language",
            "data",
        ),
        ("entry_id",),
    ),
    "quotes": (
        (
            "quote_id",
            "entry_id",
            "blog_id",
            "published_at",
            "text",
            "speaker_id",
            "speaker_name",
            "kind",
            "confidence",
            "method",
            "version",
        ),
        ("quote_id",),
    ),
    "speakers": (
        ("blog_id", "id", "name", "aliases", "roles", "descriptors", "gender", "quote_count"),
        ("blog_id", "id"),
    ),
    "alerts": (
        (
            "alert_id",
            "subscription_id",
            "blog_id",
            "entry_id",
            "quote_id",
            "speaker_id",
            "speaker_name",
            "text",
            "matches",
            "published_at",
            "created_at",
            "digest_count",
            "data",
        ),
        ("alert_id",),
    ),
    "dead_letters": (
        (
            "dead_letter_id",
            "stage",
            "reason",
            "payload",
            "payload_size",
            "truncated",
            "blog_id",
            "created_at",
        ),
        ("dead_letter_id",),
    ),
    "subscriptions": (("id", "filter", "notify", "created_at"), ("id",)),
}

#: column types: integer and real columns; every other column is text
INTEGER_COLUMNS = frozenset(
    {"seq", "version", "quote_count", "payload_size", "truncated", "digest_count"}
)
REAL_COLUMNS = frozenset({"confidence"})
#: the same indexes in every SQL sink
INDEXES = (
    "CREATE INDEX IF NOT EXISTS quotes_entry ON quotes(entry_id)",
    "CREATE INDEX IF NOT EXISTS quotes_speaker ON quotes(blog_id, speaker_id)",
    "CREATE INDEX IF NOT EXISTS quotes_published ON quotes(published_at)",
    "CREATE INDEX IF NOT EXISTS entries_blog ON entries(blog_id, published_at)",
    "CREATE INDEX IF NOT EXISTS alerts_sub ON alerts(subscription_id, created_at)",
)

Row = tuple[str, tuple[Any, ...]]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def rows(record: BaseModel) -> Iterator[Row]:
    """The (table, values) rows one record writes; an entry writes its quotes too."""
    if isinstance(record, EnrichedEntry):
        yield (
            "entries",
            (
                record.entry_id,
                record.blog_id,
                record.seq,
                record.version,
                _iso(record.published_at),
                record.printed_time,
                record.headline,
                record.body,
                _json([s.model_dump() for s in record.speakers]),
                _json([e.model_dump() for e in record.entities]),
                _json(list(record.keywords)),
                record.source,
                record.language,
                record.model_dump_json(),
            ),
        )
        for quote in record.quotes:
            yield from _quote(quote, record.version)
    elif isinstance(record, Quote):
        yield from _quote(record, 1)
    elif isinstance(record, Speaker):
        yield (
            "speakers",
            (
                record.blog_id,
                record.id,
                record.name,
                _json(list(record.aliases)),
                _json(list(record.roles)),
                _json(list(record.descriptors)),
                record.gender,
                record.quote_count,
            ),
        )
    elif isinstance(record, Alert):
        yield (
            "alerts",
            (
                record.alert_id,
                record.subscription_id,
                record.blog_id,
                record.entry_id,
                record.quote_id,
                record.speaker.id if record.speaker else None,
                record.speaker.name if record.speaker else None,
                record.text,
                _json([m.model_dump() for m in record.matches]),
                _iso(record.published_at),
                _iso(record.created_at),
                record.digest_count,
                record.model_dump_json(),
            ),
        )
    elif isinstance(record, DeadLetter):
        yield (
            "dead_letters",
            (
                record.dead_letter_id,
                record.stage,
                record.reason,
                record.payload,
                record.payload_size,
                record.truncated,
                record.blog_id,
                _iso(record.created_at),
            ),
        )
    elif isinstance(record, Subscription):
        yield (
            "subscriptions",
            (record.id, record.filter, _json(list(record.notify)), _iso(record.created_at)),
        )


def _quote(quote: Quote, version: int) -> Iterator[Row]:
    yield (
        "quotes",
        (
            quote.quote_id,
            quote.entry_id,
            quote.blog_id,
            _iso(quote.published_at),
            quote.text,
            quote.speaker.id if quote.speaker else None,
            quote.speaker.name if quote.speaker else None,
            quote.kind,
            quote.confidence,
            quote.method,
            version,
        ),
    )


def group(records: Sequence[BaseModel]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of many records grouped by table, the last write of a key winning."""
    out: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    for record in records:
        for table, values in rows(record):
            cols, key = TABLES[table]
            pk = tuple(values[cols.index(k)] for k in key)
            out.setdefault(table, {})[pk] = values
    return {table: list(by_key.values()) for table, by_key in out.items()}
