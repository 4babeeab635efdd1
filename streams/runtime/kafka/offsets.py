"""The order guard of the worker: each source partition must deliver its offsets without a hole.

Faust can drop records it had fetched while a rebalance completes: it clears its stream buffers
when it resumes the flow and relies on seeking back to the committed offset, but it does not seek
when a partition has no committed offset above 0 (a new group, a partition not yet used), so the
records in the cleared buffer are never processed and the blog's later records come first. The
raw topic's offsets are contiguous (no compaction, no transactions), so a jump is such a hole.

`OffsetCursor` is the pure bookkeeping: for each partition of the current consumer generation, the
offset expected next. On a jump the agent seeks the consumer back to it and releases the records
that arrive before the sought ones without acknowledging them, so their offsets are not
committed. A record whose offset is not larger than the last one released is the re-read stream:
if it is not the expected offset, the missing offsets do not exist (retention, a transaction
marker) and it becomes the new start.

A jump is only seen when a later record arrives. When the dropped records are a partition's last
ones (the stream has stopped, as after a restart once the producers are done), none comes and the
hole would stay forever; so once each rebalance is over the agent also seeks every assigned
partition to its `start_offset` (`FaustPositions.settled_generation`, `assigned`): what was
already processed is skipped by its blog's checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["FaustPositions", "OffsetCursor", "Verdict"]

#: process the record; seek back to `expected` (and release this one); release it (a seek is on)
Verdict = Literal["process", "seek", "release"]


@dataclass(slots=True)
class _Partition:
    expected: int
    seeking: bool = False
    last_released: int = -1


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

    def admit(self, tp: Any, offset: int) -> Verdict:
        """What to do with the record at `offset` of partition `tp` (`start` it first)."""
        part = self._parts[tp]
        if part.seeking:
            if offset == part.expected or offset <= part.last_released:
                # the re-read stream: from the expected offset, or from the first that exists
                part.seeking = False
                part.expected = offset + 1
                return "process"
            part.last_released = offset
            return "release"
        if offset <= part.expected:
            part.expected = max(part.expected, offset + 1)
            return "process"
        self.gaps += 1
        part.seeking = True
        part.last_released = offset
        return "seek"


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

    async def seek(self, tp: Any, offset: int) -> None:
        """Seek on the consumer's own thread. Faust's `Consumer.seek` calls aiokafka's `seek`
        from the agent's thread, racing the fetcher that runs on the consumer thread: right
        after a rebalance that crashed the worker (`KeyError` in `Fetcher.fetched_records`).
        The consumer thread's `seek_wait` goes through `call_thread` and sets Faust's read offset
        as `Consumer.seek` does; `test_faust_internals.py` pins both."""
        await self.app.consumer._thread.seek_wait({tp: offset})

    def highwater(self, tp: Any) -> int | None:
        found = self.app.consumer.highwater(tp)
        return int(found) if found is not None else None
