"""The PostgreSQL sink: the same tables, idempotency and version rule as the SQLite sink.

Rows come from `connectors.sinks.rows` (the mapping both SQL sinks share), so a database written by
either sink holds the same values. Start-up creates the tables and adds any column a newer
release has (under an advisory lock, so several sinks may start at once). A batch is one
transaction: upserts by primary key, so replaying a stream changes nothing; an entry's newer
version replaces the older one and the quotes it no longer has; an older version never
overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import structlog
from pydantic import BaseModel

from connectors.sinks.rows import INDEXES, INTEGER_COLUMNS, REAL_COLUMNS, TABLES, group
from schemas.events import EnrichedEntry
from schemas.exceptions import SinkError

__all__ = ["PostgresSink", "is_postgres_url"]

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

    def __init__(self, conn: asyncpg.Connection, dsn: str) -> None:
        self.conn = conn
        self.dsn = dsn

    @classmethod
    async def connect(cls, dsn: str, *, timeout: float = 30.0) -> PostgresSink:
        """Connect and create or migrate the schema."""
        try:
            conn = await asyncpg.connect(dsn, timeout=timeout, command_timeout=timeout)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            raise SinkError(f"cannot connect to PostgreSQL: {exc}") from exc
        sink = cls(conn, dsn)
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK)
                for table in TABLES:
                    for statement in _ddl(table):
                        await conn.execute(statement)
                for index in INDEXES:
                    await conn.execute(index)
        except asyncpg.PostgresError as exc:
            await conn.close()
            raise SinkError(f"cannot create the PostgreSQL schema: {exc}") from exc
        return sink

    async def write(self, records: Sequence[BaseModel]) -> None:
        """Upsert a batch of records in one transaction."""
        if not records:
            return
        entries = {r.entry_id: r for r in records if isinstance(r, EnrichedEntry)}
        try:
            async with self.conn.transaction():
                stale = await self._stale(entries)
                for entry_id, entry in entries.items():
                    if entry_id not in stale:
                        # a new version replaces the quotes the entry no longer has
                        await self.conn.execute(
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
                    await self.conn.executemany(_upsert(table), rows)
        except (asyncpg.PostgresError, OSError) as exc:
            raise SinkError(f"PostgreSQL write failed: {exc}") from exc

    async def _stale(self, entries: dict[str, EnrichedEntry]) -> set[str]:
        if not entries:
            return set()
        found = await self.conn.fetch(
            "SELECT entry_id, version FROM entries WHERE entry_id = ANY($1::text[])",
            list(entries),
        )
        return {r["entry_id"] for r in found if r["version"] > entries[r["entry_id"]].version}

    async def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {
            table: int(await self.conn.fetchval(f"SELECT COUNT(*) FROM {table}"))
            for table in TABLES
        }

    async def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read rows with a parametrised query ($1, $2, ...)."""
        return [tuple(r) for r in await self.conn.fetch(sql, *params)]

    async def close(self) -> None:
        await self.conn.close()
