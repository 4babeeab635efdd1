"""The order guard of the worker: each source partition must deliver its offsets without a hole.

Faust can drop records it had fetched while a rebalance completes: it clears its stream buffers
when it resumes the flow and relies on seeking back to the committed offset, but it does not seek
when a partition has no committed offset above 0 (a new group, a partition not yet used), so the
records in the cleared buffer are never processed and the blog's later records come first. The
raw topic's offsets are contiguous (no compaction, no transactions), so a jump is such a hole.

`OffsetCursor` is the pure bookkeeping: for each partition of the current consumer generation, the
offset expected next. On a jump the agent seeks the consumer back to it and releases the records
that arrive before the sought ones without acknowledging them, so their offsets are not
committed. The seek goes to the expected offset, or to the partition's first record when
retention deleted it (`FaustPositions.seek` returns which); the cursor then processes only the
record at that offset and releases all others, the stale records the stream had buffered before
the seek and re-read ones below it. Should the consumer's re-read start past the sought offset
after all (the records deleted as the seek was made), `SeekFilter.restarted` says where, and the
agent moves the cursor there.

A jump is only seen when a later record arrives. When the dropped records are a partition's last
ones (the stream has stopped, as after a restart once the producers are done), none comes and the
hole would stay forever; so once each rebalance is over the agent also seeks every assigned
partition to its `start_offset` (`FaustPositions.settled_generation`, `assigned`): what was
already processed is skipped by its blog's checkpoint.

A seek made while Faust's fetcher is running needs `SeekFilter` to hold. Faust drops every fetched
record whose offset is below its read offset for the partition (`Consumer._drain_messages`), and
its fetcher raises that read offset with each record it hands to the streams, those of the batch
it fetched before the seek included. A seek back made in the middle of such a batch was therefore
cut short: the re-read records up to the end of that batch were dropped, the first one let
through was the batch's last, and the cursor took it for the start of the re-read (offsets gone
from the broker), so the records in between were never processed: two workers starting together
lost a partition's blog that way (`bench kafka --scale-out`). `SeekFilter`, the app's
`ConsumerScheduler`, drops the records of a sought partition that were fetched before the seek
and clears Faust's read offset as the re-read's first record goes through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

from faust.transport.utils import DefaultSchedulingStrategy

__all__ = ["FaustPositions", "OffsetCursor", "SeekFilter", "Verdict"]

#: process the record; seek back to `expected` (and release this one); release it (a seek is on)
Verdict = Literal["process", "seek", "release"]


@dataclass(slots=True)
class _Partition:
    expected: int
    seeking: bool = False


class OffsetCursor:
    """The next offset each partition must deliver, per consumer generation."""

    def __init__(self) -> None:
        self.generation: int | None = None
        self._parts: dict[Any, _Partition] = {}
        self.gaps = 0

    def reset(self, generation: int) -> None:
        """A new generation (a rebalance): positions are the committed offsets again."""
        self.generation = generation
        self._parts.clear()

    def known(self, tp: Any) -> bool:
        return tp in self._parts

    def start(self, tp: Any, offset: int) -> None:
        """The first offset the partition must deliver in this generation."""
        self._parts[tp] = _Partition(expected=offset)

    def expected(self, tp: Any) -> int:
        return self._parts[tp].expected

    def sought(self, tp: Any, offset: int) -> None:
        """The partition starts again at `offset`, past the expected one when the records in
        between no longer exist (retention)."""
        part = self._parts[tp]
        part.expected = max(part.expected, offset)

    def admit(self, tp: Any, offset: int) -> Verdict:
        """What to do with the record at `offset` of partition `tp` (`start` it first)."""
        part = self._parts[tp]
        if part.seeking:
            if offset == part.expected:
                # the re-read stream
                part.seeking = False
                part.expected = offset + 1
                return "process"
            # buffered before the seek, or re-read below the expected offset (another seek went
            # further back): the record at the expected offset comes, the seek holds
            return "release"
        if offset <= part.expected:
            part.expected = max(part.expected, offset + 1)
            return "process"
        self.gaps += 1
        part.seeking = True
        return "seek"


@dataclass(frozen=True, slots=True)
class _Pending:
    offset: int
    #: every record the consumer handed out before the seek is below it
    bound: int
    generation: int


class SeekFilter(DefaultSchedulingStrategy):
    """Faust's record scheduler (the app's `ConsumerScheduler`) with the order guard's seeks.

    Faust's fetcher (`Consumer.getmany`) takes each record it hands to the streams from
    `iterate`, one at a time, and right after compares it with its read offset for the
    partition, dropping it if it is below. After a seek of a partition (`expect`, called on the
    consumer thread as the seek is made) the records of that partition fetched before it are
    dropped here: every record below the consumer's position at the seek (the bound; with two
    seeks of a partition before its re-read, the larger) except the one at the sought offset,
    which starts the re-read whichever fetch brought it (the next records of its batch follow it
    without a hole, and what the next fetch brings again Faust's read offset drops). When the
    re-read's first record goes through, Faust's read offset of the partition is cleared, so
    that the records the fetcher handed out before (which raised it) do not make Faust drop the
    re-read. Records of other partitions, and of any partition with no seek under way, go
    through in Faust's own round-robin order.

    The sought offset must hold a record (or be the partition's end): the topics sought are
    neither compacted nor transactional, and `FaustPositions.seek` moves an offset retention
    deleted to the first record. Should the consumer start elsewhere all the same, the first
    record at or past the bound ends the filtering (a partition is never held back) and
    `restarted` tells where the re-read began.
    """

    def __init__(self) -> None:
        # Faust's strategy keeps no state of its own (its `__init__` is the interface's stub)
        self._lock = threading.Lock()
        self._pending: dict[Any, _Pending] = {}
        #: where the re-read after the last seek of a partition began, and the generation
        self._started: dict[Any, tuple[int, int]] = {}
        self._read_offsets: MutableMapping[Any, Any] | None = None
        self._generation: Callable[[], int] = lambda: 0

    def watch(self, read_offsets: MutableMapping[Any, Any], generation: Callable[[], int]) -> None:
        """The consumer's read offsets (Faust's `Consumer._read_offset`) and generation."""
        self._read_offsets = read_offsets
        self._generation = generation

    def expect(self, tp: Any, offset: int, position: int, generation: int) -> None:
        """`tp` was just sought to `offset` from `position` (on the consumer thread): deliver
        its records from `offset` on."""
        with self._lock:
            before = self._pending.get(tp)
            if before is not None and before.generation == generation:
                # the records fetched before the first seek may still be to come
                position = max(position, before.bound)
            self._pending[tp] = _Pending(offset, position, generation)
            self._started.pop(tp, None)

    def pending(self) -> dict[Any, int]:
        """The partitions whose re-read has not started yet, with the offset awaited."""
        with self._lock:
            return {tp: p.offset for tp, p in self._pending.items()}

    def restarted(self, tp: Any) -> int | None:
        """Where the re-read after the last seek of `tp` in this generation began, once it did."""
        with self._lock:
            found = self._started.get(tp)
        if found is None or found[1] != self._generation():
            return None
        return found[0]

    def iterate(self, records: Mapping[Any, list[Any]]) -> Iterator[tuple[Any, Any]]:
        if self._pending:
            self._forget_old()
        for tp, record in super().iterate(records):
            if self._pending and not self._admit(tp, record.offset):
                continue
            yield tp, record

    def _forget_old(self) -> None:
        # a rebalance since: the partitions start where the new assignment puts them
        generation = self._generation()
        with self._lock:
            for tp in [tp for tp, p in self._pending.items() if p.generation != generation]:
                del self._pending[tp]

    def _admit(self, tp: Any, offset: int) -> bool:
        with self._lock:
            pending = self._pending.get(tp)
            if pending is None:
                return True
            if offset != pending.offset and offset < pending.bound:
                return False
            del self._pending[tp]
            self._started[tp] = (offset, pending.generation)
        if self._read_offsets is not None:
            self._read_offsets.pop(tp, None)
        return True


class FaustPositions:
    """The consumer positions the guard needs, from a running Faust app."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def generation(self) -> int:
        return int(self.app.consumer_generation_id)

    async def start_offset(self, tp: Any) -> int:
        """Where the partition resumes: the group's committed offset, else its first record."""
        committed = self.committed(tp)
        if committed is not None:
            return committed
        earliest = await self.app.consumer.earliest_offsets(tp)
        return int(earliest.get(tp) or 0)

    def settled_generation(self) -> int | None:
        """The consumer generation once its rebalance (and table recovery) is over, else None.

        `App.rebalancing` is public (`faust.types.app.AppT`); it is read once per rebalance end
        (`worker.RebalanceEnded`), not polled, to skip an end that a new rebalance overtook.
        """
        if getattr(self.app, "rebalancing", False):
            return None
        return self.generation()

    def assigned(self, topic: str) -> list[Any]:
        """The partitions of `topic` assigned to this worker now."""
        return sorted(
            (tp for tp in self.app.consumer.assignment() if tp.topic == topic),
            key=lambda tp: int(tp.partition),
        )

    def committed(self, tp: Any) -> int | None:
        """The group's committed offset Faust sought to on assignment (None for none or 0).

        Read from Faust's private `Consumer._committed_offset` on purpose: it is the offset Faust
        itself sought to in `perform_seek` and below which `Consumer.ack` ignores acks, so the
        guard agrees with Faust about where the partition resumes. Faust has no public getter;
        asking the broker (aiokafka `committed()`) costs a round trip per partition and can
        disagree with it during a rebalance. `test_faust_internals.py` fails if it disappears.
        """
        found = self.app.consumer._committed_offset.get(tp)
        return int(found) if found else None

    async def seek(self, tp: Any, offset: int, generation: int | None = None) -> int | None:
        """Seek `tp` to `offset`, or to its first record if retention deleted `offset`, and
        return where it went; None when the consumer generation is no longer `generation` (a
        rebalance came first: no seek).

        The seek is made on the consumer's own thread (`call_thread`): Faust's `Consumer.seek`
        calls aiokafka's `seek` from the agent's thread, racing the fetcher that runs on the
        consumer thread (right after a rebalance that crashed the worker: `KeyError` in
        `Fetcher.fetched_records`). There, in one step, it reads the position the records
        fetched so far end at, seeks, and tells the app's `SeekFilter`, which drops the records
        fetched before the seek and clears Faust's read offset when the re-read comes.
        `test_faust_internals.py` pins the parts of Faust this uses.
        """
        generation = self.generation() if generation is None else generation
        consumer = self.app.consumer
        earliest = await consumer.earliest_offsets(tp)
        target = max(offset, int(earliest.get(tp) or 0))
        thread = consumer._thread
        found: int | None = await thread.call_thread(
            self._seek_on_thread,
            thread._ensure_consumer(),
            self.seek_filter(),
            tp,
            target,
            generation,
        )
        return found

    async def _seek_on_thread(
        self, consumer: Any, scheduler: SeekFilter, tp: Any, offset: int, generation: int
    ) -> int | None:
        if self.generation() != generation:
            return None
        # the next offset the consumer would fetch: every record it handed out is below it
        position = int(await consumer.position(tp))
        if self.generation() != generation:
            return None
        consumer.seek(tp, offset)
        scheduler.expect(tp, offset, position, generation)
        return offset

    def seek_filter(self) -> SeekFilter:
        """The app's record scheduler, watching the consumer's read offsets and generation."""
        consumer = self.app.consumer
        scheduler = consumer.scheduler
        if not isinstance(scheduler, SeekFilter):
            raise TypeError("the app's ConsumerScheduler is not SeekFilter (see faust_app)")
        scheduler.watch(consumer._read_offset, self.generation)
        return scheduler

    def restarted(self, tp: Any) -> int | None:
        """Where the consumer's re-read of `tp` after the last seek began, once it did."""
        return self.seek_filter().restarted(tp)

    def highwater(self, tp: Any) -> int | None:
        found = self.app.consumer.highwater(tp)
        return int(found) if found is not None else None
