"""Records in flight: outputs are sent at once, checkpoints follow in source order on delivery.

Waiting for the broker after every record would cost a round trip per record. Instead the agent
sends a record's outputs and moves on; `InFlight` keeps, in source order, what each record is
waiting for, and once all its outputs are acknowledged by the broker (acks=all) it writes the
blog's checkpoint to the state table (and so to its changelog) and acknowledges the source record,
whose offset may then be committed. A checkpoint therefore never covers a record whose outputs
could still be lost, and the next record of the same blog reads the newest state from `latest`
before the table has it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from streams.core.metrics import Metrics

__all__ = ["InFlight", "Pending"]

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class Pending:
    """One processed source record and what it waits for."""

    event: Any
    partition: int
    futures: Sequence[Awaitable[Any]]
    checkpoint: tuple[bytes, bytes] | None
    sent_at: float


class InFlight:
    """Finalizes processed records in source order, once their outputs are delivered."""

    def __init__(
        self,
        table: Any,
        metrics: Metrics,
        *,
        limit: int = 1000,
        on_error: Callable[[BaseException], Awaitable[None]] | None = None,
    ) -> None:
        self.table = table
        self.metrics = metrics
        self.limit = limit
        self.on_error = on_error
        self.pending: deque[Pending] = deque()
        #: checkpoints not yet in the table, by blog key: newer than the table's
        self.latest: dict[bytes, bytes] = {}
        self._added = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._progress = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def lookup(self, key: bytes) -> bytes | None:
        """The newest checkpoint of a blog: in flight, else the table's."""
        found = self.latest.get(key)
        if found is not None:
            return found
        stored = self.table.get(key)
        return bytes(stored) if stored is not None else None

    async def add(
        self,
        event: Any,
        partition: int,
        futures: Sequence[Awaitable[Any]],
        checkpoint: tuple[bytes, bytes] | None,
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
        """Until every queued record is finalized."""
        if self.pending:
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
                item = self.pending[0]
                for future in item.futures:
                    await future
                self._finalize(item)
                self.pending.popleft()
                self._progress.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("delivery failed; records in flight stay uncommitted", error=str(exc))
            if self.on_error is not None:
                await self.on_error(exc)
            raise

    def _finalize(self, item: Pending) -> None:
        if item.checkpoint is not None:
            key, value = item.checkpoint
            # Not `table[key] = value`: `Table.__setitem__` (`on_key_set`, `partition_for_key`)
            # takes the changelog partition from `current_event()` and raises "Cannot modify
            # table key from outside of stream iteration" without one (faust-streaming/faust#300,
            # #497). This runs on the delivery task, after the agent moved on, where the current
            # event is missing or another record's; so the store and the changelog are written
            # with the source record's own partition through `Collection.data` and the public
            # `Collection.send_changelog(partition, key, value)`.
            self.table.data[key] = value
            self.table.send_changelog(item.partition, key, value)
            if self.latest.get(key) is value:
                del self.latest[key]
        item.event.ack()
        self.metrics.latency.labels("delivery").observe(time.perf_counter() - item.sent_at)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
