"""The SQLite sink: upserts by id, versions, and a replay twice changing no count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from connectors.sinks.sqlite import SqliteSink
from connectors.sources.files import BlogMeta, FileSource
from streams.runtime.embedded.runner import EmbeddedRunner
from tests.conftest import SEED
from tests.records import entry_version

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _replay(db: Path) -> dict[str, int]:
    source = FileSource(
        SEED, BlogMeta("seed"), max_bytes=10**7, max_entry_chars=10**6, fetched_at=NOW
    )
    EmbeddedRunner([SqliteSink(db)]).run(source)
    sink = SqliteSink(db)
    try:
        return sink.counts()
    finally:
        sink.close()


class TestSqliteSink:
    def test_replay_twice_changes_no_count(self, tmp_path: Path) -> None:
        """Replaying the seed twice into one database leaves every count unchanged."""
        first = _replay(tmp_path / "x.db")
        second = _replay(tmp_path / "x.db")
        assert first == second
        assert first["entries"] == 35
        assert first["quotes"] >= 35
        assert first["speakers"] == 2

    def test_new_version_replaces_quotes(self, tmp_path: Path) -> None:
        """An edited entry replaces the older version and the quotes it no longer has."""
        sink = SqliteSink(tmp_path / "v.db")
        sink.write([entry_version(1, ["a", "b"])])
        sink.write([entry_version(2, ["b", "c"])])
        assert sink.query("SELECT version FROM entries") == [(2,)]
        assert sorted(r[0] for r in sink.query("SELECT text FROM quotes")) == ["b", "c"]

    def test_older_version_never_wins(self, tmp_path: Path) -> None:
        """A late redelivery of version 1 does not overwrite version 2."""
        sink = SqliteSink(tmp_path / "v.db")
        sink.write([entry_version(2, ["new"])])
        sink.write([entry_version(1, ["old"])])
        assert sink.query("SELECT version FROM entries") == [(2,)]
        assert [r[0] for r in sink.query("SELECT text FROM quotes")] == ["new"]

    def test_hostile_text_is_data(self, tmp_path: Path) -> None:
        """Text that looks like SQL is stored as text (queries are parametrised)."""
        sink = SqliteSink(tmp_path / "h.db")
        sink.write([entry_version(1, ["x'); DROP TABLE quotes; --"])])
        assert sink.query("SELECT text FROM quotes") == [("x'); DROP TABLE quotes; --",)]
