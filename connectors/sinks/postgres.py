"""The PostgreSQL sink: the same tables, idempotency and version rule as the SQLite sink.

Rows come from `connectors.sinks.rows` (the mapping both SQL sinks share), so a database written by
either sink holds the same values. Start-up creates the tables and adds any column a newer
release has (under an advisory lock, so several sinks may start at once). A batch is one
transaction: upserts by primary key, so replaying a stream changes nothing; an entry's newer
version replaces the older one and the quotes it no longer has; an older version never
overwrites a newer one.

A lost connection (the server restarted: asyncpg's `InterfaceError` "connection is closed",
`PostgresConnectionError`, `CannotConnectNowError` while it starts, `OSError`, a timeout) fails
the batch with `SinkError` and drops the connection; the next `write` connects afresh. The
consumer sink retries the batch with backoff (`streams.core.retry`), so a restart of PostgreSQL
is ridden out without losing or committing anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg
import structlog
from pydantic import BaseModel

from connectors.sinks.rows import INDEXES, INTEGER_COLUMNS, REAL_COLUMNS, TABLES, group
from schemas.events import EnrichedEntry
from schemas.exceptions import SinkError

__all__ = ["PostgresSink", "is_postgres_url"]

#: what a lost or refused connection raises: worth a fresh connection and a retry
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    OSError,
    TimeoutError,
)

log = structlog.get_logger(__name__)

#: advisory lock key serialising schema changes of concurrent sinks ("liveblog" in hex-ish)
_SCHEMA_LOCK = 0x11FEB106


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def _type(col: str) -> str:
    return (
        "BIGINT"
        if col in INTEGER_COLUMNS
        else "DOUBLE PRECISION"
        if col in REAL_COLUMNS
        else "TEXT"
    )


def _cast(col: str, value: Any) -> Any:
    if value is None:
        return None
    if col in INTEGER_COLUMNS:
        return int(value)
    if col in REAL_COLUMNS:
        return float(value)
    return str(value)


def _ddl(table: str) -> list[str]:
    cols, key = TABLES[table]
    defs = ", ".join(f"{col} {_type(col)}" for col in cols)
    out = [f"CREATE TABLE IF NOT EXISTS {table} ({defs}, PRIMARY KEY ({', '.join(key)}))"]
    out.extend(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {col} {_type(col)}" for col in cols)
    return out


def _upsert(table: str) -> str:
    cols, key = TABLES[table]
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c not in key)
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )
    if table == "entries":
        sql += " WHERE entries.version <= EXCLUDED.version"
    return sql


class PostgresSink:
    """Writes records into PostgreSQL in batches, one transaction per batch."""

    def __init__(self, conn: asyncpg.Connection | None, dsn: str, *, timeout: float = 30.0) -> None:
        self.conn = conn
        self.dsn = dsn
        self.timeout = timeout
        self.reconnects = 0

    @classmethod
    async def connect(cls, dsn: str, *, timeout: float = 30.0) -> PostgresSink:
        """Connect and create or migrate the schema."""
        sink = cls(None, dsn, timeout=timeout)
        await sink._open()
        return sink

    async def _open(self) -> asyncpg.Connection:
        try:
            conn = await asyncpg.connect(
                self.dsn, timeout=self.timeout, command_timeout=self.timeout
            )
        except (*_CONNECTION_ERRORS, asyncpg.PostgresError) as exc:
            raise SinkError(f"cannot connect to PostgreSQL: {_one_line(exc)}") from exc
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK)
                for table in TABLES:
                    for statement in _ddl(table):
                        await conn.execute(statement)
                for index in INDEXES:
                    await conn.execute(index)
        except (*_CONNECTION_ERRORS, asyncpg.PostgresError) as exc:
            conn.terminate()
            raise SinkError(f"cannot create the PostgreSQL schema: {_one_line(exc)}") from exc
        self.conn = conn
        return conn

    async def _connection(self) -> asyncpg.Connection:
        if self.conn is not None and not self.conn.is_closed():
            return self.conn
        self.conn = None
        self.reconnects += 1
        log.info("reconnecting to PostgreSQL", attempt=self.reconnects)
        return await self._open()

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.terminate()
            self.conn = None

    async def write(self, records: Sequence[BaseModel]) -> None:
        """Upsert a batch of records in one transaction."""
        if not records:
            return
        entries = {r.entry_id: r for r in records if isinstance(r, EnrichedEntry)}
        conn = await self._connection()
        try:
            async with conn.transaction():
                stale = await self._stale(conn, entries)
                for entry_id, entry in entries.items():
                    if entry_id not in stale:
                        # a new version replaces the quotes the entry no longer has
                        await conn.execute(
                            "DELETE FROM quotes WHERE entry_id = $1 "
                            "AND NOT (quote_id = ANY($2::text[]))",
                            entry_id,
                            [q.quote_id for q in entry.quotes],
                        )
                fresh = [
                    r for r in records if not (isinstance(r, EnrichedEntry) and r.entry_id in stale)
                ]
                for table, values in group(fresh).items():
                    cols = TABLES[table][0]
                    rows = [
                        tuple(_cast(c, v) for c, v in zip(cols, row, strict=True)) for row in values
                    ]
                    await conn.executemany(_upsert(table), rows)
        except _CONNECTION_ERRORS as exc:
            self._drop()
            raise SinkError(f"PostgreSQL connection lost: {_one_line(exc)}") from exc
        except asyncpg.PostgresError as exc:
            raise SinkError(f"PostgreSQL write failed: {_one_line(exc)}") from exc

    async def _stale(self, conn: asyncpg.Connection, entries: dict[str, EnrichedEntry]) -> set[str]:
        if not entries:
            return set()
        found = await conn.fetch(
            "SELECT entry_id, version FROM entries WHERE entry_id = ANY($1::text[])",
            list(entries),
        )
        return {r["entry_id"] for r in found if r["version"] > entries[r["entry_id"]].version}

    async def counts(self) -> dict[str, int]:
        """Rows per table."""
        conn = await self._connection()
        return {
            table: int(await conn.fetchval(f"SELECT COUNT(*) FROM {table}")) for table in TABLES
        }

    async def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read rows with a parametrised query ($1, $2, ...)."""
        conn = await self._connection()
        return [tuple(r) for r in await conn.fetch(sql, *params)]

    async def close(self) -> None:
        if self.conn is not None and not self.conn.is_closed():
            try:
                await asyncio.wait_for(self.conn.close(), self.timeout)
            except (*_CONNECTION_ERRORS, asyncpg.PostgresError):
                self.conn.terminate()
        self.conn = None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]
