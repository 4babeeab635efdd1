"""The feed log: entries, quotes and alerts in the order they were produced, with a sequence number.

The real-time feeds (SSE, WebSocket) read it: the sequence number is the event id, so a client
that reconnects with `Last-Event-ID: N` gets every event after N from storage, then the live
ones. A quote is logged once (a newer version of its entry does not send it again); an entry
once per version (ref id `ENTRY_ID@VERSION`); a failed delivery as a `delivery` event. `FeedSink`
is the sink that writes it in the embedded runner; in Kafka mode the feed agent does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from schemas.events import Alert, DeadLetter, EnrichedEntry, Quote
from schemas.exceptions import SinkError
from streams.alerts.directory import SpeakerDirectory
from streams.core.sqlite import open_sqlite

__all__ = ["FeedEvent", "FeedKind", "FeedLog", "FeedRow", "FeedSink", "delivery_row", "entry_row"]

FeedKind = Literal["quote", "alert", "entry", "delivery"]

_DDL = (
    "CREATE TABLE IF NOT EXISTS feed_events ("
    "seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, ref_id TEXT NOT NULL, "
    "blog_id TEXT, names TEXT, language TEXT, data TEXT NOT NULL, UNIQUE (kind, ref_id))"
)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One logged event: its sequence number (the event id), kind and record."""

    seq: int
    kind: FeedKind
    data: dict[str, Any]
    names: frozenset[str]
    language: str | None

    def json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))


class FeedLog:
    """The `feed_events` table of a SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.conn = open_sqlite(self.path, [_DDL], what="the feed log", check_same_thread=False)

    def append(
        self, rows: Sequence[tuple[FeedKind, str, str, frozenset[str], str | None, str]]
    ) -> int:
        """Log (kind, ref id, blog id, speaker names, language, JSON) rows; returns the last seq."""
        try:
            with self.conn:
                self.conn.executemany(
                    "INSERT OR IGNORE INTO feed_events (kind, ref_id, blog_id, names, language, "
                    "data) VALUES (?,?,?,?,?,?)",
                    [(k, r, b, json.dumps(sorted(n)), lang, d) for k, r, b, n, lang, d in rows],
                )
        except sqlite3.Error as exc:
            raise SinkError(f"{self.path}: cannot write the feed log: {exc}") from exc
        return self.last_seq()

    def last_seq(self) -> int:
        row = self.conn.execute("SELECT MAX(seq) FROM feed_events").fetchone()
        return int(row[0] or 0)

    def after(self, kind: FeedKind, seq: int, limit: int = 500) -> list[FeedEvent]:
        """Events of `kind` with a sequence number above `seq`, oldest first."""
        rows = self.conn.execute(
            "SELECT seq, kind, data, names, language FROM feed_events "
            "WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?",
            (kind, seq, limit),
        )
        return [
            FeedEvent(int(s), k, json.loads(d), frozenset(json.loads(n or "[]")), lang)
            for s, k, d, n, lang in rows
        ]

    def last_of(self, kind: FeedKind, back: int) -> int:
        """The sequence number just before the last `back` events of `kind` (0: from the start)."""
        row = self.conn.execute(
            "SELECT seq FROM feed_events WHERE kind = ? ORDER BY seq DESC LIMIT 1 OFFSET ?",
            (kind, max(back - 1, 0)),
        ).fetchone()
        return max(int(row[0]) - 1, 0) if row else 0

    def refs(self, kind: FeedKind) -> list[str]:
        """The ref ids logged for `kind`."""
        return [
            str(r[0])
            for r in self.conn.execute("SELECT ref_id FROM feed_events WHERE kind = ?", (kind,))
        ]

    def close(self) -> None:
        self.conn.close()


FeedRow = tuple[FeedKind, str, str, frozenset[str], str | None, str]


def entry_row(entry: EnrichedEntry) -> FeedRow:
    """The feed row of one version of an entry."""
    data = entry.model_dump(mode="json", exclude={"schema_version", "event"})
    return (
        "entry",
        f"{entry.entry_id}@{entry.version}",
        entry.blog_id,
        frozenset(),
        entry.language,
        json.dumps(data),
    )


def delivery_row(letter: DeadLetter) -> FeedRow | None:
    """The feed row of a failed delivery (a dead letter of stage `delivery`), else None."""
    if letter.stage != "delivery":
        return None
    try:
        alert = json.loads(letter.payload)
    except (json.JSONDecodeError, TypeError):
        return None
    if not isinstance(alert, dict) or not alert.get("alert_id"):
        return None
    data = {"alert_id": str(alert["alert_id"]), "reason": letter.reason}
    return (
        "delivery",
        letter.dead_letter_id,
        letter.blog_id or "",
        frozenset(),
        None,
        json.dumps(data),
    )


class FeedSink:
    """A sink that logs the quotes of entries (and quotes) and the alerts, then says so."""

    def __init__(
        self,
        log: FeedLog,
        directory: SpeakerDirectory,
        *,
        on_append: Callable[[int], None] | None = None,
    ) -> None:
        self.log = log
        self.directory = directory
        self.on_append = on_append

    def _quote(
        self, quote: Quote, language: str | None
    ) -> tuple[FeedKind, str, str, frozenset[str], str | None, str]:
        names = (
            self.directory.keys(quote.blog_id, quote.speaker)
            if quote.speaker is not None
            else frozenset()
        )
        data = quote.model_dump(mode="json", exclude={"schema_version", "event"})
        data["language"] = language
        return ("quote", quote.quote_id, quote.blog_id, names, language, json.dumps(data))

    def write(self, records: Sequence[BaseModel]) -> None:
        rows: list[tuple[FeedKind, str, str, frozenset[str], str | None, str]] = []
        for record in records:
            if isinstance(record, EnrichedEntry):
                rows.append(entry_row(record))
                rows.extend(self._quote(q, record.language) for q in record.quotes)
            elif isinstance(record, Quote):
                rows.append(self._quote(record, None))
            elif isinstance(record, Alert):
                data = record.model_dump(mode="json", exclude={"schema_version", "event"})
                rows.append(
                    ("alert", record.alert_id, record.blog_id, frozenset(), None, json.dumps(data))
                )
            elif isinstance(record, DeadLetter) and (row := delivery_row(record)) is not None:
                rows.append(row)
        if not rows:
            return
        last = self.log.append(rows)
        if self.on_append is not None:
            self.on_append(last)

    def close(self) -> None:
        """The log stays open: the web feeds keep reading it after a replay ends."""
