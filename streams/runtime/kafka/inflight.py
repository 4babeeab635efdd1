"""Records in flight: outputs are sent at once, checkpoints follow in source order on delivery.

Waiting for the broker after every record would cost a round trip per record. Instead the agent
sends a record's outputs and moves on; `InFlight` keeps, in source order, what each record is
waiting for, and once all its outputs are acknowledged by the broker (acks=all) it writes the
blog's checkpoint to the state table (and so to its changelog) and acknowledges the source record,
whose offset may then be committed. A checkpoint therefore never covers a record whose outputs
could still be lost, and the next record of the same blog reads the newest state from `latest`
before the table has it.

Records whose outputs are all delivered are finalized together, in source order: of the
checkpoints of one blog among them only the newest is serialized and written (it covers the
others, whose outputs are delivered too), so a backlog of one busy blog costs one changelog record
per group instead of one per entry. While more records are in flight, delivered ones wait, up to
`interval` seconds, and are finalized together (as Kafka Streams' record cache keeps the last
update of each key until the next commit): a backlog writes each busy blog's checkpoint once per
interval, not once per entry, and a worker that keeps up (nothing more in flight) finalizes each
record at once. Either way a record is acknowledged only once a checkpoint that covers it has
gone to the producer, which Faust flushes before it commits offsets.

The checkpoints this worker wrote are kept, as objects, for the `keep` blogs used last: a blog's
next record reads its state without parsing JSON, as long as the table still holds the very value
written (after a rebalance the table holds what the changelog restored, and that is parsed).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from streams.core.metrics import Metrics

__all__ = ["Changelog", "InFlight", "Pending"]

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class Pending:
    """One processed source record and what it waits for."""

    event: Any
    partition: int
    futures: Sequence[Awaitable[Any]]
    #: (table key, checkpoint): bytes, or an object `InFlight.encode` turns into bytes
    checkpoint: tuple[bytes, Any] | None
    sent_at: float

    def delivered(self) -> bool:
        """Whether every output is already acknowledged (without waiting)."""
        return all(_succeeded(f) for f in self.futures)


def _succeeded(future: Awaitable[Any]) -> bool:
    return (
        isinstance(future, asyncio.Future)
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    )


#: sends a checkpoint to the table's changelog: (partition, key, value), the delivery future back
Changelog = Callable[[int, bytes, bytes], Awaitable[Any]]


def _as_bytes(value: Any) -> bytes:
    return bytes(value)


class InFlight:
    """Finalizes processed records in source order, once their outputs are delivered."""

    def __init__(
        self,
        table: Any,
        metrics: Metrics,
        *,
        limit: int = 1000,
        on_error: Callable[[BaseException], Awaitable[None]] | None = None,
        encode: Callable[[Any], bytes] = _as_bytes,
        keep: int = 1024,
        changelog: Changelog | None = None,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table = table
        self.metrics = metrics
        self.limit = limit
        self.on_error = on_error
        self.encode = encode
        self.keep = keep
        self.changelog = changelog
        self.interval = interval
        self.clock = clock
        self.pending: deque[Pending] = deque()
        #: checkpoints not yet in the table, by blog key: newer than the table's
        self.latest: dict[bytes, Any] = {}
        #: delivered records not yet finalized (while more are in flight, up to `interval`)
        self.waiting: list[Pending] = []
        self._finalized_at = clock()
        #: the checkpoints written last, by blog key: (the table value, the object it encodes)
        self.written: OrderedDict[bytes, tuple[bytes, Any]] = OrderedDict()
        self._added = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._progress = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._crash: asyncio.Future[None] | None = None

    def lookup(self, key: bytes) -> Any:
        """The newest checkpoint of a blog: in flight, else the table's (as the object this
        worker wrote when the table still holds that value, else the stored bytes)."""
        found = self.latest.get(key)
        if found is not None:
            return found
        stored = self.table.get(key)
        if stored is None:
            return None
        written = self.written.get(key)
        if written is not None and written[0] is stored:
            self.written.move_to_end(key)
            return written[1]
        return bytes(stored)

    async def add(
        self,
        event: Any,
        partition: int,
        futures: Sequence[Awaitable[Any]],
        checkpoint: tuple[bytes, Any] | None,
    ) -> None:
        """Queue a processed record; waits while `limit` records are already in flight."""
        self._start()
        if checkpoint is not None:
            self.latest[checkpoint[0]] = checkpoint[1]
        self.pending.append(Pending(event, partition, futures, checkpoint, time.perf_counter()))
        self._drained.clear()
        self._added.set()
        while len(self.pending) > self.limit:
            self._progress.clear()
            await self._progress.wait()

    async def drain(self) -> None:
        """Until every queued record is finalized: `pending` empty is not enough, the last group
        may still be waiting for the producer to take its checkpoints (`changelog` is awaited)."""
        if not self._drained.is_set():
            self._start()
            await self._drained.wait()

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while True:
                if not self.pending:
                    self._drained.set()
                    self._added.clear()
                    await self._added.wait()
                    continue
                for future in self.pending[0].futures:
                    await future
                group = [self.pending.popleft()]
                while self.pending and self.pending[0].delivered():
                    group.append(self.pending.popleft())
                await self._finalize(group)
                self._progress.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("delivery failed; records in flight stay uncommitted", error=str(exc))
            if self.on_error is not None:
                await self.on_error(exc)
            raise

    async def _finalize(self, group: list[Pending]) -> None:
        """Once nothing more is in flight, or `interval` after the last time: write the newest
        checkpoint of each blog of the delivered records, then acknowledge them."""
        now = time.perf_counter()
        for item in group:
            self.metrics.observe("delivery", now - item.sent_at)
        self.waiting.extend(group)
        if (
            self.pending
            and len(self.waiting) < self.limit
            and self.clock() - self._finalized_at < self.interval
        ):
            return
        self._finalized_at = self.clock()
        group, self.waiting = self.waiting, []
        newest: dict[bytes, tuple[int, Any]] = {}
        for item in group:
            if item.checkpoint is not None:
                key, checkpoint = item.checkpoint
                newest[key] = (item.partition, checkpoint)
        for key, (partition, checkpoint) in newest.items():
            value = self.encode(checkpoint)
            # Not `table[key] = value`: `Table.__setitem__` (`on_key_set`, `partition_for_key`)
            # takes the changelog partition from `current_event()` and raises "Cannot modify
            # table key from outside of stream iteration" without one (faust-streaming/faust#300,
            # #497). This runs on the delivery task, after the agent moved on, where the current
            # event is missing or another record's; so the store and the changelog are written
            # with the source record's own partition through `Collection.data` and the public
            # `Collection.send_changelog(partition, key, value)` (or `changelog`, the producer).
            self.table.data[key] = value
            if self.changelog is None:
                self.table.send_changelog(partition, key, value)
            else:
                sent = await self.changelog(partition, key, value)
                if isinstance(sent, asyncio.Future):
                    sent.add_done_callback(self._changelog_sent)
            self.written[key] = (value, checkpoint)
            self.written.move_to_end(key)
            if self.latest.get(key) is checkpoint:
                del self.latest[key]
        while len(self.written) > self.keep:
            self.written.popitem(last=False)
        for item in group:
            item.event.ack()

    def _changelog_sent(self, future: asyncio.Future[Any]) -> None:
        """A checkpoint the broker refused: the worker stops (its record is acknowledged, and a
        commit must not outlive a lost checkpoint), as when an output is refused."""
        if future.cancelled() or future.exception() is None:
            return
        exc = future.exception()
        log.error("checkpoint not written to the changelog", error=str(exc))
        if self.on_error is not None and exc is not None:
            self._crash = asyncio.ensure_future(self.on_error(exc))

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
