"""The connector cursor: stable identities, versions, disappearances, persistence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.sources.cursor import (
    CursorFile,
    EntryCursor,
    SqliteCursors,
    identity_of,
    open_cursor_store,
    to_raw_entries,
)
from connectors.sources.http.extract.model import ExtractedEntry
from schemas.exceptions import ConfigError

T = datetime(2025, 6, 18, 12, 0, tzinfo=UTC)


def _entry(text: str, block_id: str | None = None, minute: int = 0) -> ExtractedEntry:
    return ExtractedEntry(
        body_html=f"<p>{text}</p>", text=text, block_id=block_id, time=T.replace(minute=minute)
    )


class TestEntryCursor:
    def test_new_unchanged_changed_disappeared(self) -> None:
        """New entries are version 1, repeats are nothing, edits are version 2, missing entries
        are reported once and never deleted."""
        cursor = EntryCursor()
        first = cursor.diff([_entry("a", "1"), _entry("b", "2")])
        assert [(c.kind, c.version) for c in first.changes] == [("new", 1), ("new", 1)]
        assert cursor.diff([_entry("a", "1"), _entry("b", "2")]).changes == ()
        edited = cursor.diff([_entry("a!", "1"), _entry("b", "2")])
        assert [(c.identity, c.version) for c in edited.changes] == [("id:1", 2)]
        gone = cursor.diff([_entry("b", "2")])
        assert gone.disappeared == ("id:1",) and gone.changes == ()
        assert cursor.diff([_entry("b", "2")]).disappeared == ()
        back = cursor.diff([_entry("a!", "1"), _entry("b", "2")])
        assert back.changes == () and "id:1" in cursor.records

    def test_idless_edit_keeps_identity(self) -> None:
        """An entry without a block id, edited in place, is the same entry in version 2."""
        cursor = EntryCursor()
        cursor.diff([_entry("The mayor spoke at the town hall about flooding.", minute=5)])
        edit = cursor.diff(
            [_entry("The mayor spoke at the town hall about the flooding.", minute=5)]
        )
        assert [(c.kind, c.version) for c in edit.changes] == [("changed", 2)]
        assert edit.disappeared == ()

    def test_idless_identity_is_time_and_text(self) -> None:
        """Without a block id the identity is the time plus a hash of the text."""
        assert identity_of(_entry("x", minute=1)) != identity_of(_entry("y", minute=1))
        assert identity_of(_entry("x", minute=1)) != identity_of(_entry("x", minute=2))
        assert identity_of(_entry("x", "b7")) == "id:b7"

    def test_partial_sources_report_no_disappearance(self) -> None:
        """A push (not the whole source) never marks other entries as gone."""
        cursor = EntryCursor()
        cursor.diff([_entry("a", "1")], complete=False)
        assert cursor.diff([_entry("b", "2")], complete=False).disappeared == ()

    def test_snapshot_resume(self, tmp_path: Path) -> None:
        """A cursor saved to its file and resumed re-emits nothing and continues the seq."""
        cursor = EntryCursor()
        raws = to_raw_entries(
            cursor.diff([_entry("a", "1"), _entry("b", "2")]), cursor, blog_id="b",
            source="t", fetched_at=T,
        )  # fmt: skip
        store = CursorFile(tmp_path / "c.json")
        store.save("k", cursor.snapshot())
        again = EntryCursor()
        again.resume(CursorFile(tmp_path / "c.json").load("k"))
        assert again.diff([_entry("a", "1"), _entry("b", "2")]).changes == ()
        assert again.next_seq() == len(raws) == 2
        assert raws[0].hints.block_id == "1" and raws[0].content_type == "html"
        assert raws[0].hints.timezone == "+00:00"

    def test_bounded(self) -> None:
        """Gone entries beyond the bound are forgotten, oldest first."""
        cursor = EntryCursor(max_entries=3)
        for i in range(5):
            cursor.diff([_entry(str(i), str(i))])
        assert len(cursor.records) == 3

    @pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
    def test_broken_file(self, content: str, tmp_path: Path) -> None:
        """A damaged cursor file is a clear ConfigError, not a silent re-emit of everything."""
        path = tmp_path / "c.json"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ConfigError):
            CursorFile(path)


class TestSqliteCursors:
    def test_round_trip_and_resume(self, tmp_path: Path) -> None:
        """A cursor saved to the SQLite store and resumed from a new one re-emits nothing."""
        cursor = EntryCursor()
        cursor.diff([_entry("a", "1")])
        store = open_cursor_store(tmp_path / "cursors.db")
        assert isinstance(store, SqliteCursors)
        store.save("k", cursor.snapshot())
        store.save("k", cursor.snapshot())  # an upsert, one row
        assert store.keys() == ["k"]
        store.close()
        again = SqliteCursors(tmp_path / "cursors.db")
        resumed = EntryCursor()
        resumed.resume(again.load("k"))
        assert resumed.diff([_entry("a", "1")]).changes == ()
        assert again.load("missing") is None
        again.close()

    def test_one_connector_per_store(self, tmp_path: Path) -> None:
        """A second connector on a store in use is refused with a one-line error."""
        first = SqliteCursors(tmp_path / "cursors.db")
        with pytest.raises(ConfigError, match="another connector is using this cursor store"):
            SqliteCursors(tmp_path / "cursors.db")
        first.close()
        SqliteCursors(tmp_path / "cursors.db").close()

    def test_a_legacy_json_file_is_moved_in(self, tmp_path: Path) -> None:
        """The cursors of `x.json` beside a new `x.db` are imported once; the file is kept aside."""
        legacy = CursorFile(tmp_path / "http.json")
        legacy.save("http:storm:u", {"cursor": {"version": 1, "seq": 3, "records": {}}})
        store = open_cursor_store(tmp_path / "http.db")
        assert store.load("http:storm:u") == {"cursor": {"version": 1, "seq": 3, "records": {}}}
        assert not (tmp_path / "http.json").exists()
        assert (tmp_path / "http.json.imported").exists()
        assert isinstance(store, SqliteCursors)
        store.close()

    def test_a_json_path_keeps_the_json_format(self, tmp_path: Path) -> None:
        """`--state x.json` still reads and writes the one-file JSON format."""
        assert isinstance(open_cursor_store(tmp_path / "c.json"), CursorFile)
