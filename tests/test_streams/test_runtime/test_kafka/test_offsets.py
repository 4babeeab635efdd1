"""The order guard's cursor: holes in a partition's offsets are caught and sought back over."""

from __future__ import annotations

import pytest

from streams.runtime.kafka.offsets import OffsetCursor, Verdict

TP = ("raw", 0)


def _feed(cursor: OffsetCursor, offsets: list[int]) -> list[Verdict]:
    return [cursor.admit(TP, offset) for offset in offsets]


@pytest.fixture(name="cursor")
def fixture_cursor() -> OffsetCursor:
    cursor = OffsetCursor()
    cursor.reset(1)
    cursor.start(TP, 0)
    return cursor


class TestOffsetCursor:
    def test_contiguous_offsets_are_processed(self, cursor: OffsetCursor) -> None:
        """Offsets that follow each other are all processed."""
        assert _feed(cursor, [0, 1, 2, 3]) == ["process"] * 4
        assert cursor.expected(TP) == 4

    def test_hole_asks_for_a_seek_then_releases_until_reread(self, cursor: OffsetCursor) -> None:
        """After a jump the cursor asks once for a seek, releases the stale records, and
        processes again from the expected offset."""
        verdicts = _feed(cursor, [0, 1, 68, 69, 70, 2, 3])
        assert verdicts == [
            "process",
            "process",
            "seek",
            "release",
            "release",
            "process",
            "process",
        ]
        assert cursor.expected(TP) == 4
        assert cursor.gaps == 1

    def test_missing_offsets_that_do_not_exist_are_accepted(self, cursor: OffsetCursor) -> None:
        """When the re-read stream starts past the expected offset (records gone), it goes on."""
        verdicts = _feed(cursor, [0, 5, 6, 5, 6, 7])
        assert verdicts == ["process", "seek", "release", "process", "process", "process"]
        assert cursor.expected(TP) == 8

    def test_first_record_past_the_start_is_a_hole(self) -> None:
        """A partition whose first record comes after its start offset is sought back."""
        cursor = OffsetCursor()
        cursor.reset(3)
        cursor.start(TP, 10)
        assert _feed(cursor, [40, 10]) == ["seek", "process"]

    def test_redelivered_offsets_are_processed(self, cursor: OffsetCursor) -> None:
        """Offsets below the expected one (a redelivery) are processed; the state skips them."""
        assert _feed(cursor, [0, 1, 2, 1, 2, 3]) == ["process"] * 6
        assert cursor.expected(TP) == 4

    def test_new_generation_forgets_positions(self, cursor: OffsetCursor) -> None:
        """A rebalance (new generation) forgets every partition's position."""
        _feed(cursor, [0, 1])
        cursor.reset(2)
        assert not cursor.known(TP)
        assert cursor.generation == 2
