"""The file source: clear errors for bad files, blocks oldest first for good ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.sources.files import BlogMeta, FileSource, decode_bytes, load_sidecar
from schemas.exceptions import (
    ConfigError,
    DecodeError,
    NoEntriesError,
    PayloadTooLarge,
    SourceError,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _source(path: Path, max_bytes: int = 1_000_000) -> FileSource:
    return FileSource(
        path, BlogMeta("b"), max_bytes=max_bytes, max_entry_chars=100_000, fetched_at=NOW
    )


class TestErrors:
    def test_missing(self, tmp_path: Path) -> None:
        """A missing file is a source error naming it."""
        with pytest.raises(SourceError, match="no such file"):
            _source(tmp_path / "nope.txt").blocks()

    def test_empty(self, tmp_path: Path) -> None:
        """An empty file says so."""
        path = tmp_path / "empty.txt"
        path.write_bytes(b"  \n")
        with pytest.raises(NoEntriesError, match="empty"):
            _source(path).blocks()

    def test_binary(self, tmp_path: Path) -> None:
        """A binary file is refused as binary."""
        path = tmp_path / "image.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
        with pytest.raises(DecodeError, match="binary"):
            _source(path).blocks()

    def test_invalid_utf8(self, tmp_path: Path) -> None:
        """Invalid UTF-8 is reported with its byte offset and line."""
        path = tmp_path / "latin1.txt"
        path.write_bytes("Title\n\n14:00 Caf\u00e9 opens.\n".encode("latin-1"))
        with pytest.raises(DecodeError, match=r"invalid UTF-8 at byte 16 \(line 3\)"):
            _source(path).blocks()

    def test_too_large(self, tmp_path: Path) -> None:
        """A file over the limit is refused before it is read."""
        path = tmp_path / "huge.txt"
        path.write_bytes(b"14:00 x\n" * 200)
        with pytest.raises(PayloadTooLarge) as info:
            _source(path, max_bytes=1000).blocks()
        assert info.value.size == 1600

    def test_no_timed_entries(self, tmp_path: Path) -> None:
        """Text with no entry times is a clear error."""
        path = tmp_path / "article.txt"
        path.write_text("An article.\n\nNo times at all.\n", encoding="utf-8")
        with pytest.raises(NoEntriesError, match="no timed entries"):
            _source(path).blocks()


class TestDecode:
    @pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
    def test_byte_order_marks(self, codec: str) -> None:
        """A byte-order mark selects its encoding."""
        assert decode_bytes("14:00 Grüße".encode(codec)) == "14:00 Grüße"

    def test_explicit_encoding(self) -> None:
        """An explicit encoding is used as given."""
        assert decode_bytes("Café".encode("cp1252"), encoding="cp1252") == "Café"


class TestFileSource:
    def test_oldest_first_with_hints(self, tmp_path: Path) -> None:
        """A newest-first file comes out oldest first, with date, zone and headline hints."""
        path = tmp_path / "blog.md"
        path.write_text(
            "Title\n\n10:30 Later entry.\n\nLead: ‘Short headline’\n\n10:00 First entry.\n",
            encoding="utf-8",
        )
        meta = BlogMeta("city", date(2024, 5, 1), "Europe/London")
        raws = list(
            FileSource(path, meta, max_bytes=10_000, max_entry_chars=10_000, fetched_at=NOW)
        )
        assert [r.seq for r in raws] == [0, 1]
        assert raws[0].hints.printed_time == "10:00"
        assert raws[0].hints.headline == "Lead: ‘Short headline’"
        assert raws[0].hints.timezone == "Europe/London"
        assert raws[1].raw == "10:30 Later entry."


class TestSidecar:
    def test_reads_yaml_beside_file(self, tmp_path: Path) -> None:
        """`name.yaml` beside `name.txt` is the sidecar."""
        (tmp_path / "b.yaml").write_text("blog_id: x\ntimezone: UTC\n", encoding="utf-8")
        assert load_sidecar(tmp_path / "b.txt") == {"blog_id": "x", "timezone": "UTC"}

    def test_bad_yaml(self, tmp_path: Path) -> None:
        """A sidecar that is not a mapping is a configuration error."""
        (tmp_path / "b.yaml").write_text("- a\n- b\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            load_sidecar(tmp_path / "b.txt")
