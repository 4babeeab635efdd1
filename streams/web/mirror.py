"""`serve` over any store: the sink's tables (SQLite or PostgreSQL) mirrored into the feed log.

Whatever fills the database (an embedded replay, `connect`, `sink` from Kafka) writes entries,
quotes, speakers, alerts and dead letters. The mirror looks at those tables every `interval`
seconds and appends what is new to the feed log: each new version of an entry, its quotes,
each alert and each failed delivery. The feed log's sequence numbers are the event ids of the
feeds, so clients resume with `Last-Event-ID` across reconnects and restarts of `serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import asyncpg
import structlog

from connectors.sinks.feedlog import FeedLog, FeedRow
from connectors.sinks.postgres import is_postgres_url
from streams.alerts.directory import name_keys
from streams.web.notifier import Notifier

__all__ = ["Mirror", "StoreReader", "open_reader"]

log = structlog.get_logger(__name__)

#: entries whose data one query reads at most
_CHUNK = 200


class StoreReader(Protocol):
    """Read-only queries on a sink database; every one is parametrised."""

    where: str

    async def entry_versions(self) -> list[tuple[str, int]]: ...

    async def entries(self, ids: Sequence[str]) -> list[str]: ...

    async def aliases(self) -> dict[tuple[str, str], list[str]]: ...

    async def alert_ids(self) -> list[str]: ...

    async def alerts(self, ids: Sequence[str]) -> list[str]: ...

    async def delivery_failures(self) -> list[tuple[str, str, str | None, str]]: ...

    async def dead_letters(self) -> list[tuple[str | None, int, str | None, str | None]]: ...

    async def close(self) -> None: ...


def _missing_table(exc: Exception) -> bool:
    return "no such table" in str(exc) or "does not exist" in str(exc)


class SqliteReader:
    """A sink's SQLite file, opened read-only (it may not exist yet)."""

    def __init__(self, path: str) -> None:
        self.where = path
        self.path = path
        self.conn: sqlite3.Connection | None = None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.conn is None:
            self.conn = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
        try:
            return list(self.conn.execute(sql, tuple(params)))
        except sqlite3.OperationalError as exc:
            if _missing_table(exc):
                return []
            raise

    async def entry_versions(self) -> list[tuple[str, int]]:
        return [
            (str(e), int(v or 1)) for e, v in self._rows("SELECT entry_id, version FROM entries")
        ]

    async def entries(self, ids: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(ids))
        return [
            str(r[0])
            for r in self._rows(f"SELECT data FROM entries WHERE entry_id IN ({marks})", ids)
        ]

    async def aliases(self) -> dict[tuple[str, str], list[str]]:
        rows = self._rows("SELECT blog_id, id, aliases FROM speakers")
        return {(str(b), str(i)): json.loads(a or "[]") for b, i, a in rows}

    async def alert_ids(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT alert_id FROM alerts")]

    async def alerts(self, ids: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(ids))
        return [
            str(r[0])
            for r in self._rows(f"SELECT data FROM alerts WHERE alert_id IN ({marks})", ids)
        ]

    async def delivery_failures(self) -> list[tuple[str, str, str | None, str]]:
        rows = self._rows(
            "SELECT dead_letter_id, reason, blog_id, payload FROM dead_letters WHERE stage = ?",
            ("delivery",),
        )
        return [(str(i), str(r), b, str(p)) for i, r, b, p in rows]

    async def dead_letters(self) -> list[tuple[str | None, int, str | None, str | None]]:
        rows = self._rows(
            "SELECT blog_id, COUNT(*), MAX(created_at), "
            "(SELECT d2.reason FROM dead_letters d2 WHERE d2.blog_id IS d.blog_id "
            "ORDER BY d2.created_at DESC LIMIT 1) FROM dead_letters d GROUP BY blog_id"
        )
        return [(b, int(n), t, r) for b, n, t, r in rows]

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class PostgresReader:
    """A sink's PostgreSQL database, through one asyncpg connection opened on first use."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.where = "postgresql"
        self.conn: Any = None

    async def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.conn is None or self.conn.is_closed():
            self.conn = await asyncpg.connect(self.dsn, timeout=10)
        try:
            return [tuple(r) for r in await self.conn.fetch(sql, *params)]
        except asyncpg.UndefinedTableError:
            return []

    async def entry_versions(self) -> list[tuple[str, int]]:
        rows = await self._rows("SELECT entry_id, version FROM entries")
        return [(str(e), int(v or 1)) for e, v in rows]

    async def entries(self, ids: Sequence[str]) -> list[str]:
        rows = await self._rows("SELECT data FROM entries WHERE entry_id = ANY($1)", list(ids))
        return [str(r[0]) for r in rows]

    async def aliases(self) -> dict[tuple[str, str], list[str]]:
        rows = await self._rows("SELECT blog_id, id, aliases FROM speakers")
        return {(str(b), str(i)): json.loads(a or "[]") for b, i, a in rows}

    async def alert_ids(self) -> list[str]:
        return [str(r[0]) for r in await self._rows("SELECT alert_id FROM alerts")]

    async def alerts(self, ids: Sequence[str]) -> list[str]:
        rows = await self._rows("SELECT data FROM alerts WHERE alert_id = ANY($1)", list(ids))
        return [str(r[0]) for r in rows]

    async def delivery_failures(self) -> list[tuple[str, str, str | None, str]]:
        rows = await self._rows(
            "SELECT dead_letter_id, reason, blog_id, payload FROM dead_letters WHERE stage = $1",
            "delivery",
        )
        return [(str(i), str(r), b, str(p)) for i, r, b, p in rows]

    async def dead_letters(self) -> list[tuple[str | None, int, str | None, str | None]]:
        rows = await self._rows(
            "SELECT blog_id, COUNT(*), MAX(created_at), "
            "(SELECT d2.reason FROM dead_letters d2 WHERE d2.blog_id IS NOT DISTINCT FROM "
            "d.blog_id ORDER BY d2.created_at DESC LIMIT 1) FROM dead_letters d GROUP BY blog_id"
        )
        return [(b, int(n), t, r) for b, n, t, r in rows]

    async def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await self.conn.close()
            self.conn = None


def open_reader(db: str) -> StoreReader:
    """The reader of a SQLite path or a postgresql:// URL."""
    if is_postgres_url(db):
        return PostgresReader(db)
    return SqliteReader(db)


@dataclass
class Mirror:
    """Appends what is new in the store to the feed log; `ready` once a look succeeded."""

    reader: StoreReader
    feed: FeedLog
    notifier: Notifier
    interval: float = 0.5
    ready: bool = False
    error: str | None = None
    errors_by_blog: dict[str, tuple[int, str | None, str | None]] = field(default_factory=dict)
    _versions: dict[str, int] = field(default_factory=dict)
    _alerts: set[str] = field(default_factory=set)
    _failures: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for ref in self.feed.refs("entry"):
            eid, _, version = ref.rpartition("@")
            if version.isdigit():
                self._versions[eid] = max(self._versions.get(eid, 0), int(version))
        self._alerts.update(self.feed.refs("alert"))
        self._failures.update(self.feed.refs("delivery"))

    async def sync(self) -> int:
        """One look at the store; returns the number of rows appended to the feed log."""
        rows: list[FeedRow] = []
        current = await self.reader.entry_versions()
        fresh = [eid for eid, v in current if self._versions.get(eid, 0) < v]
        if fresh:
            aliases = await self.reader.aliases()
            entries: list[dict[str, Any]] = []
            for start in range(0, len(fresh), _CHUNK):
                for data in await self.reader.entries(fresh[start : start + _CHUNK]):
                    with contextlib.suppress(json.JSONDecodeError):
                        entries.append(json.loads(data))
            entries.sort(key=_entry_order)
            for entry in entries:
                rows.extend(_entry_rows(entry, aliases))
                self._versions[str(entry["entry_id"])] = int(entry.get("version") or 1)
        new_alerts = [a for a in await self.reader.alert_ids() if a not in self._alerts]
        if new_alerts:
            found = [json.loads(d) for d in await self.reader.alerts(new_alerts)]
            found.sort(key=lambda a: (str(a.get("created_at") or ""), str(a.get("alert_id"))))
            for alert in found:
                alert.pop("schema_version", None)
                alert.pop("event", None)
                aid = str(alert["alert_id"])
                rows.append(
                    (
                        "alert",
                        aid,
                        str(alert.get("blog_id") or ""),
                        frozenset(),
                        None,
                        json.dumps(alert),
                    )
                )
            self._alerts.update(new_alerts)
        for lid, reason, blog, payload in await self.reader.delivery_failures():
            if lid in self._failures:
                continue
            self._failures.add(lid)
            with contextlib.suppress(json.JSONDecodeError, TypeError, AttributeError):
                alert_id = json.loads(payload).get("alert_id")
                if alert_id:
                    data = json.dumps({"alert_id": str(alert_id), "reason": reason})
                    rows.append(("delivery", lid, blog or "", frozenset(), None, data))
        self.errors_by_blog = {
            b or "": (n, t, r) for b, n, t, r in await self.reader.dead_letters()
        }
        if rows:
            self.notifier.bump(self.feed.append(rows))
        return len(rows)

    async def run(self) -> None:
        """Look at the store forever; an unreachable store is retried, never fatal."""
        failures = 0
        while True:
            try:
                await self.sync()
            except (
                OSError,
                sqlite3.Error,
                asyncpg.PostgresError,
                asyncpg.InterfaceError,
                TimeoutError,
                ValueError,  # a row whose JSON does not parse: said, then looked at again
                KeyError,
            ) as exc:
                failures += 1
                self.ready = False
                self.error = f"{self.reader.where}: {exc}"
                if failures == 1 or failures % 60 == 0:
                    log.warning("store not readable", store=self.reader.where, reason=str(exc))
                await self.reader.close()
            else:
                if not self.ready:
                    log.info("store mirrored", store=self.reader.where, last=self.feed.last_seq())
                failures = 0
                self.ready = True
                self.error = None
            await asyncio.sleep(self.interval)


def _entry_order(entry: dict[str, Any]) -> tuple[str, int]:
    when = str(entry.get("published_at") or "")
    with contextlib.suppress(ValueError):
        when = datetime.fromisoformat(when).isoformat() if when else ""
    return when, int(entry.get("seq") or 0)


def _entry_rows(entry: dict[str, Any], aliases: dict[tuple[str, str], list[str]]) -> list[FeedRow]:
    blog = str(entry.get("blog_id") or "")
    language = entry.get("language")
    entry.pop("schema_version", None)
    entry.pop("event", None)
    eid = str(entry["entry_id"])
    version = int(entry.get("version") or 1)
    rows: list[FeedRow] = [
        ("entry", f"{eid}@{version}", blog, frozenset(), language, json.dumps(entry))
    ]
    for quote in entry.get("quotes") or []:
        if not isinstance(quote, dict) or not quote.get("quote_id"):
            continue
        quote = {k: v for k, v in quote.items() if k not in ("schema_version", "event")}
        quote["language"] = language
        speaker = quote.get("speaker") or None
        names: frozenset[str] = frozenset()
        if isinstance(speaker, dict) and speaker.get("id"):
            known = aliases.get((blog, str(speaker["id"])), [])
            names = name_keys([*known, str(speaker.get("name") or ""), str(speaker["id"])])
        rows.append(("quote", str(quote["quote_id"]), blog, names, language, json.dumps(quote)))
    return rows
