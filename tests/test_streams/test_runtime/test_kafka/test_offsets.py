"""The order guard: holes in a partition's offsets are caught and sought back over, and a seek
made while Faust's fetcher runs holds (`SeekFilter`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

import pytest
from faust.types import TP as TopicPartition

from streams.runtime.kafka.offsets import OffsetCursor, SeekFilter, Verdict

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
        """When the re-read stream starts past the expected offset (records gone: the seek went
        to the first record left), it goes on."""
        verdicts = _feed(cursor, [0, 5])
        cursor.sought(TP, 5)
        verdicts += _feed(cursor, [6, 5, 6, 7])
        assert verdicts == ["process", "seek", "release", "process", "process", "process"]
        assert cursor.expected(TP) == 8

    def test_a_reread_cut_short_is_not_taken_for_its_start(self, cursor: OffsetCursor) -> None:
        """The two-worker warm-up: the guard sought back to 4 on seeing 27; the records Faust had
        fetched up to 34 came, then Faust's read offset (raised by them) let only 34 through
        from the re-read. 34 is not the record sought: released, and 4 is still awaited (the
        cursor used to take 34 for the re-read's start, and 4-33 were never processed)."""
        assert _feed(cursor, [0, 1, 2, 3, 27]) == ["process"] * 4 + ["seek"]
        cursor.sought(TP, 4)
        assert _feed(cursor, [28, 29, 34, 34]) == ["release"] * 4
        assert _feed(cursor, [4, 5]) == ["process", "process"]
        assert cursor.expected(TP) == 6

    def test_a_reread_from_further_back_is_released_up_to_the_hole(
        self, cursor: OffsetCursor
    ) -> None:
        """Another seek (the rewind after a rebalance) took the partition back further than the
        guard's: the re-read records before the hole are released, the hole's first processed."""
        assert _feed(cursor, [0, 1, 2, 9]) == ["process"] * 3 + ["seek"]
        cursor.sought(TP, 3)
        assert _feed(cursor, [10, 0, 1, 2, 3, 4]) == ["release"] * 4 + ["process"] * 2

    def test_the_restart_offset_never_goes_back(self, cursor: OffsetCursor) -> None:
        """`sought` with an offset below the expected one (a re-read that began earlier) keeps
        the expected offset."""
        _feed(cursor, [0, 1, 7])
        cursor.sought(TP, 0)
        assert cursor.expected(TP) == 2

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


class Record(NamedTuple):
    offset: int


P0 = TopicPartition("raw", 0)
P1 = TopicPartition("raw", 1)


def _batch(tp: Any, offsets: range | list[int]) -> dict[Any, list[Record]]:
    return {tp: [Record(o) for o in offsets]}


@pytest.fixture(name="scheduler")
def fixture_scheduler() -> tuple[SeekFilter, dict[Any, Any]]:
    scheduler = SeekFilter()
    read_offsets: dict[Any, Any] = defaultdict(lambda: None)
    scheduler.watch(read_offsets, lambda: 1)
    return scheduler, read_offsets


class TestSeekFilter:
    """The records Faust's fetcher takes from its scheduler, one at a time, around a seek."""

    def test_without_a_seek_every_record_goes_through(
        self, scheduler: tuple[SeekFilter, dict[Any, Any]]
    ) -> None:
        filt, _ = scheduler
        records = {P0: [Record(0), Record(1)], P1: [Record(7)]}
        assert sorted(filt.iterate(records)) == [(P0, Record(0)), (P0, Record(1)), (P1, Record(7))]

    def test_a_seek_mid_batch_drops_the_rest_and_clears_the_read_offset(
        self, scheduler: tuple[SeekFilter, dict[Any, Any]]
    ) -> None:
        """Seek to 1 while the batch 0-9 is delivered, at 5: 6-9 never reach the stream, and
        Faust's read offset (5, from the records it handed out) is cleared as 1 comes again."""
        filt, read_offsets = scheduler
        delivered = []
        for tp, record in filt.iterate(_batch(P0, range(10))):
            delivered.append(record.offset)
            read_offsets[tp] = record.offset  # what Faust's fetcher does after each record
            if record.offset == 5:
                filt.expect(P0, 1, 10, generation=1)
        assert delivered == [0, 1, 2, 3, 4, 5]
        assert read_offsets[P0] == 5
        reread = []
        for tp, record in filt.iterate(_batch(P0, range(1, 12))):
            if not reread:
                assert read_offsets[P0] is None
            reread.append(record.offset)
            read_offsets[tp] = record.offset
        assert reread == list(range(1, 12))
        assert filt.pending() == {}

    def test_a_batch_fetched_before_the_seek_is_dropped_whole(
        self, scheduler: tuple[SeekFilter, dict[Any, Any]]
    ) -> None:
        """A batch the fetcher got before the seek but delivers after it (the fetch ran beside
        the seek on the consumer thread) is dropped, other partitions' records are not."""
        filt, _ = scheduler
        filt.expect(P0, 3, 40, generation=1)
        records = {P0: [Record(o) for o in range(20, 40)], P1: [Record(8)]}
        assert list(filt.iterate(records)) == [(P1, Record(8))]
        assert filt.pending() == {P0: 3}

    def test_a_record_at_the_bound_ends_the_filtering(
        self, scheduler: tuple[SeekFilter, dict[Any, Any]]
    ) -> None:
        """Should the consumer start past the bound (the sought records deleted meanwhile), its
        first record goes through, a partition is never held back, and `restarted` says where
        the re-read began."""
        filt, _ = scheduler
        filt.expect(P0, 3, 40, generation=1)
        assert filt.restarted(P0) is None
        assert [r.offset for _, r in filt.iterate(_batch(P0, [39, 52, 53]))] == [52, 53]
        assert filt.restarted(P0) == 52

    def test_a_second_seek_keeps_the_first_ones_bound(
        self, scheduler: tuple[SeekFilter, dict[Any, Any]]
    ) -> None:
        """The rewind sought the partition to 0 from 35, then the guard to 1 (from 0): the
        records fetched before the rewind (26-34) are still dropped, and the re-read starts at
        1 (the records before it, fetched after the rewind, are dropped too)."""
        filt, _ = scheduler
        filt.expect(P0, 0, 35, generation=1)
        filt.expect(P0, 1, 0, generation=1)
        assert list(filt.iterate(_batch(P0, range(26, 35)))) == []
        offsets = [r.offset for _, r in filt.iterate(_batch(P0, range(0, 40)))]
        assert offsets == list(range(1, 40))
        assert filt.restarted(P0) == 1

    def test_the_restart_of_an_older_generation_is_forgotten(
        self, scheduler: tuple[SeekFilter, dict[Any, Any]]
    ) -> None:
        filt, _ = scheduler
        filt.expect(P0, 3, 40, generation=1)
        list(filt.iterate(_batch(P0, [3])))
        assert filt.restarted(P0) == 3
        filt.watch({}, lambda: 2)
        assert filt.restarted(P0) is None

    def test_a_rebalance_forgets_the_seek(
        self, scheduler: tuple[SeekFilter, dict[Any, Any]]
    ) -> None:
        """A seek of an older generation: the new assignment decides where records start."""
        filt, _ = scheduler
        filt.expect(P0, 3, 40, generation=0)
        assert [r.offset for _, r in filt.iterate(_batch(P0, [10, 11]))] == [10, 11]
        assert filt.pending() == {}
