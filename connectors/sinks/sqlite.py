"""The SQLite sink: entries, quotes, speakers, alerts and dead letters, upserted by id.

Replaying the same stream twice changes no count; an entry's newer version replaces the older one
and the quotes it no longer has; an older version never overwrites a newer one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog
from pydantic import BaseModel

from connectors.sinks.rows import INDEXES, INTEGER_COLUMNS, REAL_COLUMNS, TABLES, group
from schemas.events import EnrichedEntry
from schemas.exceptions import SinkError
from streams.core.sqlite import open_sqlite

__all__ = ["SqliteSink"]

log = structlog.get_logger(__name__)


def _ddl(table: str) -> str:
    cols, key = TABLES[table]
    defs = []
    for col in cols:
        kind = "INTEGER" if col in INTEGER_COLUMNS else "REAL" if col in REAL_COLUMNS else "TEXT"
        defs.append(f"{col} {kind}")
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(defs)}, PRIMARY KEY ({', '.join(key)}))"


class SqliteSink:
    """Writes records into a SQLite file in batches, one transaction per batch."""

    def __init__(self, path: str | Path, *, threaded: bool = False) -> None:
        """`threaded`: the writes run on a worker thread (one at a time), not the opener's."""
        self.path = str(path)
        self.conn = open_sqlite(
            self.path,
            [*(_ddl(table) for table in TABLES), *INDEXES],
            what="SQLite database",
            synchronous="NORMAL",
            check_same_thread=not threaded,
        )

    def write(self, records: Sequence[BaseModel]) -> None:
        """Upsert a batch of records in one transaction."""
        if not records:
            return
        entries = {r.entry_id: r for r in records if isinstance(r, EnrichedEntry)}
        try:
            with self.conn:
                stale = self._stale(entries)
                for entry_id, entry in entries.items():
                    if entry_id in stale:
                        continue
                    # a new version replaces the quotes the entry no longer has
                    keep = [q.quote_id for q in entry.quotes]
                    marks = ",".join("?" * len(keep))
                    sql = "DELETE FROM quotes WHERE entry_id = ?"
                    if keep:
                        sql += f" AND quote_id NOT IN ({marks})"
                    self.conn.execute(sql, (entry_id, *keep))
                fresh = [
                    r for r in records if not (isinstance(r, EnrichedEntry) and r.entry_id in stale)
                ]
                for table, values in group(fresh).items():
                    cols, key = TABLES[table]
                    updates = ", ".join(f"{c}=excluded.{c}" for c in cols if c not in key)
                    sql = (
                        f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                        f"({', '.join('?' * len(cols))}) ON CONFLICT ({', '.join(key)}) "
                        f"DO UPDATE SET {updates}"
                    )
                    self.conn.executemany(sql, values)
        except sqlite3.Error as exc:
            raise SinkError(f"{self.path}: write failed: {exc}") from exc

    def _stale(self, entries: dict[str, EnrichedEntry]) -> set[str]:
        if not entries:
            return set()
        ids = list(entries)
        marks = ",".join("?" * len(ids))
        cur = self.conn.execute(
            f"SELECT entry_id, version FROM entries WHERE entry_id IN ({marks})", ids
        )
        return {eid for eid, version in cur if version > entries[eid].version}

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {
            table: int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in TABLES
        }

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read rows with a parametrised query."""
        return list(self.conn.execute(sql, params))

    def close(self) -> None:
        self.conn.close()
