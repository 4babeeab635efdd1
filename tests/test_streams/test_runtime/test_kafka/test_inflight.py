"""`InFlight`: checkpoints in source order on delivery, back-pressure, and a failed delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from streams.core.metrics import Metrics
from streams.runtime.kafka.inflight import InFlight


class _Table:
    """What InFlight uses of a Faust table: the store and the changelog send."""

    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}
        self.changelog: list[tuple[int, bytes, bytes]] = []

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def send_changelog(self, partition: int, key: bytes, value: bytes) -> None:
        self.changelog.append((partition, key, value))


class _Event:
    def __init__(self, name: str, acked: list[str]) -> None:
        self.name = name
        self.acked = acked

    def ack(self) -> None:
        self.acked.append(self.name)


async def _until(done: Callable[[], bool]) -> None:
    """Let the delivery task run until `done()` holds (a bounded number of loop turns)."""
    for _ in range(1000):
        if done():
            return
        await asyncio.sleep(0)
    assert done()


@pytest.fixture(name="table")
def fixture_table() -> _Table:
    return _Table()


class TestInFlight:
    async def test_finalizes_in_source_order_whatever_the_delivery_order(
        self, table: _Table
    ) -> None:
        """Record 2's outputs confirmed before record 1's: record 2 still waits, and both are
        acknowledged in source order once record 1's are in, under record 2's checkpoint (the
        newest of the blog, which covers record 1)."""
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        first: asyncio.Future[Any] = loop.create_future()
        second: asyncio.Future[Any] = loop.create_future()
        inflight = InFlight(table, Metrics())
        await inflight.add(_Event("r1", acked), 0, [first], (b"blog", b"state-1"))
        await inflight.add(_Event("r2", acked), 0, [second], (b"blog", b"state-2"))
        assert inflight.lookup(b"blog") == b"state-2", "the newest state before the table has it"
        second.set_result(None)
        await asyncio.sleep(0)
        assert acked == [] and table.data == {}
        first.set_result(None)
        await asyncio.wait_for(inflight.drain(), 5)
        assert acked == ["r1", "r2"]
        assert table.changelog == [(0, b"blog", b"state-2")]
        assert table.data[b"blog"] == b"state-2"
        assert inflight.lookup(b"blog") == b"state-2"
        inflight.close()

    async def test_each_delivered_group_writes_its_newest_checkpoint_in_order(
        self, table: _Table
    ) -> None:
        """Records finalized at different times each write their blog's checkpoint, in source
        order; of the records delivered together, the newest checkpoint per blog is written."""
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        futures = [loop.create_future() for _ in range(4)]
        inflight = InFlight(table, Metrics())
        await inflight.add(_Event("r1", acked), 0, [futures[0]], (b"a", b"a-1"))
        futures[0].set_result(None)
        await asyncio.wait_for(inflight.drain(), 5)
        await inflight.add(_Event("r2", acked), 1, [futures[1]], (b"b", b"b-1"))
        await inflight.add(_Event("r3", acked), 0, [futures[2]], (b"a", b"a-2"))
        await inflight.add(_Event("r4", acked), 1, [futures[3]], (b"b", b"b-2"))
        for future in futures[1:]:
            future.set_result(None)
        await asyncio.wait_for(inflight.drain(), 5)
        assert acked == ["r1", "r2", "r3", "r4"]
        assert table.changelog == [(0, b"a", b"a-1"), (1, b"b", b"b-2"), (0, b"a", b"a-2")]
        assert table.data == {b"a": b"a-2", b"b": b"b-2"}
        inflight.close()

    async def test_delivered_records_wait_while_more_are_in_flight_up_to_the_interval(
        self, table: _Table
    ) -> None:
        """With records still in flight, a delivered one is neither written nor acknowledged
        until `interval` has passed since the last finalization; then every delivered record is,
        under the newest checkpoint of each blog, and the rest once nothing is in flight."""
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        now = [0.0]
        futures = [loop.create_future() for _ in range(3)]
        inflight = InFlight(table, Metrics(), interval=1.0, clock=lambda: now[0])
        await inflight.add(_Event("r1", acked), 0, [futures[0]], (b"a", b"a-1"))
        await inflight.add(_Event("r2", acked), 1, [futures[1]], (b"b", b"b-1"))
        await inflight.add(_Event("r3", acked), 0, [futures[2]], (b"a", b"a-2"))
        futures[0].set_result(None)
        await _until(lambda: inflight.waiting != [])
        assert acked == [] and table.changelog == [], "r2 and r3 in flight, within the interval"
        now[0] = 1.0
        futures[1].set_result(None)
        await _until(lambda: acked == ["r1", "r2"])
        assert table.changelog == [(0, b"a", b"a-1"), (1, b"b", b"b-1")]
        assert inflight.lookup(b"a") == b"a-2", "the newest state, still in flight"
        futures[2].set_result(None)
        await asyncio.wait_for(inflight.drain(), 5)
        assert acked == ["r1", "r2", "r3"]
        assert table.changelog[2:] == [(0, b"a", b"a-2")]
        inflight.close()

    async def test_records_finalized_together_write_each_blogs_newest_checkpoint_once(
        self, table: _Table
    ) -> None:
        """Records delivered one by one while others are in flight are finalized together: one
        checkpoint per blog, the newest, and every record acknowledged in source order."""
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        futures = [loop.create_future() for _ in range(4)]
        inflight = InFlight(table, Metrics(), interval=3600.0, clock=lambda: 0.0)
        blogs = [b"a", b"a", b"b", b"a"]
        for n, (blog, future) in enumerate(zip(blogs, futures, strict=True), 1):
            checkpoint = (blog, blog + f"-{n}".encode())
            await inflight.add(_Event(f"r{n}", acked), len(blog), [future], checkpoint)
        for n, future in enumerate(futures[:3], 1):
            future.set_result(None)
            await _until(lambda n=n: len(inflight.waiting) == n)  # type: ignore[misc]
        assert acked == [] and table.changelog == []
        futures[3].set_result(None)
        await asyncio.wait_for(inflight.drain(), 5)
        assert acked == ["r1", "r2", "r3", "r4"]
        assert table.changelog == [(1, b"a", b"a-4"), (1, b"b", b"b-3")]
        assert table.data == {b"a": b"a-4", b"b": b"b-3"}
        inflight.close()

    async def test_drain_waits_for_the_producer_to_take_the_last_checkpoints(
        self, table: _Table
    ) -> None:
        """With nothing pending, the last group may still be sending its checkpoints (the
        producer waiting for the changelog topic's metadata, say): `drain` returns only once
        they are taken and the records acknowledged."""
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        gate = asyncio.Event()
        sent: list[tuple[int, bytes, bytes]] = []

        async def changelog(partition: int, key: bytes, value: bytes) -> None:
            await gate.wait()
            sent.append((partition, key, value))

        future: asyncio.Future[Any] = loop.create_future()
        inflight = InFlight(table, Metrics(), changelog=changelog)
        await inflight.add(_Event("r1", acked), 0, [future], (b"blog", b"state-1"))
        future.set_result(None)
        await _until(lambda: not inflight.pending)
        drained = asyncio.create_task(inflight.drain())
        await asyncio.sleep(0)
        assert not drained.done() and acked == [], "the checkpoint is not with the producer yet"
        gate.set()
        await asyncio.wait_for(drained, 5)
        assert sent == [(0, b"blog", b"state-1")] and acked == ["r1"]
        assert table.changelog == [], "sent through `changelog`, not the table's own send"
        inflight.close()

    async def test_lookup_gives_the_written_object_while_the_table_holds_its_value(
        self, table: _Table
    ) -> None:
        """A checkpoint object is encoded when written; the blog's next lookup gets the object
        back while the table holds that very value, and the table's bytes once it changed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        checkpoint = {"offset": 1}
        inflight = InFlight(table, Metrics(), encode=lambda c: repr(c).encode())
        await inflight.add(_Event("r1", []), 0, [future], (b"blog", checkpoint))
        assert inflight.lookup(b"blog") is checkpoint, "in flight"
        future.set_result(None)
        await asyncio.wait_for(inflight.drain(), 5)
        assert table.data[b"blog"] == b"{'offset': 1}"
        assert inflight.lookup(b"blog") is checkpoint, "written, the table unchanged"
        table.data[b"blog"] = b"{'offset': 7}"  # restored from the changelog, say
        assert inflight.lookup(b"blog") == b"{'offset': 7}"
        inflight.close()

    async def test_add_waits_while_the_limit_is_in_flight(self, table: _Table) -> None:
        """With `limit` records waiting for the broker, the next `add` blocks until one is done."""
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        futures = [loop.create_future() for _ in range(3)]
        inflight = InFlight(table, Metrics(), limit=2)
        await inflight.add(_Event("r0", acked), 0, [futures[0]], None)
        await inflight.add(_Event("r1", acked), 0, [futures[1]], None)
        third = asyncio.create_task(inflight.add(_Event("r2", acked), 0, [futures[2]], None))
        await asyncio.sleep(0)
        assert not third.done(), "back-pressure: three in flight over a limit of two"
        futures[0].set_result(None)
        await asyncio.wait_for(third, 5)
        for future in futures[1:]:
            future.set_result(None)
        await asyncio.wait_for(inflight.drain(), 5)
        assert acked == ["r0", "r1", "r2"]
        inflight.close()

    async def test_a_failed_delivery_acknowledges_nothing_and_reports(self, table: _Table) -> None:
        """A send that failed leaves its record and every later one unacknowledged and without
        a checkpoint, and the error goes to `on_error` (the app crashes, the records are read
        again by the next owner)."""
        loop = asyncio.get_running_loop()
        acked: list[str] = []
        errors: list[BaseException] = []

        async def on_error(exc: BaseException) -> None:
            errors.append(exc)

        failing: asyncio.Future[Any] = loop.create_future()
        fine: asyncio.Future[Any] = loop.create_future()
        inflight = InFlight(table, Metrics(), on_error=on_error)
        await inflight.add(_Event("r1", acked), 0, [failing], (b"blog", b"state-1"))
        await inflight.add(_Event("r2", acked), 0, [fine], (b"blog", b"state-2"))
        fine.set_result(None)
        failing.set_exception(OSError("broker gone"))
        task = inflight._task
        assert task is not None
        with pytest.raises(OSError):
            await asyncio.wait_for(task, 5)
        assert [str(e) for e in errors] == ["broker gone"]
        assert acked == [] and table.changelog == [] and table.data == {}
        inflight.close()
