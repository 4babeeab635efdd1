"""Topic creation on the real broker: the counts come back once the topics are described, and a
keyed topic with another partition count is refused with a one-line error."""

from __future__ import annotations

import uuid

import pytest

from connectors.kafka_admin import ensure_topics
from schemas.exceptions import ConfigError
from streams.core.topics import TOPIC_KINDS
from tests.integration.kafka_support import make_settings

pytestmark = pytest.mark.integration


class TestEnsureTopics:
    async def test_created_topics_come_back_with_their_partitions(
        self, kafka_bootstrap: str
    ) -> None:
        """Freshly created topics are reported with the configured count, never 0."""
        settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=3)
        counts = await ensure_topics(settings)
        assert counts == dict.fromkeys(TOPIC_KINDS, 3)

    async def test_another_partition_count_is_refused(self, kafka_bootstrap: str) -> None:
        """Topics made with 2 partitions and settings saying 3: a ConfigError naming both."""
        unique = uuid.uuid4().hex[:12]
        await ensure_topics(make_settings(kafka_bootstrap, unique, partitions=2))
        with pytest.raises(ConfigError, match="has 2 partitions, settings say 3"):
            await ensure_topics(make_settings(kafka_bootstrap, unique, partitions=3))
