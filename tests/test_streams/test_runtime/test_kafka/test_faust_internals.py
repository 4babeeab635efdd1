"""The parts of Faust the Kafka runtime leans on that are not, or not only, public API.

Each test names the code that relies on the behaviour; when a Faust upgrade removes or changes
one, this file fails by name instead of the order guard losing records silently.
"""

from __future__ import annotations

import asyncio
import inspect

import faust
import pytest
from faust.sensors.base import Sensor, SensorDelegate
from faust.tables.base import Collection
from faust.tables.recovery import Recovery
from faust.transport.consumer import Consumer
from faust.types.app import AppT

from streams.runtime.kafka.worker import RebalanceEnded


class TestPrivateAttributes:
    def test_consumer_keeps_committed_offsets(self) -> None:
        """`FaustPositions.committed` reads `Consumer._committed_offset` (set by `perform_seek`)."""
        assert "_committed_offset" in Consumer.__annotations__
        assert "self._committed_offset.update(" in inspect.getsource(Consumer.perform_seek)

    def test_seeks_run_on_the_consumer_thread(self) -> None:
        """`FaustPositions.seek` seeks through `Consumer._thread.call_thread` with the aiokafka
        consumer of `_ensure_consumer()`, unlike `Consumer.seek` (a direct call from the agent's
        thread, racing the fetcher)."""
        from faust.transport.consumer import ThreadDelegateConsumer
        from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

        assert "self._thread.seek(" in inspect.getsource(ThreadDelegateConsumer._seek)
        assert "_thread" in ThreadDelegateConsumer.__annotations__
        assert callable(AIOKafkaConsumerThread.call_thread)
        assert "self.call_thread(" in inspect.getsource(AIOKafkaConsumerThread.seek_wait)
        assert callable(AIOKafkaConsumerThread._ensure_consumer)

    def test_the_fetcher_drops_records_below_its_read_offset(self) -> None:
        """Why a seek needs `SeekFilter`: the fetcher drops a record below `_read_offset` of its
        partition, and raises that offset with every record it delivers."""
        assert "_read_offset" in Consumer.__annotations__
        source = inspect.getsource(Consumer._drain_messages)
        assert "r_offset is None or offset >= r_offset" in source
        assert "set_read_offset(tp, offset)" in source

    def test_the_fetcher_takes_each_record_from_the_scheduler(self) -> None:
        """`SeekFilter` is the app's `ConsumerScheduler`: the consumer makes one, and `getmany`
        takes each record from its `iterate` right before handing it on, so a record the filter
        lets through after a seek is checked against the read offset the filter just cleared."""
        assert "self.app.conf.ConsumerScheduler()" in inspect.getsource(Consumer.__init__)
        source = inspect.getsource(Consumer.getmany)
        assert "self.scheduler.iterate(records)" in source
        loop = source[source.index("for tp, record in records_it:") :]
        assert "await" not in loop[: loop.index("yield tp, to_message(tp, record)")]

    def test_acked_flag_releases_a_message_without_commit(self) -> None:
        """The guard's `message.acked = True` works because `wait_empty` forgets flagged messages
        (`_clean_unacked_messages`) while only `Consumer.ack` records offsets to commit."""
        source = inspect.getsource(Consumer._clean_unacked_messages)
        assert "message.acked" in source
        assert "_acked_index" in inspect.getsource(Consumer.ack)

    def test_message_has_an_acked_flag(self) -> None:
        """`faust.types.tuples.Message` carries the `acked` attribute the guard sets."""
        assert "acked" in faust.types.tuples.Message.__slots__


class TestPublicHooks:
    def test_send_changelog_takes_an_explicit_partition(self) -> None:
        """`InFlight` writes checkpoints outside the agent's event with
        `Collection.send_changelog(partition, key, value)` and `Collection.data`."""
        params = list(inspect.signature(Collection.send_changelog).parameters)
        assert params[:4] == ["self", "partition", "key", "value"]
        # and why `table[key] = value` is not used there: its partition is the current event's
        assert "current_event()" in inspect.getsource(Collection.partition_for_key)

    def test_sensors_hear_the_end_of_a_rebalance(self) -> None:
        """`RebalanceEnded` relies on `Sensor.on_rebalance_end`, sent by the recovery after it
        sought the partitions and resumed the flow."""
        assert issubclass(RebalanceEnded, Sensor)
        assert "on_rebalance_end" in vars(SensorDelegate)
        source = inspect.getsource(Recovery.on_recovery_completed)
        assert source.index("perform_seek") < source.index("on_rebalance_end()")
        assert source.index("resume_flow") < source.index("on_rebalance_end()")

    def test_producer_send_takes_a_topic_name_and_returns_the_delivery(self) -> None:
        """The agent sends outputs with `ProducerT.send(topic, key, value, partition, timestamp,
        headers)` and awaits the awaitable it returns on delivery (`worker._publisher`)."""
        from faust.types.transports import ProducerT

        params = list(inspect.signature(ProducerT.send).parameters)
        assert params[:7] == ["self", "topic", "key", "value", "partition", "timestamp", "headers"]
        assert "Awaitable[" in str(inspect.signature(ProducerT.send).return_annotation)

    def test_the_spinner_is_what_sets_the_root_logger_to_debug(self) -> None:
        """`app.faust_worker` clears `Worker.spinner` because the spinner handler, set up only
        when there is a spinner, leaves the root logger at DEBUG."""
        source = inspect.getsource(faust.Worker._setup_spinner_handler)
        assert "if self.spinner:" in source
        assert "logger.setLevel(logging.DEBUG)" in source

    def test_rebalancing_flag_is_part_of_the_app_interface(self) -> None:
        """`FaustPositions.settled_generation` reads `App.rebalancing`, declared on `AppT`."""
        assert "rebalancing" in AppT.__annotations__


@pytest.mark.asyncio
async def test_rebalance_ended_sets_its_event() -> None:
    """The sensor sets the event the rewind task waits on."""
    event = asyncio.Event()
    RebalanceEnded(event).on_rebalance_end(None, {})
    assert event.is_set()
