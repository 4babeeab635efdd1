"""`open_sqlite`: the one way the stores open a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.exceptions import SinkError
from streams.core.sqlite import open_sqlite

DDL = "CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY)"


class TestOpenSqlite:
    def test_wal_and_ddl(self, tmp_path: Path) -> None:
        """The file is in WAL mode and the DDL has run."""
        conn = open_sqlite(tmp_path / "x.db", [DDL], what="the test store")
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            assert tables.fetchall() == [("t",)]
        finally:
            conn.close()

    def test_synchronous_is_set_when_asked(self, tmp_path: Path) -> None:
        """`synchronous="NORMAL"` is applied (1); the default stays FULL (2)."""
        fast = open_sqlite(tmp_path / "a.db", [DDL], what="a", synchronous="NORMAL")
        safe = open_sqlite(tmp_path / "b.db", [DDL], what="b")
        try:
            assert fast.execute("PRAGMA synchronous").fetchone()[0] == 1
            assert safe.execute("PRAGMA synchronous").fetchone()[0] == 2
        finally:
            fast.close()
            safe.close()

    def test_failure_is_a_sink_error_naming_the_store(self, tmp_path: Path) -> None:
        """A file that cannot be opened is a `SinkError` with the path and the store's name."""
        with pytest.raises(SinkError, match="cannot open the test store"):
            open_sqlite(tmp_path / "missing" / "x.db", [DDL], what="the test store")

    def test_bad_ddl_is_a_sink_error(self, tmp_path: Path) -> None:
        """DDL that fails is reported the same way."""
        with pytest.raises(SinkError, match="cannot open the test store"):
            open_sqlite(tmp_path / "x.db", ["CREATE TABLE ("], what="the test store")
