"""Opening a SQLite file the one way every store here does: WAL, a 30 s busy timeout, the DDL.

The sink (`connectors.sinks.sqlite`), the feed log (`connectors.sinks.feedlog`) and the
subscription store (`streams.alerts.subscriptions`) share a file in embedded mode, so they open
it with the same settings; a failure is a `SinkError` naming the file and what was opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from schemas.exceptions import SinkError

__all__ = ["open_sqlite"]


def open_sqlite(
    path: str | Path,
    ddl: Iterable[str],
    *,
    what: str,
    synchronous: Literal["NORMAL", "FULL"] | None = None,
    check_same_thread: bool = True,
) -> sqlite3.Connection:
    """A connection to `path` in WAL mode with every statement of `ddl` run in one transaction.

    `what` names the store in the error ("the feed log"); `synchronous="NORMAL"` trades the
    durability of the last transactions on power loss for speed (safe in WAL mode);
    `check_same_thread=False` when the connection is handed to a worker thread.
    """
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=check_same_thread)
        conn.execute("PRAGMA journal_mode=WAL")
        if synchronous is not None:
            conn.execute(f"PRAGMA synchronous={synchronous}")
        with conn:
            for statement in ddl:
                conn.execute(statement)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise SinkError(f"{path}: cannot open {what}: {exc}") from exc
    return conn
