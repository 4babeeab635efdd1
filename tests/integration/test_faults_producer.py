"""Entries are not lost before Kafka: a batch the real broker refuses leaves the cursor in place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from structlog.testing import capture_logs

from connectors.kafka_admin import ensure_topics
from connectors.sources.cursor import CursorFile
from connectors.sources.http.fetch import FetchPolicy
from connectors.sources.http.poller import HttpPoller
from connectors.sources.kafka_producer import raw_entry_producer
from connectors.sources.polling import run_source
from schemas.events import RawEntry
from schemas.exceptions import SinkError
from streams.core.settings import Settings
from streams.core.topics import TopicNames, bootstrap_servers
from tests.integration.kafka_support import make_settings, read_all
from tests.test_connectors._live import LivePage, fixture_text, serve

pytestmark = [pytest.mark.integration, pytest.mark.faults]

#: small enough that the broker refuses every batch of the fixture's entries
_TINY = "300"


async def _set_max_message_bytes(settings: Settings, value: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.broker))
    await admin.start()
    try:
        topic = TopicNames.from_settings(settings).raw
        await admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": value})]
        )
    finally:
        await admin.close()


class TestRefusedBatch:
    async def test_flush_raises_and_the_cursor_stays(
        self, kafka_bootstrap: str, unique: str, tmp_path: Path
    ) -> None:
        """The broker refuses the raw batch (over the topic's max.message.bytes): `flush` raises,
        the poller's cursor and its file stay where they were; once the broker takes records
        again the same entries are produced, each exactly once on the topic."""
        settings = make_settings(kafka_bootstrap, unique, partitions=1)
        await ensure_topics(settings, configs={"raw": {"max.message.bytes": _TINY}})
        page = LivePage(fixture_text("block-id-time.html"), "div.blocks > article.block")
        store = CursorFile(tmp_path / "cursors.json")
        attempts: list[int] = []

        async with raw_entry_producer(settings) as producer:

            async def emit(items: Sequence[RawEntry]) -> None:
                attempts.append(len(items))
                try:
                    for item in items:
                        await producer.send(item)
                    await producer.flush()
                except SinkError:
                    # the operator fixes the topic while the runner backs off
                    await _set_max_message_bytes(settings, "1048588")
                    raise

            async def no_wait(delay: float) -> None:
                return None

            async with serve(page.app()) as base, httpx.AsyncClient() as client:
                poller = HttpPoller(
                    f"{base}/live",
                    "storm",
                    client=client,
                    interval=0.1,
                    policy=FetchPolicy(timeout=5),
                )
                with capture_logs() as logs:
                    await run_source(poller, emit, sleep=no_wait, store=store, polls=2)
        failed = [e for e in logs if e["event"] == "emit failed; cursor kept, retrying"]
        assert len(failed) == 1 and "did not take" in failed[0]["reason"]
        assert len(attempts) == 2 and attempts[0] == attempts[1] > 0
        raws = await read_all(settings, "raw")
        assert len(raws) == attempts[0], "every entry on the topic once, none lost"
        assert sorted(r.seq for r in raws) == list(range(attempts[0]))  # type: ignore[attr-defined]
        saved = CursorFile(tmp_path / "cursors.json").load(poller.key)
        assert saved is not None and saved["cursor"]["seq"] == attempts[0]

    async def test_a_send_after_the_broker_refused_raises_sinkerror(
        self, kafka_bootstrap: str, unique: str
    ) -> None:
        """`flush` reports a refused record as a one-line `SinkError`, never silently."""
        settings = make_settings(kafka_bootstrap, unique, partitions=1)
        await ensure_topics(settings, configs={"raw": {"max.message.bytes": _TINY}})
        page = LivePage(fixture_text("block-id-time.html"), "div.blocks > article.block")
        async with serve(page.app()) as base, httpx.AsyncClient() as client:
            poller = HttpPoller(f"{base}/live", "storm", client=client, interval=0.1)
            items = await poller.next_item()
        with pytest.raises(SinkError, match=r"Kafka did not take \d+ of \d+ records"):
            async with raw_entry_producer(settings) as producer:
                await producer.send(items[0])
                await producer.flush()
